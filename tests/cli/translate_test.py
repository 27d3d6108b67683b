"""Tests for kgan/cli/translate.py: `kgan translate` on tiny Pix2Pix and CycleGAN models."""

import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

from kgan import cli
from kgan.testing.cli import run
from kgan.testing.cli import run_error
from kgan.testing.cli import save_tiny_cycle_gan
from kgan.testing.cli import save_tiny_gan
from kgan.testing.cli import save_tiny_pix2pix
from kgan.utils import images as images_lib

IMAGE_SIZE = 8


@pytest.fixture(scope="module")
def gray_model(tmp_path_factory):
    """A saved tiny 8x8 gray -> gray Pix2Pix."""
    return save_tiny_pix2pix(tmp_path_factory.mktemp("gray") / "pix2pix.keras")


@pytest.fixture(scope="module")
def rgb_model(tmp_path_factory):
    """A saved tiny 8x8 RGB -> gray Pix2Pix, with dropout in its generator."""
    path = tmp_path_factory.mktemp("rgb") / "pix2pix.keras"
    return save_tiny_pix2pix(path, source_channels=3, channels=1, dropout=0.5)


def sources(num=5, channels=1, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (num, IMAGE_SIZE, IMAGE_SIZE, channels))


def test_npy_equals_model_translate(gray_model, tmp_path, capsys):
    images = sources().astype(np.float32)
    np.save(tmp_path / "in.npy", images)
    out = tmp_path / "out.npy"
    argv = ["translate", gray_model, "--input", tmp_path / "in.npy", "--out", out]
    printed = run([*argv, "--batch-size", 2], capsys)
    assert f"Translated 5 images of shape (8, 8, 1) to {out}" in printed
    translated = np.load(out)
    assert translated.dtype == np.float32 and translated.shape == images.shape
    expected = keras.saving.load_model(gray_model).translate(images, training=False)
    np.testing.assert_allclose(translated, expected, atol=1e-6)


def test_uint8_and_gray_shapes_equal_the_float_path(gray_model, tmp_path, capsys):
    pixels = np.random.default_rng(1).integers(0, 256, (3, IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    np.save(tmp_path / "pixels.npy", pixels)  # [N, H, W]: gray, no channel axis
    np.save(tmp_path / "floats.npy", (2.0 * pixels[..., None] - 255.0) / 255.0)
    for name in ("pixels", "floats"):
        run(
            [
                "translate",
                gray_model,
                "--input",
                tmp_path / f"{name}.npy",
                "--out",
                tmp_path / f"{name}_out.npy",
            ],
            capsys,
        )
    np.testing.assert_array_equal(
        np.load(tmp_path / "pixels_out.npy"), np.load(tmp_path / "floats_out.npy")
    )


def test_folder_to_folder_converts_and_resizes(rgb_model, tmp_path, capsys):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 256, (8, 8, 3), np.uint8)).save(inputs / "b.png")
    Image.fromarray(rng.integers(0, 256, (16, 12, 3), np.uint8)).save(inputs / "a.png")
    Image.fromarray(rng.integers(0, 256, (8, 8), np.uint8)).save(inputs / "gray.png")
    out = tmp_path / "out"
    printed = run(["translate", rgb_model, "--input", inputs, "--out", out], capsys)
    assert "resized 1 of 3 images to 8x8" in printed
    assert sorted(path.name for path in out.iterdir()) == ["a.png", "b.png", "gray.png"]
    for path in out.iterdir():
        with Image.open(path) as image:
            assert image.size == (IMAGE_SIZE, IMAGE_SIZE) and image.mode == "L"


def test_npy_to_folder_and_png_grid(gray_model, tmp_path, capsys):
    np.save(tmp_path / "in.npy", sources(num=3).astype(np.float32))
    run(
        ["translate", gray_model, "--input", tmp_path / "in.npy", "--out", tmp_path / "out"], capsys
    )
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "00000.png",
        "00001.png",
        "00002.png",
    ]
    run(
        ["translate", gray_model, "--input", tmp_path / "in.npy", "--out", tmp_path / "g.png"],
        capsys,
    )
    # Three rows of source | translated.
    expected = images_lib.make_grid(np.zeros((6, IMAGE_SIZE, IMAGE_SIZE, 1)), cols=2)
    with Image.open(tmp_path / "g.png") as grid:
        assert grid.size == (expected.shape[1], expected.shape[0])


def test_dropout_noise_follows_the_seed(rgb_model, tmp_path, capsys):
    np.save(tmp_path / "in.npy", sources(num=2, channels=3).astype(np.float32))
    outputs = {}
    options = {"off": [], "a": ["--seed", 1], "b": ["--seed", 1], "c": ["--seed", 2]}
    for name, seed in options.items():
        dropout = ["--dropout"] if seed else []
        out = tmp_path / f"{name}.npy"
        run(["translate", rgb_model, "--input", tmp_path / "in.npy", "--out", out, *dropout, *seed],
            capsys)  # fmt: skip
        outputs[name] = np.load(out)
    np.testing.assert_array_equal(outputs["a"], outputs["b"])
    assert not np.allclose(outputs["a"], outputs["c"])
    assert not np.allclose(outputs["a"], outputs["off"])


def test_direction_picks_the_cycle_gans_generator(tmp_path, capsys):
    # A gray, B RGB: each direction has its own source shape, found from its own generator.
    path = save_tiny_cycle_gan(tmp_path / "cycle.keras", channels_a=1, channels_b=3)
    model = keras.saving.load_model(path)
    gray, rgb = sources(3, channels=1), sources(3, channels=3, seed=1)
    np.save(tmp_path / "gray.npy", gray)
    np.save(tmp_path / "rgb.npy", rgb)
    for direction, inputs, name in (("a2b", gray, "gray"), ("b2a", rgb, "rgb")):
        out = tmp_path / f"{direction}.npy"
        argv = ["translate", path, "--input", tmp_path / f"{name}.npy", "--out", out]
        run([*argv, "--direction", direction], capsys)
        expected = model.translate(inputs, direction=direction)
        np.testing.assert_allclose(np.load(out), expected, atol=1e-6)
    out = tmp_path / "default.npy"  # no --direction: the model's own default, a2b
    run(["translate", path, "--input", tmp_path / "gray.npy", "--out", out], capsys)
    assert np.load(out).shape == (3, IMAGE_SIZE, IMAGE_SIZE, 3)
    code, line = run_error(
        ["translate", path, "--input", tmp_path / "gray.npy", "--out", out, "--direction", "b2a"]
        + ["--force"],
        capsys,
    )
    assert code == cli.USAGE_ERROR and "(8, 8, 3)" in line


def test_unreadable_and_clashing_files(gray_model, tmp_path, capsys):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(inputs / "a.png")
    (inputs / "broken.png").write_bytes(b"not a png")
    printed = run(["translate", gray_model, "--input", inputs, "--out", tmp_path / "o"], capsys)
    assert "skipped 1 unreadable files: broken.png" in printed
    assert sorted(path.name for path in (tmp_path / "o").iterdir()) == ["a.png"]
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(inputs / "a.bmp")
    code, line = run_error(["translate", gray_model, "--input", inputs, "--out", tmp_path / "p"],
                           capsys)  # fmt: skip
    assert code == cli.USAGE_ERROR and "would both be written as a.png" in line
    assert not (tmp_path / "p").exists()


@pytest.fixture(scope="module")
def error_files(tmp_path_factory, gray_model, rgb_model):
    """A folder with models and inputs for the error cases; `new/` must never appear in it."""
    folder = tmp_path_factory.mktemp("errors")
    np.save(folder / "gray.npy", sources().astype(np.float32))
    np.save(
        folder / "big.npy", np.linspace(0.0, 255.0, 320).reshape(5, 8, 8, 1)
    )  # pixels as floats
    (folder / "empty").mkdir()
    save_tiny_gan(folder / "gan.keras")
    return folder, {"gray": gray_model, "rgb": rgb_model, "gan": folder / "gan.keras"}


@pytest.mark.parametrize(
    "model, source, out, extra, code, message",
    [
        ("gan", "gray.npy", "new/o.npy", [], cli.USAGE_ERROR, "use `kgan sample` instead"),
        ("rgb", "gray.npy", "new/o.npy", [], cli.USAGE_ERROR,
         "shape (8, 8, 1), but the model translates images of shape (8, 8, 3)"),
        ("gray", "big.npy", "new/o.npy", [], cli.USAGE_ERROR,
         "floats in [0, 255], but float images must lie in [-1, 1]: save uint8"),
        ("gray", "empty", "new/o.npy", [], cli.USAGE_ERROR, "No images found"),
        ("gray", "missing.npy", "new/o.npy", [], cli.RUN_ERROR, "no --input file or folder"),
        ("gray", "gray.npy", "new/o.jpg", [], cli.USAGE_ERROR, "a .npy or .png file, or a folder"),
        ("gray", "gray.npy", "new/o.npy", ["--direction", "a2b"], cli.USAGE_ERROR,
         "Pix2Pix translates one way only; leave --direction out"),
        ("gray", "gray.npy", "new/o.npy", ["--direction", "up"], cli.USAGE_ERROR, "invalid choice"),
        ("gray", "gray.npy", "new/o.npy", ["--seed", "1"], cli.USAGE_ERROR, "leave --seed out"),
        ("gray", "gray.npy", "new/o.npy", ["--batch-size", "0"], cli.USAGE_ERROR, "at least 1"),
        ("gray", "gray.npy", "gray.npy", [], cli.USAGE_ERROR, "is the --input file itself"),
        ("gray", "empty", "empty", [], cli.USAGE_ERROR, "is the --input folder itself"),
    ],
)  # fmt: skip
def test_errors(error_files, capsys, model, source, out, extra, code, message):
    folder, models = error_files
    argv = ["translate", models[model], "--input", folder / source, "--out", folder / out, *extra]
    exit_code, line = run_error(argv, capsys)
    assert exit_code == code and message in line, line
    assert not (folder / "new").exists()  # a failed command leaves no folders or files behind


def test_help(capsys):
    assert cli.main(["translate", "--help"]) == 0
    assert "--direction" in capsys.readouterr().out


def test_help_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "kgan.cli", "translate", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "--direction" in result.stdout


def test_sixteen_bit_gray_pngs_are_scaled_not_clipped(gray_model, tmp_path, capsys):
    # A 16-bit ramp: PIL's convert("L") would clip everything above 255 to white.
    ramp = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000).astype(np.uint16)
    (tmp_path / "in").mkdir()
    Image.fromarray(ramp).save(tmp_path / "in" / "ramp.png")
    eight_bit = (ramp >> 8).astype(np.uint8)  # what the training decoder gives (a shift)
    np.save(tmp_path / "ramp.npy", eight_bit[np.newaxis, ..., np.newaxis])
    run(["translate", gray_model, "--input", tmp_path / "in", "--out", tmp_path / "a.npy"], capsys)
    run(
        ["translate", gray_model, "--input", tmp_path / "ramp.npy", "--out", tmp_path / "b.npy"],
        capsys,
    )
    np.testing.assert_allclose(np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy"), atol=1e-6)


def test_unreadable_npy_files_are_one_line_errors(gray_model, tmp_path, capsys):
    (tmp_path / "broken.npy").write_text("not an array")
    out = tmp_path / "out.npy"
    argv = ["translate", gray_model, "--input", tmp_path / "broken.npy", "--out", out]
    code, line = run_error(argv, capsys)
    assert code == cli.RUN_ERROR and "--input" in line and "cannot read a .npy array" in line
    argv = ["export", gray_model, "--format", "tflite", "--quantize", "int8", "--out", out.parent]
    code, line = run_error([*argv, "--representative", tmp_path / "broken.npy"], capsys)
    assert "--representative" in line and "cannot read a .npy array" in line
