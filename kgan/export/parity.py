"""Parity: how far an exported model's uint8 images are from the Keras generator's.

Both sides are compared as uint8 pixels, the Keras side converted with
`kgan.utils.images.to_uint8`, so the figures are in the units an app sees:

- `max_error`: the largest absolute difference, in pixel levels (0-255);
- `mean_error`: the mean absolute difference, in pixel levels;
- `psnr`: the peak signal-to-noise ratio in dB with peak 255, `10 log10(255^2 / MSE)`;
  `inf` (`null` in JSON) when the images are identical.

Default thresholds, by artefact (`DEFAULT_THRESHOLDS`): a float32 export (SavedModel, or a
LiteRT model without quantization) may differ by at most one level (float32 rounding near a .5
boundary, and LiteRT's own kernels); a float16 model needs a PSNR of at least 40 dB (about 2.5
levels RMS). Dynamic-range and int8 models are only reported: how much quantization costs
depends on the network and its training, so the caller sets the bar
(`parity_threshold={"min_psnr": 30}`).

A token generator's int32 ids are compared id for id instead (`compare_tokens`):
`token_match` is the fraction of identical tokens, `sequence_match` the fraction of identical
sequences, and the threshold is `min_token_match` (`DEFAULT_TOKEN_THRESHOLDS`).
"""

import math

import numpy as np

from kgan.utils import atomic


def _per_artefact(saved_model, tflite, float16, quantized, onnx=None):
    """A table of default thresholds keyed by `(format, quantize)`, one entry per artefact.

    Both tables below are built by it, so every artefact `export_generator` writes has defaults
    for images and for token ids alike (`thresholds_for` looks them up by the same key).
    """
    return {
        ("saved_model", None): saved_model,
        ("tflite", None): tflite,
        ("tflite", "float16"): float16,
        ("tflite", "dynamic"): quantized,
        ("tflite", "int8"): dict(quantized),
        # onnxruntime's float32 kernels round like LiteRT's float32 ones.
        ("onnx", None): dict(tflite if onnx is None else onnx),
        # The web folder's model is the same ONNX file, checked in onnxruntime alike.
        ("web", None): dict(tflite if onnx is None else onnx),
    }


# (format, quantize) -> thresholds; a missing key is not checked.
DEFAULT_THRESHOLDS = _per_artefact(
    saved_model={"max_error": 1},
    tflite={"max_error": 1},
    float16={"min_psnr": 40.0},
    # Quantized models are reported, with a loose floor that only a broken conversion misses
    # (the digits recipes' generators measure 41-55 dB).
    quantized={"min_psnr": 20.0},
)
THRESHOLD_KEYS = ("max_error", "mean_error", "min_psnr")

# The same for token generators: the fraction of token ids that must equal the Keras model's.
# A SavedModel runs TensorFlow's own kernels on the very graph `generate` traces, so every id
# must match. LiteRT's kernels (its own matmul, exp and cumsum) round differently in the last
# bits, so a uniform that falls within ~1e-7 of a boundary of the cumulative distribution may
# pick the neighbouring token; the sequence then continues from another token and usually
# differs to its end. Parity therefore runs many sequences (`TOKEN_PARITY_EXAMPLES` in
# `exporter.py`), so that one such near-tie costs at most 1/1024 of the tokens and passes 99.9%,
# while anything systematic (a wrong op, a changed temperature, another decoding) fails at once.
# Quantized weights move the logits by far more than round-off: those are reported, with floors
# only a broken conversion misses.
DEFAULT_TOKEN_THRESHOLDS = _per_artefact(
    saved_model={"min_token_match": 1.0},
    tflite={"min_token_match": 0.999},
    float16={"min_token_match": 0.9},
    # int8 also quantizes the sampling ops; top-k / top-p masks (-inf) do not survive it (a
    # tiny SeqGAN: 98.6% of tokens without them, 2.4% with top_k=4, top_p=0.9), and this floor
    # refuses such a model.
    quantized={"min_token_match": 0.5},
)
TOKEN_THRESHOLD_KEYS = ("min_token_match",)


class ParityError(ValueError):
    """An exported model's images are further from the Keras model's than the threshold."""


def _same_shape(expected, actual, outputs):
    """`expected` and `actual` as arrays, or `ParityError` if their shapes differ.

    What `compare` and `compare_tokens` check first: figures over arrays of different shapes
    would broadcast into numbers that mean nothing. `outputs` names them in the message.
    """
    expected = np.asarray(expected)
    actual = np.asarray(actual)
    if expected.shape != actual.shape:
        raise ParityError(
            f"The exported model makes {outputs} of shape {actual.shape}, the Keras model "
            f"{expected.shape}."
        )
    return expected, actual


def compare(expected, actual):
    """Parity figures of `actual` uint8 images against `expected` ones of the same shape.

    Args:
        expected: uint8 array, the Keras model's images.
        actual: uint8 array, the exported model's images.

    Returns:
        `{"max_error": int, "mean_error": float, "psnr": float}`.

    Example:

    >>> compare(np.zeros((1, 2, 2, 1), np.uint8), np.ones((1, 2, 2, 1), np.uint8))
    {'max_error': 1, 'mean_error': 1.0, 'psnr': 48.1...}
    """
    expected, actual = _same_shape(expected, actual, "images")
    difference = np.abs(expected.astype(np.int64) - actual.astype(np.int64))
    mse = float(np.mean(difference.astype(np.float64) ** 2))
    psnr = math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)
    return {
        "max_error": int(difference.max()),
        "mean_error": float(difference.mean()),
        "psnr": psnr,
    }


def compare_tokens(expected, actual):
    """Parity figures of `actual` token ids against `expected` ones, both `[N, T]`.

    Returns:
        `{"token_match": float, "sequence_match": float}`: the fractions of identical tokens
        and of identical sequences, in [0, 1].

    Example:

    >>> compare_tokens(np.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 5]]))
    {'token_match': 0.75, 'sequence_match': 0.5}
    """
    expected, actual = _same_shape(expected, actual, "token ids")
    same = expected == actual
    return {
        "token_match": float(same.mean()),
        "sequence_match": float(same.all(axis=-1).mean()),
    }


def combine(figures):
    """The worst of several `compare` (or `compare_tokens`) results, one per signature."""
    if "token_match" in figures[0]:
        return {key: min(item[key] for item in figures) for key in figures[0]}
    return {
        "max_error": max(item["max_error"] for item in figures),
        "mean_error": max(item["mean_error"] for item in figures),
        "psnr": min(item["psnr"] for item in figures),
    }


def thresholds_for(format, quantize, parity_threshold=None, outputs="images"):
    """The thresholds that apply: the caller's or the defaults.

    Args:
        format, quantize: the artefact's.
        parity_threshold: `None` for the defaults, or a dict of `THRESHOLD_KEYS` (images) or
            `TOKEN_THRESHOLD_KEYS` (token ids).
        outputs: what the artefact returns, `"images"` or `"tokens"`. Defaults to `"images"`.
    """
    tokens = outputs == "tokens"
    if parity_threshold is None:
        defaults = DEFAULT_TOKEN_THRESHOLDS if tokens else DEFAULT_THRESHOLDS
        return dict(defaults[(format, quantize)])
    keys, example = (
        (TOKEN_THRESHOLD_KEYS, "{'min_token_match': 0.99}")
        if tokens
        else (THRESHOLD_KEYS, "{'min_psnr': 30}")
    )
    if not isinstance(parity_threshold, dict) or not set(parity_threshold) <= set(keys):
        raise ValueError(
            f"parity_threshold must be None (the defaults) or a dict with keys among {keys} "
            f"for a model that makes {outputs}, e.g. {example}; got {parity_threshold!r}."
        )
    return dict(parity_threshold)


def failures(figures, thresholds):
    """The thresholds that `figures` miss, as readable strings (empty when all pass)."""
    missed = []
    if "min_token_match" in thresholds and figures["token_match"] < thresholds["min_token_match"]:
        missed.append(
            f"{figures['token_match']:.2%} of tokens identical < "
            f"{thresholds['min_token_match']:.2%}"
        )
    if "max_error" in thresholds and figures["max_error"] > thresholds["max_error"]:
        missed.append(f"max error {figures['max_error']} > {thresholds['max_error']} levels")
    if "mean_error" in thresholds and figures["mean_error"] > thresholds["mean_error"]:
        missed.append(f"mean error {figures['mean_error']:.3f} > {thresholds['mean_error']} levels")
    if "min_psnr" in thresholds and figures["psnr"] < thresholds["min_psnr"]:
        missed.append(f"PSNR {figures['psnr']:.2f} < {thresholds['min_psnr']} dB")
    return missed


def format_figures(figures):
    """`figures` on one line, e.g. `max 1, mean 0.016 levels, PSNR 66.1 dB`."""
    if "token_match" in figures:
        return (
            f"tokens {figures['token_match']:.2%} identical, "
            f"sequences {figures['sequence_match']:.2%}"
        )
    psnr = "inf" if math.isinf(figures["psnr"]) else f"{figures['psnr']:.1f}"
    return f"max {figures['max_error']}, mean {figures['mean_error']:.3f} levels, PSNR {psnr} dB"


def _jsonable(value):
    if isinstance(value, float) and math.isinf(value):
        return None  # strict JSON has no infinity: identical images read as `null`
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def write_json(path, report):
    """Writes `report` (a dict) as indented, strict JSON, atomically (`kgan.utils.atomic`)."""
    atomic.write_json(path, _jsonable(report), allow_nan=False)
