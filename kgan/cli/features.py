"""Options shared by the commands that turn images into features: `kgan evaluate`, `kgan stats`.

Both name a feature extractor (`--extractor`) and a real dataset (`--data`, any spec
`kgan.data.load` takes: `digits`, a folder of images, a tensorflow-datasets name). Real images
must be loaded at the size and channels of the generated ones: a Fréchet distance between 32x32
samples and 64x64 photos measures the resize, not the generator.
"""

import contextlib
import hashlib
import sys

import numpy as np

from kgan.cli import common

DEFAULT_EXTRACTOR = "inception_v3"


def add_extractor_argument(parser):
    parser.add_argument(
        "--extractor",
        default=DEFAULT_EXTRACTOR,
        help="feature extractor: inception_v3 (Keras ImageNet weights, downloaded on first use), "
        "fid_inception (the TF 2015-12-05 graph papers' FID uses, downloaded on first use), "
        "digits (a classifier trained on the bundled digits, offline), or a .keras model file "
        f"(default: {DEFAULT_EXTRACTOR})",
    )


def add_data_arguments(parser, required=True):
    parser.add_argument(
        "--num-real",
        type=int,
        default=None,
        help="use at most this many real images (default: all of them)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=256,
        help="images per forward pass of the generator and the extractor (default: 256)",
    )


def get_extractor(name, image_shape):
    """The extractor `name` names for `image_shape` images, or a `CommandError` saying why not."""
    # Imported here: the extractors module pulls in keras.applications, which `kgan sample`
    # does not need.
    from kgan.metrics import feature_extractors

    options = {}
    if name == "digits":
        # The digits classifier is trained (once, then cached) at the samples' own size.
        height, width, channels = image_shape
        if height != width or channels != 1 or height < 8:
            raise common.CommandError(
                f"the digits extractor takes square gray images of at least 8x8, not "
                f"{describe_shape(image_shape)}; choose another --extractor"
            )
        options["image_size"] = height
        # Its first use trains it for minutes: a line per epoch, on stderr so that stdout
        # keeps only the command's result (`--json` output stays parseable).
        options["verbose"] = 2
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return feature_extractors.get(name, **options)
    except Exception as error:  # Unknown names, unreadable files, failed downloads alike.
        message = f"cannot use the feature extractor {name!r}: {common.one_line(error)}"
        if "URL fetch failure" in message:
            message += " (offline? `--extractor digits` needs no download)"
        raise common.CommandError(message) from None


def fingerprint(extractor):
    """A SHA-256 of a Keras extractor's weights (`None` for other extractors).

    Stored with `kgan stats` and checked by `kgan evaluate`: the same name can mean other
    weights (a `.keras` file replaced, or the digits classifier trained on another machine), and
    statistics from other weights would give a distance that measures the extractors.
    """
    import keras

    if not isinstance(extractor, keras.Model):
        return None
    digest = hashlib.sha256()
    for weight in extractor.weights:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(weight)).tobytes())
    return digest.hexdigest()


def load_real_images(spec, image_shape, batch_size):
    """The real images of `spec` as a finite, unshuffled dataset of `image_shape` batches."""
    from kgan import data as data_lib  # TensorFlow: imported when a command runs, not for --help

    height, width, channels = image_shape
    try:
        return data_lib.load(
            spec,
            image_size=(height, width),
            channels=channels,
            batch_size=batch_size,
            shuffle=False,
            drop_remainder=False,
        )
    except data_lib.DataError as error:
        raise common.CommandError(f"--data {spec!r}: {common.one_line(error)}") from None


def describe_shape(image_shape):
    """`(32, 32, 1)` -> `'32x32x1'`."""
    return "x".join(str(size) for size in image_shape)
