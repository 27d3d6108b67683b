"""Tests for kgan/cli/exported.py: `kgan sample` / `kgan translate` on exported artefacts
(SavedModel, LiteRT and ONNX)."""

import keras
import numpy as np
import pytest

from kgan import cli
from kgan.testing import cli as cli_testing
from kgan.testing.cli import run
from kgan.testing.cli import run_error
from kgan.utils import images as images_lib

ARTEFACTS = ("saved_model", "generator.tflite", "generator.onnx")


def _export(model_path, folder):
    from kgan import export

    export.export_generator(
        keras.saving.load_model(model_path),
        folder,
        format=["saved_model", "tflite", "onnx"],
        verbose=False,
    )
    return folder


@pytest.fixture(scope="module")
def gan(tmp_path_factory):
    """`(model path, export folder)` of a tiny 8x8 gray GAN."""
    folder = tmp_path_factory.mktemp("gan")
    model_path = cli_testing.save_tiny_gan(folder / "model.keras")
    return str(model_path), _export(model_path, folder / "exported")


@pytest.fixture(scope="module")
def pix2pix(tmp_path_factory):
    """`(model path, export folder)` of a tiny 8x8 gray-to-gray Pix2Pix."""
    folder = tmp_path_factory.mktemp("pix2pix")
    model_path = cli_testing.save_tiny_pix2pix(folder / "model.keras")
    return str(model_path), _export(model_path, folder / "exported")


def _levels_apart(actual, expected):
    difference = images_lib.to_uint8(actual).astype(int) - images_lib.to_uint8(expected)
    return int(np.abs(difference).max())


@pytest.mark.slow
@pytest.mark.parametrize("artefact", ARTEFACTS)
def test_sample_matches_the_keras_model(gan, artefact, tmp_path, capsys):
    model_path, folder = gan
    out = tmp_path / "samples.npy"
    argv = ["sample", folder / artefact, "--num", 5, "--seed", 11, "--out", out, "--batch-size", 2]
    assert "Wrote 5 samples" in run(argv, capsys)
    expected = keras.saving.load_model(model_path).generate(5, seed=11)
    assert _levels_apart(np.load(out), expected) <= 1
    run(["sample", folder / artefact, "--num", 4, "--out", tmp_path / "grid.png"], capsys)
    assert (tmp_path / "grid.png").is_file()


@pytest.mark.parametrize("artefact", ARTEFACTS)
def test_translate_matches_the_keras_model(pix2pix, artefact, tmp_path, capsys):
    model_path, folder = pix2pix
    sources = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 1), dtype=np.uint8)
    np.save(tmp_path / "sources.npy", sources)
    out = tmp_path / "translated.npy"
    argv = ["translate", folder / artefact, "--input", tmp_path / "sources.npy", "--out", out]
    assert "Translated 5 images" in run(argv + ["--batch-size", "2"], capsys)
    floats = (2.0 * sources.astype(np.float32) - 255.0) / 255.0
    expected = keras.saving.load_model(model_path).translate(floats)
    assert _levels_apart(np.load(out), expected) <= 1


def test_class_id_export_needs_labels(tmp_path, capsys):
    from kgan.testing import conditional

    model_path = str(tmp_path / "model.keras")
    conditional.tiny_image_conditional_gan(8, num_classes=3, seed=3).save(model_path)
    folder = _export(model_path, tmp_path / "exported")
    labels = np.array([2, 0, 2, 0])
    expected = keras.saving.load_model(model_path).generate(labels, seed=1)
    for artefact in (folder / "generator.tflite", folder / "generator.onnx"):
        code, line = run_error(["sample", artefact, "--out", tmp_path / "a.npy"], capsys)
        assert code == cli.USAGE_ERROR and "--labels" in line
        out = tmp_path / f"{artefact.name}.npy"
        argv = ["sample", artefact, "--labels", "2,0", "--num", 4, "--seed", 1, "--out", out]
        run(argv, capsys)
        assert _levels_apart(np.load(out), expected) <= 1


def test_a_folder_that_is_not_a_saved_model(tmp_path, capsys):
    code, line = run_error(["sample", tmp_path, "--out", tmp_path / "a.npy"], capsys)
    assert code == cli.RUN_ERROR and "not an exported SavedModel" in line


def test_a_corrupt_tflite_file(tmp_path, capsys):
    (tmp_path / "bad.tflite").write_bytes(b"not a flatbuffer")
    code, line = run_error(["sample", tmp_path / "bad.tflite", "--out", tmp_path / "a.npy"], capsys)
    assert code == cli.RUN_ERROR and "cannot load a LiteRT model" in line


def test_a_corrupt_onnx_file(tmp_path, capsys):
    (tmp_path / "bad.onnx").write_bytes(b"not a protobuf")
    code, line = run_error(["sample", tmp_path / "bad.onnx", "--out", tmp_path / "a.npy"], capsys)
    assert code == cli.RUN_ERROR and "cannot load an ONNX model" in line
    assert not (tmp_path / "a.npy").exists()


def test_the_wrong_command_for_the_artefact(gan, pix2pix, tmp_path, capsys):
    for artefact in ("generator.tflite", "generator.onnx"):
        argv = ["sample", pix2pix[1] / artefact, "--out", tmp_path / "a.npy"]
        code, line = run_error(argv, capsys)
        assert code == cli.USAGE_ERROR and "kgan translate" in line
    np.save(tmp_path / "sources.npy", np.zeros((1, 8, 8, 1), np.uint8))
    argv = ["translate", gan[1] / "saved_model", "--input", tmp_path / "sources.npy"]
    code, line = run_error(argv + ["--out", tmp_path / "b.npy"], capsys)
    assert code == cli.USAGE_ERROR and "kgan sample" in line


def test_uint8_outputs_survive_the_float_round_trip():
    pixels = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(images_lib.to_uint8(images_lib.from_uint8(pixels)), pixels)
