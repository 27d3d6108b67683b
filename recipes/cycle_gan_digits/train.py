"""Trains a CycleGAN between two styles of handwritten digits, never shown a pair, offline.

The default task needs no download. Domain A is the bundled digits as they are, thin white
strokes on black; domain B is a second style, thick black strokes on white (each digit's strokes
dilated by a 3x3 maximum, then inverted). The two domains are built from *different* digits (the
judge's 1,348 training digits, split in two halves), so no image of one has its counterpart in
the other: the networks must find the correspondence themselves. The 449 held-out digits exist
in both styles, which gives a ground truth to measure against (`benchmarks/
cycle_gan_digits_quality.py`): a translated 7 must still be a 7.

```
python recipes/cycle_gan_digits/train.py --out runs/cycle_gan_digits
```

For real use, `--data-a` and `--data-b` take any `kgan.data.load` spec each: a
tensorflow-datasets name with its split (`cycle_gan/horse2zebra:trainA` and `:trainB`) or a
folder of images:

```
python recipes/cycle_gan_digits/train.py --data-a cycle_gan/horse2zebra:trainA \
    --data-b cycle_gan/horse2zebra:trainB --image-size 256 --batch-size 1 --generator-blocks 9 \
    --filters 64 --epochs 200 --decay-epochs 100 --out runs/horse2zebra
```

A run directory holds `model.keras` (the whole CycleGAN: four networks, four optimizers, both
image pools; `kgan translate --direction a2b|b2a` runs it), `settings.json`, `samples/` (held-out
examples, a row each: a | a->b | a->b->a | b | b->a | b->a->b), `logs/` (TensorBoard) and, while
training, `backup/` (rerun the same command to resume).
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
    "data_a": "digits",
    "data_b": "digits_bold_inverted",
    "image_size": 32,
    "epochs": 10,
    "decay_epochs": 5,
    "batch_size": 8,
    "generator_blocks": 4,
    "generator_downsampling": 2,
    "filters": 16,
    "discriminator_layers": 2,
    "pool_size": 50,
    "cycle_weight": 10.0,
    # Not the paper's 0.5: the identity term asks G_ab(b) = b, but here G_ab must invert the
    # polarity of what it is given, so the term fights the right answer (README: measured).
    "identity_weight": 0.0,
    "loss": "least_squares",
    "learning_rate": 2e-4,
    "seed": 0,
    "out": os.path.join("runs", "cycle_gan_digits"),
    "samples_every": 5,
    "steps_per_epoch": None,
}
OFFLINE = ("digits", "digits_bold_inverted")
NETWORKS = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")


def build_parser():
    """The recipe's command-line flags, with `DEFAULTS` as their defaults."""
    parser = run_directory.Parser(
        prog="train.py",
        description="Train a CycleGAN (kgan.CycleGAN) and save a run directory.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**DEFAULTS)
    add = parser.add_argument
    add("--data-a", help="domain A: 'digits' (bundled) or a kgan.data.load spec")
    add(
        "--data-b",
        help="domain B: 'digits_bold_inverted' (the bundled digits in the second style; "
        "only with --data-a digits) or a kgan.data.load spec",
    )
    add("--image-size", type=int, help="height and width of both domains' images")
    add("--epochs", type=int, help="passes over the larger domain (or of --steps-per-epoch)")
    add(
        "--decay-epochs",
        type=int,
        help="the last epochs, over which the learning rates fall linearly to 0 (LinearDecay)",
    )
    add("--batch-size", type=int, help="images of each domain per step (the paper: 1)")
    add("--generator-blocks", type=int, help="residual blocks (paper: 6 at 128, 9 at 256)")
    add(
        "--generator-downsampling",
        type=int,
        help="stride-2 steps of the generators (paper: 2); fewer keep them more local",
    )
    add("--filters", type=int, help="width of all four networks (paper: 64)")
    add(
        "--discriminator-layers",
        type=int,
        help="stride-2 layers of the PatchGANs: 2 judges 34x34 patches, 3 the paper's 70x70",
    )
    add("--pool-size", type=int, help="image history per discriminator (paper: 50; 0 = none)")
    add("--cycle-weight", type=float, help="lambda, the weight of the cycle-consistency L1")
    add("--identity-weight", type=float, help="identity L1 weight, times lambda; 0 = none")
    add("--loss", help=f"adversarial loss family: {', '.join(kgan.losses.FAMILIES)}")
    add("--learning-rate", type=float, help="Adam learning rate of all four (beta_1=0.5)")
    run_directory.add_run_flags(
        parser, seed_help="seed of the weights, the data orders and the image pools"
    )
    return parser


def parse_flags(argv=None):
    """Parses and checks the flags; returns them as a dict, or raises `UsageError`."""
    flags = vars(build_parser().parse_args(argv))
    run_directory.check_positive(
        flags,
        "image_size",
        "epochs",
        "batch_size",
        "generator_blocks",
        "generator_downsampling",
        "filters",
        "discriminator_layers",
        "samples_every",
        "steps_per_epoch",
    )
    if not 0 <= flags["decay_epochs"] <= flags["epochs"]:
        raise run_directory.UsageError(
            f"--decay-epochs must be between 0 and --epochs ({flags['epochs']}), got "
            f"{flags['decay_epochs']}"
        )
    for name in ("pool_size", "cycle_weight", "identity_weight"):
        if flags[name] < 0:
            raise run_directory.UsageError(f"--{name.replace('_', '-')} must be >= 0")
    if flags["data_b"] == OFFLINE[1] and flags["data_a"] != OFFLINE[0]:
        raise run_directory.UsageError(
            f"--data-b {OFFLINE[1]} is the bundled digits' second style; it pairs with "
            f"--data-a {OFFLINE[0]} (give both domains for other data)"
        )
    run_directory.check_training_flags(flags)
    return flags


# --- the offline two-style digits --------------------------------------------------------------


def bold_inverted(images):
    """The second digit style: strokes dilated by a 3x3 maximum, then black on white.

    Args:
        images: float32 `[N, H, W, 1]` digits in [-1, 1], white strokes on black.

    Returns:
        float32 `[N, H, W, 1]` in [-1, 1]: thicker black strokes on white.
    """
    dilated = tf.nn.max_pool2d(tf.constant(images, tf.float32), 3, strides=1, padding="SAME")
    return (-dilated).numpy()


def digit_domains(image_size):
    """The offline task: `(train_a, train_b, held_out)` as NumPy arrays.

    `train_a` is the first half of the digits judge's 1,348 training digits in style A,
    `train_b` the second half in style B (no digit is in both). `held_out` is a dict of the 449
    held-out digits in both styles (`a`, `b`) and their `labels`.
    """
    (train_images, _), (test_images, test_labels) = classifier.digits_split(image_size)
    half = len(train_images) // 2
    held_out = {"a": test_images, "b": bold_inverted(test_images), "labels": test_labels}
    return train_images[:half], bold_inverted(train_images[half:]), held_out


def load_data(flags):
    """`(train_dataset, examples, resolved)`: unpaired batches and the grid's fixed examples."""
    common = {
        "image_size": flags["image_size"],
        "batch_size": flags["batch_size"],
        "seed": flags["seed"],
    }
    if flags["data_a"] == OFFLINE[0] and flags["data_b"] == OFFLINE[1]:
        train_a, train_b, held_out = digit_domains(flags["image_size"])
        dataset = kgan.data.load_unpaired(train_a, train_b, **common)
        examples = (held_out["a"][:8], held_out["b"][:8])
    else:
        dataset = kgan.data.load_unpaired(flags["data_a"], flags["data_b"], **common)
        examples = _first_images(dataset, 8)
    steps_per_epoch = flags["steps_per_epoch"]
    if steps_per_epoch is not None:
        dataset = dataset.repeat()  # never runs dry, whatever --steps-per-epoch asks for
    else:
        steps_per_epoch = int(dataset.cardinality())
    spec_a, spec_b = dataset.element_spec
    resolved = {
        "channels_a": int(spec_a.shape[-1]),
        "channels_b": int(spec_b.shape[-1]),
        "steps_per_epoch": steps_per_epoch,
    }
    return dataset, examples, resolved


def _first_images(dataset, num):
    """The first `num` images of each domain, read once, for the sample grid."""
    images_a, images_b = [], []
    for batch_a, batch_b in dataset:
        images_a.append(batch_a.numpy())
        images_b.append(batch_b.numpy())
        if sum(len(batch) for batch in images_a) >= num:
            break
    return np.concatenate(images_a)[:num], np.concatenate(images_b)[:num]


# --- model -------------------------------------------------------------------------------------


def build_model(flags, channels_a, channels_b):
    """A compiled `CycleGAN`: ResNet generators, PatchGAN discriminators, instance norm."""
    size = flags["image_size"]

    def generator(source, target, name):
        return kgan.networks.resnet_generator(
            size,
            input_channels=source,
            output_channels=target,
            num_blocks=flags["generator_blocks"],
            num_downsampling=flags["generator_downsampling"],
            filters=flags["filters"],
            name=name,
        )

    def discriminator(channels, name):
        return kgan.networks.patchgan_discriminator(
            size,
            target_channels=channels,
            base_filters=flags["filters"],
            num_layers=flags["discriminator_layers"],
            normalization="instance",
            conditional=False,
            name=name,
        )

    model = kgan.CycleGAN(
        generator(channels_a, channels_b, "generator_ab"),
        generator(channels_b, channels_a, "generator_ba"),
        discriminator(channels_a, "discriminator_a"),
        discriminator(channels_b, "discriminator_b"),
        pool_size=flags["pool_size"],
        seed=flags["seed"],
    )

    def adam():
        return keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5)

    model.compile(
        generator_ab_optimizer=adam(),
        generator_ba_optimizer=adam(),
        discriminator_a_optimizer=adam(),
        discriminator_b_optimizer=adam(),
        loss=flags["loss"],
        cycle_weight=flags["cycle_weight"],
        # The identity term needs both domains to have the same channels.
        identity_weight=flags["identity_weight"] if channels_a == channels_b else 0.0,
    )
    return model


def train(flags):
    """Trains as `flags` say and writes the run directory; returns the settings written."""
    run_directory.check_resume(flags["out"], flags)  # before any slow work
    keras.utils.set_random_seed(flags["seed"])
    dataset, examples, resolved = load_data(flags)
    model = build_model(flags, resolved["channels_a"], resolved["channels_b"])
    resolved.update(
        identity_weight=model.identity_weight,
        generator_parameters=model.generator_ab.count_params(),
        discriminator_parameters=model.discriminator_a.count_params(),
        optimizer="Adam(beta_1=0.5) for each of the four networks",
    )
    grid = run_directory.sample_grid(flags, examples=examples)
    # Explicit base rates: a resume (even with another --epochs) continues the schedule from
    # them instead of inferring them from the optimizers' current, decayed rates.
    optimizers = [f"{name}_optimizer" for name in NETWORKS]
    decay = kgan.callbacks.LinearDecay(
        constant_epochs=flags["epochs"] - flags["decay_epochs"],
        decay_epochs=flags["decay_epochs"],
        base_learning_rates={name: flags["learning_rate"] for name in optimizers},
    )
    callbacks = run_directory.callbacks(flags["out"], grid, extra=[decay])
    return run_directory.fit_and_record(model, dataset, flags, resolved, callbacks)


def main(argv=None):
    """Runs the recipe; returns the exit code (0, or 2 with a one-line error on stderr)."""
    return run_directory.run_main(parse_flags, train, argv)


if __name__ == "__main__":
    sys.exit(main())
