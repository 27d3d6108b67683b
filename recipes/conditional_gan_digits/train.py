"""Trains a class-conditional GAN on the bundled handwritten digits: ask for a 7, get a 7.

The default run needs no download and finishes within minutes on a laptop CPU:

```
python recipes/conditional_gan_digits/train.py --out runs/conditional_gan_digits
```

A run directory holds:

```
runs/conditional_gan_digits/
  model.keras      the whole ConditionalGAN (both networks and optimizers)
  settings.json    the flags, the values resolved from them, library versions, the result
  samples/         one row per digit 0-9, the same noise down each column (epoch_0010.png ...)
  logs/            TensorBoard: losses (train/) and the same grids (samples/)
  backup/          only while training: rerunning with the same --out resumes from it
```

`--conditioning` picks how the discriminator sees the label (`projection`, `concat`, `acgan`);
`--mismatch-weight 0` turns off the matching-aware (real image, wrong label) pairs, the ablation
of the README.
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

# The defaults are what the default run was tuned with; the README gives the measurements.
DEFAULTS = {
    "data": "digits",
    "num_classes": 10,
    "image_size": 32,
    "epochs": 80,
    "batch_size": 32,
    "conditioning": "projection",
    "mismatch_weight": None,
    "generator_normalization": "conditional_batch",
    "loss": "non_saturating",
    "latent_dim": 64,
    "base_filters": 32,
    "learning_rate": 4e-4,
    "augment": 0.125,
    "seed": 0,
    "out": os.path.join("runs", "conditional_gan_digits"),
    "samples_every": 10,
    "steps_per_epoch": None,
}
CONDITIONINGS = ("projection", "concat", "acgan")
GENERATOR_NORMALIZATIONS = ("conditional_batch", "batch")


def build_parser():
    """The recipe's command-line flags, with `DEFAULTS` as their defaults."""
    parser = run_directory.Parser(
        prog="train.py",
        description="Train a class-conditional GAN (kgan.ConditionalGAN) and save a run directory.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**DEFAULTS)
    add = parser.add_argument
    add("--data", help="'digits' (bundled) or a labelled tensorflow-datasets name[:split]")
    add("--num-classes", type=int, help="number of classes; labels are ids 0..num_classes-1")
    add("--image-size", type=int, help="height and width of the images: a power of two >= 8")
    add("--epochs", type=int, help="passes over the data (or of --steps-per-epoch steps)")
    add("--batch-size", type=int, help="images per step")
    add(
        "--conditioning",
        choices=CONDITIONINGS,
        help="how the discriminator takes the label: projection (Miyato & Koyama), concat "
        "(features and one-hot label through a hidden layer), acgan (auxiliary classifier)",
    )
    add(
        "--mismatch-weight",
        type=float,
        help="weight of the (real image, wrong label) pairs in the discriminator's loss; "
        "None: the model's default (1 for projection and concat, 0 for acgan); 0 turns them off",
    )
    add(
        "--generator-normalization",
        choices=GENERATOR_NORMALIZATIONS,
        help="conditional_batch: the label sets every batch norm's scale and offset; batch: "
        "the label only joins z at the input",
    )
    add("--loss", help=f"adversarial loss family: {', '.join(kgan.losses.FAMILIES)}")
    add("--latent-dim", type=int, help="size of the latent vector z")
    add("--base-filters", type=int, help="width of both networks (filters next to the image)")
    add("--learning-rate", type=float, help="Adam learning rate of both networks (beta_1=0.5)")
    add(
        "--augment",
        type=float,
        help="shift real and generated images by up to this fraction of their size before the "
        "discriminator sees them (DiffAugment); 0 turns it off",
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
        "latent_dim",
        "base_filters",
        "samples_every",
        "steps_per_epoch",
    )
    if flags["num_classes"] < 2:
        raise run_directory.UsageError(
            f"--num-classes must be at least 2, got {flags['num_classes']}"
        )
    if not 0 <= flags["augment"] < 1:
        raise run_directory.UsageError(f"--augment must be in [0, 1), got {flags['augment']}")
    weight = flags["mismatch_weight"]
    if weight is not None and weight < 0:
        raise run_directory.UsageError(f"--mismatch-weight must be >= 0, got {weight}")
    if flags["conditioning"] == "acgan" and weight:
        raise run_directory.UsageError(
            "--conditioning acgan takes no --mismatch-weight: its discriminator sees images "
            "alone, so it cannot be shown (real image, wrong label) pairs"
        )
    run_directory.check_training_flags(flags)
    return flags


def load_data(flags):
    """The `(images, labels)` dataset, and the values resolved from it."""
    dataset = kgan.data.load(
        flags["data"],
        image_size=flags["image_size"],
        batch_size=flags["batch_size"],
        with_labels=True,
        seed=flags["seed"],
    )
    channels = int(dataset.element_spec[0].shape[-1])
    steps_per_epoch = flags["steps_per_epoch"]
    if steps_per_epoch is not None:
        # A repeated dataset never runs dry, whatever --steps-per-epoch asks for.
        dataset = dataset.repeat()
    else:
        cardinality = int(dataset.cardinality())
        steps_per_epoch = cardinality if cardinality > 0 else None
    return dataset, {"channels": channels, "steps_per_epoch": steps_per_epoch}


def build_model(flags, channels):
    """A compiled `ConditionalGAN` for `flags` and images with `channels` channels."""
    num_classes = flags["num_classes"]
    generator = kgan.networks.conditional_dcgan_generator(
        latent_dim=flags["latent_dim"],
        image_size=flags["image_size"],
        channels=channels,
        num_classes=num_classes,
        normalization=flags["generator_normalization"],
        base_filters=flags["base_filters"],
    )
    features = kgan.networks.dcgan_features(
        image_size=flags["image_size"], channels=channels, base_filters=flags["base_filters"]
    )
    discriminator = kgan.networks.conditional_discriminator(
        features, num_classes=num_classes, conditioning=flags["conditioning"]
    )
    if flags["augment"] > 0:
        # DiffAugment (see recipes/dcgan_digits): real, generated and mismatched images are
        # all shifted; the label passes through unchanged.
        discriminator = kgan.networks.with_translation_augment(
            discriminator,
            flags["augment"],
            interpolation="bilinear",  # as tuned
        )
    model = kgan.ConditionalGAN(
        generator,
        discriminator,
        num_classes=num_classes,
        conditioning=flags["conditioning"],
        seed=flags["seed"],
    )
    model.compile(
        # beta_1=0.5: the DCGAN paper found the default 0.9 made training oscillate.
        generator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        loss=flags["loss"],
        mismatch_weight=flags["mismatch_weight"],
    )
    return model


def train(flags):
    """Trains as `flags` say and writes the run directory; returns the settings written."""
    run_directory.check_resume(flags["out"], flags)  # before any slow work
    keras.utils.set_random_seed(flags["seed"])
    dataset, resolved = load_data(flags)
    model = build_model(flags, resolved["channels"])
    resolved.update(
        mismatch_weight=model.mismatch_weight,
        generator_parameters=model.generator.count_params(),
        discriminator_parameters=model.discriminator.count_params(),
        optimizer="Adam(beta_1=0.5) for both networks",
    )
    # For a conditional model: one row per class, the same latent vector down each column.
    grid = run_directory.sample_grid(flags, num_cols=10, seed=flags["seed"])
    callbacks = run_directory.callbacks(flags["out"], grid)
    return run_directory.fit_and_record(model, dataset, flags, resolved, callbacks)


def main(argv=None):
    """Runs the recipe; returns the exit code (0, or 2 with a one-line error on stderr)."""
    return run_directory.run_main(parse_flags, train, argv)


if __name__ == "__main__":
    sys.exit(main())
