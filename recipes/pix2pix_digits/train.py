"""Trains Pix2Pix to restore digits with a square torn out: image-to-image translation offline.

The default task needs no download. Each bundled 32x32 digit loses a 14x14 square (filled with
mid-gray, so the network can see where the hole is), placed at random over the digit's centre;
the generator learns to paint the missing strokes back. Training pairs get a new hole every epoch;
the 449 held-out digits keep fixed holes, so runs are compared on the same pairs. The split is
`kgan.metrics.classifier.digits_split`, the one the digits judge was trained on, so the judge
that scores the restored digits has never seen them.

```
python recipes/pix2pix_digits/train.py --out runs/pix2pix_digits
python recipes/pix2pix_digits/train.py --adversarial-weight 0 --out runs/pix2pix_digits_l1
```

The second command is the paper's L1-only baseline: the same networks, data and steps, with the
adversarial term removed from the generator's objective. `benchmarks/pix2pix_digits_quality.py`
compares the two (and the unrestored input) on the held-out pairs.

For real use, `--pairs` takes paired data: a folder with `A/` (sources) and `B/` (targets) of
matching file names, or a folder of side-by-side `A|B` files (the pix2pix datasets: facades,
maps, edges2shoes...). `--data` takes any `kgan.data.load` spec (a tensorflow-datasets name such
as `mnist`, or a folder of images) and tears holes into it as for the digits.

A run directory holds `model.keras` (the whole Pix2Pix; `kgan translate` runs it),
`settings.json`, `samples/` (held-out examples: source | restored | target), `logs/` (TensorBoard)
and, while training, `backup/` (rerun the same command to resume).
"""

import os

if __name__ == "__main__":  # hold TensorFlow's start-up lines back, as `kgan` does
    from kgan.cli import quiet

    quiet.import_tensorflow_quietly()
# Imported (by the tests): TensorFlow's C++ info and warnings off, set before it is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import sys  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import kgan  # noqa: E402
from kgan.metrics import classifier  # noqa: E402
from kgan.utils import run_directory  # noqa: E402

# The defaults are what the default run was tuned with; the README gives the measurements.
DEFAULTS = {
    "data": "digits",
    "pairs": None,
    "side_by_side": None,
    "image_size": 32,
    "hole_size": 14,
    "epochs": 40,
    "batch_size": 16,
    "l1_weight": 100.0,
    "adversarial_weight": 1.0,
    "loss": "non_saturating",
    "base_filters": 32,
    "discriminator_layers": 2,
    "learning_rate": 2e-4,
    "seed": 0,
    "out": os.path.join("runs", "pix2pix_digits"),
    "samples_every": 5,
    "steps_per_epoch": None,
}
# The held-out digits get fixed holes (independent of --seed).
HOLE_SEED = 7
# Pixels of the hole: mid-gray, a value no digit pixel takes in bulk, so the hole is visible.
HOLE_VALUE = 0.0


def build_parser():
    """The recipe's command-line flags, with `DEFAULTS` as their defaults."""
    parser = run_directory.Parser(
        prog="train.py",
        description="Train Pix2Pix (kgan.Pix2Pix) and save a run directory.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**DEFAULTS)
    add = parser.add_argument
    add("--data", help="'digits' (bundled) or a kgan.data.load spec; holes are torn into it")
    add("--pairs", help="paired data instead: a folder holding A/ (sources) and B/ (targets)")
    add(
        "--side-by-side",
        choices=("left", "right"),
        help="--pairs is a folder of A|B files; which half is the source",
    )
    add("--image-size", type=int, help="height and width: a power of two >= 32")
    add("--hole-size", type=int, help="side of the square torn out of each image (--data only)")
    add("--epochs", type=int, help="passes over the data (or of --steps-per-epoch steps)")
    add("--batch-size", type=int, help="pairs per step")
    add("--l1-weight", type=float, help="lambda, the weight of the L1 term")
    add(
        "--adversarial-weight",
        type=float,
        help="weight of the adversarial term; 0 trains the L1-only baseline",
    )
    add("--loss", help=f"adversarial loss family: {', '.join(kgan.losses.FAMILIES)}")
    add("--base-filters", type=int, help="width of both networks (filters next to the image)")
    add(
        "--discriminator-layers",
        type=int,
        help="stride-2 layers of the PatchGAN: 2 judges 34x34 patches, 3 the paper's 70x70",
    )
    add("--learning-rate", type=float, help="Adam learning rate of both networks (beta_1=0.5)")
    run_directory.add_run_flags(
        parser, seed_help="seed of the weights, the data order, the holes and the dropout"
    )
    return parser


def parse_flags(argv=None):
    """Parses and checks the flags; returns them as a dict, or raises `UsageError`."""
    flags = vars(build_parser().parse_args(argv))
    run_directory.check_positive(
        flags,
        "epochs",
        "batch_size",
        "base_filters",
        "hole_size",
        "discriminator_layers",
        "samples_every",
        "steps_per_epoch",
    )
    if flags["l1_weight"] < 0 or flags["adversarial_weight"] < 0:
        raise run_directory.UsageError("--l1-weight and --adversarial-weight must be >= 0")
    if flags["hole_size"] > flags["image_size"] // 2:
        raise run_directory.UsageError(
            f"--hole-size {flags['hole_size']} is more than half of --image-size "
            f"{flags['image_size']}: too little of the image would be left to restore from"
        )
    if flags["side_by_side"] and not flags["pairs"]:
        raise run_directory.UsageError("--side-by-side describes --pairs; give --pairs too")
    run_directory.check_training_flags(flags)
    return flags


# --- data ------------------------------------------------------------------------------------


def tear_holes(images, seeds, hole_size):
    """`images` with a `hole_size` square of `HOLE_VALUE` each, placed by stateless `seeds`.

    The square's corner is uniform over the central region (a quarter of the size away from
    each border, where digits have their strokes), so the hole takes part of the digit.

    Args:
        images: `[batch, size, size, channels]` float32 in [-1, 1].
        seeds: `[batch, 2]` int32, one stateless seed per image.
        hole_size: side of the square.

    Returns:
        The torn images, same shape.
    """
    size = images.shape[1]
    low = size // 4
    high = max(low, size - size // 4 - hole_size)  # inclusive corner range

    def corner(seed):
        return tf.random.stateless_uniform((2,), seed, low, high + 1, dtype=tf.int32)

    corners = tf.map_fn(corner, seeds, fn_output_signature=tf.int32)
    positions = tf.range(size)
    rows = (positions[None, :] >= corners[:, :1]) & (
        positions[None, :] < corners[:, :1] + hole_size
    )
    cols = (positions[None, :] >= corners[:, 1:]) & (
        positions[None, :] < corners[:, 1:] + hole_size
    )
    hole = (rows[:, :, None] & cols[:, None, :])[..., None]  # [batch, size, size, 1]
    return tf.where(hole, tf.constant(HOLE_VALUE, images.dtype), images)


def digit_split(image_size):
    """`(train_images, test_images, test_labels)`: the bundled digits, split 1,348 / 449.

    The split of the digits judge (`kgan.metrics.classifier.digits_split`): the benchmark's
    judge never saw the held-out digits.
    """
    (train_images, _), (test_images, test_labels) = classifier.digits_split(image_size)
    return train_images, test_images, test_labels


def held_out_pairs(flags):
    """The fixed held-out digits, torn: `(sources, targets, labels, holes)`.

    `holes` is a boolean mask `[449, size, size, 1]` of the torn pixels. These are the pairs
    `benchmarks/pix2pix_digits_quality.py` scores and the grid shows.
    """
    _, targets, labels = digit_split(flags["image_size"])
    seeds = np.random.default_rng(HOLE_SEED).integers(0, 2**31 - 1, (len(targets), 2))
    seeds = tf.constant(seeds, tf.int32)
    sources = tear_holes(tf.constant(targets), seeds, flags["hole_size"]).numpy()
    # The same seeds tear the same squares out of an all-ones image: the mask, exactly.
    holes = tear_holes(tf.ones_like(targets), seeds, flags["hole_size"]).numpy() == HOLE_VALUE
    return sources, targets, labels, holes


def torn_pairs(images, flags):
    """A dataset of `(torn, whole)` batches; every epoch tears new holes."""
    seed = flags["seed"]
    if isinstance(images, np.ndarray):
        images = tf.data.Dataset.from_tensor_slices(images).shuffle(
            len(images), seed=seed, reshuffle_each_iteration=True
        )
        images = images.batch(flags["batch_size"], drop_remainder=True)
    # One stateless seed per image from a random stream that moves on every epoch.
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    seeds = seeds.map(lambda value: tf.cast(value % (2**31 - 1), tf.int32)).batch(2)

    def tear(batch, seed_pair):
        per_image = tf.random.stateless_uniform(
            (tf.shape(batch)[0], 2), seed_pair, 0, 2**31 - 1, dtype=tf.int32
        )
        return tear_holes(batch, per_image, flags["hole_size"]), batch

    return tf.data.Dataset.zip((images, seeds)).map(tear).prefetch(tf.data.AUTOTUNE)


def load_data(flags):
    """`(train_dataset, examples, resolved)`: training pairs and the grid's fixed examples."""
    size = flags["image_size"]
    if flags["pairs"]:
        common = {
            "image_size": size,
            "batch_size": flags["batch_size"],
            "seed": flags["seed"],
            "jitter": True,  # the paper's random jitter and mirroring, identical on both
        }
        if flags["side_by_side"]:
            dataset = kgan.data.from_side_by_side(
                flags["pairs"], source=flags["side_by_side"], **common
            )
        else:
            dataset = kgan.data.from_paired_folders(
                os.path.join(flags["pairs"], "A"), os.path.join(flags["pairs"], "B"), **common
            )
        examples = dataset  # the grid reads its first batch once, at the start
    elif flags["data"] == "digits":
        train_images, _, _ = digit_split(size)
        dataset = torn_pairs(train_images, flags)
        sources, targets, _, _ = held_out_pairs(flags)
        examples = (sources[:8], targets[:8])
    else:
        images = kgan.data.load(
            flags["data"], image_size=size, batch_size=flags["batch_size"], seed=flags["seed"]
        )
        dataset = torn_pairs(images, flags)
        examples = dataset
    if flags["steps_per_epoch"] is not None:
        dataset = dataset.repeat()  # never runs dry, whatever --steps-per-epoch asks for
    source_spec, target_spec = dataset.element_spec
    resolved = {
        "source_channels": int(source_spec.shape[-1]),
        "target_channels": int(target_spec.shape[-1]),
    }
    return dataset, examples, resolved


# --- model -----------------------------------------------------------------------------------


def build_model(flags, source_channels, target_channels):
    """A compiled `Pix2Pix`: U-Net generator, PatchGAN discriminator, the paper's optimizers."""
    size = flags["image_size"]
    generator = kgan.networks.unet_generator(
        size,
        input_channels=source_channels,
        output_channels=target_channels,
        base_filters=flags["base_filters"],
        max_filters=8 * flags["base_filters"],
    )
    discriminator = kgan.networks.patchgan_discriminator(
        size,
        source_channels=source_channels,
        target_channels=target_channels,
        base_filters=flags["base_filters"],
        num_layers=flags["discriminator_layers"],
    )
    model = kgan.Pix2Pix(generator, discriminator, seed=flags["seed"])
    model.compile(
        generator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        loss=flags["loss"],
        l1_weight=flags["l1_weight"],
        adversarial_weight=flags["adversarial_weight"],
    )
    return model


def train(flags):
    """Trains as `flags` say and writes the run directory; returns the settings written."""
    run_directory.check_resume(flags["out"], flags)  # before any slow work
    keras.utils.set_random_seed(flags["seed"])
    dataset, examples, resolved = load_data(flags)
    model = build_model(flags, resolved["source_channels"], resolved["target_channels"])
    resolved.update(
        generator_parameters=model.generator.count_params(),
        discriminator_parameters=model.discriminator.count_params(),
        discriminator_patch=kgan.networks.patchgan_receptive_field(flags["discriminator_layers"]),
        optimizer="Adam(beta_1=0.5) for both networks",
    )
    grid = run_directory.sample_grid(flags, examples=examples)
    callbacks = run_directory.callbacks(flags["out"], grid)
    return run_directory.fit_and_record(model, dataset, flags, resolved, callbacks)


def main(argv=None):
    """Runs the recipe; returns the exit code (0, or 2 with a one-line error on stderr)."""
    return run_directory.run_main(parse_flags, train, argv)


if __name__ == "__main__":
    sys.exit(main())
