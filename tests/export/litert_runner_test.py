"""Tests for kgan/export/litert_runner.py: run exported `.tflite` files without TensorFlow."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from kgan.export import litert_runner

# Runs litert_runner.py by path in a fresh interpreter in which `import tensorflow` (and Keras,
# and the kgan package) fail, proving that the runner needs none of them.
_WITHOUT_TENSORFLOW = (
    "import runpy, sys\n"
    "for name in ('tensorflow', 'keras', 'kgan', 'tf_keras'):\n"
    "    sys.modules[name] = None\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def _run_without_tensorflow(*args):
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TENSORFLOW, litert_runner.__file__, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_generate_without_tensorflow(exported, tmp_path):
    model, report = exported["gan"]
    out = tmp_path / "samples"
    assert "Wrote 3 images" in _run_without_tensorflow(
        report.paths["tflite"], "--num", 3, "--seed", 4, "--out", out
    )
    assert sorted(os.listdir(out)) == ["00000.png", "00001.png", "00002.png"]
    # The same latent vectors through the Keras generator give the same pixels (within 1).
    latent = np.random.default_rng(4).standard_normal((3, model.latent_dim)).astype("float32")
    from kgan.utils import images as images_lib

    expected = images_lib.to_uint8(model.generator(latent, training=False))
    written = np.stack([np.asarray(Image.open(out / f"{i:05d}.png")) for i in range(3)])
    assert np.abs(written.astype(int) - expected[..., 0]).max() <= 1


def test_translate_without_tensorflow(exported, tmp_path):
    _, report = exported["pix2pix"]
    sources = np.random.default_rng(0).integers(0, 256, (2, 8, 8, 3), dtype=np.uint8)
    np.save(tmp_path / "sources.npy", sources)
    _run_without_tensorflow(
        report.paths["tflite"], "--input", tmp_path / "sources.npy", "--out", tmp_path / "out"
    )
    assert len(os.listdir(tmp_path / "out")) == 2


def test_conditional_needs_labels(exported, tmp_path):
    _, report = exported["classes"]
    with pytest.raises(SystemExit, match="--labels"):
        litert_runner.main([report.paths["tflite"], "--out", str(tmp_path)])
    assert (
        litert_runner.main(
            [
                report.paths["tflite"],
                "--labels",
                "0,2",
                "--num",
                "4",
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 4
    )


def test_npy_inputs_follow_kgans_conventions(tmp_path):
    floats = np.array([-1.0, -0.5, 0.0, 1.0], np.float32).reshape(1, 2, 2, 1)
    np.save(tmp_path / "floats.npy", floats)
    images = litert_runner.read_images(str(tmp_path / "floats.npy"), (2, 2, 1))
    assert images.dtype == np.uint8 and images.ravel().tolist() == [0, 64, 128, 255]
    np.save(tmp_path / "gray.npy", np.zeros((3, 2, 2), np.uint8))  # a gray batch [N, H, W]
    assert litert_runner.read_images(str(tmp_path / "gray.npy"), (2, 2, 1)).shape == (3, 2, 2, 1)
    np.save(tmp_path / "pixels.npy", floats * 255)  # [0, 255] floats: refused, not clipped
    with pytest.raises(SystemExit, match=r"floats in \[-1, 1\]"):
        litert_runner.read_images(str(tmp_path / "pixels.npy"), (2, 2, 1))
    with pytest.raises(SystemExit, match=r"takes images \(4, 4, 1\)"):
        litert_runner.read_images(str(tmp_path / "gray.npy"), (4, 4, 1))


def test_token_generator_without_tensorflow(exported_sequences, tmp_path):
    from tests.export.conftest import SEQUENCE_DECODING

    model, report = exported_sequences
    out = tmp_path / "tokens"
    argv = [report.paths["tflite"], "--num", 5, "--seed", 2, "--temperature", 0.8, "--out", out]
    assert "Wrote 5 sequences of 6 token ids" in _run_without_tensorflow(*argv)
    expected = model.generate(5, seed=2, temperature=0.8, **SEQUENCE_DECODING)
    np.testing.assert_array_equal(np.load(out / "tokens.npy"), expected)
