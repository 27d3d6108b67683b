"""Exported artefacts (a SavedModel folder, a `.tflite` or `.onnx` file) as models `kgan` runs.

`kgan sample` and `kgan translate` take what `kgan export` wrote as well as a `.keras` file, so
a user can look at the very artefact they ship. `load` returns a thin adapter with the methods
those commands call on a kgan model:

- `ExportedGenerator.generate(num, seed=..., batch_size=...)` (or `generate(labels, ...)` for a
  conditional model) draws the latent vectors exactly as `kgan.GAN.generate` does
  (`np.random.default_rng(seed).standard_normal`) and runs the artefact's `generate`
  signature on them, so its samples can be compared with the Keras model's, pixel for pixel;
- `ExportedTranslator.translate(images, batch_size=...)` runs `translate`;
- `ExportedTokenGenerator.generate(num, seed=..., temperature=...)` draws one uniform per token
  exactly as `SequenceGAN.generate` does and runs a token generator's `generate` on them, so
  its int32 ids equal the Keras model's (the decoding, top-k / top-p, is the export's), and
  reads the vocabulary `kgan export` wrote beside it, so its samples can be written as text.

Both take and return float32 images in [-1, 1], as kgan's models do: sources are rounded to the
uint8 pixels the signatures take (exact for images read from uint8 files), and the uint8
outputs are mapped back with `kgan.utils.images.from_uint8`, which `to_uint8` turns into the same
pixels again, so a PNG written from them holds exactly the artefact's output.

An exported class-id model does not record its number of classes, so `num_classes` is unknown
(`class_ids = True`): `kgan sample` then needs explicit `--labels`.
"""

import contextlib
import functools
import os

import numpy as np

from kgan.cli import common
from kgan.cli import quiet
from kgan.utils import images as images_lib


def is_exported(path):
    """Whether `path` names an exported artefact: a `.tflite` or `.onnx` file, or a SavedModel
    folder."""
    if os.path.isdir(path):
        return os.path.isfile(os.path.join(path, "saved_model.pb"))
    return path.lower().endswith((".tflite", ".onnx"))


def load(path, hide_native_logs=False):
    """The adapter for the artefact at `path`, or a `CommandError` saying why it cannot load.

    Args:
        path: A SavedModel folder, a `.tflite` file or an `.onnx` file (the `onnx` extra).
        hide_native_logs: Keep LiteRT's own stderr lines (its XNNPACK notice) off the terminal
            while a `.tflite` model loads and runs (see `kgan.cli.quiet`); its errors still
            reach the caller, as exceptions. Defaults to `False`.
    """
    if os.path.isdir(path):
        run_fn, inputs = _load_saved_model(path)
    elif path.lower().endswith(".onnx"):
        run_fn, inputs = _load_onnx(path)
    else:
        run_fn, inputs = _load_tflite(path, hide_native_logs)
    if "translate" in inputs:
        return ExportedTranslator(path, run_fn, inputs["translate"])
    if "generate" in inputs and "uniforms" in inputs["generate"]:
        return ExportedTokenGenerator(path, run_fn, inputs["generate"])
    if "generate" in inputs:
        return ExportedGenerator(path, run_fn, inputs["generate"])
    raise common.CommandError(
        f"{path!r} has no `generate` or `translate` signature (it has "
        f"{', '.join(sorted(inputs)) or 'none'}): export it with `kgan export`"
    )


def _load_saved_model(path):
    """`(run(signature, inputs), {signature: {input: (shape, dtype)}})` of a SavedModel."""
    import tensorflow as tf

    try:
        loaded = tf.saved_model.load(path)
    except Exception as error:  # a damaged or foreign SavedModel fails in many ways
        raise common.CommandError(
            f"cannot load a SavedModel from {path!r}: {common.one_line(error)}"
        ) from None
    inputs = {}
    for name, function in loaded.signatures.items():
        _, specs = function.structured_input_signature
        inputs[name] = {
            key: (
                tuple(-1 if size is None else size for size in spec.shape),
                spec.dtype.as_numpy_dtype,
            )
            for key, spec in specs.items()
        }

    def run(signature, feed):
        function = loaded.signatures[signature]
        outputs = function(**{key: tf.convert_to_tensor(value) for key, value in feed.items()})
        return {key: np.asarray(value) for key, value in outputs.items()}

    return run, inputs


def _load_tflite(path, hide_native_logs=False):
    """`(run(signature, inputs), {signature: {input: (shape, dtype)}})` of a `.tflite` file."""
    from kgan.export import litert_runner

    # Not replayed on failure: LiteRT's errors are in its exceptions, reported on one line.
    native_logs = contextlib.nullcontext
    if hide_native_logs:
        native_logs = functools.partial(quiet.native_stderr_hidden, replay=False)
    if not os.path.isfile(path):
        raise common.CommandError(f"{path!r} is not a file")
    try:
        with native_logs():
            interpreter = litert_runner.load(path)
            names = litert_runner.signature_names(interpreter)
            inputs = {name: litert_runner.input_details(interpreter, name) for name in names}
    except Exception as error:  # LiteRT reports a corrupt flatbuffer as ValueError or RuntimeError
        raise common.CommandError(
            f"cannot load a LiteRT model from {path!r}: {common.one_line(error)}"
        ) from None

    def run(signature, feed):
        # LiteRT applies its XNNPACK delegate, and announces it on stderr, when a signature
        # first runs, not when the interpreter is made: each call is covered, not only the load.
        with native_logs():
            return litert_runner.run(interpreter, signature, feed)

    return run, inputs


# onnxruntime's type names of the inputs a kgan export has.
_ONNX_TYPES = {"tensor(float)": np.float32, "tensor(int32)": np.int32, "tensor(uint8)": np.uint8}


def _load_onnx(path):
    """`(run(signature, inputs), {signature: {input: (shape, dtype)}})` of an `.onnx` file.

    Its one graph is `translate` when it takes source images, else `generate`; inputs are named
    as the SavedModel signature's (see `kgan.export.onnx_format.onnx_input_name`).
    """
    if not os.path.isfile(path):
        raise common.CommandError(f"{path!r} is not a file")
    from kgan.export import onnx_format

    try:
        session = onnx_format.load(path)
    except ImportError as error:
        raise common.CommandError(str(error)) from None
    except Exception as error:  # onnxruntime reports a corrupt file as its own exception types
        raise common.CommandError(
            f"cannot load an ONNX model from {path!r}: {common.one_line(error)}"
        ) from None
    renamed = {onnx_format.onnx_input_name(name): name for name in onnx_format.RENAMED_INPUTS}
    specs = {}
    for item in session.get_inputs():
        shape = tuple(size if isinstance(size, int) else -1 for size in item.shape)
        specs[renamed.get(item.name, item.name)] = (shape, _ONNX_TYPES.get(item.type, np.float32))
    translates = any(item.name in renamed for item in session.get_inputs())
    signature = "translate" if translates else "generate"

    def run(name, feed):
        return onnx_format.run(session, feed)

    return run, {signature: specs}


class ExportedGenerator:
    """An exported latent model's `generate` signature, called like `kgan.GAN.generate`.

    Attributes:
        latent_dim: length of the latent vectors.
        num_classes: always `None` (not recorded in an export); see `class_ids`.
        condition_dim: the attribute vector length of an attribute model, else `None`.
        class_ids: whether the model takes int class ids as labels.
    """

    def __init__(self, path, run_fn, inputs):
        self.path = path
        self._run = run_fn
        self._dtypes = {name: dtype for name, (_, dtype) in inputs.items()}
        self.latent_dim = int(inputs["z"][0][-1])
        self.num_classes = None
        labels = inputs.get("labels")
        self.class_ids = labels is not None and len(labels[0]) == 1
        self.condition_dim = (
            int(labels[0][-1]) if labels is not None and not self.class_ids else None
        )

    @property
    def conditional(self):
        return "labels" in self._dtypes

    def generate(self, num_or_labels, seed=None, batch_size=256):
        """`num` samples (or one per label row), float32 in [-1, 1], as `GAN.generate`."""
        labels = None
        if self.conditional:
            labels = np.asarray(num_or_labels, self._dtypes["labels"])
            num = len(labels)
        else:
            num = int(num_or_labels)
        latent = np.random.default_rng(seed).standard_normal((num, self.latent_dim))
        return self.generate_from_latents(latent.astype("float32"), labels, batch_size)

    def generate_from_latents(self, latent, labels=None, batch_size=256):
        """Samples of given latent vectors `[N, latent_dim]` (and labels), float32 in [-1, 1].

        What `kgan.models.latent_space.generate_from` is for a Keras model: `kgan sample
        --truncation` and `--interpolate` run the artefact on their own vectors through it.
        """
        latent = np.asarray(latent, np.float32)
        if latent.ndim != 2 or latent.shape[1] != self.latent_dim:
            raise ValueError(
                f"latent vectors must be [N, latent_dim={self.latent_dim}]; got shape "
                f"{latent.shape}."
            )
        num = len(latent)
        if labels is not None:
            labels = np.asarray(labels, self._dtypes["labels"])
        outputs = []
        for start in range(0, num, batch_size):
            feed = {"z": latent[start : start + batch_size]}
            if labels is not None:
                feed["labels"] = labels[start : start + batch_size]
            outputs.append(self._run("generate", feed)["images"])
        return images_lib.from_uint8(np.concatenate(outputs, axis=0))


class ExportedTranslator:
    """An exported image-to-image model's `translate` signature, called like `Pix2Pix.translate`.

    Attributes:
        source_shape: the `(H, W, C)` of the source images it takes.
    """

    def __init__(self, path, run_fn, inputs):
        self.path = path
        self._run = run_fn
        self.source_shape = tuple(int(size) for size in inputs["images"][0][1:])

    def translate(self, images, batch_size=64):
        """Translates float32 sources in [-1, 1]; returns float32 images in [-1, 1]."""
        pixels = images_lib.to_uint8(np.asarray(images, np.float32))
        outputs = [
            self._run("translate", {"images": pixels[start : start + batch_size]})["images"]
            for start in range(0, len(pixels), batch_size)
        ]
        return images_lib.from_uint8(np.concatenate(outputs, axis=0))


class ExportedTokenGenerator:
    """An exported token generator's `generate` signature, called like `SequenceGAN.generate`.

    Attributes:
        max_length: the length `T` of the sequences it makes.
        makes_tokens: always `True`: `kgan sample` writes its ids, not images.
        vocabulary: the `kgan.data.Vocabulary` that `kgan export` wrote beside the artefact
            (`<artefact>.vocabulary.json`), or `None` for an ids-only model.
    """

    makes_tokens = True

    def __init__(self, path, run_fn, inputs):
        self.path = path
        self._run = run_fn
        self.max_length = int(inputs["uniforms"][0][-1])
        # Imported here, not at the top: kgan.export imports Keras, and the CLI imports this
        # module before it has imported TensorFlow quietly.
        from kgan.export import vocabulary_file

        try:
            self.vocabulary, self.pad_token = vocabulary_file.read(path)
        except ValueError as error:
            raise common.CommandError(str(error)) from None

    def generate(self, num, seed=None, temperature=1.0, end_token=None, batch_size=256):
        """`num` sequences of int32 token ids `[num, T]`, as `SequenceGAN.generate(num, seed)`.

        After `end_token` (when given) positions hold the padding id, as `generate` does.
        """
        uniforms = np.random.default_rng(seed).random((int(num), self.max_length), np.float32)
        temperature = np.float32(temperature)
        outputs = [
            self._run(
                "generate",
                {"uniforms": uniforms[start : start + batch_size], "temperature": temperature},
            )["tokens"]
            for start in range(0, int(num), batch_size)
        ]
        from kgan.networks import sequence_sampling

        tokens = np.concatenate(outputs, axis=0).astype(np.int32)
        return sequence_sampling.pad_after_end(tokens, end_token, self.pad_token)
