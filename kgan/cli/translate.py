"""`kgan translate`: run a saved image-to-image model (e.g. `kgan.Pix2Pix`) on images.

```
kgan translate runs/pix2pix_facades/model.keras --input labels/ --out photos/
kgan translate runs/pix2pix_facades/model.keras --input sources.npy --out translated.npy
kgan translate runs/pix2pix_facades/model.keras --input sources.npy --out pairs.png
kgan translate runs/cyclegan_horses/model.keras --input horses/ --direction b2a --out zebras/
```

`--input` is a `.npy` array or a folder of images. An array is `[N, H, W, C]`, `[H, W, C]`
(one image) or `[N, H, W]` (gray); `uint8` holds pixels in [0, 255], floats must already lie
in [-1, 1], and its shape must be the model's source shape. A folder's image files (not its
subfolders) are read in sorted order, converted to the model's channel count (gray <-> RGB)
and resized to its source size (centre-cropped to its aspect ratio, bilinear), with a note
saying how many were resized.

`--out` is a `.npy` file (float32 `[N, H, W, C]` in [-1, 1], as `kgan sample` writes), a
`.png` grid of `source | translated` pairs, one pair a row, or a folder (an existing one, or a
name without extension) with one PNG per image: `name.png` for the input file `name.jpg`,
`00000.png`, `00001.png`, ... for the rows of an array. Files of the same name already in
that folder are overwritten; writing into the `--input` folder itself is refused.

The generator runs in inference mode, so Pix2Pix's dropout is off and the output is
deterministic. The paper keeps dropout on at test time as the model's noise: `--dropout`
does that, with the noise drawn from `--seed`.

The model may also be an artefact of `kgan export`, a SavedModel folder, a `.tflite` or an `.onnx`
file, to check what you ship (see `kgan.cli.exported`). It translates one way (the direction it was
exported in) with dropout off, and takes uint8 pixels: float sources are rounded to them.
"""

import inspect
import os

import numpy as np
from PIL import Image

from kgan.cli import common
from kgan.cli import loading
from kgan.utils import images as images_lib

HELP = "translate images with a saved image-to-image model (e.g. kgan.Pix2Pix)"
DIRECTIONS = ("a2b", "b2a")

# Output formats, by file extension; any other --out without extension is a folder.
FORMATS = {
    ".npy": "float32 array [N, H, W, C] in [-1, 1]",
    ".png": "one image: source | translated pairs, one pair a row",
}

# Floats saved from [-1, 1] data may overshoot by a rounding error; more than this is a
# different range (e.g. [0, 255] or [0, 1] floats), which would translate to garbage.
RANGE_TOLERANCE = 1e-3

# PIL modes read as one gray channel; everything else is read as RGB (or RGBA with alpha).
_GRAY_MODES = ("1", "L", "I", "I;16", "I;16B", "I;16L", "F")


def add_arguments(parser):
    loading.add_raw_generator_flag(parser)
    parser.add_argument(
        "model",
        help="a model saved by kgan, e.g. runs/pix2pix/model.keras, or one exported by "
        "`kgan export` (a SavedModel folder, a .tflite or .onnx file)",
    )
    parser.add_argument(
        "--input",
        required=True,
        help="source images: a .npy array [N, H, W, C] (uint8 pixels or floats in [-1, 1]) "
        "or a folder of image files",
    )
    parser.add_argument(
        "--out",
        required=True,
        help="; ".join(f"{extension} = {what}" for extension, what in FORMATS.items())
        + "; a folder = one PNG per image (same-named files are overwritten)",
    )
    parser.add_argument(
        "--direction",
        choices=DIRECTIONS,
        default=None,
        help="for two-way models (e.g. CycleGAN): translate a to b or b to a (default: the "
        "model's own default)",
    )
    parser.add_argument(
        "--batch-size", type=int, default=64, help="images per forward pass (default: 64)"
    )
    parser.add_argument(
        "--dropout",
        action="store_true",
        help="keep the generator's dropout on, as the pix2pix paper does at test time: the "
        "output varies with --seed (default: off, deterministic)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="with --dropout: seed of the dropout noise (default: 0)",
    )


def output_kind(path):
    """`".npy"`, `".png"` or `"folder"` for `--out path`, or raises a usage error."""
    extension = os.path.splitext(path)[1].lower()
    if os.path.isdir(path) or not extension:
        return "folder"
    if extension not in FORMATS:
        raise common.CommandError(
            f"cannot write --out {path!r}: give a .npy or .png file, or a folder (a name "
            f"without extension), not {extension!r}",
            common.USAGE_ERROR,
        )
    return extension


def read_array(path):
    """The `.npy` at `path` as float32 in [-1, 1] (any rank; shaped later against the model)."""
    array = common.load_npy(path, "--input")
    if array.ndim not in (2, 3, 4) or array.size == 0:
        raise common.CommandError(
            f"--input {path!r} holds an array of shape {array.shape}, not images "
            "[N, H, W, C], [H, W, C] or [N, H, W]",
            common.USAGE_ERROR,
        )
    if array.dtype == np.uint8:
        return images_lib.from_uint8(array)
    if not np.issubdtype(array.dtype, np.floating):
        raise common.CommandError(
            f"--input {path!r} holds {array.dtype} values: save uint8 pixels in [0, 255] or "
            "floats in [-1, 1]",
            common.USAGE_ERROR,
        )
    array = array.astype(np.float32)
    if not np.all(np.isfinite(array)):
        raise common.CommandError(
            f"--input {path!r} holds NaN or infinite values", common.USAGE_ERROR
        )
    low, high = float(np.min(array)), float(np.max(array))
    if low < -1 - RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
        raise common.CommandError(
            f"--input {path!r} holds floats in [{low:g}, {high:g}], but float images must lie "
            "in [-1, 1]: save uint8 pixels in [0, 255] or floats in [-1, 1]",
            common.USAGE_ERROR,
        )
    return np.clip(array, -1.0, 1.0)


def read_folder(path):
    """`(images, names, skipped)` of the image files in the folder `path` (not subfolders).

    `images` are float32 `[H, W, C]` arrays in [-1, 1] of each file's own size and channels
    (1 for gray, 3 for colour, 4 with alpha); `names` their file stems; `skipped` the files
    that could not be decoded.
    """
    from kgan.data import errors
    from kgan.data import folder

    try:
        files = folder.list_image_files(path, recursive=False)
    except errors.DataError as error:
        raise common.CommandError(
            f"--input: {common.one_line(error)}", common.USAGE_ERROR
        ) from None
    images, names, skipped, written_by = [], [], [], {}
    for file_path in files:
        try:
            with Image.open(file_path) as image:
                channels = 1 if image.mode in _GRAY_MODES else 4 if "A" in image.mode else 3
            # Pixels are decoded as kgan.data's loaders decode them for training (16-bit PNGs
            # scaled to 8 bits, not clipped as PIL's convert("L") would), so a model sees at
            # translation time what it saw in training.
            with open(file_path, "rb") as file:
                contents = file.read()
            pixels = folder.decode_image(contents, channels).numpy().astype(np.float32)
        except Exception:  # PIL raises many types on corrupt files; each is skipped alike.
            skipped.append(os.path.basename(file_path))
            continue
        name = os.path.splitext(os.path.basename(file_path))[0]
        if name in written_by:
            # a.png and a.jpg: the second translation would silently replace the first.
            raise common.CommandError(
                f"--input {path!r}: {written_by[name]} and {os.path.basename(file_path)} would "
                f"both be written as {name}.png; rename one",
                common.USAGE_ERROR,
            )
        written_by[name] = os.path.basename(file_path)
        images.append(images_lib.from_uint8(pixels).reshape(*pixels.shape[:2], -1))
        names.append(name)
    if not images:
        raise common.CommandError(
            f"--input {path!r}: none of its {len(files)} image files could be read",
            common.USAGE_ERROR,
        )
    return images, names, skipped


def check_input_output(args, kind):
    """Refuses an `--out` that is the `--input` file or folder itself."""
    if os.path.realpath(args.out) == os.path.realpath(args.input):
        what = "folder" if kind == "folder" else "file"
        raise common.CommandError(
            f"--out {args.out!r} is the --input {what} itself, whose files it would overwrite "
            "or mix with; write the translations elsewhere",
            common.USAGE_ERROR,
        )


def translator(model, args):
    """`(translate_fn, source_shape)`: `model.translate` with the options this model takes."""
    translate = getattr(model, "translate", None)
    if not callable(translate):
        raise common.CommandError(
            f"{args.model!r} holds a {type(model).__name__}, not an image-to-image "
            "model (it has no translate method); use `kgan sample` instead",
            common.USAGE_ERROR,
        )
    parameters = inspect.signature(translate).parameters
    options = {"batch_size": args.batch_size}
    if args.direction is not None:
        if "direction" not in parameters:
            raise common.CommandError(
                f"{type(model).__name__} translates one way only; leave --direction out",
                common.USAGE_ERROR,
            )
        options["direction"] = args.direction
    if args.dropout:
        if "training" not in parameters:
            raise common.CommandError(
                f"{type(model).__name__}.translate cannot keep dropout on; leave --dropout out",
                common.USAGE_ERROR,
            )
        options["training"] = True
    return (lambda images: translate(images, **options)), source_shape(model, args.direction)


def source_shape(model, direction=None):
    """The `(H, W, C)` the model's generator takes (for `direction`), or None if unknown."""
    if getattr(model, "source_shape", None) is not None:  # an exported model says it
        return tuple(model.source_shape)
    from kgan.export import signatures
    from kgan.models import network_info

    try:
        served = signatures.served_generator_of(model, direction)
    except ValueError:  # not a kgan objective, or a direction it does not have
        return None
    shape = network_info.input_shape(served.network)
    if shape is not None and len(shape) == 3 and None not in shape:
        return shape
    return None


def fit_array(images, shape, path):
    """`images` (rank 2-4) as `[N, H, W, C]` of the model's source `shape`, or a usage error."""
    if images.ndim == 2:
        images = images[np.newaxis, ..., np.newaxis]
    elif images.ndim == 3:
        # [H, W, C] is one image, [N, H, W] a gray batch: the model's shape decides, else the
        # last axis (a channel count is 1, 3 or 4; an image is wider than that).
        one_image = images.shape == shape if shape else images.shape[-1] in (1, 3, 4)
        images = images[np.newaxis] if one_image else images[..., np.newaxis]
    if shape is not None and tuple(images.shape[1:]) != shape:
        raise common.CommandError(
            f"--input {path!r} holds images of shape {tuple(images.shape[1:])}, but the model "
            f"translates images of shape {shape}; resize them, or give a folder of image files "
            "(those are converted and resized)",
            common.USAGE_ERROR,
        )
    return images


def fit_folder(images, shape):
    """Folder images as one `[N, H, W, C]` batch of `shape`; returns it and how many resized."""
    import keras

    from kgan.data import pipeline

    if shape is None:
        if len({image.shape for image in images}) > 1:
            raise common.CommandError(
                "the --input images differ in size or channels and the model's source shape "
                "is unknown; make them all alike",
                common.USAGE_ERROR,
            )
        return np.stack(images), 0
    resized = 0
    batch = []
    for image in images:
        image = pipeline.convert_channels(image, shape[-1])
        if tuple(image.shape[:2]) != shape[:2]:
            image = pipeline.resize(image, shape[:2], method="bilinear")
            resized += 1
        batch.append(keras.ops.convert_to_numpy(image))
    return np.stack(batch).astype(np.float32), resized


def pair_grid(sources, translated):
    """A grid of `source | translated` rows, both shown with the same channel count."""
    import keras

    from kgan.data import pipeline

    channels = max(sources.shape[-1], translated.shape[-1])
    sources = keras.ops.convert_to_numpy(pipeline.convert_channels(sources, channels))
    translated = keras.ops.convert_to_numpy(pipeline.convert_channels(translated, channels))
    if sources.shape[1:3] != translated.shape[1:3]:
        raise common.CommandError(
            f"the model makes images of size {translated.shape[1:3]} from sources of size "
            f"{sources.shape[1:3]}, which cannot share a grid; write a .npy or a folder instead"
        )
    pairs = np.stack([sources, translated], axis=1).reshape(-1, *sources.shape[1:])
    return images_lib.make_grid(pairs, cols=2)


def write_folder(out, translated, names):
    """Writes one PNG per image into the folder `out`."""
    pixels = images_lib.to_uint8(translated)
    for name, image in zip(names, pixels, strict=True):
        common.write(
            os.path.join(out, f"{name}.png"),
            lambda path, image=image: images_lib.save_png(path, image),
        )


def run(args):
    """Translates the images of `args.input` with the model and writes them to `args.out`."""
    import keras

    # Everything that can fail without the model is checked before its (slow) loading.
    common.check_positive(args.batch_size, "--batch-size")
    if args.seed is not None and not args.dropout:
        raise common.CommandError(
            "--seed sets the dropout noise of --dropout; without --dropout the output is "
            "deterministic: leave --seed out",
            common.USAGE_ERROR,
        )
    kind = output_kind(args.out)
    if os.path.exists(args.input):
        check_input_output(args, kind)  # before "exists": the more useful message
    if kind == "folder":
        common.check_output_folder(args.out, force=args.force)
    else:
        common.check_output_file(args.out, force=args.force)
    if not os.path.exists(args.input):
        raise common.CommandError(f"no --input file or folder at {args.input!r}")
    from_folder = os.path.isdir(args.input)
    if from_folder:
        images, names, skipped = read_folder(args.input)
    else:
        images, skipped = read_array(args.input), []

    if args.dropout:
        # Before loading: Keras seeds each dropout layer's noise when the layer is built.
        keras.utils.set_random_seed(0 if args.seed is None else args.seed)
    model = loading.load_model(
        args.model,
        exported_ok=True,
        hide_native_logs=not args.verbose,
        raw_generator=args.raw_generator,
    )
    translate, shape = translator(model, args)
    notes = []
    if from_folder:
        sources, resized = fit_folder(images, shape)
        if resized:
            notes.append(
                f"Note: resized {resized} of {len(names)} images to {shape[0]}x{shape[1]} "
                "(centre crop to the model's aspect ratio, bilinear)"
            )
        if skipped:
            listed = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
            notes.append(f"Note: skipped {len(skipped)} unreadable files: {listed}")
    else:
        sources = fit_array(images, shape, args.input)
        names = [f"{index:05d}" for index in range(len(sources))]
    try:
        translated = np.asarray(translate(sources), dtype=np.float32)
    except Exception as error:  # e.g. a model of unknown source shape given the wrong one
        message = f"the model cannot translate --input: {common.one_line(error)}"
        raise common.CommandError(message) from None

    if kind == ".npy":
        common.write(args.out, lambda path: np.save(path, translated))
    elif kind == ".png":
        grid = pair_grid(sources, translated)
        common.write(args.out, lambda path: images_lib.save_png(path, grid))
    else:
        write_folder(args.out, translated, names)
    for note in notes:
        print(note)
    print(f"Translated {len(translated)} images of shape {translated.shape[1:]} to {args.out}")
