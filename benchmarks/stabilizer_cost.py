"""What the stabilizers cost per training step at the digits recipe's size (issue 14's budget).

Every contender is the digits recipe's GAN (`recipes/dcgan_digits/train.py` with its default
flags: DCGAN networks for 32x32 gray digits, base width 32, latent 64, batch 32, DiffAugment
translation) with one set of stabilizers switched on:

- `plain`: the recipe as it is (the baseline);
- `ema`: an EMA generator (`ema_decay=0.999`), updated after every step;
- `r1`, `r2`: the R1 / R2 penalty (`r1_weight` / `r2_weight` = 1), one more backward pass
  through the critic on real / generated images per critic update;
- `ema+r1+r2`: all three, R3GAN's set;
- `ada`: adaptive augmentation (`kgan.layers.AdaptiveAugmentation`, its default policy) on
  every critic input, and `ema+r1+r2+ada` with all four;
- `... lazy16`: R1 (and R2) every 16th step only, 16 times as strong (StyleGAN2's lazy
  regularization, `regularization_interval=16`).

They run in interleaved rounds in one process (the order rotates each round), each round
`fit`s every contender for `--steps` steps; the first round (tracing) is dropped and each
contender reports its median CPU seconds per step (process CPU time, which other processes'
load hardly moves) and wall seconds per step, and the ratio to `plain`. The budget of the
issue: EMA, R1/R2 (and ADA) together at most 1.25x the plain step.

Usage:

```
python benchmarks/stabilizer_cost.py                  # ~5 minutes on 2 cores
python benchmarks/stabilizer_cost.py --quick          # smoke run
python benchmarks/stabilizer_cost.py --out stabilizer_cost.json
```
"""

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import kgan  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CONTENDERS = {
    "plain": {},
    "ema": {"ema_decay": 0.999},
    "r1": {"r1_weight": 1.0},
    "r2": {"r2_weight": 1.0},
    "ema+r1+r2": {"ema_decay": 0.999, "r1_weight": 1.0, "r2_weight": 1.0},
    "ada": {"ada": True},
    "ema+r1+r2+ada": {"ema_decay": 0.999, "r1_weight": 1.0, "r2_weight": 1.0, "ada": True},
    "r1 lazy16": {"r1_weight": 1.0, "regularization_interval": 16},
    "ema+r1+r2 lazy16": {
        "ema_decay": 0.999,
        "r1_weight": 1.0,
        "r2_weight": 1.0,
        "regularization_interval": 16,
    },
}


def load_recipe():
    path = os.path.join(HERE, "..", "recipes", "dcgan_digits", "train.py")
    spec = importlib.util.spec_from_file_location("dcgan_digits_train", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(recipe, flags, channels, settings):
    """The recipe's compiled GAN, rebuilt with the contender's stabilizers."""
    keras.utils.set_random_seed(flags["seed"])
    gan, _ = recipe.build_gan(flags, channels)
    options = {key: settings[key] for key in ("ema_decay",) if key in settings}
    if settings.get("ada"):
        options["augmentation"] = kgan.layers.AdaptiveAugmentation(probability=0.5)
    model = kgan.GAN(gan.generator, gan.discriminator, seed=flags["seed"], **options)
    model.compile(
        generator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(flags["learning_rate"], beta_1=0.5),
        loss=flags["loss"],
        r1_weight=settings.get("r1_weight", 0.0),
        r2_weight=settings.get("r2_weight", 0.0),
        regularization_interval=settings.get("regularization_interval", 1),
    )
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=40, help="steps per contender per round")
    parser.add_argument("--rounds", type=int, default=6, help="rounds (the first is dropped)")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 4 steps")
    parser.add_argument("--out", help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.rounds = 4, 3
    recipe = load_recipe()
    flags = recipe.parse_flags([])
    dataset, resolved = recipe.load_data(flags)
    dataset = dataset.repeat()
    import warnings

    with warnings.catch_warnings():  # R1 on a batch-norm critic warns; measured all the same
        warnings.simplefilter("ignore")
        models = {
            name: build(recipe, flags, resolved["channels"], settings)
            for name, settings in CONTENDERS.items()
        }
    timings = {name: {"cpu": [], "wall": []} for name in models}
    names = list(models)
    for round_index in range(args.rounds):
        order = names[round_index % len(names) :] + names[: round_index % len(names)]
        for name in order:
            cpu, wall = time.process_time(), time.perf_counter()
            models[name].fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0)
            if round_index > 0:
                timings[name]["cpu"].append((time.process_time() - cpu) / args.steps)
                timings[name]["wall"].append((time.perf_counter() - wall) / args.steps)
    plain = statistics.median(timings["plain"]["cpu"])
    plain_wall = statistics.median(timings["plain"]["wall"])
    results = {}
    header = ("contender", "CPU ms/step", "wall ms/step", "CPU ratio", "wall ratio")
    print(f"{header[0]:<18} {header[1]:>12} {header[2]:>13} {header[3]:>10} {header[4]:>11}")
    for name in names:
        cpu = statistics.median(timings[name]["cpu"])
        wall = statistics.median(timings[name]["wall"])
        results[name] = {
            "cpu_ms_per_step": round(1000 * cpu, 1),
            "wall_ms_per_step": round(1000 * wall, 1),
            "cpu_ratio": round(cpu / plain, 3),
            "wall_ratio": round(wall / plain_wall, 3),
        }
        row = results[name]
        print(
            f"{name:<18} {row['cpu_ms_per_step']:>12.1f} {row['wall_ms_per_step']:>13.1f} "
            f"{row['cpu_ratio']:>10.3f} {row['wall_ratio']:>11.3f}"
        )
    if args.out:
        with open(args.out, "w") as file:
            json.dump(
                {"steps": args.steps, "rounds": args.rounds, "results": results}, file, indent=2
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
