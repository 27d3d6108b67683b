"""Trains a GAN on CIFAR-10 with R3GAN's recipe of stabilizers, scoring FID while it trains.

```
python recipes/r3gan_cifar10/train.py                               # writes runs/r3gan_cifar10/
python recipes/r3gan_cifar10/train.py --epochs 2 --fid-every 1 --fid-samples 2000
kgan evaluate runs/r3gan_cifar10/model.keras --data cifar10:train --extractor fid_inception \\
    --metrics fid --num 10000
```

The data come from tensorflow-datasets (`--data cifar10:train`: downloaded once, internet
needed) and FID from the FID Inception graph of the papers (`--extractor fid_inception`,
downloaded once), computed by `kgan.callbacks.GenerativeMetrics` every `--fid-every` epochs into
the logs (`History`, TensorBoard, `settings.json`); `--best` keeps the model of the best FID.

The configuration is R3GAN's set of stabilizers (Huang et al. 2024) on the DCGAN networks of
kgan, not R3GAN's modernised ResNet, and at a CPU-sized width by default:

- the relativistic pairing loss (`loss="relativistic_pairing"`) with R1 and R2 on every step
  (`--gamma`, each penalty weighted `gamma / 2`), so no batch normalization in the critic;
- an EMA generator (`ema_decay=0.999` with StyleGAN2's ramp-up 0.05), which samples;
- adaptive augmentation (`kgan.layers.AdaptiveAugmentation`, target 0.6) with flips,
  translations and colour, and Adam with `beta_1 = 0` and `beta_2 = 0.99` for both networks.

The README gives the paper's figures as the paper's and what was measured here (CPU, a few
epochs) as such.
"""

import os

if __name__ == "__main__":  # hold TensorFlow's start-up lines back, as `kgan` does
    from kgan.cli import quiet

    quiet.import_tensorflow_quietly()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import sys  # noqa: E402

import keras  # noqa: E402

import kgan  # noqa: E402
from kgan.utils import run_directory  # noqa: E402

DEFAULTS = {
    "data": "cifar10:train",
    "epochs": 100,
    "batch_size": 64,
    "latent_dim": 128,
    "base_filters": 64,
    "learning_rate": 2e-4,
    "gamma": 0.05,
    "ema_decay": 0.999,
    "ada_target": 0.6,
    "ada_speed": 500_000,
    "extractor": "fid_inception",
    "fid_every": 5,
    "fid_samples": 10_000,
    "best": False,
    "seed": 0,
    "out": os.path.join("runs", "r3gan_cifar10"),
    "samples_every": 5,
    "steps_per_epoch": None,
}
# Flips, shifts and colour: what stays a plausible photo (quarter turns of CIFAR's upright
# objects would leak into the samples).
ADA_POLICY = ("xflip", "translation", "brightness", "contrast", "saturation")


def build_parser():
    parser = run_directory.Parser(
        prog="train.py",
        description="Train a GAN on CIFAR-10 with R3GAN's stabilizers and track FID.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**DEFAULTS)
    add = parser.add_argument
    add("--data", help="a tensorflow-datasets name[:split] (3-channel images), or a folder")
    add("--epochs", type=int, help="passes over the data")
    add("--batch-size", type=int, help="images per step")
    add("--latent-dim", type=int, help="size of the latent vector")
    add("--base-filters", type=int, help="width of both networks (filters next to the image)")
    add("--learning-rate", type=float, help="Adam learning rate of both networks")
    add("--gamma", type=float, help="R1 and R2 strength; each penalty weighs gamma / 2")
    add("--ema-decay", type=float, help="decay of the EMA generator; 0: none")
    add("--ada-target", type=float, help="ADA's target mean sign of D on reals; 0: no ADA")
    add("--ada-speed", type=float, help="images over which ADA's p can go from 0 to 1")
    add("--extractor", help="FID's features: fid_inception, inception_v3, or a .keras model")
    add("--fid-every", type=int, help="compute FID every this many epochs; 0: never")
    add("--fid-samples", type=int, help="generated (and real) images per FID")
    add("--best", action="store_true", help="also keep the model of the best FID as best.keras")
    run_directory.add_run_flags(parser, seed_help="seed of the weights, data order and noise")
    return parser


def parse_flags(argv=None):
    flags = vars(build_parser().parse_args(argv))
    run_directory.check_positive(
        flags, "epochs", "batch_size", "latent_dim", "base_filters", "fid_samples",
        "samples_every", "steps_per_epoch",
    )  # fmt: skip
    if flags["fid_every"] < 0 or flags["gamma"] < 0:
        raise run_directory.UsageError(
            f"--fid-every and --gamma must be >= 0, got {flags['fid_every']} and {flags['gamma']}"
        )
    if not 0 <= flags["ema_decay"] < 1 or not 0 <= flags["ada_target"] < 1:
        raise run_directory.UsageError(
            f"--ema-decay and --ada-target must be in [0, 1), got {flags['ema_decay']} and "
            f"{flags['ada_target']}"
        )
    if flags["best"] and flags["fid_every"] == 0:
        raise run_directory.UsageError("--best keeps the best FID: give --fid-every N too")
    flags["loss"] = "relativistic_pairing"
    run_directory.check_training_flags(flags)
    return flags


def build_gan(flags):
    options = {}
    if flags["ema_decay"] > 0:
        options.update(ema_decay=flags["ema_decay"], ema_ramp_up=0.05)
    if flags["ada_target"] > 0:
        options["augmentation"] = kgan.layers.AdaptiveAugmentation(
            target=flags["ada_target"], speed=flags["ada_speed"], policy=ADA_POLICY
        )
    size = {"image_size": 32, "channels": 3, "base_filters": flags["base_filters"]}
    gan = kgan.GAN(
        kgan.networks.dcgan_generator(latent_dim=flags["latent_dim"], **size),
        # R1 and R2 are per-example gradient norms: no batch normalization in the critic.
        kgan.networks.dcgan_discriminator(normalization=None, **size),
        seed=flags["seed"],
        **options,
    )

    def adam():  # R3GAN's: no first-moment momentum, a short second-moment memory.
        return keras.optimizers.Adam(flags["learning_rate"], beta_1=0.0, beta_2=0.99)

    gan.compile(
        generator_optimizer=adam(),
        discriminator_optimizer=adam(),
        loss="relativistic_pairing",
        r1_weight=flags["gamma"] / 2,
        r2_weight=flags["gamma"] / 2,
    )
    return gan


def fid_callbacks(flags, dataset):
    """FID every `--fid-every` epochs against `--fid-samples` training images (and `--best`)."""
    if flags["fid_every"] == 0:
        return []
    metrics = kgan.callbacks.GenerativeMetrics(
        ["fid"],
        real_data=dataset,
        num_real=flags["fid_samples"],
        every_n_epochs=flags["fid_every"],
        num_samples=flags["fid_samples"],
        extractor=flags["extractor"],
        seed=flags["seed"],
    )
    best = []
    if flags["best"]:
        best = [kgan.callbacks.BestCheckpoint(os.path.join(flags["out"], "best.keras"), "fid")]
    return [metrics, *best]


def train(flags):
    run_directory.check_resume(flags["out"], flags)
    keras.utils.set_random_seed(flags["seed"])
    dataset = kgan.data.load(
        flags["data"], image_size=32, channels=3, batch_size=flags["batch_size"], seed=flags["seed"]
    )
    if flags["steps_per_epoch"] is not None:
        dataset = dataset.repeat()
    gan = build_gan(flags)
    resolved = {
        "generator_parameters": gan.generator.count_params(),
        "discriminator_parameters": gan.discriminator.count_params(),
        "ada_policy": list(ADA_POLICY) if flags["ada_target"] > 0 else None,
    }
    grid = run_directory.sample_grid(flags, seed=flags["seed"])
    callbacks = run_directory.callbacks(flags["out"], grid, extra=fid_callbacks(flags, dataset))
    return run_directory.fit_and_record(gan, dataset, flags, resolved, callbacks)


def main(argv=None):
    return run_directory.run_main(parse_flags, train, argv)


if __name__ == "__main__":
    sys.exit(main())
