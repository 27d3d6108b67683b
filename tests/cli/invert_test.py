"""Tests for kgan/cli/invert.py: `kgan invert` recovers a saved GAN's own samples."""

import keras
import numpy as np
import pytest
from PIL import Image

from kgan import cli
from kgan.testing.cli import run_error
from kgan.utils import images as images_lib


def invert(argv, capsys):
    assert cli.main([str(arg) for arg in ["invert", *argv]]) == 0
    return capsys.readouterr().out


def test_inverts_the_models_own_samples_to_npz(model_path, tmp_path, capsys):
    model = keras.saving.load_model(model_path)
    targets = model.generate(4, seed=7)
    np.save(tmp_path / "targets.npy", targets)
    out = tmp_path / "inverted.npz"
    printed = invert(
        [model_path, "--input", tmp_path / "targets.npy", "--out", out, "--steps", 150], capsys
    )
    result = np.load(out)
    assert result["latents"].shape == (4, model.latent_dim)
    assert result["reconstructions"].shape == targets.shape
    errors = np.mean((result["reconstructions"] - targets) ** 2, axis=(1, 2, 3))
    np.testing.assert_allclose(result["errors"], errors, rtol=1e-5)
    others = model.generate(4, seed=8)
    assert errors.max() < 0.1 * np.mean((others - targets) ** 2), errors
    assert "mean squared error" in printed and "PSNR" in printed and str(out) in printed
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "inverted.npz",
        "model.keras",
        "targets.npy",
    ]


def test_png_shows_image_and_reconstruction_pairs(model_path, tmp_path, capsys):
    pixels = images_lib.to_uint8(np.zeros((3, 8, 8, 1), np.float32))
    np.save(tmp_path / "pixels.npy", pixels)  # uint8 input is read as pixels
    out = tmp_path / "pairs.png"
    invert([model_path, "--input", tmp_path / "pixels.npy", "--out", out, "--steps", 5], capsys)
    grid = images_lib.make_grid(np.zeros((6, 8, 8, 1), np.float32), cols=2)
    with Image.open(out) as image:
        assert image.size == (grid.shape[1], grid.shape[0])


def test_a_conditional_model_takes_the_images_labels(conditional_model_path, tmp_path, capsys):
    model = keras.saving.load_model(conditional_model_path)
    labels = np.array([2, 0])
    np.save(tmp_path / "targets.npy", model.generate(labels, seed=1))
    out = tmp_path / "z.npz"
    argv = [conditional_model_path, "--input", tmp_path / "targets.npy", "--out", out]
    invert([*argv, "--labels", "2,0", "--steps", 100], capsys)
    result = np.load(out)
    assert result["errors"].max() < 5e-3, result["errors"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--steps", "0"], "--steps must be at least 1"),
        (["--learning-rate", "0"], "--learning-rate must be positive"),
        (["--out", "z.txt"], "the extension must be one of .npz, .png"),
        (["--input", "missing.npy"], "--input 'missing.npy' does not exist"),
    ],
)
def test_usage_errors(model_path, tmp_path, capsys, extra, message):
    np.save(tmp_path / "targets.npy", np.zeros((2, 8, 8, 1), np.float32))
    argv = ["invert", model_path, "--input", tmp_path / "targets.npy", "--out", "z.npz", *extra]
    code, line = run_error(argv, capsys)
    assert code == cli.USAGE_ERROR and message in line, line
    assert not (tmp_path / "z.npz").exists()


def test_wrong_images_and_models_are_refused(model_path, conditional_model_path, tmp_path, capsys):
    np.save(tmp_path / "wide.npy", np.zeros((2, 8, 8, 3), np.float32))
    np.save(tmp_path / "range.npy", np.full((2, 8, 8, 1), 7.0, np.float32))
    np.save(tmp_path / "good.npy", np.zeros((2, 8, 8, 1), np.float32))
    labels = tmp_path / "labels.npy"
    np.save(labels, np.array([0, 1, 2]))
    out = tmp_path / "z.npz"
    for argv, message in [
        ([model_path, "--input", tmp_path / "wide.npy"], "the model translates images of shape"),
        ([model_path, "--input", tmp_path / "range.npy"], "must lie in [-1, 1]"),
        ([conditional_model_path, "--input", tmp_path / "good.npy", "--labels", "9"], "9"),
        ([conditional_model_path, "--input", tmp_path / "good.npy"], "give the images' labels"),
        (
            [conditional_model_path, "--input", tmp_path / "good.npy", "--labels", labels],
            "--labels has 3 rows for 2 images",
        ),
    ]:
        code, line = run_error(["invert", *argv, "--out", out], capsys)
        assert code == cli.USAGE_ERROR and message in line, line
    assert not out.exists()
