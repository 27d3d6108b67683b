"""Trains a DCGAN on the bundled handwritten digits, or on any `kgan.data` source.

The default run needs no download and finishes within minutes on a laptop CPU:

```
python recipes/dcgan_digits/train.py --out runs/dcgan_digits
```

A run directory holds:

```
runs/dcgan_digits/
  model.keras      the whole GAN (both networks and optimizers); `kgan sample` reads it
  settings.json    the flags, the values resolved from them, library versions, the result
  samples/         a grid of generated digits every --samples-every epochs (epoch_0010.png ...)
  logs/            TensorBoard: losses (train/) and the same grids (samples/)
  backup/          only while training: rerunning with the same --out resumes from it
```

Any `kgan.data.load` spec works as `--data`: `mnist`, `fashion_mnist`, `cifar10:train` (from
tensorflow-datasets) or a folder of images; the channel count follows the data.
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

import kgan  # noqa: E402
from kgan.utils import run_directory  # noqa: E402

# The defaults are what the default run was tuned with; recipes/dcgan_digits/README.md gives
# the measurements behind them.
DEFAULTS = {
    "data": "digits",
    "image_size": 32,
    "channels": None,
    "epochs": 120,
    "batch_size": 32,
    "loss": "non_saturating",
    "gradient_penalty_weight": 0.0,
    "discriminator_steps": 1,
    "latent_dim": 64,
    "base_filters": 32,
    "learning_rate": 4e-4,
    "augment": 0.125,
    "ema_decay": 0.0,
    "ada_target": 0.0,
    "ada_speed": 50_000,
    "ada_policy": ",".join(kgan.layers.adaptive_augmentation.DEFAULT_POLICY),
    "subset": None,
    "seed": 0,
    "out": os.path.join("runs", "dcgan_digits"),
    "samples_every": 10,
    "steps_per_epoch": None,
}


def build_parser():
    """The recipe's command-line flags, with `DEFAULTS` as their defaults."""
    parser = run_directory.Parser(
        prog="train.py",
        description="Train a DCGAN (kgan.GAN with DCGAN networks) and save a run directory.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**DEFAULTS)
    add = parser.add_argument
    add("--data", help="'digits' (bundled), a tensorflow-datasets name[:split], or a folder")
    add("--image-size", type=int, help="height and width of the images: a power of two >= 8")
    add("--channels", type=int, help="1, 3 or 4; None keeps those of the data")
    add("--epochs", type=int, help="passes over the data (or of --steps-per-epoch steps)")
    add("--batch-size", type=int, help="images per step")
    add("--loss", help=f"adversarial loss family: {', '.join(kgan.losses.FAMILIES)}")
    add("--gradient-penalty-weight", type=float, help="WGAN-GP penalty weight; 0 turns it off")
    add("--discriminator-steps", type=int, help="discriminator updates per generator update")
    add("--latent-dim", type=int, help="size of the latent vector z")
    add("--base-filters", type=int, help="width of both networks (filters next to the image)")
    add("--learning-rate", type=float, help="Adam learning rate of both networks (beta_1=0.5)")
    add(
        "--augment",
        type=float,
        help="shift real and generated images by up to this fraction of their size before the "
        "discriminator sees them (DiffAugment); 0 turns it off",
    )
    add(
        "--ema-decay",
        type=float,
        help="keep an EMA generator with this decay (e.g. 0.999) and sample from it; 0: none",
    )
    add(
        "--ada-target",
        type=float,
        help="adaptive augmentation (ADA): steer p so the discriminator's mean sign on reals is "
        "this (the paper's 0.6); 0: off",
    )
    add("--ada-speed", type=float, help="images over which ADA's p can go from 0 to 1")
    add(
        "--ada-policy",
        help="ADA's operations, comma-separated: "
        + ", ".join(kgan.layers.adaptive_augmentation.OPERATIONS),
    )
    add(
        "--subset",
        type=int,
        help="train on a fixed subset of this many images (e.g. 180, 10%% of the digits)",
    )
    run_directory.add_run_flags(
        parser, seed_help="seed of the weights, the data order and the training noise"
    )
    return parser


def parse_flags(argv=None):
    """Parses and checks the flags; returns them as a dict, or raises `run_directory.UsageError`."""
    flags = vars(build_parser().parse_args(argv))
    run_directory.check_positive(
        flags,
        "epochs",
        "batch_size",
        "discriminator_steps",
        "latent_dim",
        "base_filters",
        "samples_every",
        "steps_per_epoch",
        "subset",
    )
    if not 0 <= flags["ada_target"] < 1 or not flags["ada_speed"] > 0:
        raise run_directory.UsageError(
            f"--ada-target must be in [0, 1) and --ada-speed positive, got {flags['ada_target']} "
            f"and {flags['ada_speed']}"
        )
    unknown = [
        name.strip()
        for name in flags["ada_policy"].split(",")
        if name.strip() not in kgan.layers.adaptive_augmentation.OPERATIONS
    ]
    if unknown:
        raise run_directory.UsageError(
            f"--ada-policy: unknown operation {unknown[0]!r}; choose from "
            + ", ".join(kgan.layers.adaptive_augmentation.OPERATIONS)
        )
    if not 0 <= flags["ema_decay"] < 1:
        raise run_directory.UsageError(f"--ema-decay must be in [0, 1), got {flags['ema_decay']}")
    if not 0 <= flags["augment"] < 1:
        raise run_directory.UsageError(f"--augment must be in [0, 1), got {flags['augment']}")
    if flags["gradient_penalty_weight"] < 0:
        raise run_directory.UsageError(
            f"--gradient-penalty-weight must be >= 0, got {flags['gradient_penalty_weight']}"
        )
    if flags["channels"] is not None and flags["channels"] not in (1, 3, 4):
        raise run_directory.UsageError(f"--channels must be 1, 3 or 4, got {flags['channels']}")
    run_directory.check_training_flags(flags)
    return flags


def load_data(flags):
    """The training dataset, and the values resolved from it: channels and steps per epoch."""
    options = {"image_size": flags["image_size"], "channels": flags["channels"]}
    if flags["subset"] is None:
        dataset = kgan.data.load(
            flags["data"], batch_size=flags["batch_size"], seed=flags["seed"], **options
        )
    else:
        dataset = subset_of(flags, options)
    channels = int(dataset.element_spec.shape[-1])
    steps_per_epoch = flags["steps_per_epoch"]
    if steps_per_epoch is not None:
        # A repeated dataset never runs dry, whatever --steps-per-epoch asks for.
        dataset = dataset.repeat()
    else:
        cardinality = int(dataset.cardinality())
        steps_per_epoch = cardinality if cardinality > 0 else None
    return dataset, {"channels": channels, "steps_per_epoch": steps_per_epoch}


def subset_of(flags, options):
    """Batches of the first `--subset` images of the data (in the source's order), reshuffled
    every epoch: the limited-data set-up of Karras et al. (2020)."""
    import tensorflow as tf

    images = kgan.data.load(
        flags["data"], batch_size=256, shuffle=False, drop_remainder=False, **options
    )
    images = images.unbatch().take(flags["subset"]).cache()
    found = int(images.reduce(0, lambda count, _: count + 1))
    if found < max(flags["subset"], flags["batch_size"]):
        raise run_directory.UsageError(
            f"--subset {flags['subset']} asks for more images than the data has ({found}), or "
            f"for fewer than one batch of --batch-size {flags['batch_size']}"
        )
    images = images.apply(tf.data.experimental.assert_cardinality(found))
    images = images.shuffle(found, seed=flags["seed"], reshuffle_each_iteration=True)
    return images.batch(flags["batch_size"], drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def build_gan(flags, channels):
    """A compiled DCGAN for `flags` and images with `channels` channels."""
    # A critic trained with a gradient penalty needs per-sample logits, which batch
    # normalization breaks (Gulrajani et al., 2017): it gets layer normalization instead.
    critic_normalization = "layer" if flags["gradient_penalty_weight"] > 0 else "batch"
    generator = kgan.networks.dcgan_generator(
        latent_dim=flags["latent_dim"],
        image_size=flags["image_size"],
        channels=channels,
        base_filters=flags["base_filters"],
    )
    discriminator = kgan.networks.dcgan_discriminator(
        image_size=flags["image_size"],
        channels=channels,
        base_filters=flags["base_filters"],
        normalization=critic_normalization,
    )
    if flags["augment"] > 0:
        # DiffAugment: with 1,797 digits the discriminator soon memorises the real set.
        discriminator = kgan.networks.with_translation_augment(
            discriminator,
            flags["augment"],
            interpolation="bilinear",  # as tuned
        )
    options = {"ema_decay": flags["ema_decay"]} if flags["ema_decay"] > 0 else {}
    if flags["ada_target"] > 0:
        options["augmentation"] = kgan.layers.AdaptiveAugmentation(
            target=flags["ada_target"],
            speed=flags["ada_speed"],
            policy=[name.strip() for name in flags["ada_policy"].split(",") if name.strip()],
        )
    gan = kgan.GAN(generator, discriminator, seed=flags["seed"], **options)
    gan.compile(
        # beta_1=0.5: the DCGAN paper found the default 0.9 made training oscillate.
        generator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        loss=flags["loss"],
        discriminator_steps=flags["discriminator_steps"],
        gradient_penalty_weight=flags["gradient_penalty_weight"],
    )
    return gan, critic_normalization


def train(flags):
    """Trains as `flags` say and writes the run directory; returns the settings written."""
    run_directory.check_resume(flags["out"], flags)  # before any slow work
    keras.utils.set_random_seed(flags["seed"])
    dataset, resolved = load_data(flags)
    gan, resolved["discriminator_normalization"] = build_gan(flags, resolved["channels"])
    resolved.update(
        generator_parameters=gan.generator.count_params(),
        discriminator_parameters=gan.discriminator.count_params(),
        optimizer="Adam(beta_1=0.5) for both networks",
    )
    grid = run_directory.sample_grid(flags, seed=flags["seed"])
    callbacks = run_directory.callbacks(flags["out"], grid)
    return run_directory.fit_and_record(gan, dataset, flags, resolved, callbacks)


def main(argv=None):
    """Runs the recipe; returns the exit code (0, or 2 with a one-line error on stderr)."""
    return run_directory.run_main(parse_flags, train, argv)


if __name__ == "__main__":
    sys.exit(main())
