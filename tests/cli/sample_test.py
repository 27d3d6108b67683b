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


def sample(argv, tmp_path, name="samples.npy"):
    """Runs `kgan sample` with `argv` plus `--out`; returns the samples written."""
    out = tmp_path / name
    assert cli.main([str(arg) for arg in [*argv, "--out", out]]) == 0
    return np.load(out)


def test_conditional_model_cycles_its_classes_or_the_labels_given(conditional_model_path, tmp_path):
    model = keras.saving.load_model(conditional_model_path)
    every_class = sample(["sample", conditional_model_path, "--num", 5, "--seed", 2], tmp_path)
    np.testing.assert_allclose(every_class, model.generate([0, 1, 2, 0, 1], seed=2), atol=1e-6)
    given = sample(["sample", conditional_model_path, "--num", 5, "--labels", "2,0"], tmp_path)
    np.testing.assert_allclose(given, model.generate([2, 0, 2, 0, 2], seed=0), atol=1e-6)


def test_labels_file_gives_one_sample_per_row(
    conditional_model_path, attribute_model_path, tmp_path
):
    np.save(tmp_path / "ids.npy", np.array([1, 1, 0]))
    ids = sample(["sample", conditional_model_path, "--labels", tmp_path / "ids.npy"], tmp_path)
    expected = keras.saving.load_model(conditional_model_path).generate([1, 1, 0], seed=0)
    np.testing.assert_allclose(ids, expected, atol=1e-6)
    attributes = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], "float32")
    np.save(tmp_path / "attributes.npy", attributes)
    argv = ["sample", attribute_model_path, "--labels", tmp_path / "attributes.npy", "--num", 4]
    expected = keras.saving.load_model(attribute_model_path).generate(attributes, seed=0)
    np.testing.assert_allclose(sample(argv, tmp_path), expected, atol=1e-6)


def test_labels_file_png_grid(attribute_model_path, tmp_path, capsys):
    np.save(tmp_path / "attributes.npy", np.array([[1, 0], [0, 1], [1, 1]], "float32"))
    out = tmp_path / "grid.png"
    argv = ["sample", attribute_model_path, "--labels", tmp_path / "attributes.npy", "--out", out]
    assert cli.main([str(arg) for arg in argv]) == 0
    assert "Wrote 3 samples" in capsys.readouterr().out
    grid = images_lib.make_grid(np.zeros((3, IMAGE_SIZE, IMAGE_SIZE, 1), np.float32))
    with Image.open(out) as image:
        assert image.size == (grid.shape[1], grid.shape[0])


@pytest.mark.parametrize(
    "model, extra, message",
    [
        ("plain", ["--labels", "0,1"], "--labels is for conditional models"),
        ("classes", ["--labels", "0,3"], "Class ids must lie in [0, 3)"),
        ("classes", ["--labels", "a,b"], "give comma-separated class ids"),
        ("classes", ["--labels", "ids.npy", "--num", "5"], "--num 5 does not match the 2 label"),
        ("classes", ["--labels", "attributes.npy"], "takes class ids, one per sample"),
        ("attributes", [], "give them with --labels FILE.npy"),
        ("attributes", ["--labels", "0,1"], "not class ids"),
        ("attributes", ["--labels", "ids.npy"], "not class ids"),
    ],
)
def test_label_usage_errors(request, tmp_path, capsys, model, extra, message):
    np.save(tmp_path / "ids.npy", np.array([0, 1]))
    np.save(tmp_path / "attributes.npy", np.ones((2, 2), "float32"))
    fixture = {"plain": "model_path", "classes": "conditional_model_path"}
    path = request.getfixturevalue(fixture.get(model, "attribute_model_path"))
    extra = [str(tmp_path / item) if item.endswith(".npy") else item for item in extra]
    code, line = run_error(["sample", path, *extra, "--out", tmp_path / "a.npy"], capsys)
    assert code == cli.USAGE_ERROR and message in line, line
