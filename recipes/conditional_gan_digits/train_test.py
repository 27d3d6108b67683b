"""Tests for recipes/conditional_gan_digits/train.py: tiny steps offline, then the run directory."""

import json

import keras
import numpy as np
import pytest

import kgan
from kgan.testing import recipes

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TINY_RUN = ["--steps-per-epoch", "2", "--epochs", "1", "--batch-size", "16", "--base-filters", "8"]


@pytest.fixture(scope="module")
def train():
    return recipes.load_recipe(__file__)


def test_tiny_run_writes_the_run_directory(train, tmp_path, capsys):
    out = tmp_path / "run"
    assert train.main([*TINY_RUN, "--out", str(out), "--latent-dim", "16"]) == 0
    assert "Trained 1 epoch(s) in" in capsys.readouterr().out

    model = keras.saving.load_model(out / "model.keras")
    assert isinstance(model, kgan.ConditionalGAN)
    assert model.num_classes == 10 and model.conditioning == "projection"
    assert model.mismatch_weight == 1.0 and int(model.generator_optimizer.iterations) == 2
    assert model.generate(np.array([3, 7]), seed=0).shape == (2, 32, 32, 1)

    assert [path.name for path in (out / "samples").iterdir()] == ["epoch_0001.png"]
    assert not (out / "backup").exists()  # BackupAndRestore deletes it after success

    tags = recipes.summary_tags(out / "logs" / "train")
    assert {"epoch_d_loss", "epoch_g_loss", "epoch_mismatch_loss"} <= tags
    assert "samples" in recipes.summary_tags(out / "logs" / "samples")

    settings = json.loads((out / "settings.json").read_text())
    assert settings["flags"]["conditioning"] == "projection"
    assert settings["flags"]["mismatch_weight"] is None
    assert settings["resolved"]["mismatch_weight"] == 1.0
    assert settings["resolved"]["channels"] == 1 and settings["resolved"]["steps_per_epoch"] == 2
    assert settings["versions"]["kgan"] == kgan.__version__
    assert settings["result"]["steps"] == 2


@pytest.mark.parametrize(
    "flags, logged, absent",
    [
        (["--mismatch-weight", "0"], "epoch_d_loss", "epoch_mismatch_loss"),
        (
            ["--conditioning", "concat", "--generator-normalization", "batch"],
            "epoch_mismatch_loss",
            None,
        ),
        (["--conditioning", "acgan", "--augment", "0"], "epoch_class_loss", "epoch_mismatch_loss"),
    ],
)
def test_other_conditionings_and_the_ablation_train(train, tmp_path, flags, logged, absent):
    out = tmp_path / "run"
    assert train.main([*TINY_RUN, "--out", str(out), "--samples-every", "5", *flags]) == 0
    tags = recipes.summary_tags(out / "logs" / "train")
    assert logged in tags and absent not in tags


def test_resume_refuses_other_settings(train, tmp_path, capsys):
    out = tmp_path / "run"
    (out / "backup").mkdir(parents=True)  # as an interrupted run leaves it
    (out / "settings.json").write_text(json.dumps({"flags": {"mismatch_weight": None}}))
    assert train.main([*TINY_RUN, "--out", str(out), "--mismatch-weight", "0"]) == 2
    assert "other settings (mismatch_weight differ)" in capsys.readouterr().err


DATA_ERRORS = {"Cannot load data from"}


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--data", "no_such_dataset_or_folder"], "Cannot load data from"),
        (["--conditioning", "bogus"], "invalid choice: 'bogus'"),
        (["--conditioning", "acgan", "--mismatch-weight", "1"], "takes no --mismatch-weight"),
        (["--mismatch-weight", "-1"], "--mismatch-weight must be >= 0"),
        (["--loss", "bogus"], "Unknown adversarial loss 'bogus'"),
        (["--epochs", "0"], "--epochs must be a positive integer"),
        (["--image-size", "24"], "power of two"),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(train, tmp_path, capsys, flags, message):
    # Exit 1 for data that cannot be loaded, 2 for bad flags (run_directory.run_main).
    code = 1 if message in DATA_ERRORS else 2
    argv = [*TINY_RUN, "--out", tmp_path / "run", *flags]
    err = recipes.usage_error(train.main, argv, capsys, code=code)
    assert message in err, err
