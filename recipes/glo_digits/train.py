"""Trains GLO (no discriminator) on the bundled digits, to set beside the DCGAN recipe.

```
python recipes/glo_digits/train.py                      # writes runs/glo_digits/
python recipes/glo_digits/train.py --perceptual-weight 0   # L1 alone
kgan evaluate runs/glo_digits/model.keras --data digits --extractor digits \
    --metrics fid,pr,dc,classes --num 2000
```

`kgan.models.GLO` (Bojanowski et al. 2018) learns one code per digit and the DCGAN recipe's
generator by reconstruction: L1 plus, by default, the squared error of the bundled digits
classifier's features (`--perceptual-weight`; that classifier trains once on first use, a few
minutes, then is cached). New digits come from a Gaussian fitted to the codes. The run
directory is the DCGAN recipe's: `model.keras`, `settings.json`, sample grids of the same
latent points, TensorBoard logs.
"""

import os

if __name__ == "__main__":  # hold TensorFlow's start-up lines back, as `kgan` does
    from kgan.cli import quiet

    quiet.import_tensorflow_quietly()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import sys  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import kgan  # noqa: E402
from kgan.utils import run_directory  # noqa: E402

DEFAULTS = {
    "epochs": 60,
    "batch_size": 32,
    "latent_dim": 64,
    "base_filters": 32,
    "learning_rate": 1e-3,
    "codes_learning_rate": 1e-2,
    "perceptual_weight": 1.0,
    "seed": 0,
    "out": os.path.join("runs", "glo_digits"),
    "samples_every": 10,
    "steps_per_epoch": None,
}


def build_parser():
    parser = run_directory.Parser(
        prog="train.py",
        description="Train GLO (kgan.models.GLO) on the bundled digits and save a run directory.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**DEFAULTS)
    add = parser.add_argument
    add("--epochs", type=int, help="passes over the 1,797 digits")
    add("--batch-size", type=int, help="images per step")
    add("--latent-dim", type=int, help="size of each image's code")
    add("--base-filters", type=int, help="width of the DCGAN generator")
    add("--learning-rate", type=float, help="Adam learning rate of the generator")
    add("--codes-learning-rate", type=float, help="Adam learning rate of the codes")
    add(
        "--perceptual-weight",
        type=float,
        help="weight of the digits classifier's feature error beside L1; 0: L1 alone",
    )
    run_directory.add_run_flags(parser, seed_help="seed of the weights, codes and data order")
    return parser


def parse_flags(argv=None):
    flags = vars(build_parser().parse_args(argv))
    run_directory.check_positive(
        flags, "epochs", "batch_size", "latent_dim", "base_filters", "samples_every",
        "steps_per_epoch",
    )  # fmt: skip
    if not flags["learning_rate"] > 0 or not flags["codes_learning_rate"] > 0:
        raise run_directory.UsageError(
            "--learning-rate and --codes-learning-rate must be positive, got "
            f"{flags['learning_rate']} and {flags['codes_learning_rate']}"
        )
    if flags["perceptual_weight"] < 0:
        raise run_directory.UsageError(
            f"--perceptual-weight must be >= 0, got {flags['perceptual_weight']}"
        )
    return flags


def build_glo(flags, num_images):
    features = None
    if flags["perceptual_weight"] > 0:
        from kgan.metrics import classifier
        from kgan.metrics import feature_extractors

        features = feature_extractors.from_model(classifier.digits_classifier(), output="features")
    glo = kgan.models.GLO(
        kgan.networks.dcgan_generator(
            latent_dim=flags["latent_dim"], image_size=32, channels=1,
            base_filters=flags["base_filters"],
        ),
        num_images=num_images,
        features=features,
        perceptual_weight=flags["perceptual_weight"] if features is not None else 1.0,
        l1_weight=1.0,
        seed=flags["seed"],
    )  # fmt: skip
    glo.compile(
        generator_optimizer=keras.optimizers.Adam(flags["learning_rate"]),
        codes_optimizer=keras.optimizers.Adam(flags["codes_learning_rate"]),
    )
    return glo


def train(flags):
    run_directory.check_resume(flags["out"], flags)
    keras.utils.set_random_seed(flags["seed"])
    images, _ = kgan.data.digits_arrays(image_size=32)
    dataset = (
        tf.data.Dataset.from_tensor_slices((images, np.arange(len(images), dtype="int32")))
        .shuffle(len(images), seed=flags["seed"], reshuffle_each_iteration=True)
        .batch(flags["batch_size"], drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    if flags["steps_per_epoch"] is not None:
        dataset = dataset.repeat()
    glo = build_glo(flags, len(images))
    resolved = {
        "num_images": len(images),
        "generator_parameters": glo.generator.count_params(),
        "perceptual": "digits classifier features" if glo.features is not None else None,
    }
    grid = run_directory.sample_grid(flags, seed=flags["seed"])
    callbacks = run_directory.callbacks(flags["out"], grid)
    return run_directory.fit_and_record(glo, dataset, flags, resolved, callbacks)


def main(argv=None):
    return run_directory.run_main(parse_flags, train, argv)


if __name__ == "__main__":
    sys.exit(main())
