"""Tests for recipes/dcgan_digits/train.py: two tiny steps offline, then the run directory."""

import json

import keras
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

    gan = keras.saving.load_model(out / "model.keras")
    assert isinstance(gan, kgan.GAN)
    assert gan.latent_dim == 16 and int(gan.generator_optimizer.iterations) == 2
    assert gan.generate(2, seed=0).shape == (2, 32, 32, 1)

    assert [path.name for path in (out / "samples").iterdir()] == ["epoch_0001.png"]
    assert not (out / "backup").exists()  # BackupAndRestore deletes it after success

    assert {"epoch_d_loss", "epoch_g_loss"} <= recipes.summary_tags(out / "logs" / "train")
    assert "samples" in recipes.summary_tags(out / "logs" / "samples")

    settings = json.loads((out / "settings.json").read_text())
    assert settings["flags"]["data"] == "digits" and settings["flags"]["latent_dim"] == 16
    assert settings["flags"]["loss"] == "non_saturating" and settings["flags"]["augment"] > 0
    assert settings["resolved"]["channels"] == 1
    assert settings["resolved"]["steps_per_epoch"] == 2
    assert settings["versions"]["keras"] == keras.__version__
    assert settings["versions"]["kgan"] == kgan.__version__
    assert settings["result"]["steps"] == 2


def test_a_subset_with_ada_trains_on_those_images_and_logs_p(train, tmp_path):
    out = tmp_path / "run"
    flags = ["--subset", "32", "--ada-target", "0.6", "--ada-speed", "100", "--augment", "0"]
    flags += ["--ada-policy", "translation,cutout"]
    assert train.main([*TINY_RUN, "--out", str(out), *flags]) == 0
    gan = keras.saving.load_model(out / "model.keras")
    assert gan.augmentation.target == 0.6 and gan.augmentation.speed == 100
    assert gan.augmentation.policy == ("translation", "cutout")
    assert "epoch_augment_p" in recipes.summary_tags(out / "logs" / "train")
    settings = json.loads((out / "settings.json").read_text())
    assert settings["flags"]["subset"] == 32 and "augment_p" in settings["result"]["final_logs"]


def test_resume_refuses_other_settings(train, tmp_path, capsys):
    out = tmp_path / "run"
    (out / "backup").mkdir(parents=True)  # as an interrupted run leaves it
    (out / "settings.json").write_text(json.dumps({"flags": {"latent_dim": 128}}))
    assert train.main([*TINY_RUN, "--out", str(out), "--latent-dim", "16"]) == 2
    assert "other settings (latent_dim differ)" in capsys.readouterr().err


DATA_ERRORS = {"Cannot load data from", "no folder exists"}


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--data", "no_such_dataset_or_folder"], "Cannot load data from"),
        (["--data", "/no/such/folder/"], "no folder exists"),
        (["--loss", "bogus"], "Unknown adversarial loss 'bogus'"),
        (["--epochs", "0"], "--epochs must be a positive integer"),
        (["--image-size", "24"], "power of two"),
        (["--learning-rate", "-1"], "--learning-rate must be positive"),
        (["--augment", "1"], "--augment must be in [0, 1)"),
        (["--ada-target", "1.5"], "--ada-target must be in [0, 1)"),
        (["--subset", "0"], "--subset must be a positive integer"),
        (["--ada-policy", "xflip,zoom"], "--ada-policy: unknown operation 'zoom'"),
        (["--subset", "5000"], "--subset 5000 asks for more images than the data has (1797)"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(train, tmp_path, capsys, flags, message):
    # Exit 1 for data that cannot be loaded, 2 for bad flags (run_directory.run_main).
    code = 1 if message in DATA_ERRORS else 2
    argv = [*TINY_RUN, "--out", tmp_path / "run", *flags]
    err = recipes.usage_error(train.main, argv, capsys, code=code)
    assert message in err, err


def test_bfloat16_run_trains_float32_weights(train, tmp_path):
    out = tmp_path / "run"
    assert train.main([*TINY_RUN, "--out", str(out), "--precision", "mixed_bfloat16"]) == 0
    model = keras.saving.load_model(out / "model.keras")
    assert {weight.dtype for weight in model.generator.weights} == {"float32"}
    assert model.generator.layers[1].dtype_policy.name == "mixed_bfloat16"
    assert json.loads((out / "settings.json").read_text())["flags"]["precision"] == "mixed_bfloat16"


def test_help_lists_the_flags(train, capsys):
    assert train.main(["--help"]) == 0
    help_text = capsys.readouterr().out
    for flag in ("--data", "--loss", "--epochs", "--out", "--steps-per-epoch", "--seed"):
        assert flag in help_text
