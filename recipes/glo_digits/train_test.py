"""Tests for recipes/glo_digits/train.py: a tiny run offline, then the run directory."""

import json

import keras
import numpy as np
import pytest

import kgan
from kgan.testing import recipes

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TINY_RUN = ["--steps-per-epoch", "2", "--epochs", "2", "--batch-size", "16", "--base-filters", "8"]


@pytest.fixture(scope="module")
def train():
    return recipes.load_recipe(__file__)


def test_tiny_run_writes_a_glo_that_samples_and_reconstructs(train, tmp_path, capsys):
    out = tmp_path / "run"
    # L1 alone: the perceptual term would train the digits classifier on first use.
    argv = [*TINY_RUN, "--out", str(out), "--perceptual-weight", "0", "--latent-dim", "16"]
    assert train.main(argv) == 0
    assert "Trained 2 epoch(s) in" in capsys.readouterr().out
    glo = keras.saving.load_model(out / "model.keras")
    assert isinstance(glo, kgan.models.GLO) and glo.num_images == 1797 and glo.step == 4
    assert glo.features is None and glo.latent_dim == 16
    assert glo.generate(3, seed=0).shape == (3, 32, 32, 1)
    assert np.isfinite(glo.reconstruct([0, 1796])).all()
    assert {"epoch_loss", "epoch_l1_loss"} <= recipes.summary_tags(out / "logs" / "train")
    settings = json.loads((out / "settings.json").read_text())
    assert settings["resolved"]["num_images"] == 1797 and settings["resolved"]["perceptual"] is None


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--epochs", "0"], "--epochs must be a positive integer"),
        (["--codes-learning-rate", "0"], "--codes-learning-rate must be positive"),
        (["--perceptual-weight", "-1"], "--perceptual-weight must be >= 0"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(train, tmp_path, capsys, flags, message):
    err = recipes.usage_error(train.main, [*TINY_RUN, "--out", tmp_path / "run", *flags], capsys)
    assert message in err, err
