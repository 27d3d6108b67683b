"""`kgan stats`: precompute the feature statistics of a real dataset for FID, once.

```
kgan stats digits --extractor digits --out digits_stats.npz
kgan stats cifar10:train --extractor fid_inception --image-size 32 --channels 3 --out cifar.npz
kgan evaluate model.keras --data cifar.npz --metrics fid --extractor fid_inception
```

The `.npz` holds the mean, covariance and count of the features
(`kgan.metrics.FeatureStatistics`) and how they were made: the extractor, the data spec and the
image shape. `kgan evaluate` refuses statistics made with another extractor or at another image
size than the model generates, since such a distance would measure that difference, not the
generator.
"""

import time

import numpy as np

from kgan.cli import common
from kgan.cli import features

HELP = "precompute real feature statistics (for FID) to an .npz file"


def add_arguments(parser):
    parser.add_argument("data", help="real images: digits, a folder of images, or a tfds name")
    parser.add_argument("--out", required=True, help="the statistics file to write (.npz)")
    features.add_extractor_argument(parser)
    parser.add_argument(
        "--image-size",
        type=int,
        default=32,
        help="resize the images to this square size: that of the generator's samples (default: 32)",
    )
    parser.add_argument(
        "--channels",
        type=int,
        choices=(1, 3),
        default=None,
        help="convert the images to 1 (gray) or 3 (RGB) channels, as the generator's samples "
        "(default: the data's own)",
    )
    features.add_data_arguments(parser)


def run(args):
    """Extracts features of the real images of `args.data` and writes their statistics."""
    from kgan.metrics import feature_extractors
    from kgan.metrics.frechet_distance import FeatureStatistics

    common.check_positive(args.image_size, "--image-size")
    common.check_positive(args.num_real, "--num-real")
    common.check_positive(args.batch_size, "--batch-size")
    common.check_extension(args.out, (".npz",))
    common.check_output_file(args.out, force=args.force)

    start = time.perf_counter()
    size = args.image_size
    dataset = features.load_real_images(args.data, (size, size, args.channels), args.batch_size)
    image_shape = tuple(int(dim) for dim in dataset.element_spec.shape[1:])
    if args.num_real is not None:
        dataset = dataset.unbatch().take(args.num_real).batch(args.batch_size)
    extractor = features.get_extractor(args.extractor, image_shape)
    statistics = FeatureStatistics()
    try:
        for batch in dataset:
            batch_features = feature_extractors.run_batch(extractor, batch.numpy())["features"]
            statistics.update(np.asarray(batch_features))
    except (ValueError, TypeError) as error:  # e.g. images of a size the extractor rejects
        raise common.CommandError(
            f"the extractor {args.extractor!r} cannot take {features.describe_shape(image_shape)} "
            f"images from {args.data!r}: {common.one_line(error)}"
        ) from None
    if statistics.count < 2:
        raise common.CommandError(
            f"--data {args.data!r} gave {statistics.count} image(s); statistics need at least 2"
        )
    metadata = {
        "extractor": args.extractor,
        "extractor_sha256": features.fingerprint(extractor),
        "data": args.data,
        "image_shape": list(image_shape),
    }
    common.write(args.out, lambda path: statistics.save(path, **metadata))
    print(
        f"Wrote the statistics of {statistics.count} images ({features.describe_shape(image_shape)}"
        f", {statistics.dim}-d {args.extractor} features) to {args.out} in "
        f"{time.perf_counter() - start:.1f} s"
    )
