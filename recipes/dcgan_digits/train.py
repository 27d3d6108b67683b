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

# Quiet TensorFlow's C++ start-up messages; must be set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import kgan  # noqa: E402

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
    "seed": 0,
    "out": os.path.join("runs", "dcgan_digits"),
    "samples_every": 10,
    "steps_per_epoch": None,
}
# Flags that may change when an interrupted run is resumed (`out` may be spelt differently);
# any other change would train a different model on top of the backup.
RESUMABLE_CHANGES = ("epochs", "samples_every", "out")


class UsageError(Exception):
    """A problem with the command line, reported as one line and exit code 2."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the whole usage and exits; the recipe reports one line and returns 2,
    # so that `main()` can be called from tests and scripts.
    def error(self, message):
        raise UsageError(message)


def build_parser():
    """The recipe's command-line flags, with `DEFAULTS` as their defaults."""
    parser = _Parser(
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
    add("--seed", type=int, help="seed of the weights, the data order and the training noise")
    add("--out", help="run directory")
    add("--samples-every", type=int, help="write a sample grid every this many epochs")
    add("--steps-per-epoch", type=int, help="steps per epoch, for quick runs; None: all the data")
    return parser


def parse_flags(argv=None):
    """Parses and checks the flags; returns them as a dict, or raises `UsageError`."""
    flags = vars(build_parser().parse_args(argv))
    for name in ("epochs", "batch_size", "discriminator_steps", "latent_dim", "base_filters"):
        _check_positive(flags, name)
    for name in ("samples_every", "steps_per_epoch"):
        if flags[name] is not None:
            _check_positive(flags, name)
    if flags["learning_rate"] <= 0:
        raise UsageError(f"--learning-rate must be positive, got {flags['learning_rate']}")
    if not 0 <= flags["augment"] < 1:
        raise UsageError(f"--augment must be in [0, 1), got {flags['augment']}")
    if flags["gradient_penalty_weight"] < 0:
        raise UsageError(
            f"--gradient-penalty-weight must be >= 0, got {flags['gradient_penalty_weight']}"
        )
    if flags["channels"] is not None and flags["channels"] not in (1, 3, 4):
        raise UsageError(f"--channels must be 1, 3 or 4, got {flags['channels']}")
    # Resolve the loss name now, so a typo fails before any data is read.
    try:
        flags["loss"] = kgan.losses.adversarial.canonical_name(flags["loss"])
    except ValueError as error:
        raise UsageError(str(error)) from None
    return flags


def _check_positive(flags, name):
    if flags[name] < 1:
        option = "--" + name.replace("_", "-")
        raise UsageError(f"{option} must be a positive integer, got {flags[name]}")


def load_data(flags):
    """The training dataset, and the values resolved from it: channels and steps per epoch."""
    dataset = kgan.data.load(
        flags["data"],
        image_size=flags["image_size"],
        batch_size=flags["batch_size"],
        channels=flags["channels"],
        seed=flags["seed"],
    )
    channels = int(dataset.element_spec.shape[-1])
    steps_per_epoch = flags["steps_per_epoch"]
    if steps_per_epoch is not None:
        # A repeated dataset never runs dry, whatever --steps-per-epoch asks for.
        dataset = dataset.repeat()
    else:
        cardinality = int(dataset.cardinality())
        steps_per_epoch = cardinality if cardinality > 0 else None
    return dataset, {"channels": channels, "steps_per_epoch": steps_per_epoch}


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
        discriminator = with_augmentation(discriminator, flags["augment"])
    gan = kgan.GAN(generator, discriminator, seed=flags["seed"])
    gan.compile(
        # beta_1=0.5: the DCGAN paper found the default 0.9 made training oscillate.
        generator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        loss=flags["loss"],
        discriminator_steps=flags["discriminator_steps"],
        gradient_penalty_weight=flags["gradient_penalty_weight"],
    )
    return gan, critic_normalization


def with_augmentation(discriminator, translation):
    """`discriminator` behind random shifts of its input, applied in training only.

    With 1,797 digits the discriminator soon memorises the real set, and its gradients stop
    teaching the generator anything. DiffAugment shifts *both* real and generated images, with a
    differentiable op, so the discriminator cannot tell them apart by the shift and the generator
    learns through it; shifting the real images alone would teach the generator to draw shifted
    digits. Shifted-in pixels are -1, the black background.

    Reference:
        Zhao et al., "Differentiable Augmentation for Data-Efficient GAN Training", NeurIPS 2020.
        https://arxiv.org/abs/2006.10738
    """
    images = keras.Input(discriminator.input_shape[1:], name="images")
    shifted = keras.layers.RandomTranslation(
        translation, translation, fill_mode="constant", fill_value=-1.0, name="augment"
    )(images)
    return keras.Model(images, discriminator(shifted), name=f"augmented_{discriminator.name}")


def make_callbacks(flags, run_dir):
    """Sample grids, TensorBoard scalars and the backup that lets a rerun resume."""
    log_dir = os.path.join(run_dir, "logs")
    return [
        # Before SampleGrid and TensorBoard: on resume it restores the epoch counter first.
        keras.callbacks.BackupAndRestore(os.path.join(run_dir, "backup")),
        kgan.callbacks.SampleGrid(
            directory=os.path.join(run_dir, "samples"),
            log_dir=log_dir,
            every_n_epochs=flags["samples_every"],
            seed=flags["seed"],
        ),
        # The graph of a model with a custom train_step says little and slows the first step.
        keras.callbacks.TensorBoard(log_dir, write_graph=False),
    ]


def describe_run(flags, resolved, gan):
    """Everything `settings.json` records before training starts."""
    return {
        "flags": flags,
        "resolved": {
            **resolved,
            "generator_parameters": gan.generator.count_params(),
            "discriminator_parameters": gan.discriminator.count_params(),
            "optimizer": "Adam(beta_1=0.5) for both networks",
        },
        "versions": {
            "kgan": kgan.__version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "python": platform.python_version(),
        },
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
        "command": [os.path.basename(sys.argv[0] or "train.py"), *sys.argv[1:]],
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def check_resume(run_dir, flags):
    """Refuses to resume a backup that was made with different flags."""
    backup = os.path.join(run_dir, "backup")
    settings_path = os.path.join(run_dir, "settings.json")
    if not (os.path.isdir(backup) and os.path.isfile(settings_path)):
        return False
    with open(settings_path) as file:
        previous = json.load(file).get("flags", {})
    changed = sorted(
        name
        for name in flags
        if name not in RESUMABLE_CHANGES and previous.get(name, flags[name]) != flags[name]
    )
    if changed:
        raise UsageError(
            f"{run_dir} holds an interrupted run with other settings ({', '.join(changed)} "
            "differ); rerun with the same flags to resume, or choose another --out"
        )
    return True


def write_json(path, content):
    # Written whole to a temporary file and moved into place: never a half-written file.
    temporary = path + ".tmp"
    with open(temporary, "w") as file:
        json.dump(content, file, indent=2)
        file.write("\n")
    os.replace(temporary, path)


def train(flags):
    """Trains as `flags` say and writes the run directory; returns the settings written."""
    run_dir = flags["out"]
    resuming = check_resume(run_dir, flags)
    keras.utils.set_random_seed(flags["seed"])
    dataset, resolved = load_data(flags)
    gan, resolved["discriminator_normalization"] = build_gan(flags, resolved["channels"])
    os.makedirs(run_dir, exist_ok=True)
    settings = describe_run(flags, resolved, gan)
    settings["resumed"] = resuming
    settings_path = os.path.join(run_dir, "settings.json")
    write_json(settings_path, settings)

    start = time.perf_counter()
    history = gan.fit(
        dataset,
        epochs=flags["epochs"],
        steps_per_epoch=flags["steps_per_epoch"],
        callbacks=make_callbacks(flags, run_dir),
        # Keras draws ANSI progress bars even into log files; one line per epoch reads well.
        verbose=2,
    )
    seconds = time.perf_counter() - start
    gan.save(os.path.join(run_dir, "model.keras"))

    settings["result"] = {
        "train_seconds": round(seconds, 1),
        "epochs_run_now": len(history.epoch),
        "steps": int(gan.generator_optimizer.iterations),
        "final_logs": {key: float(values[-1]) for key, values in history.history.items()},
    }
    write_json(settings_path, settings)
    return settings


def main(argv=None):
    """Runs the recipe; returns the exit code (0, or 2 with a one-line error on stderr)."""
    try:
        flags = parse_flags(argv)
        settings = train(flags)
    except SystemExit as exit:  # --help
        return exit.code
    except kgan.callbacks.NonFiniteLossError as error:
        # Not a usage error: training diverged. The backup is kept, at the last finite epoch.
        print(f"error: training diverged: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    except (UsageError, kgan.data.DataError, ValueError, OSError, ImportError) as error:
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: rerun the same command to resume from the last epoch", file=sys.stderr)
        return 130
    result = settings["result"]
    print(
        f"Trained {result['epochs_run_now']} epoch(s) in {result['train_seconds']:.0f} s, "
        f"{result['steps']} steps in all; model saved to "
        f"{os.path.join(flags['out'], 'model.keras')}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
