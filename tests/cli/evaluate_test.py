"""Tests for kgan/cli/evaluate.py: `kgan evaluate` on a tiny saved GAN and a tiny extractor saved
as a .keras file, against the library's `Evaluator` (and against `kgan stats` files)."""

import json

import keras
import numpy as np
import pytest

import kgan
from kgan import cli
from kgan.cli import evaluate
from kgan.metrics import evaluation
from kgan.metrics.frechet_distance import FeatureStatistics
from kgan.testing.cli import run
from kgan.testing.cli import run_error
from kgan.testing.cli import save_tiny_gan

IMAGE_SIZE = 8
OPTIONS = ["--num", "48", "--batch-size", "16", "--seed", "5", "--json"]


@pytest.fixture
def extractor_path(tmp_path):
    """A tiny extractor with features and logits, as a `.keras` file `--extractor` can name."""
    images = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1))
    flat = keras.layers.Flatten()(images)
    outputs = {"features": keras.layers.Dense(4)(flat), "logits": keras.layers.Dense(3)(flat)}
    path = tmp_path / "extractor.keras"
    keras.Model(images, outputs).save(path)
    return str(path)


def test_evaluate_prints_and_writes_what_the_evaluator_computes(
    model_path, extractor_path, tmp_path, capsys
):
    out = tmp_path / "scores" / "scores.json"
    argv = ["evaluate", model_path, "--data", "digits", "--extractor", extractor_path]
    argv += ["--metrics", "fid,kid,is,pr,dc", "--num-real", "100", "--out", out, *OPTIONS]
    with pytest.warns(UserWarning):  # KID subsets capped at 48 samples; FID with N < 48 dims
        printed = json.loads(run(argv, capsys))
    assert json.loads(out.read_text()) == printed
    assert printed["metrics"] == ["fid", "kid", "is", "pr", "dc"]

    real = kgan.data.load("digits", image_size=IMAGE_SIZE, batch_size=16, shuffle=False)
    evaluator = evaluation.Evaluator(
        ("fid", "kid", "is", "pr", "dc"), extractor_path, real, num_real=100, batch_size=16
    )
    with pytest.warns(UserWarning):
        expected = evaluator.evaluate(keras.saving.load_model(model_path), num_samples=48, seed=5)
    for key in ("fid", "kid", "kid_std", "is", "is_std", "precision", "recall", "density"):
        assert printed[key] == pytest.approx(expected[key], rel=1e-9), key
    assert printed["num_samples"] == 48 and printed["num_real"] == 100


def test_stats_file_gives_the_same_fid_as_the_data(model_path, extractor_path, tmp_path, capsys):
    stats = tmp_path / "digits_stats.npz"
    argv = ["stats", "digits", "--extractor", extractor_path, "--out", stats]
    printed = run([*argv, "--image-size", IMAGE_SIZE, "--channels", 1], capsys)
    assert "Wrote the statistics of 1797 images (8x8x1, 4-d" in printed
    statistics = FeatureStatistics.load(stats)
    assert statistics.count == 1797
    assert statistics.metadata["image_shape"] == [IMAGE_SIZE, IMAGE_SIZE, 1]

    common = ["evaluate", model_path, "--extractor", extractor_path, "--metrics", "fid"]
    from_stats = json.loads(run([*common, "--data", stats, *OPTIONS], capsys))
    from_data = json.loads(run([*common, "--data", "digits", *OPTIONS], capsys))
    assert from_stats["fid"] == pytest.approx(from_data["fid"], rel=1e-9)


@pytest.mark.slow
def test_digits_extractor_works_offline(tmp_path, capsys, monkeypatch):
    from kgan.metrics import classifier

    train_once = classifier.digits_classifier
    # One epoch into a scratch cache: the real training path, minutes shorter.
    monkeypatch.setattr(
        classifier,
        "digits_classifier",
        lambda **kwargs: train_once(**kwargs, epochs=1, cache_dir=tmp_path / "cache"),
    )
    size = 16  # the classifier is trained at the samples' size
    save_tiny_gan(tmp_path / "model.keras", image_size=size)
    argv = ["evaluate", tmp_path / "model.keras", "--data", "digits", "--extractor", "digits"]
    argv += ["--metrics", "is,classes", "--num", "64"]
    # The first use trains the classifier: it says so, a line per epoch, on stderr.
    assert cli.main([str(arg) for arg in argv]) == 0
    captured = capsys.readouterr()
    assert "Training the digits classifier (16x16, 1 epochs, a line per epoch)" in captured.err
    assert "this happens once" in captured.err and "Cached the digits classifier" in captured.err
    assert "loss:" in captured.err  # the epoch line
    # The terminal gets a table: one aligned row per setting and per score.
    rows = dict(line.split(None, 1) for line in captured.out.strip().splitlines())
    assert rows["extractor"] == "digits" and len(rows["class_histogram"].split()) == 10
    printed = json.loads(run([*argv, "--json"], capsys))  # cached now: no training line
    assert capsys.readouterr().err == ""
    assert rows["is"] == f"{printed['is']:.6g}"
    assert 1.0 <= printed["is"] <= 10.0
    assert 1 <= printed["classes_present"] <= 10
    assert len(printed["class_histogram"]) == 10
    assert np.isfinite(printed["class_kl"])
    assert list((tmp_path / "cache").glob(f"digits_classifier_{size}_*.keras"))


def test_non_finite_values_become_null_so_the_json_is_standard():
    # class_kl is infinite when samples fall in a class the real data never shows; JSON has no
    # Infinity, and `json.dumps` would write one that strict parsers reject.
    payload = {"fid": 1.5, "class_kl": float("inf"), "ratio": float("nan"), "hist": [0.5, 0.5]}
    safe = evaluate.json_safe(payload)
    assert safe == {"fid": 1.5, "class_kl": None, "ratio": None, "hist": [0.5, 0.5]}
    json.dumps(safe, allow_nan=False)


@pytest.mark.parametrize(
    "extra, code, message",
    [
        (["--metrics", "fid,inception"], cli.USAGE_ERROR, "unknown metric(s) inception"),
        (["--metrics", " , "], cli.USAGE_ERROR, "unknown metric(s) (none given)"),
        (["--num", "0"], cli.USAGE_ERROR, "--num must be at least 1"),
        (["--out", "scores.txt"], cli.USAGE_ERROR, "extension must be one of .json"),
        (["--extractor", "vgg"], cli.RUN_ERROR, "cannot use the feature extractor 'vgg'"),
        (["--data", "no/such/folder"], cli.RUN_ERROR, "--data 'no/such/folder': Cannot load"),
    ],
)
def test_evaluate_errors(model_path, capsys, extra, code, message):
    got_code, line = run_error(["evaluate", model_path, "--data", "digits", *extra], capsys)
    assert got_code == code and message in line, line


def test_stats_file_must_match_the_evaluation(model_path, extractor_path, tmp_path, capsys):
    stats = tmp_path / "stats.npz"
    statistics = FeatureStatistics().update(np.eye(5, 4))
    statistics.save(stats, extractor="inception_v3", image_shape=[IMAGE_SIZE, IMAGE_SIZE, 1])
    base = ["evaluate", model_path, "--data", stats]
    cases = [
        (["--metrics", "fid,kid"], cli.USAGE_ERROR, "only FID can use; the metrics kid need"),
        (["--extractor", extractor_path], cli.RUN_ERROR, "computed with the extractor 'inc"),
    ]
    for extra, code, message in cases:
        got_code, line = run_error([*base, "--metrics", "fid", *extra], capsys)
        assert got_code == code and message in line, line
    statistics.save(stats, extractor=extractor_path, image_shape=[16, 16, 3])
    got_code, line = run_error([*base, "--metrics", "fid", "--extractor", extractor_path], capsys)
    assert "computed on 16x16x3 images but the model generates 8x8x1" in line
    assert "--image-size 8 --channels 1" in line


def test_stats_file_is_tied_to_the_extractor_weights(
    model_path, extractor_path, tmp_path, capsys, monkeypatch
):
    stats = tmp_path / "stats.npz"
    run(
        [
            "stats",
            "digits",
            "--image-size",
            IMAGE_SIZE,
            "--extractor",
            extractor_path,
            "--out",
            stats,
        ],
        capsys,
    )
    # The same file under another spelling of its path is the same extractor.
    monkeypatch.chdir(tmp_path)
    evaluate = ["evaluate", model_path, "--data", stats, "--metrics", "fid", *OPTIONS]
    assert "fid" in json.loads(run([*evaluate, "--extractor", "extractor.keras"], capsys))
    # Other weights under the same name are not.
    model = keras.saving.load_model(extractor_path)
    model.set_weights([weight + 1.0 for weight in model.get_weights()])
    model.save(extractor_path)
    code, line = run_error([*evaluate, "--extractor", extractor_path], capsys)
    assert code == cli.RUN_ERROR and "(other weights under that name)" in line


def test_conditional_model_reports_condition_accuracy(
    conditional_model_path, attribute_model_path, extractor_path, capsys
):
    argv = ["evaluate", conditional_model_path, "--data", "digits", "--extractor", extractor_path]
    argv += ["--metrics", "fid,classes", "--num-real", "100", *OPTIONS]
    printed = json.loads(run(argv, capsys))
    real = kgan.data.load("digits", image_size=IMAGE_SIZE, batch_size=16, shuffle=False)
    evaluator = evaluation.Evaluator(
        ("fid", "classes"), extractor_path, real, num_real=100, batch_size=16
    )
    model = keras.saving.load_model(conditional_model_path)
    expected = evaluator.evaluate(model, num_samples=48, seed=5)
    assert 0.0 <= printed["condition_accuracy"] <= 1.0
    for key in ("fid", "condition_accuracy", "max_class_share"):
        assert printed[key] == pytest.approx(expected[key], rel=1e-9), key
    # Attribute vectors cannot be drawn from --data, which carries no labels: one clear line.
    argv[1] = attribute_model_path
    code, line = run_error(argv, capsys)
    assert code == cli.RUN_ERROR and "real data carries no labels" in line
