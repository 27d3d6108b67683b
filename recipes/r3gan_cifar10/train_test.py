"""Tests for recipes/r3gan_cifar10/train.py: the real tfds path under mock data, FID from a
small extractor the test builds (the Inception weights cannot be fetched offline)."""

import json

import keras
import pytest
import tensorflow_datasets

import kgan
from kgan.testing import recipes

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TINY_RUN = [
    "--steps-per-epoch", "2", "--epochs", "2", "--batch-size", "8", "--base-filters", "8",
    "--latent-dim", "16", "--fid-samples", "16", "--samples-every", "1",
]  # fmt: skip


@pytest.fixture(scope="module")
def train():
    return recipes.load_recipe(__file__)


@pytest.fixture
def extractor_path(tmp_path):
    inputs = keras.Input((32, 32, 3))
    features = keras.layers.Dense(4, name="features")(keras.layers.GlobalAveragePooling2D()(inputs))
    path = tmp_path / "extractor.keras"
    keras.Model(inputs, features).save(path)
    return str(path)


def test_tiny_run_on_mock_cifar10_tracks_fid_and_keeps_the_best(train, tmp_path, extractor_path):
    out = tmp_path / "run"
    argv = [*TINY_RUN, "--out", str(out), "--fid-every", "1", "--best"]
    with tensorflow_datasets.testing.mock_data(num_examples=64):
        assert train.main([*argv, "--extractor", extractor_path]) == 0
    gan = keras.saving.load_model(out / "model.keras")
    assert isinstance(gan, kgan.GAN) and gan.step == 4
    assert gan.loss_name == "relativistic_pairing" and gan.r1_weight == gan.r2_weight == 0.025
    assert gan.has_ema and gan.augmentation.policy[0] == "xflip"
    assert gan.generate(2, seed=0).shape == (2, 32, 32, 3)
    assert (out / "best.keras").exists()
    assert {"epoch_fid", "epoch_augment_p", "epoch_r1", "epoch_r2"} <= recipes.summary_tags(
        out / "logs" / "train"
    )
    settings = json.loads((out / "settings.json").read_text())
    assert settings["flags"]["data"] == "cifar10:train"
    assert settings["result"]["final_logs"]["fid"] >= 0


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--best"], "--best keeps the best FID: give --fid-every N too"),
        (["--gamma", "-1"], "--gamma must be >= 0"),
        (["--ada-target", "1"], "--ada-target must be in [0, 1)"),
        (["--epochs", "0"], "--epochs must be a positive integer"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(train, tmp_path, capsys, flags, message):
    argv = [*TINY_RUN, "--fid-every", "0", "--out", tmp_path / "run", *flags]
    err = recipes.usage_error(train.main, argv, capsys)
    assert message in err, err
