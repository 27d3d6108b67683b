"""ONNX conversion of an exported SavedModel signature, and running it with onnxruntime.

ONNX models run on onnxruntime on Windows, Linux, macOS, Android and iOS, and in the browser
through WebAssembly (onnxruntime-web). kgan converts the *serving signature* of the SavedModel
it has just written (uint8 images out, float32 latent vectors and int32/float32 labels or uint8
images in; see `kgan.export.signatures`) with tf2onnx's `from_function`, the converter Keras'
own `model.export(format="onnx")` uses on the TensorFlow backend. Keras' exporter converts the
model's `call` (float images in [-1, 1]); converting the signature instead keeps the ONNX
model's inputs and outputs those of the SavedModel and the LiteRT model, so an app treats all
three alike.

An ONNX graph has one entry point, so a `.onnx` file serves one signature, the one LiteRT
serves too (`signatures.DETERMINISTIC_SIGNATURES`): `generate` for latent and token models,
`translate` for image-to-image models. `sample` draws its latent vectors with TensorFlow's
stateless Philox generator, which ONNX has no operator for (its `RandomNormal` takes no seed
tensor and another algorithm); an app draws `z` itself.

tf2onnx converts what it can and leaves a TensorFlow op it has no mapping for in the graph,
which onnxruntime then refuses to load. `convert` checks every node against the ONNX operator
schemas first and raises `UnsupportedOpError` naming the op and the node (whose name holds the
Keras layer's), so a model ONNX cannot express fails at export with one line.

Needs the `onnx` extra: `pip install "kgan[onnx]"` (tf2onnx and onnxruntime).
"""

import contextlib
import importlib
import logging

import numpy as np
import tensorflow as tf

from kgan.export import tflite

# Opset 17 (onnxruntime >= 1.11, onnxruntime-web >= 1.13) has every op the kgan networks need.
OPSET = 17
# How the error for a missing extra starts (`kgan export` reports it on one line).
MISSING = 'ONNX export needs the "onnx" extra: pip install "kgan[onnx]" (tf2onnx, onnxruntime)'
UnsupportedOpError = tflite.UnsupportedOpError
# Signature inputs named like an output (see `onnx_input_name`).
RENAMED_INPUTS = {"images": "source_images"}


def modules():
    """`(tf2onnx, onnx, onnxruntime)`, or an `ImportError` naming the extra that installs them."""
    loaded = []
    for name in ("tf2onnx", "onnx", "onnxruntime"):
        try:
            loaded.append(importlib.import_module(name))
        except ImportError as error:
            raise ImportError(f"{MISSING}; {name} is missing ({error}).") from None
    return tuple(loaded)


@contextlib.contextmanager
def _quiet_converter():
    """tf2onnx logs every op it cannot map at ERROR level; `convert` reports them itself."""
    logger = logging.getLogger("tf2onnx")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def convert(saved_model_dir, signature, opset=OPSET):
    """Converts `signature` of the SavedModel at `saved_model_dir` to a serialized ONNX model.

    Args:
        saved_model_dir: a SavedModel written by `kgan.export.saved_model.write`.
        signature: the signature to convert, e.g. `"generate"` or `"translate"`.
        opset: the ONNX opset. Defaults to `OPSET` (17).

    Returns:
        The ONNX model as `bytes`: the signature's inputs (a translator's `images` renamed
        `source_images`, see `onnx_input_name`) and its one output, `images` or `tokens`.

    Raises:
        UnsupportedOpError: the graph holds an op that has no ONNX equivalent (a `ValueError`
            naming the op and its node; nothing is returned).
        ImportError: tf2onnx or onnx is missing (the `onnx` extra).
    """
    tf2onnx, onnx, _ = modules()
    loaded = tf.saved_model.load(str(saved_model_dir))
    served = loaded.signatures[signature]
    inputs = served.structured_input_signature[1]
    specs = [
        tf.TensorSpec(spec.shape, spec.dtype, name=onnx_input_name(name))
        for name, spec in inputs.items()
    ]
    # tf2onnx traces a function of positional tensors and names the ONNX inputs after the
    # specs; the signature takes them by name and returns `{"images": ...}`, whose key names
    # the ONNX output.
    names = list(inputs)
    function = tf.function(lambda *args: served(**dict(zip(names, args, strict=True))))
    with _quiet_converter():
        proto, _ = tf2onnx.convert.from_function(function, input_signature=specs, opset=opset)
    nodes = proto.graph.node
    unsupported = [node for node in nodes if not onnx.defs.has(node.op_type, node.domain)]
    if unsupported:
        ops = sorted({node.op_type for node in unsupported})
        raise UnsupportedOpError(
            f"ONNX has no equivalent of the TensorFlow op(s) {', '.join(ops)} in the "
            f"{signature!r} signature (first at node {unsupported[0].name}); change that layer "
            "or export to saved_model instead."
        )
    return proto.SerializeToString()


def onnx_input_name(name):
    """The ONNX name of a signature's input `name`.

    ONNX names every value of a graph once, so a translator's input cannot be called `images`
    like its output: it is `source_images` there. Every other input keeps its name.
    """
    return RENAMED_INPUTS.get(name, name)


def load(path, threads=None):
    """An onnxruntime `InferenceSession` of the `.onnx` file at `path` on the CPU.

    Args:
        path: the `.onnx` file.
        threads: intra-op threads; `None` lets onnxruntime choose (one per core).
    """
    _, _, onnxruntime = modules()
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: no optimizer notes on stderr
    if threads is not None:
        options.intra_op_num_threads = int(threads)
    return onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def run(session, inputs):
    """Runs an ONNX session on the signature's inputs `{name: array}`; returns `{name: array}`.

    Inputs are named as the SavedModel signature names them (`images` for a translator, fed to
    its ONNX input `source_images`).
    """
    feed = {onnx_input_name(name): np.asarray(value) for name, value in inputs.items()}
    outputs = session.run(None, feed)
    return {item.name: value for item, value in zip(session.get_outputs(), outputs, strict=True)}
