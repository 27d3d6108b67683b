"""Tests for recipes/cycle_gan_digits/train.py: the two styles, tiny runs offline, bad input."""

import json

import keras
import numpy as np
import pytest
from PIL import Image

import kgan
from kgan.testing import recipes

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TINY_RUN = [
    "--steps-per-epoch", "2", "--epochs", "2", "--decay-epochs", "1", "--batch-size", "2",
    "--filters", "4", "--generator-blocks", "1",
]  # fmt: skip


@pytest.fixture(scope="module")
def train():
    return recipes.load_recipe(__file__)


def test_the_second_style_is_thick_black_strokes_on_white(train):
    digit = -np.ones((1, 8, 8, 1), np.float32)
    digit[0, 4, 4, 0] = 1.0  # one white pixel
    styled = train.bold_inverted(digit)[0, ..., 0]
    assert (styled[3:6, 3:6] == -1.0).all()  # dilated to 3x3, now black
    assert (styled[:3] == 1.0).all() and styled.sum() == 64 - 2 * 9  # white elsewhere


def test_the_two_training_domains_hold_different_digits(train):
    train_a, train_b, held_out = train.digit_domains(32)
    assert len(train_a) == 674 and len(train_b) == 674
    assert held_out["a"].shape == held_out["b"].shape == (449, 32, 32, 1)
    assert set(held_out["labels"]) == set(range(10))
    # Style B of a training-A digit is never in domain B: no pairs to learn from.
    restyled = {image.tobytes() for image in train.bold_inverted(train_a)}
    assert not any(image.tobytes() in restyled for image in train_b)


def test_tiny_run_writes_the_run_directory(train, tmp_path, capsys):
    out = tmp_path / "run"
    assert train.main([*TINY_RUN, "--out", str(out)]) == 0
    assert "Trained 2 epoch(s) in" in capsys.readouterr().out
    model = keras.saving.load_model(out / "model.keras")
    assert isinstance(model, kgan.CycleGAN)
    assert int(model.generator_ab_optimizer.iterations) == 4
    # LinearDecay: one constant epoch, one decay epoch ending at 0, on all four optimizers.
    for name in train.NETWORKS:
        assert float(getattr(model, f"{name}_optimizer").learning_rate) == 0.0
    assert model.translate(np.zeros((2, 32, 32, 1)), direction="b2a").shape == (2, 32, 32, 1)
    # The grids: 8 held-out examples, a | a->b | a->b->a | b | b->a | b->a->b.
    grids = sorted((out / "samples").iterdir())
    assert [grid.name for grid in grids] == ["epoch_0002.png"]
    with Image.open(grids[0]) as image:
        assert image.size == (6 * 34 + 2, 8 * 34 + 2)
    tags = recipes.summary_tags(out / "logs" / "train")
    assert {"epoch_cycle_loss", "epoch_d_loss_a", "epoch_g_loss_ab"} <= tags
    assert "epoch_generator_ab_optimizer_lr" in tags
    settings = json.loads((out / "settings.json").read_text())
    assert settings["resolved"]["steps_per_epoch"] == 2
    assert settings["resolved"]["identity_weight"] == 0.0  # the recipe's default, see README


def write_images(folder, images):
    folder.mkdir(parents=True)
    for index, image in enumerate(images):
        Image.fromarray(image).save(folder / f"{index:03d}.png")


def test_the_paper_identity_term_can_be_asked_for(train, tmp_path):
    out = tmp_path / "run"
    assert train.main([*TINY_RUN, "--identity-weight", "0.5", "--out", str(out)]) == 0
    assert "epoch_identity_loss" in recipes.summary_tags(out / "logs" / "train")


def test_two_folders_of_different_channels_train_without_identity(train, tmp_path):
    rng = np.random.default_rng(0)
    write_images(tmp_path / "gray", rng.integers(0, 255, (6, 32, 32), dtype=np.uint8))
    write_images(tmp_path / "rgb", rng.integers(0, 255, (4, 32, 32, 3), dtype=np.uint8))
    out = tmp_path / "run"
    flags = ["--data-a", str(tmp_path / "gray"), "--data-b", str(tmp_path / "rgb")]
    flags += ["--identity-weight", "0.5"]  # asked for, but impossible: dropped
    assert train.main([*TINY_RUN, *flags, "--out", str(out)]) == 0
    settings = json.loads((out / "settings.json").read_text())
    assert (settings["resolved"]["channels_a"], settings["resolved"]["channels_b"]) == (1, 3)
    assert settings["resolved"]["identity_weight"] == 0.0  # impossible across channel counts


DATA_ERRORS = {"Domain 'a'"}


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--data-a", "no_such_dataset_or_folder", "--data-b", "digits"], "Domain 'a'"),
        (["--data-a", "mnist"], "pairs with --data-a digits"),
        (["--decay-epochs", "3"], "--decay-epochs must be between 0 and --epochs"),
        (["--pool-size", "-1"], "--pool-size must be >= 0"),
        (["--loss", "bogus"], "Unknown adversarial loss 'bogus'"),
        (["--epochs", "0"], "--epochs must be a positive integer"),
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
    (out / "settings.json").write_text(json.dumps({"flags": {"pool_size": 10}}))
    assert train.main([*TINY_RUN, "--out", str(out)]) == 2
    assert "other settings (pool_size differ)" in capsys.readouterr().err
