"""Tests for kgan/cli/sample.py: `kgan sample` on a tiny saved GAN, and its one-line errors."""

import keras
import numpy as np
import pytest
from PIL import Image

from kgan import cli
from kgan.testing.cli import run_error
from kgan.utils import images as images_lib

IMAGE_SIZE = 8


def test_sample_npy_equals_generate(model_path, tmp_path):
    out = tmp_path / "samples.npy"
    argv = ["sample", model_path, "--num", 5, "--seed", 11, "--out", out, "--batch-size", 2]
    assert cli.main([str(arg) for arg in argv]) == 0
    samples = np.load(out)
    assert samples.shape == (5, IMAGE_SIZE, IMAGE_SIZE, 1)
    assert samples.dtype == np.float32
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    expected = keras.saving.load_model(model_path).generate(5, seed=11, batch_size=2)
    np.testing.assert_allclose(samples, expected, atol=1e-6)


def test_sample_png_is_a_grid(model_path, tmp_path, capsys):
    out = tmp_path / "nested" / "grid.png"  # missing folders are created
    assert cli.main(["sample", str(model_path), "--num", "6", "--out", str(out)]) == 0
    assert "Wrote 6 samples" in capsys.readouterr().out
    grid = images_lib.make_grid(np.zeros((6, IMAGE_SIZE, IMAGE_SIZE, 1), np.float32))
    with Image.open(out) as image:
        assert image.size == (grid.shape[1], grid.shape[0])  # PIL: (width, height)


def test_missing_model(tmp_path, capsys):
    out = tmp_path / "new" / "a.npy"
    code, line = run_error(["sample", tmp_path / "nope.keras", "--out", out], capsys)
    assert code == cli.RUN_ERROR and "no model file" in line
    assert not out.parent.exists()  # a failed command leaves no folders behind


def test_not_a_kgan_model(tmp_path, capsys):
    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    plain.save(tmp_path / "plain.keras")
    (tmp_path / "junk.keras").write_text("not a zip file")
    code, line = run_error(
        ["sample", tmp_path / "plain.keras", "--out", tmp_path / "a.npy"], capsys
    )
    assert code == cli.RUN_ERROR and "not a kgan model" in line
    code, line = run_error(["sample", tmp_path / "junk.keras", "--out", tmp_path / "a.npy"], capsys)
    assert code == cli.RUN_ERROR and "cannot load a model" in line


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--num", "0", "--out", "a.npy"], "--num must be at least 1"),
        (["--out", "samples.jpg"], "extension must be one of .npy, .png"),
        (["--out", "samples"], "extension must be one of"),
        (["--num", "many", "--out", "a.npy"], "invalid int value"),
        ([], "required: --out"),
    ],
)
def test_usage_errors(model_path, capsys, extra, message):
    code, line = run_error(["sample", model_path, *extra], capsys)
    assert code == cli.USAGE_ERROR and message in line, line


def test_unwritable_output(model_path, tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    code, line = run_error(["sample", model_path, "--out", blocker / "out.npy"], capsys)
    assert code == cli.RUN_ERROR and "cannot write" in line
    (tmp_path / "folder.png").mkdir()
    code, line = run_error(["sample", model_path, "--out", tmp_path / "folder.png"], capsys)
    assert code == cli.RUN_ERROR and "is a directory" in line


def test_unknown_command_and_help(capsys):
    code, line = run_error(["paint"], capsys)
    assert code == cli.USAGE_ERROR and "invalid choice" in line
    assert cli.main(["sample", "--help"]) == 0
    assert "--batch-size" in capsys.readouterr().out
