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
# Flags that may change when an interrupted run is resumed; any other change would train a
# different model on top of the backup.
RESUMABLE_CHANGES = ("epochs", "samples_every", "out")
CONDITIONINGS = ("projection", "concat", "acgan")
GENERATOR_NORMALIZATIONS = ("conditional_batch", "batch")


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
    add("--seed", type=int, help="seed of the weights, the data order and the training noise")
    add("--out", help="run directory")
    add("--samples-every", type=int, help="write a sample grid every this many epochs")
    add("--steps-per-epoch", type=int, help="steps per epoch, for quick runs; None: all the data")
    return parser


def parse_flags(argv=None):
    """Parses and checks the flags; returns them as a dict, or raises `UsageError`."""
    flags = vars(build_parser().parse_args(argv))
    for name in ("epochs", "batch_size", "latent_dim", "base_filters"):
        _check_positive(flags, name)
    for name in ("samples_every", "steps_per_epoch"):
        if flags[name] is not None:
            _check_positive(flags, name)
    if flags["num_classes"] < 2:
        raise UsageError(f"--num-classes must be at least 2, got {flags['num_classes']}")
    if flags["learning_rate"] <= 0:
        raise UsageError(f"--learning-rate must be positive, got {flags['learning_rate']}")
    if not 0 <= flags["augment"] < 1:
        raise UsageError(f"--augment must be in [0, 1), got {flags['augment']}")
    weight = flags["mismatch_weight"]
    if weight is not None and weight < 0:
        raise UsageError(f"--mismatch-weight must be >= 0, got {weight}")
    if flags["conditioning"] == "acgan" and weight:
        raise UsageError(
            "--conditioning acgan takes no --mismatch-weight: its discriminator sees images "
            "alone, so it cannot be shown (real image, wrong label) pairs"
        )
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
        discriminator = with_augmentation(discriminator, flags["augment"], flags["conditioning"])
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


def with_augmentation(discriminator, translation, conditioning):
    """`discriminator` behind random shifts of its images, applied in training only.

    DiffAugment (Zhao et al., NeurIPS 2020; see recipes/dcgan_digits): real, generated and
    mismatched images are all shifted, differentiably, so the discriminator cannot memorise the
    1,797 digits and cannot tell real from fake by the shift. The label passes through unchanged.
    """
    images = keras.Input(discriminator.inputs[0].shape[1:], name="images")
    shifted = keras.layers.RandomTranslation(
        translation, translation, fill_mode="constant", fill_value=-1.0, name="augment"
    )(images)
    name = f"augmented_{discriminator.name}"
    if conditioning == "acgan":
        return keras.Model(images, discriminator(shifted), name=name)
    labels = keras.Input(discriminator.inputs[1].shape[1:], dtype="int32", name="labels")
    return keras.Model([images, labels], discriminator([shifted, labels]), name=name)


def make_callbacks(flags, run_dir):
    """Sample grids, TensorBoard scalars and the backup that lets a rerun resume."""
    log_dir = os.path.join(run_dir, "logs")
    return [
        # Before SampleGrid and TensorBoard: on resume it restores the epoch counter first.
        keras.callbacks.BackupAndRestore(os.path.join(run_dir, "backup")),
        # For a conditional model: one row per class, the same latent vector down each column.
        kgan.callbacks.SampleGrid(
            directory=os.path.join(run_dir, "samples"),
            log_dir=log_dir,
            num_cols=10,
            every_n_epochs=flags["samples_every"],
            seed=flags["seed"],
        ),
        # The graph of a model with a custom train_step says little and slows the first step.
        keras.callbacks.TensorBoard(log_dir, write_graph=False),
    ]


def describe_run(flags, resolved, model):
    """Everything `settings.json` records before training starts."""
    return {
        "flags": flags,
        "resolved": {
            **resolved,
            "mismatch_weight": model.mismatch_weight,
            "generator_parameters": model.generator.count_params(),
            "discriminator_parameters": model.discriminator.count_params(),
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
    model = build_model(flags, resolved["channels"])
    os.makedirs(run_dir, exist_ok=True)
    settings = describe_run(flags, resolved, model)
    settings["resumed"] = resuming
    settings_path = os.path.join(run_dir, "settings.json")
    write_json(settings_path, settings)

    start = time.perf_counter()
    history = model.fit(
        dataset,
        epochs=flags["epochs"],
        steps_per_epoch=flags["steps_per_epoch"],
        callbacks=make_callbacks(flags, run_dir),
        # Keras draws ANSI progress bars even into log files; one line per epoch reads well.
        verbose=2,
    )
    seconds = time.perf_counter() - start
    model.save(os.path.join(run_dir, "model.keras"))

    settings["result"] = {
        "train_seconds": round(seconds, 1),
        "epochs_run_now": len(history.epoch),
        "steps": int(model.generator_optimizer.iterations),
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
