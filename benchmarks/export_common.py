"""What `export_parity.py` and `export_latency.py` share: models, source images, one export.

Models are named on the command line as `NAME=PATH` (a `.keras` file saved by kgan). An
image-to-image model needs source images, for its int8 calibration and as its parity and
latency inputs: `--representative NAME=SOURCE`, where SOURCE is

- `pix2pix_digits`: the torn held-out digits of `recipes/pix2pix_digits` (`held_out_pairs`, 449
  fixed pairs), at the recipe's default hole size and the model's image size;
- `digits`: the 1,797 bundled digits (`kgan.data.digits_arrays`), domain A of
  `recipes/cycle_gan_digits`;
- a `.npy` file of source images `[N, H, W, C]` (uint8, or floats in [-1, 1]).
"""

import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUANTIZATIONS = (None, "float16", "dynamic", "int8")
# Source images kept apart for int8 calibration; the rest are the parity inputs.
NUM_CALIBRATION = 100


def parse_pairs(items, option):
    """`["a=x", "b=y"]` -> `{"a": "x", "b": "y"}`, with a readable error for a bad item."""
    pairs = {}
    for item in items or []:
        name, separator, value = item.partition("=")
        if not separator or not name or not value:
            raise SystemExit(f"{option} takes NAME=VALUE, got {item!r}")
        pairs[name] = value
    return pairs


def add_model_arguments(parser):
    """Adds `--model NAME=PATH` (repeatable) and `--representative NAME=SOURCE` to `parser`."""
    parser.add_argument(
        "--model", action="append", required=True, help="NAME=PATH of a .keras model; repeatable"
    )
    parser.add_argument(
        "--representative",
        action="append",
        help="NAME=SOURCE: source images of an image-to-image model (pix2pix_digits, digits, "
        "or a .npy); see benchmarks/export_common.py",
    )


def models_and_sources(args):
    """`({name: model path}, {name: source})` from the arguments of `add_model_arguments`."""
    models = parse_pairs(args.model, "--model")
    sources = parse_pairs(args.representative, "--representative")
    unknown = set(sources) - set(models)
    if unknown:
        raise SystemExit(f"--representative names models not given with --model: {unknown}")
    return models, sources


def load_model(path):
    """The kgan model saved at `path`."""
    import keras

    import kgan  # noqa: F401  (registers kgan's classes for deserialization)

    return keras.saving.load_model(path)


def source_images(source, shape):
    """uint8 source images `[N, H, W, C]` of `shape` from a SOURCE (see the module docstring)."""
    from kgan.utils import images as images_lib

    height, _, channels = shape
    if source == "pix2pix_digits":
        from kgan.testing import recipes

        recipe = recipes.load_recipe(str(ROOT / "recipes" / "pix2pix_digits" / "train_test.py"))
        flags = dict(recipe.DEFAULTS, image_size=height)
        images = recipe.held_out_pairs(flags)[0]
    elif source == "digits":
        from kgan import data

        images = data.digits_arrays(height, channels=channels)[0]
    elif source.endswith(".npy"):
        images = np.load(source, allow_pickle=False)
    else:
        raise SystemExit(f"unknown --representative source {source!r}")
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = images_lib.to_uint8(images.astype(np.float32))
    if tuple(images.shape[1:]) != tuple(shape):
        raise SystemExit(f"{source!r}: images of shape {images.shape[1:]}, the model takes {shape}")
    return images


def export_all(model, folder, images=None, quantize=QUANTIZATIONS):
    """Exports `model` to a SavedModel, one `.tflite` per quantization and ONNX, unchecked.

    Args:
        model: a kgan model.
        folder: the output folder.
        images: uint8 source images of an image-to-image model; the first `NUM_CALIBRATION`
            calibrate int8.
        quantize: the LiteRT variants.

    Returns:
        The `kgan.export.ExportReport` (its own parity figures are on 8 examples only).
    """
    from kgan import export

    representative = None if images is None else images[:NUM_CALIBRATION]
    return export.export_generator(
        model,
        folder,
        format=["saved_model", "tflite", "onnx"],
        quantize=list(quantize),
        representative_data=representative,
        num_representative=NUM_CALIBRATION,
        parity_threshold={},  # every figure reported here; the benchmark applies its own bars
        verbose=False,
    )
