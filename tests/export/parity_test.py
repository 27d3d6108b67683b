"""Tests for kgan/export/parity.py: the figures, the thresholds, the JSON."""

import json
import math

import numpy as np
import pytest

from kgan.export import parity


def test_compare_figures():
    expected = np.zeros((2, 4, 4, 1), np.uint8)
    actual = expected.copy()
    actual[0, 0, 0, 0] = 3
    figures = parity.compare(expected, actual)
    assert figures["max_error"] == 3
    assert figures["mean_error"] == pytest.approx(3 / 32)
    assert figures["psnr"] == pytest.approx(10 * math.log10(255**2 / (9 / 32)))
    assert parity.compare(expected, expected)["psnr"] == math.inf


def test_compare_uint8_does_not_wrap():
    figures = parity.compare(np.array([0], np.uint8), np.array([255], np.uint8))
    assert figures["max_error"] == 255


def test_shape_mismatch():
    with pytest.raises(parity.ParityError, match="shape"):
        parity.compare(np.zeros((1, 2, 2, 1), np.uint8), np.zeros((1, 2, 2, 3), np.uint8))


def test_thresholds():
    assert parity.thresholds_for("tflite", None) == {"max_error": 1}
    assert parity.thresholds_for("tflite", "int8") == {"min_psnr": 20.0}
    assert parity.thresholds_for("tflite", "int8", {"min_psnr": 30}) == {"min_psnr": 30}
    with pytest.raises(ValueError, match="parity_threshold"):
        parity.thresholds_for("tflite", None, {"psnr": 30})
    figures = {"max_error": 2, "mean_error": 0.5, "psnr": 35.0}
    assert parity.failures(figures, {"max_error": 2, "min_psnr": 30}) == []
    assert len(parity.failures(figures, {"max_error": 1, "mean_error": 0.1, "min_psnr": 40})) == 3


def test_json_writes_infinite_psnr_as_null(tmp_path):
    path = tmp_path / "report.json"
    parity.write_json(path, {"figures": {"psnr": math.inf, "max_error": 0}})
    assert json.loads(path.read_text()) == {"figures": {"psnr": None, "max_error": 0}}
    assert not (tmp_path / "report.json.tmp").exists()


def test_compare_tokens_and_their_thresholds():
    expected = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
    actual = expected.copy()
    actual[1, 2] = 0
    figures = parity.compare_tokens(expected, actual)
    assert figures == {"token_match": pytest.approx(5 / 6), "sequence_match": 0.5}
    assert parity.combine([figures, parity.compare_tokens(expected, expected)]) == figures
    assert parity.thresholds_for("saved_model", None, outputs="tokens") == {"min_token_match": 1}
    assert parity.thresholds_for("tflite", None, outputs="tokens") == {"min_token_match": 0.999}
    (missed,) = parity.failures(figures, {"min_token_match": 0.9})
    assert missed == "83.33% of tokens identical < 90.00%"
    assert parity.format_figures(figures) == "tokens 83.33% identical, sequences 50.00%"
    with pytest.raises(ValueError, match="min_token_match"):
        parity.thresholds_for("tflite", None, {"min_psnr": 30}, outputs="tokens")
    with pytest.raises(parity.ParityError, match="token ids of shape"):
        parity.compare_tokens(expected, expected[:, :2])


def test_images_and_tokens_have_defaults_for_the_same_artefacts():
    assert list(parity.DEFAULT_THRESHOLDS) == list(parity.DEFAULT_TOKEN_THRESHOLDS)
    # One table entry per artefact: tightening one quantization's floor leaves the other's.
    assert (
        parity.DEFAULT_THRESHOLDS[("tflite", "dynamic")]
        is not (parity.DEFAULT_THRESHOLDS[("tflite", "int8")])
    )
