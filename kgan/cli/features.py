"""Options shared by the commands that turn images into features: `kgan evaluate`, `kgan stats`.

Both name a feature extractor (`--extractor`) and a real dataset (`--data`, any spec
`kgan.data.load` takes: `digits`, a folder of images, a tensorflow-datasets name). Real images
must be loaded at the size and channels of the generated ones: a Fréchet distance between 32x32
samples and 64x64 photos measures the resize, not the generator.
"""

from kgan import data as data_lib
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


def get_extractor(name):
    """The extractor `name` names, or a `CommandError` saying why it cannot be had."""
    # Imported here: the extractors module pulls in keras.applications, which `kgan sample`
    # does not need.
    from kgan.metrics import feature_extractors

    try:
        return feature_extractors.get(name)
    except Exception as error:  # Unknown names, unreadable files, failed downloads alike.
        raise common.CommandError(
            f"cannot use the feature extractor {name!r}: {common.one_line(error)}"
        ) from None


def load_real_images(spec, image_shape, batch_size):
    """The real images of `spec` as a finite, unshuffled dataset of `image_shape` batches."""
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
