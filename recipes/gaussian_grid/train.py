"""Trains a GAN on the 2-D grid of 25 Gaussians and counts the modes it captures (PacGAN).

```
python recipes/gaussian_grid/make_data.py --out runs/grid/points.npy
python recipes/gaussian_grid/train.py --data runs/grid/points.npy --out runs/grid
kgan sample runs/grid/model.keras --num 2500 --seed 1 --out runs/grid/samples.npy
```

The benchmark of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018): 25 modes at
`{-4, -2, 0, 2, 4}^2` with standard deviation 0.05, MLP networks. A mode is captured when at
least 20 of 2,500 samples lie within 3 standard deviations of it; the high-quality share is the
share of samples within 3 standard deviations of any mode (`kgan.metrics.mixture_modes`). The
run directory holds, beside `model.keras`, `settings.json` (flags, result: modes, high-quality
share, mode KL), `samples/epoch_XXXX.png` (the samples over the modes' 3-std circles) and
TensorBoard logs with the three numbers per epoch.

Defaults (README.md gives the measurements): PacGAN4 (the discriminator judges four samples at
once), two discriminator updates per generator update at five times the generator's learning
rate, an EMA generator, learning rates falling linearly to zero over the last 15 of 40 epochs,
and networks that see the data rescaled to about [-1, 1] (fixed
`Rescaling` layers inside both networks, so samples come out in the data's units).
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
from PIL import Image  # noqa: E402
from PIL import ImageDraw  # noqa: E402

import kgan  # noqa: E402
from kgan.metrics import mixture_modes  # noqa: E402
from kgan.utils import run_directory  # noqa: E402

DEFAULTS = {
    "data": None,
    "epochs": 40,
    "decay_epochs": 15,
    "batch_size": 256,
    "packing": 4,
    "loss": "non_saturating",
    "learning_rate": 2e-4,
    "discriminator_learning_rate": 1e-3,
    "discriminator_steps": 2,
    "latent_dim": 2,
    "ema_decay": 0.999,
    "std": 0.05,
    "num_eval": 2500,
    "seed": 0,
    "out": os.path.join("runs", "gaussian_grid"),
    "samples_every": 5,
    "steps_per_epoch": None,
}
GENERATOR_UNITS = (400, 400, 400, 400)  # PacGAN's generator: four layers of 400
DISCRIMINATOR_UNITS = (200, 200, 200)  # and its discriminator: three of 200


def build_parser():
    parser = run_directory.Parser(
        prog="train.py",
        description="Train a GAN on the 25-Gaussian grid and count the modes it captures.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**DEFAULTS)
    add = parser.add_argument
    add("--data", required=True, help="float32 points [N, 2] in a .npy file (make_data.py)")
    add("--epochs", type=int, help="passes over the data")
    add("--decay-epochs", type=int, help="last epochs, in which the rates fall linearly to 0")
    add("--batch-size", type=int, help="points per step (a multiple of --packing)")
    add("--packing", type=int, help="samples the discriminator judges at once (1: plain GAN)")
    add("--loss", help=f"adversarial loss family: {', '.join(kgan.losses.FAMILIES)}")
    add("--learning-rate", type=float, help="Adam learning rate of the generator")
    add("--discriminator-learning-rate", type=float, help="Adam learning rate of the critic")
    add("--discriminator-steps", type=int, help="discriminator updates per generator update")
    add("--latent-dim", type=int, help="size of the latent vector z")
    add("--ema-decay", type=float, help="decay of the EMA generator; 0 samples the raw one")
    add("--std", type=float, help="the modes' standard deviation, for the metrics")
    add("--num-eval", type=int, help="samples the metrics count (2,500 in the papers)")
    run_directory.add_run_flags(parser, seed_help="seed of the weights, data order and noise")
    return parser


def parse_flags(argv=None):
    flags = vars(build_parser().parse_args(argv))
    run_directory.check_positive(
        flags, "epochs", "batch_size", "packing", "discriminator_steps", "latent_dim",
        "num_eval", "samples_every", "steps_per_epoch",
    )  # fmt: skip
    if not 0 <= flags["decay_epochs"] <= flags["epochs"]:
        raise run_directory.UsageError(
            f"--decay-epochs must be in [0, --epochs {flags['epochs']}], got "
            f"{flags['decay_epochs']}"
        )
    if flags["batch_size"] % flags["packing"]:
        raise run_directory.UsageError(
            f"--batch-size {flags['batch_size']} must be a multiple of --packing "
            f"{flags['packing']}: the discriminator judges packs of that many points"
        )
    if not 0 <= flags["ema_decay"] < 1:
        raise run_directory.UsageError(f"--ema-decay must be in [0, 1), got {flags['ema_decay']}")
    for name in ("discriminator_learning_rate", "std"):
        if not flags[name] > 0:
            option = "--" + name.replace("_", "-")
            raise run_directory.UsageError(f"{option} must be positive, got {flags[name]}")
    run_directory.check_training_flags(flags)
    return flags


def load_points(path, batch_size):
    """The points of `path` (float32 `[N, 2]`), checked, and their largest absolute value."""
    if not os.path.isfile(path):
        raise run_directory.UsageError(f"--data {path!r}: no such file (make_data.py writes one)")
    try:
        points = np.load(path, allow_pickle=False)
    except ValueError as error:
        raise run_directory.UsageError(f"--data {path!r} is not a .npy array: {error}") from None
    if points.ndim != 2 or points.shape[1] != 2 or not np.issubdtype(points.dtype, np.floating):
        raise run_directory.UsageError(
            f"--data must hold float points [N, 2]; {path!r} holds {points.dtype} {points.shape}"
        )
    if not np.all(np.isfinite(points)):
        raise run_directory.UsageError(f"--data {path!r} holds NaN or infinite values")
    if len(points) < batch_size:
        raise run_directory.UsageError(
            f"--data has {len(points)} points, fewer than one batch of --batch-size {batch_size}"
        )
    return points.astype(np.float32), float(np.max(np.abs(points)))


def build_gan(flags, scale):
    """PacGAN's MLPs around fixed rescalings: the networks work on the data divided by `scale`."""
    # The grid spans +-4 while a mode is 0.05 wide. Dense layers start with zero biases, so
    # their ReLU kinks all pass through the origin, and Adam moves a bias by about one learning
    # rate per step: at the data's own scale the critic needs tens of thousands of steps just
    # to place kinks near the outer modes. Dividing by the data's range removes that wait.
    packing = flags["packing"]
    latent = keras.Input((flags["latent_dim"],), name="z")
    body = kgan.networks.mlp_generator(
        flags["latent_dim"], 2, hidden_units=GENERATOR_UNITS, output_activation=None
    )
    points = keras.layers.Rescaling(scale, name="to_data_units")(body(latent))
    generator = keras.Model(latent, points, name="generator")

    packs = keras.Input((2 * packing,), name="packs")
    critic = kgan.networks.mlp_discriminator(2 * packing, hidden_units=DISCRIMINATOR_UNITS)
    logits = critic(keras.layers.Rescaling(1.0 / scale, name="to_unit_range")(packs))
    discriminator = keras.Model(packs, logits, name="pack_discriminator")
    if packing > 1:
        discriminator = kgan.networks.packed_discriminator(discriminator, packing)
    ema = {"ema_decay": flags["ema_decay"]} if flags["ema_decay"] > 0 else {}
    gan = kgan.GAN(generator, discriminator, seed=flags["seed"], **ema)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(
            flags["discriminator_learning_rate"], beta_1=0.5
        ),
        loss=flags["loss"],
        discriminator_steps=flags["discriminator_steps"],
    )
    return gan


def draw_samples(samples, path, std, size=512, extent=5.0):
    """A PNG of `samples` (black dots) over the modes' 3-std circles (gray)."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)

    def pixel(x, y):  # y grows upwards in the plot
        return (x + extent) / (2 * extent) * size, (extent - y) / (2 * extent) * size

    radius = 3 * std / (2 * extent) * size
    for x, y in mixture_modes.grid_means():
        u, v = pixel(x, y)
        draw.ellipse((u - radius, v - radius, u + radius, v + radius), outline=(150, 150, 150))
    for x, y in np.clip(samples, -extent, extent):
        u, v = pixel(x, y)
        draw.rectangle((u - 1, v - 1, u, v), fill="black")
    temporary = path + ".tmp.png"
    image.save(temporary)
    os.replace(temporary, path)


class GridModes(keras.callbacks.Callback):
    """Adds `modes`, `high_quality` and `mode_kl` of `num` samples (seed 1) to the epoch logs,
    and draws the samples every `every` epochs into `directory`."""

    def __init__(self, num, std, directory, every):
        super().__init__()
        self.num, self.std, self.directory, self.every = num, std, directory, every

    def on_epoch_end(self, epoch, logs=None):
        samples = self.model.generate(self.num, seed=1)
        stats = mixture_modes.mixture_modes(samples, mixture_modes.grid_means(), self.std)
        if logs is not None:
            logs.update({key: float(stats[key]) for key in ("modes_captured", "high_quality")})
            logs["mode_kl"] = stats["mode_kl"]
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.params.get("epochs"):
            os.makedirs(self.directory, exist_ok=True)
            name = os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png")
            draw_samples(samples, name, self.std)


def train(flags):
    run_directory.check_resume(flags["out"], flags)
    keras.utils.set_random_seed(flags["seed"])
    points, scale = load_points(flags["data"], flags["batch_size"])
    dataset = (
        tf.data.Dataset.from_tensor_slices(points)
        .shuffle(len(points), seed=flags["seed"], reshuffle_each_iteration=True)
        .batch(flags["batch_size"], drop_remainder=True)  # packs need whole batches
        .prefetch(tf.data.AUTOTUNE)
    )
    if flags["steps_per_epoch"] is not None:
        dataset = dataset.repeat()
    gan = build_gan(flags, scale)
    resolved = {
        "num_points": len(points),
        "scale": scale,
        "generator_parameters": gan.generator.count_params(),
        "discriminator_parameters": gan.discriminator.count_params(),
    }
    modes = GridModes(
        flags["num_eval"], flags["std"], os.path.join(flags["out"], "samples"),
        flags["samples_every"],
    )  # fmt: skip
    # The last epochs at falling rates let the generator settle into the modes' centres.
    decay = kgan.callbacks.LinearDecay(
        flags["epochs"] - flags["decay_epochs"],
        flags["decay_epochs"],
        base_learning_rates={
            "generator_optimizer": flags["learning_rate"],
            "discriminator_optimizer": flags["discriminator_learning_rate"],
        },
    )
    callbacks = run_directory.callbacks(flags["out"], None, extra=[decay, modes])
    settings = run_directory.fit_and_record(gan, dataset, flags, resolved, callbacks)
    logs = settings["result"]["final_logs"]
    print(
        f"{int(logs['modes_captured'])} of 25 modes captured, "
        f"{100 * logs['high_quality']:.1f}% of {flags['num_eval']} samples within 3 std of a mode"
    )
    return settings


def main(argv=None):
    return run_directory.run_main(parse_flags, train, argv)


if __name__ == "__main__":
    sys.exit(main())
