"""Tests for recipes/pix2pix_digits/train.py: tiny runs offline on each data path, and the holes."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import kgan
from kgan.testing import recipes

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TINY_RUN = [
    "--steps-per-epoch", "2", "--epochs", "1", "--batch-size", "4", "--base-filters", "4",
]  # fmt: skip


@pytest.fixture(scope="module")
def train():
    return recipes.load_recipe(__file__)


def test_holes_are_squares_of_the_given_size_inside_the_centre(train):
    images = tf.fill((64, 32, 32, 1), -1.0)
    seeds = tf.constant(np.random.default_rng(0).integers(0, 2**31 - 1, (64, 2)), tf.int32)
    torn = train.tear_holes(images, seeds, 14).numpy()
    holes = torn[..., 0] == train.HOLE_VALUE
    assert (holes.sum(axis=(1, 2)) == 14 * 14).all()
    rows, cols = np.nonzero(holes.any(axis=2)), np.nonzero(holes.any(axis=1))
    assert rows[1].min() >= 8 and rows[1].max() <= 32 - 8 - 1  # a quarter from each border
    assert cols[1].min() >= 8 and cols[1].max() <= 32 - 8 - 1
    assert (torn[~holes[..., None]] == -1.0).all()  # nothing else touched
    assert len({tuple(np.argwhere(hole)[0]) for hole in holes}) > 5  # holes move around
    again = train.tear_holes(images, seeds, 14).numpy()
    np.testing.assert_array_equal(torn, again)  # stateless: the same seeds, the same holes


def test_held_out_pairs_are_fixed_and_disjoint_from_training(train):
    flags = dict(train.DEFAULTS)
    sources, targets, labels, holes = train.held_out_pairs(flags)
    assert sources.shape == targets.shape == (449, 32, 32, 1) and holes.shape == sources.shape
    np.testing.assert_array_equal(sources[~holes], targets[~holes])
    assert (sources[holes] == train.HOLE_VALUE).all() and set(labels) == set(range(10))
    np.testing.assert_array_equal(train.held_out_pairs(flags)[0], sources)
    train_images, _, _ = train.digit_split(32)
    assert len(train_images) == 1348
    seen = {image.tobytes() for image in train_images}
    assert not any(target.tobytes() in seen for target in targets)


def test_tiny_run_writes_the_run_directory(train, tmp_path, capsys):
    out = tmp_path / "run"
    assert train.main([*TINY_RUN, "--out", str(out)]) == 0
    assert "Trained 1 epoch(s) in" in capsys.readouterr().out
    model = keras.saving.load_model(out / "model.keras")
    assert isinstance(model, kgan.Pix2Pix) and model.adversarial_weight == 1.0
    assert int(model.generator_optimizer.iterations) == 2
    assert model.translate(np.zeros((2, 32, 32, 1))).shape == (2, 32, 32, 1)
    # The grid: 8 held-out examples, one per row, source | restored | target.
    (grid,) = (out / "samples").iterdir()
    with Image.open(grid) as image:
        assert image.size == (3 * 34 + 2, 8 * 34 + 2)
    assert not (out / "backup").exists()
    assert {"epoch_d_loss", "epoch_g_loss", "epoch_l1_loss"} <= recipes.summary_tags(
        out / "logs" / "train"
    )
    assert "samples" in recipes.summary_tags(out / "logs" / "samples")
    settings = json.loads((out / "settings.json").read_text())
    assert settings["resolved"]["discriminator_patch"] == 34
    assert settings["result"]["steps"] == 2


def test_l1_only_baseline_trains_without_the_adversarial_term(train, tmp_path):
    out = tmp_path / "l1"
    assert train.main([*TINY_RUN, "--out", str(out), "--adversarial-weight", "0"]) == 0
    assert keras.saving.load_model(out / "model.keras").adversarial_weight == 0.0


def write_images(folder, images, suffix=".png"):
    folder.mkdir(parents=True)
    for index, image in enumerate(images):
        Image.fromarray(image).save(folder / f"{index:03d}{suffix}")


def test_paired_folders_and_side_by_side_files(train, tmp_path):
    rng = np.random.default_rng(0)
    sources = rng.integers(0, 255, (8, 40, 40, 3), dtype=np.uint8)
    targets = 255 - sources
    write_images(tmp_path / "pairs" / "A", sources)
    write_images(tmp_path / "pairs" / "B", targets, suffix=".jpg")
    out = tmp_path / "from_folders"
    assert train.main([*TINY_RUN, "--pairs", str(tmp_path / "pairs"), "--out", str(out)]) == 0
    settings = json.loads((out / "settings.json").read_text())
    assert settings["resolved"]["source_channels"] == settings["resolved"]["target_channels"] == 3

    write_images(tmp_path / "side", np.concatenate([sources, targets], axis=2))
    flags = ["--pairs", str(tmp_path / "side"), "--side-by-side", "right"]
    assert train.main([*TINY_RUN, *flags, "--out", str(tmp_path / "from_side")]) == 0


def test_any_image_folder_gets_holes_torn(train, tmp_path):
    gray = np.random.default_rng(1).integers(0, 255, (12, 32, 32), dtype=np.uint8)
    write_images(tmp_path / "photos", gray)
    out = tmp_path / "run"
    assert train.main([*TINY_RUN, "--data", str(tmp_path / "photos"), "--out", str(out)]) == 0
    assert (out / "model.keras").exists()


DATA_ERRORS = {"Cannot load data from", "no/such/folder"}


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--data", "no_such_dataset_or_folder"], "Cannot load data from"),
        (["--pairs", "/no/such/folder"], "no/such/folder"),
        (["--side-by-side", "left"], "give --pairs too"),
        (["--hole-size", "17"], "more than half of --image-size"),
        (["--loss", "bogus"], "Unknown adversarial loss 'bogus'"),
        (["--epochs", "0"], "--epochs must be a positive integer"),
        (["--image-size", "48"], "power of two"),
        (["--adversarial-weight", "-1"], "must be >= 0"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(train, tmp_path, capsys, flags, message):
    # Exit 1 for data that cannot be loaded, 2 for bad flags (run_directory.run_main).
    code = 1 if message in DATA_ERRORS else 2
    argv = [*TINY_RUN, "--out", tmp_path / "run", *flags]
    err = recipes.usage_error(train.main, argv, capsys, code=code)
    assert message in err, err


def test_resume_refuses_other_settings(train, tmp_path, capsys):
    out = tmp_path / "run"
    (out / "backup").mkdir(parents=True)  # as an interrupted run leaves it
    (out / "settings.json").write_text(json.dumps({"flags": {"hole_size": 10}}))
    assert train.main([*TINY_RUN, "--out", str(out)]) == 2
    assert "other settings (hole_size differ)" in capsys.readouterr().err
