"""LiteRT (TFLite) conversion of an exported SavedModel: quantization and representative data.

Conversion is restricted to LiteRT's built-in ops: the converter would otherwise embed
TensorFlow ("Select TF") ops, which the standalone `ai_edge_litert` interpreter cannot run.
One consequence: `sample`'s stateless random op (`StatelessRandomNormalV2`) is not a built-in,
so LiteRT models serve `generate` (latent and token models) or `translate` (image-to-image
models) only; an app draws the latent vectors (or a token model's uniforms) itself, e.g. with
NumPy. A graph with an op LiteRT lacks fails to convert with `UnsupportedOpError`, naming it.

Quantization (`quantize=`):

| value | weights | activations | needs |
|---|---|---|---|
| `None` | float32 | float32 | |
| `"float16"` | float16 | float32 | |
| `"dynamic"` | int8 | float32 (int8 matmuls where LiteRT can) | |
| `"int8"` | int8 | int8 (`FLOAT_OPS` in float32) | a representative dataset |

An `"int8"` model keeps the ops of `FLOAT_OPS` (the one-hot of class ids) in float32: quantized,
LiteRT's `ONE_HOT` returned wrong values and a class-id model's images were 70-80 levels off.

Inputs and outputs keep their serving types whatever the quantization: float32 latent vectors
(and int32 / float32 labels) or uint8 source images in, uint8 images out; int8 models quantize
and dequantize at the edges.
"""

import re
import warnings

import numpy as np
import tensorflow as tf

from kgan.export import signatures

QUANTIZATIONS = (None, "float16", "dynamic", "int8")

# Signatures LiteRT can serve (see the module docstring), by `GeneratorSpec.kind`.
SIGNATURES = signatures.DETERMINISTIC_SIGNATURES


class UnsupportedOpError(ValueError):
    """The generator uses TensorFlow ops the target has no equivalent for (a LiteRT built-in
    kernel, or an ONNX operator: `kgan.export.onnx_format` raises it too)."""


def check_quantize(quantize):
    """Raises `ValueError` unless `quantize` is one of `QUANTIZATIONS`."""
    if quantize not in QUANTIZATIONS:
        raise ValueError(f"quantize must be one of {QUANTIZATIONS}; got {quantize!r}.")


def representative_images(data, num, shape):
    """Up to `num` source images from `data`, as uint8 `[n, H, W, C]` (the `translate` input).

    Args:
        data: an array `[N, H, W, C]` (uint8 pixels, or floats in [-1, 1]), or an iterable
            (e.g. a `tf.data.Dataset`) of such batches or of `(source, target)` batches.
        num: how many images to take at most.
        shape: the model's source image shape `(H, W, C)`, to check against.

    Returns:
        A uint8 NumPy array.
    """
    from kgan.utils import images as images_lib

    if isinstance(data, tuple) and len(data) == 2 and all(hasattr(d, "__array__") for d in data):
        data = data[0]  # (sources, targets) arrays: only the sources feed the model
    if isinstance(data, (np.ndarray, tf.Tensor)) or hasattr(data, "__array__"):
        batches = [np.asarray(data)]
    else:
        batches, taken = [], 0
        for batch in data:
            if isinstance(batch, (tuple, list)):
                batch = batch[0]  # (source, target) pairs: the source feeds the model
            batch = np.asarray(batch)
            batches.append(batch if batch.ndim == 4 else batch[None])
            taken += len(batches[-1])
            if taken >= num:
                break
    images = np.concatenate(batches, axis=0)[:num] if batches else np.zeros((0,))
    if images.ndim != 4 or tuple(images.shape[1:]) != tuple(shape) or len(images) == 0:
        raise ValueError(
            "representative_data must hold source images of shape "
            f"[N, {', '.join(map(str, shape))}]; got shape {images.shape}."
        )
    if images.dtype != np.uint8:
        # Only [-1, 1] floats are mapped; [0, 255] or [0, 1] floats and other integer types
        # would otherwise be clipped into near-constant images and calibrate int8 on nothing.
        if not np.issubdtype(images.dtype, np.floating) or np.nanmin(images) < -1.001:
            raise ValueError(_RANGE_MESSAGE.format(images.dtype, images.min(), images.max()))
        if np.nanmax(images) > 1.001:
            raise ValueError(_RANGE_MESSAGE.format(images.dtype, images.min(), images.max()))
    return images_lib.to_uint8(images)


_RANGE_MESSAGE = (
    "representative_data must be uint8 pixels or floats in [-1, 1] (kgan's image range); got "
    "{} values in [{}, {}]. Convert it first, e.g. images.astype('uint8') for 0..255 pixels."
)


def representative_dataset(inputs_fn, num):
    """A converter's `representative_dataset`: `num` single-example input dicts.

    Args:
        inputs_fn: `inputs_fn(index)` -> `{input name: array with a batch of 1}`.
        num: how many examples.
    """

    def generate():
        for index in range(num):
            yield inputs_fn(index)

    return generate


def convert(saved_model_dir, signature, quantize=None, representative=None):
    """Converts one signature of a SavedModel to LiteRT flatbuffer bytes.

    Args:
        saved_model_dir: the SavedModel written by `saved_model.write`.
        signature: the signature to convert, e.g. `"generate"`.
        quantize: one of `QUANTIZATIONS`. Defaults to `None`.
        representative: for `"int8"`, a `representative_dataset` callable.

    Returns:
        The model as `bytes`.
    """
    check_quantize(quantize)
    if quantize == "int8" and representative is None:
        raise ValueError("int8 quantization needs a representative dataset.")
    converter = tf.lite.TFLiteConverter.from_saved_model(
        str(saved_model_dir), signature_keys=[signature]
    )
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "int8":
        converter.representative_dataset = representative
        # Full integer: every op int8; the float edges (latent vectors, the uint8 cast at the
        # end) become quantize / dequantize ops.
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    with warnings.catch_warnings():
        # int8 calibration runs TensorFlow's own (deprecated) `tf.lite.Interpreter` inside the
        # converter; the warning is about code this module does not call.
        warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated")
        try:
            if quantize == "int8":
                return _int8_keeping_float(converter, representative, FLOAT_OPS)
            return converter.convert()
        except Exception as error:  # the converter's errors are pages of MLIR diagnostics
            if type(error).__name__ != "ConverterError":
                raise
            raise UnsupportedOpError(_unsupported_message(str(error), quantize)) from None


def _unsupported_message(text, quantize):
    """One line naming the ops that stopped a conversion, read from the converter's report."""
    # The converter lists the ops it would need TensorFlow for as "TF Select ops: A, B".
    select = re.search(r"TF Select ops: ([^\n]+)", text)
    if select:
        ops = select.group(1).strip()
    else:
        ops = ", ".join(sorted(set(re.findall(r"'(?:tf|tfl)\.(\w+)' op", text)))) or "unknown"
    variant = "float32" if quantize is None else quantize
    return (
        f"cannot convert the generator to a {variant} LiteRT model: LiteRT has no built-in "
        f"kernel for the op(s) {ops}. Export format='saved_model' only, or build the "
        "generator from ops LiteRT supports."
    )


# Ops that int8 quantization gets wrong, kept in float32 in `"int8"` models.
# `ONE_HOT` (class ids -> one-hot, as `keras.layers.CategoryEncoding` and `keras.ops.one_hot`
# make it): the quantizer gives its on / off values scales of their own (1/255 and ~0) but
# the kernel copies their raw int8 codes into an output of the next op's scale, so a 1 came out
# as about 3 and a 0 as -0.05; a class-id ConditionalGAN's images were 70-80 levels off (PSNR
# ~20 dB, against ~50 dB for the same network on attribute vectors). In float32 the one-hot
# vector is exact and one QUANTIZE op maps it to the next op's scale (0 and 1 are then exact to
# half a step of that scale).
FLOAT_OPS = ("ONE_HOT",)


def _int8_keeping_float(converter, representative, float_ops):
    """Full-integer conversion with `float_ops` left in float32 (selective quantization).

    Uses TensorFlow's public selective-quantization route,
    `tf.lite.experimental.QuantizationDebugger` with `denylisted_ops`: it calibrates once and
    quantizes the calibrated model leaving the denylisted ops (and only those) in float32.
    An op type absent from the model is simply not matched, so every int8 model goes this way.
    """
    options = tf.lite.experimental.QuantizationDebugOptions(denylisted_ops=list(float_ops))
    debugger = tf.lite.experimental.QuantizationDebugger(
        converter=converter, debug_dataset=representative, debug_options=options
    )
    return debugger.get_nondebug_quantized_model()
