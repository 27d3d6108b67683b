"""Tests for recipes/gaussian_grid: the grid data, a tiny run (model, metrics, drawings, logs),
`kgan sample` of its model and the one-line errors."""

import json

import keras
import numpy as np
import pytest

from kgan import cli
from kgan.metrics import mixture_modes
from kgan.testing import recipes

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def points_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("grid") / "points.npy"
    assert (
        recipes.load_recipe(__file__, "make_data.py").main(["--out", str(path), "--num", "2000"])
        == 0
    )
    return path


def test_make_data_writes_the_grid(points_path):
    points = np.load(points_path)
    assert points.shape == (2000, 2) and points.dtype == np.float32
    stats = mixture_modes.mixture_modes(points, mixture_modes.grid_means(), std=0.05)
    assert stats["high_quality"] > 0.98 and stats["modes_captured"] == 25


def test_tiny_run_writes_the_model_the_mode_counts_and_the_drawings(points_path, tmp_path):
    out = tmp_path / "run"
    argv = [
        "--data", str(points_path), "--out", str(out), "--epochs", "2", "--steps-per-epoch", "3",
        "--batch-size", "16", "--num-eval", "100", "--samples-every", "1", "--decay-epochs", "1",
    ]  # fmt: skip
    assert recipes.load_recipe(__file__).main(argv) == 0
    model = keras.saving.load_model(out / "model.keras")
    assert model.step == 6 and model.has_ema
    settings = json.loads((out / "settings.json").read_text())
    logs = settings["result"]["final_logs"]
    assert 0 <= logs["modes_captured"] <= 25 and 0 <= logs["high_quality"] <= 1
    assert settings["resolved"]["scale"] == pytest.approx(float(np.abs(np.load(points_path)).max()))
    assert (out / "samples" / "epoch_0001.png").is_file()
    assert (out / "samples" / "epoch_0002.png").is_file()
    tags = recipes.summary_tags(out / "logs" / "train")
    assert {"epoch_modes_captured", "epoch_high_quality", "epoch_mode_kl"} <= tags
    assert "epoch_generator_optimizer_lr" in tags
    # The command: 2,500 float32 points in the data's units.
    samples_path = tmp_path / "samples.npy"
    argv = [
        "sample",
        str(out / "model.keras"),
        "--num",
        "2500",
        "--seed",
        "1",
        "--out",
        str(samples_path),
    ]
    assert cli.main(argv) == 0
    samples = np.load(samples_path)
    assert samples.shape == (2500, 2) and samples.dtype == np.float32
    np.testing.assert_allclose(samples, model.generate(2500, seed=1), atol=1e-5)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--batch-size", "18"], "must be a multiple of --packing 4"),
        (["--ema-decay", "1.5"], "--ema-decay must be in [0, 1)"),
        (["--decay-epochs", "50"], "--decay-epochs must be in [0, --epochs 40]"),
        (["--loss", "nope"], "nope"),
    ],
)
def test_bad_flags_are_one_line(points_path, capsys, extra, message):
    line = recipes.usage_error(
        recipes.load_recipe(__file__).main, ["--data", str(points_path), *extra], capsys
    )
    assert message in line


def test_bad_data_is_one_line(tmp_path, capsys):
    train = recipes.load_recipe(__file__)
    assert "required: --data" in recipes.usage_error(train.main, [], capsys)
    images = tmp_path / "images.npy"
    np.save(images, np.zeros((10, 8, 8), np.float32))
    line = recipes.usage_error(train.main, ["--data", str(images)], capsys)
    assert "float points [N, 2]" in line and "(10, 8, 8)" in line
    assert "no such file" in recipes.usage_error(
        train.main, ["--data", str(tmp_path / "x.npy")], capsys
    )
