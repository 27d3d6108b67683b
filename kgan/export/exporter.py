"""`export_generator`: a kgan model's generator as SavedModel, LiteRT and ONNX models, checked.

Each artefact is written under a temporary name, run beside the Keras generator on fixed
seeded inputs (see `parity.py`), and moved into place only when every artefact of the call
meets its threshold: a failed export leaves nothing behind, not even a partial folder.
"""

import dataclasses
import os
import shutil
import tempfile

import numpy as np

from kgan.export import litert_runner
from kgan.export import onnx_format
from kgan.export import parity
from kgan.export import saved_model
from kgan.export import signatures as signatures_lib
from kgan.export import tflite
from kgan.export import vocabulary_file
from kgan.export import web
from kgan.utils import atomic

FORMATS = ("saved_model", "tflite", "onnx", "web")
# Examples run through every signature of every artefact for the parity figures.
PARITY_EXAMPLES = 8
# Sequences for a token generator's: many, so that one near-tie that LiteRT's rounding breaks
# the other way (which changes the rest of its sequence) costs under 0.1% of the tokens; see
# `parity.DEFAULT_TOKEN_THRESHOLDS`. Sampling a thousand short sequences takes milliseconds.
TOKEN_PARITY_EXAMPLES = 1024


@dataclasses.dataclass
class Artefact:
    """One exported file or folder and its parity against the Keras generator."""

    format: str
    quantize: str
    path: str
    size_bytes: int
    signatures: dict
    figures: dict
    thresholds: dict

    @property
    def key(self):
        """`saved_model`, `tflite`, `tflite_float16`, ...: its key in `ExportReport.paths`."""
        return self.format if self.quantize is None else f"{self.format}_{self.quantize}"

    def to_dict(self):
        return dataclasses.asdict(self)

    def __str__(self):
        variant = self.format if self.quantize is None else f"{self.format} ({self.quantize})"
        figures = parity.format_figures(self.figures)
        size = f"{self.size_bytes / 1024:9.1f} KiB"
        return f"{variant:<20} {size}  {figures}  [{', '.join(self.signatures)}]  {self.path}"


@dataclasses.dataclass
class ExportReport:
    """What `export_generator` wrote: one `Artefact` per format and quantization."""

    kind: str
    artefacts: list

    @property
    def paths(self):
        """`{"saved_model": path, "tflite": path, "tflite_int8": path, ...}`."""
        return {item.key: item.path for item in self.artefacts}

    def __getitem__(self, key):
        """The `Artefact` named like a key of `paths`, e.g. `report["tflite_float16"]`."""
        for item in self.artefacts:
            if item.key == key:
                return item
        raise KeyError(key)

    def to_dict(self):
        return {"kind": self.kind, "artefacts": [item.to_dict() for item in self.artefacts]}

    def __str__(self):
        return "\n".join(str(item) for item in self.artefacts)


def _as_list(value, name, allowed):
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in values:
        if item not in allowed:
            raise ValueError(f"{name} must be one of {allowed} (or a list of them); got {item!r}.")
    if not values:
        raise ValueError(f"{name} names nothing to export.")
    return list(dict.fromkeys(values))


def export_generator(
    model,
    path,
    format="saved_model",
    quantize=None,
    representative_data=None,
    num_representative=100,
    parity_threshold=None,
    direction=None,
    seed=0,
    top_k=None,
    top_p=None,
    verbose=True,
    web_runtime=None,
):
    """Exports the generator of a kgan model for serving, checking parity with Keras.

    Writes into the folder `path`: `saved_model/` (signatures `generate` and `sample`, or
    `translate`; see `kgan.export.signatures`; a token generator's take per-token uniforms and
    return int32 token ids) and `generator.tflite`, `generator_<quantize>.tflite` (LiteRT, built-in
    ops only, `generate` or `translate`), and `generator.onnx` (ONNX opset 17, the same one
    signature; see `kgan.export.onnx_format`). A model with several generators names them (CycleGAN:
    `saved_model_a2b/`, `generator_a2b.tflite`, `generator_a2b.onnx`), so both directions can share
    a folder. Every artefact gets a `<artefact>.parity.json` beside it, and a token generator with a
    vocabulary a `<artefact>.vocabulary.json` (see `kgan.export.vocabulary_file`), so its ids can be
    read as words.

    Args:
        model: a kgan objective (`kgan.GAN`, `ConditionalGAN`, `Pix2Pix`, `CycleGAN`, a
            sequence GAN such as `kgan.SeqGAN`, or any `kgan.models.AdversarialModel` with
            `served_generator`).
        path: the output folder (created if missing; artefacts there are replaced).
        format: `"saved_model"`, `"tflite"`, `"onnx"`, `"web"` (a static folder `web/` with
            the ONNX model, onnxruntime-web and a page; see `kgan.export.web`) or a list of
            them. Defaults to `"saved_model"`.
        quantize: LiteRT only: `None` (float32), `"float16"`, `"dynamic"`, `"int8"`, or a list of
            them for one `.tflite` file each. Defaults to `None`.
        representative_data: source images (array `[N, H, W, C]`, uint8 or float in [-1, 1], or
            an iterable of batches) for an image-to-image model's int8 calibration; they are also
            the parity inputs. Latent models draw calibration inputs themselves (standard normal
            latent vectors, seeded; cycled class ids or random 0/1 attributes). Defaults to
            `None`.
        num_representative: examples in the int8 calibration set. Defaults to `100`.
        parity_threshold: `None` for `parity.DEFAULT_THRESHOLDS` (float32 within 1 level,
            float16 PSNR >= 40 dB, dynamic and int8 reported only; token generators:
            `parity.DEFAULT_TOKEN_THRESHOLDS`, all ids for a SavedModel, 99.9% for float32
            LiteRT), or a dict such as `{"max_error": 4, "min_psnr": 30}` (token generators:
            `{"min_token_match": 0.99}`) applied to every artefact. Defaults to `None`.
        direction: CycleGAN only: which generator to export, `"a2b"` or `"b2a"`. Defaults to
            `None`: the model's default (`"a2b"`).
        seed: seed of the parity inputs and the calibration set. Defaults to `0`.
        top_k: token generators only: the exported sampler keeps the `top_k` likeliest tokens
            (`0`: all), fixed in its graph. Defaults to `None` (`0`).
        top_p: token generators only: the nucleus mass kept (`1`: all), fixed in its graph.
            Defaults to `None` (`1.0`).
        verbose: print one line per artefact. Defaults to `True`.
        web_runtime: `"web"` only: where onnxruntime-web comes from (see
            `kgan.export.web.runtime_folder`). Defaults to `None`: `$KGAN_ONNXRUNTIME_WEB`,
            else downloaded once from the npm registry and cached.

    Returns:
        An `ExportReport`: `report.paths`, and per artefact size and parity figures.

    Raises:
        ValueError: a model that cannot be exported, or a bad argument.
        parity.ParityError: an artefact missed its threshold (nothing is written then).
        ImportError: `"tflite"` is in `format` but the LiteRT interpreter, which checks each
            `.tflite` file, is not installed (the `litert` extra), or `"onnx"` is and tf2onnx
            or onnxruntime is not (the `onnx` extra); raised before any work.
        tflite.UnsupportedOpError: the generator uses an op LiteRT has no built-in kernel for,
            or (for `"onnx"`) one ONNX has no operator for
            (a `ValueError` naming the op; nothing is written).

    Example:

    ```python
    report = kgan.export.export_generator(
        gan, "exported", format=["saved_model", "tflite"], quantize=[None, "float16"]
    )
    report["tflite_float16"].figures["psnr"]
    ```
    """
    formats = _as_list(format, "format", FORMATS)
    quantizations = _as_list(quantize, "quantize", tflite.QUANTIZATIONS)
    if "tflite" not in formats and quantizations != [None]:
        raise ValueError(
            f"quantize={quantize!r} applies to LiteRT models: add 'tflite' to format "
            f"(format={format!r})."
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}.")
    if isinstance(num_representative, bool) or int(num_representative) < 1:
        raise ValueError(f"num_representative must be at least 1; got {num_representative!r}.")
    spec = signatures_lib.describe(model, direction, top_k, top_p)
    for item in quantizations:
        parity.thresholds_for("tflite", item, parity_threshold, spec.output)  # a bad dict fails now
    if "tflite" in formats:
        # Every .tflite file is checked with the interpreter: fail before writing anything.
        litert_runner.interpreter_module()
    if "onnx" in formats or "web" in formats:
        onnx_format.modules()  # tf2onnx converts, onnxruntime checks: both before any work
    if "web" in formats and spec.kind == "tokens":
        raise ValueError(
            "format='web' draws images; a token generator has no page. Export it with "
            "format='onnx' and decode its ids with the vocabulary file."
        )
    translation = spec.kind == "translation"
    images = calibration_images = None
    if translation and representative_data is not None:
        images = tflite.representative_images(
            representative_data, num_representative + PARITY_EXAMPLES, spec.input_shape
        )
        # Parity is checked on the last PARITY_EXAMPLES images and int8 calibrates on the
        # others, so the int8 figures are not measured on the images it was calibrated on
        # (unless too few images were given to keep them apart).
        calibration_images = images[:-PARITY_EXAMPLES] if len(images) > PARITY_EXAMPLES else images
        images = images[-PARITY_EXAMPLES:]
    elif representative_data is not None:
        raise ValueError(
            "representative_data is for image-to-image models (Pix2Pix, CycleGAN); a latent "
            "or token model draws its calibration inputs itself. Leave it out."
        )
    if "int8" in quantizations and translation and images is None:
        raise ValueError(
            "int8 quantization of an image-to-image model needs real source images to calibrate "
            "on: pass representative_data=<array [N, H, W, C] or dataset of source images>."
        )

    # A model with several generators names each (CycleGAN's "a2b"), so exports can share a folder.
    suffix = f"_{spec.name}" if spec.name else ""
    created = not os.path.exists(path)
    os.makedirs(path, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".export.", suffix=".tmp", dir=path)  # same file system
    try:
        staged_model = os.path.join(staging, f"saved_model{suffix}")
        saved_model.write(spec, staged_model)
        staged = []  # (artefact with its final path, staged path)
        if "saved_model" in formats:
            loaded = saved_model.load(staged_model)
            staged.append(
                _check(
                    spec,
                    "saved_model",
                    None,
                    staged_model,
                    os.path.join(path, f"saved_model{suffix}"),
                    lambda name, inputs: saved_model.run(loaded, name, inputs),
                    spec.signatures,
                    images,
                    seed,
                    parity_threshold,
                )
            )
        for item in quantizations if "tflite" in formats else []:
            name = f"generator{suffix}" + ("" if item is None else f"_{item}")
            staged_file = os.path.join(staging, f"{name}.tflite")
            signature = tflite.SIGNATURES[spec.kind][0]
            representative = None
            if item == "int8":
                representative = tflite.representative_dataset(
                    _calibration_inputs(spec, calibration_images, num_representative, seed),
                    num_representative,
                )
            with open(staged_file, "wb") as file:
                file.write(tflite.convert(staged_model, signature, item, representative))
            interpreter = litert_runner.load(staged_file)
            staged.append(
                _check(
                    spec,
                    "tflite",
                    item,
                    staged_file,
                    os.path.join(path, f"{name}.tflite"),
                    lambda name, inputs, it=interpreter: litert_runner.run(it, name, inputs),
                    (signature,),
                    images,
                    seed,
                    parity_threshold,
                )
            )
        if "onnx" in formats or "web" in formats:
            signature = signatures_lib.DETERMINISTIC_SIGNATURES[spec.kind][0]
            staged_file = os.path.join(staging, f"generator{suffix}.onnx")
            atomic.write_bytes(staged_file, onnx_format.convert(staged_model, signature))
            # The web folder holds a copy of the same file: both are checked alike.
            for format_name, staged_path, final_path in (
                ("onnx", staged_file, os.path.join(path, f"generator{suffix}.onnx")),
                ("web", os.path.join(staging, f"web{suffix}"), os.path.join(path, f"web{suffix}")),
            ):
                if format_name not in formats:
                    continue
                if format_name == "web":
                    web.write_folder(staged_path, spec, staged_file, web_runtime)
                model_file = (
                    staged_file
                    if format_name == "onnx"
                    else os.path.join(staged_path, "generator.onnx")
                )
                session = onnx_format.load(model_file)
                staged.append(
                    _check(
                        spec,
                        format_name,
                        None,
                        staged_path,
                        final_path,
                        lambda name, inputs, it=session: onnx_format.run(it, inputs),
                        (signature,),
                        images,
                        seed,
                        parity_threshold,
                    )
                )
        missed = [
            f"{item.path}: {'; '.join(parity.failures(item.figures, item.thresholds))}"
            for item, _ in staged
            if parity.failures(item.figures, item.thresholds)
        ]
        if missed:
            raise parity.ParityError(
                "The export differs from the Keras generator past the parity threshold, so "
                f"nothing was written: {' | '.join(missed)}. Pass a looser parity_threshold "
                "(kgan export: --max-error, --mean-error, --min-psnr, --min-token-match) to "
                "accept it."
            )
        for artefact, staged_path in staged:
            atomic.replace_path(staged_path, artefact.path)
            parity.write_json(f"{artefact.path}.parity.json", artefact.to_dict())
            if spec.kind == "tokens":
                vocabulary_file.write(artefact.path, model)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not os.listdir(path):
            os.rmdir(path)  # a failed export leaves no trace, not even the folder it made
        raise
    shutil.rmtree(staging, ignore_errors=True)
    report = ExportReport(spec.kind, [artefact for artefact, _ in staged])
    if verbose:
        print(report)
    return report


def _check(spec, format, quantize, staged_path, final_path, run_fn, names, images, seed, limit):
    """Runs `names` of a staged artefact against Keras; returns `(Artefact, staged_path)`."""
    figures = {}
    tokens = spec.output == "tokens"
    compare = parity.compare_tokens if tokens else parity.compare
    num = TOKEN_PARITY_EXAMPLES if tokens else PARITY_EXAMPLES
    for name in names:
        inputs = signatures_lib.example_inputs(spec, name, num, seed, images)
        actual = run_fn(name, inputs)[spec.output]
        figures[name] = compare(signatures_lib.keras_outputs(spec, name, inputs), actual)
    artefact = Artefact(
        format=format,
        quantize=quantize,
        path=str(final_path),
        size_bytes=file_size(staged_path),
        signatures=figures,
        figures=parity.combine(list(figures.values())),
        thresholds=parity.thresholds_for(format, quantize, limit, spec.output),
    )
    return artefact, staged_path


def _calibration_inputs(spec, images, num, seed):
    """`index -> {input: batch of 1}` for int8 calibration, drawn apart from the parity inputs."""
    if spec.kind == "translation":
        return lambda index: {"images": images[index % len(images)][None]}
    # A seed sequence of its own, so calibration and parity inputs differ.
    batch = signatures_lib.example_inputs(spec, "generate", num, [seed, 1])
    # Scalars (a token generator's temperature) are shared by every example.
    return lambda index: {
        key: value[index : index + 1] if np.ndim(value) else value for key, value in batch.items()
    }


def file_size(path):
    """Bytes of a file, or of all the files under a folder (a SavedModel)."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(
        os.path.getsize(os.path.join(folder, name))
        for folder, _, names in os.walk(path)
        for name in names
    )
