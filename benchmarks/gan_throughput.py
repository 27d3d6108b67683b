"""Training throughput of `kgan.GAN.fit` against a hand-written `tf.function` loop.

Every contender trains the TensorFlow DCGAN tutorial's MNIST networks (latent 100, 28x28x1,
`benchmarks/networks_tf_tutorial.py`) from the same initial weights with Adam(1e-4) for both
networks and the non-saturating cross-entropy on logits, on the same in-memory batches. The
contenders run in interleaved rounds in one process (the order rotates each round), so background
load slows them all alike; the first round pays tracing and XLA compilation and is dropped, and
each contender reports the median images/s of the remaining rounds. On a shared machine also
read `paired` (the median over rounds of the ratio within a round) and the CPU seconds per step
(process CPU time, which other processes' load hardly moves).

- `alternating` (the baseline): a lean `@tf.function` step as in the keras.io DCGAN example: a
  discriminator update (fresh noise, generator forward, discriminator on real and fake), then a
  generator update against the *updated* discriminator (fresh noise, generator forward again).
- `simultaneous` (reference only): the TensorFlow tutorial's step: one generator forward, one
  discriminator pass on the fakes feeding both losses, both networks updated from the same state.
  It is a different algorithm (the generator sees the old discriminator), which kgan does not
  offer; it is here to show what the cheaper scheme costs.
- `kgan fit spe=N`: `kgan.GAN.fit(dataset, epochs=1, steps_per_epoch=K, verbose=0)` per round on
  a model compiled once with `steps_per_execution=N` and `jit_compile=False`, which is what the
  default `jit_compile="auto"` resolves to on a CPU (the script prints what it resolves to; on a
  GPU it is True, so there compare the `+xla` rows). Fit reuses its traced train function.
- `... +xla`: the same with `jit_compile=True`.

Before timing, a correctness check runs one `kgan.GAN.fit` step and one `alternating` step from
identical weights on the same batch, the baseline given kgan's own latent vectors
(`GAN.sample_latent(batch, step=0)`, one draw for both updates as kgan reuses its forward pass),
and asserts the trainable weights agree to 1e-5. Dropout is random, so the check uses
discriminators with dropout rate 0 (same weights); the timed runs use the tutorial's 0.3.

Where the speed comes from (`--breakdown` times each part of a step on its own). Measured on
2 busy cores of an AMD EPYC, batch 256, CPU ms per call: generator forward 255, discriminator
update 413, generator update (generator and discriminator forward and backward) 854. The
alternating baseline does all three (1530 measured); kgan records one generator forward on the
generator's tape, takes the discriminator update outside the recording and reuses those fakes for
the generator update, so it does only the last two (1252 as a bare `train_step`, 1249 through
`fit` at one step per call). The saved generator forward, about a sixth of the work, is the whole
difference: kgan trains about 1.2x faster with the same weight updates (only the generator's
BatchNorm moving statistics move once per step instead of twice). `fit`'s own Python work (epoch
iterator, callbacks, converting the logs to floats after every execution) is below the noise on a
CPU step of over a second, and `steps_per_execution=8` changes nothing measurable here; on a GPU,
where a step takes milliseconds and the float conversion waits for the device, it is what
`steps_per_execution` hides. XLA (`jit_compile=True`) makes every contender 30-40% slower on
this CPU (its transposed convolutions lose to oneDNN's kernels), which is why
`jit_compile="auto"` resolving to False on CPU is right.

Usage:

```
python benchmarks/gan_throughput.py                    # full run (2 busy CPU cores: ~20 min)
python benchmarks/gan_throughput.py --quick            # smoke run, well under a minute
python benchmarks/gan_throughput.py --no-xla --steps 32 --rounds 7 --out throughput.json
python benchmarks/gan_throughput.py --steps 256 --steps-per-execution 1,8,32   # on a GPU
```
"""

import argparse
import json
import os
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

import kgan

try:  # `python -m benchmarks.gan_throughput` from the repository root
    from benchmarks import machine
    from benchmarks import networks_tf_tutorial
except ImportError:  # `python benchmarks/gan_throughput.py`: this folder is on sys.path
    import machine
    import networks_tf_tutorial

LATENT_DIM = networks_tf_tutorial.LATENT_DIM
LEARNING_RATE = 1e-4
SEED = 1234
BASELINE = "alternating"


# --- data and networks --------------------------------------------------------------------------


def make_dataset(batch_size):
    """An endless in-memory `tf.data` pipeline of 28x28x1 batches in [-1, 1], and its source."""
    try:
        images, _ = kgan.data.digits_arrays(image_size=28)
        source = f"kgan.data.digits_arrays(28): {len(images)} digits upsampled to 28x28"
    except Exception as error:  # kgan.data changes beside this script; fall back, say so
        images = np.random.default_rng(SEED).uniform(-1, 1, (2048, 28, 28, 1))
        source = f"uniform noise in [-1, 1] (digits_arrays(28) failed: {error!r})"
    images = np.asarray(images, np.float32)
    images = np.tile(images, (-(-2 * batch_size // len(images)), 1, 1, 1))  # >= 2 batches
    batches = len(images) // batch_size
    images = images[: batches * batch_size].reshape(batches, batch_size, *images.shape[1:])
    # Slicing whole pre-made batches keeps the input pipeline's own work out of the comparison.
    dataset = tf.data.Dataset.from_tensor_slices(images).repeat().prefetch(2)
    # Repeated fit() calls on one pipeline can stall on tf.data's autotune loop (DESIGN.md).
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options), images[0], source


def make_networks(weights, dropout_rate=0.3):
    """A fresh generator and discriminator holding `weights` (a pair of weight lists)."""
    generator = networks_tf_tutorial.generator()
    discriminator = networks_tf_tutorial.discriminator(dropout_rate)
    generator.set_weights(weights[0])
    discriminator.set_weights(weights[1])
    return generator, discriminator


def adam():
    return keras.optimizers.Adam(LEARNING_RATE)


def sync(*networks):
    """Waits for queued device work by reading one variable of each network back to the host."""
    for network in networks:
        keras.ops.convert_to_numpy(network.trainable_variables[-1])


# --- the hand-written steps ---------------------------------------------------------------------


def alternating_update(generator, discriminator, generator_optimizer, discriminator_optimizer):
    """The keras.io-style step given its two latent batches: D update, then G against the new D."""
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

    def update(real, discriminator_latent, generator_latent):
        fake = generator(discriminator_latent, training=True)
        with tf.GradientTape() as tape:
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            d_loss = cross_entropy(tf.ones_like(real_logits), real_logits) + cross_entropy(
                tf.zeros_like(fake_logits), fake_logits
            )
        variables = discriminator.trainable_variables
        discriminator_optimizer.apply_gradients(zip(tape.gradient(d_loss, variables), variables))
        with tf.GradientTape() as tape:
            fake_logits = discriminator(generator(generator_latent, training=True), training=True)
            g_loss = cross_entropy(tf.ones_like(fake_logits), fake_logits)
        variables = generator.trainable_variables
        generator_optimizer.apply_gradients(zip(tape.gradient(g_loss, variables), variables))
        return d_loss, g_loss

    return update


def alternating_step(*networks_and_optimizers):
    update = alternating_update(*networks_and_optimizers)

    def step(real):
        shape = [tf.shape(real)[0], LATENT_DIM]
        return update(real, tf.random.normal(shape), tf.random.normal(shape))

    return step


def simultaneous_step(generator, discriminator, generator_optimizer, discriminator_optimizer):
    """The TensorFlow tutorial's step: one forward pass, two tapes, both networks updated."""
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

    def step(real):
        latent = tf.random.normal([tf.shape(real)[0], LATENT_DIM])
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fake = generator(latent, training=True)
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            g_loss = cross_entropy(tf.ones_like(fake_logits), fake_logits)
            d_loss = cross_entropy(tf.ones_like(real_logits), real_logits) + cross_entropy(
                tf.zeros_like(fake_logits), fake_logits
            )
        for tape, loss, network, optimizer in (
            (generator_tape, g_loss, generator, generator_optimizer),
            (discriminator_tape, d_loss, discriminator, discriminator_optimizer),
        ):
            variables = network.trainable_variables
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return d_loss, g_loss

    return step


def make_gan(generator, discriminator, **compile_kwargs):
    gan = kgan.GAN(generator, discriminator, seed=SEED)
    gan.compile(
        generator_optimizer=adam(),
        discriminator_optimizer=adam(),
        loss="non_saturating",
        **compile_kwargs,
    )
    return gan


# --- contenders -----------------------------------------------------------------------------------


def timed(function):
    """Runs `function()`; returns its wall-clock and process CPU seconds.

    CPU time counts the work of all this process's threads and hardly moves when other processes
    compete for the cores, so it is the steadier measure on a shared machine; wall time is what
    a user waits for.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


class LoopContender:
    """A hand-written `tf.function` step called in a Python loop, as the tutorials do."""

    def __init__(self, name, step_builder, weights, dataset, jit_compile):
        self.name = name
        self.networks = make_networks(weights)
        # No autograph: the steps have no Python control flow, and converting them would re-read
        # this file's source at trace time.
        self.step = tf.function(
            step_builder(*self.networks, adam(), adam()), jit_compile=jit_compile, autograph=False
        )
        self.iterator = iter(dataset)

    def run(self, steps):
        for _ in range(steps):
            self.step(next(self.iterator))
        sync(*self.networks)


class FitContender:
    """`kgan.GAN.fit` for one epoch of `steps` steps, on a model compiled once."""

    def __init__(self, name, weights, dataset, steps_per_execution, jit_compile):
        self.name = name
        self.gan = make_gan(
            *make_networks(weights),
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
        )
        self.dataset = dataset

    def run(self, steps):
        self.gan.fit(self.dataset, epochs=1, steps_per_epoch=steps, verbose=0)
        sync(self.gan.generator, self.gan.discriminator)


def make_contenders(weights, dataset, steps_per_execution_values, xla_values):
    # The baseline and kgan come first and side by side: the order rotates each round but keeps
    # neighbours together, so their paired ratio compares runs made under the same load.
    contenders = []
    for xla in xla_values:
        suffix = " +xla" if xla else ""
        # Explicit, not "auto": auto means XLA on a GPU, and each row must say what it ran.
        jit = bool(xla)
        contenders.append(LoopContender(BASELINE + suffix, alternating_step, weights, dataset, jit))
        for spe in steps_per_execution_values:
            contenders.append(
                FitContender(f"kgan fit spe={spe}{suffix}", weights, dataset, spe, jit)
            )
        contenders.append(
            LoopContender("simultaneous" + suffix, simultaneous_step, weights, dataset, jit)
        )
    return contenders


def measure(contenders, steps, rounds, warmup_rounds=1):
    """Interleaved rounds; returns {name: [(wall s, CPU s) of each timed round]}."""
    times = {contender.name: [] for contender in contenders}
    for round_index in range(warmup_rounds + rounds):
        shift = round_index % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            seconds = timed(lambda contender=contender: contender.run(steps))
            if round_index >= warmup_rounds:
                times[contender.name].append(seconds)
        label = "warm-up" if round_index < warmup_rounds else f"{round_index - warmup_rounds + 1}"
        print(f"  round {label}/{rounds} done, load average {os.getloadavg()[0]:.2f}", flush=True)
    return times


# --- correctness --------------------------------------------------------------------------------


def check_correctness(weights, real_batch):
    """One kgan fit step and one baseline step from the same weights and noise must agree."""
    # TensorFloat-32 (on by default on Ampere and later GPUs) rounds matmul inputs to 10 bits.
    tf32 = tf.config.experimental.tensor_float_32_execution_enabled()
    tf.config.experimental.enable_tensor_float_32_execution(False)
    try:
        return _check_correctness(weights, real_batch)
    finally:
        tf.config.experimental.enable_tensor_float_32_execution(tf32)


def _check_correctness(weights, real_batch):
    batch_size = len(real_batch)
    # No XLA (which "auto" picks on a GPU): XLA's stateless-random kernels give other floats than
    # the eager draw below.
    gan = make_gan(*make_networks(weights, dropout_rate=0.0), jit_compile=False)
    latent = gan.sample_latent(batch_size, tf.constant(0, tf.int64))  # kgan's step-0 draw
    gan.fit(tf.data.Dataset.from_tensors(real_batch), epochs=1, verbose=0)

    generator, discriminator = make_networks(weights, dropout_rate=0.0)
    update = tf.function(
        alternating_update(generator, discriminator, adam(), adam()), autograph=False
    )
    update(tf.constant(real_batch), latent, latent)

    def max_difference(first, second):
        return max(float(np.max(np.abs(a - b))) for a, b in zip(first, second))

    result = {}
    for label, kgan_net, base_net, initial in (
        ("generator", gan.generator, generator, weights[0]),
        ("discriminator", gan.discriminator, discriminator, weights[1]),
    ):
        trainable = [keras.ops.convert_to_numpy(v) for v in kgan_net.trainable_variables]
        result[label] = {
            "max_abs_difference": max_difference(
                trainable, [keras.ops.convert_to_numpy(v) for v in base_net.trainable_variables]
            ),
            "max_abs_update": max_difference(
                trainable, [w for w, v in zip(initial, kgan_net.weights) if v.trainable]
            ),
        }
    # BatchNorm moving statistics are expected to differ: the baseline runs the generator forward
    # (training=True) twice per step, kgan once, so the baseline moves them twice.
    result["generator_moving_stats_max_abs_difference"] = max_difference(
        [keras.ops.convert_to_numpy(v) for v in gan.generator.non_trainable_variables],
        [keras.ops.convert_to_numpy(v) for v in generator.non_trainable_variables],
    )
    result["passed"] = all(
        result[label]["max_abs_difference"] < 1e-5 and result[label]["max_abs_update"] > 1e-5
        for label in ("generator", "discriminator")
    )
    return result


# --- breakdown ----------------------------------------------------------------------------------


def breakdown(weights, real_batch, dataset, repeats):
    """Median (wall ms, CPU ms) of each part of a step, each a `tf.function` on fixed inputs."""
    real = tf.constant(real_batch)
    latent = tf.random.normal([len(real_batch), LATENT_DIM], seed=SEED)
    generator, discriminator = make_networks(weights)
    generator_optimizer, discriminator_optimizer = adam(), adam()
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    fake = generator(latent, training=True)

    def d_update():
        with tf.GradientTape() as tape:
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            loss = cross_entropy(tf.ones_like(real_logits), real_logits) + cross_entropy(
                tf.zeros_like(fake_logits), fake_logits
            )
        variables = discriminator.trainable_variables
        discriminator_optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))

    def g_update():
        with tf.GradientTape() as tape:
            fake_logits = discriminator(generator(latent, training=True), training=True)
            loss = cross_entropy(tf.ones_like(fake_logits), fake_logits)
        variables = generator.trainable_variables
        generator_optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))

    step = alternating_update(generator, discriminator, generator_optimizer, adam())
    gan = make_gan(*make_networks(weights), jit_compile=False)
    parts = {
        "generator forward (training=True)": lambda: generator(latent, training=True),
        "discriminator update (fakes given)": d_update,
        "generator update (G and D forward + backward)": g_update,
        "alternating step (the baseline's maths)": lambda: step(real, latent, latent),
        "kgan train_step in a bare tf.function": lambda: gan.train_step(real),
    }
    # autograph=False as in Keras' own train function (and immune to source edited mid-run).
    functions = {name: tf.function(part, autograph=False) for name, part in parts.items()}
    fit_gan = make_gan(*make_networks(weights), jit_compile=False)
    functions["kgan fit, 1 step per call"] = lambda: fit_gan.fit(
        dataset, epochs=1, steps_per_epoch=1, verbose=0
    )
    times = {name: [] for name in functions}
    for repeat in range(repeats + 1):  # the first call traces
        for name, function in functions.items():
            seconds = timed(lambda function=function: (function(), sync(generator, gan.generator)))
            if repeat:
                times[name].append(seconds)
    return {
        name: tuple(1000 * statistics.median(column) for column in zip(*values))
        for name, values in times.items()
    }


# --- reporting ----------------------------------------------------------------------------------


def device_description():
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return f"GPU: {details.get('device_name', gpus[0].name)} (x{len(gpus)})"
    return f"CPU: {machine.cpu_description()}"


def summarize(times, steps, batch_size):
    """One row per contender: images/s (median, min, max), ratios against the baseline.

    `ratio` divides medians; `paired` is the median over rounds of the ratio within a round
    (contenders of one round ran under the same background load); `cpu_ratio` compares CPU
    seconds per step (baseline / contender, so > 1 means less work than the baseline).
    """
    baseline_wall = [wall for wall, _ in times[BASELINE]]
    baseline_cpu = statistics.median(cpu for _, cpu in times[BASELINE])
    rows = []
    for name, values in times.items():
        rates = [steps * batch_size / wall for wall, _ in values]
        cpu = statistics.median(cpu for _, cpu in values)
        rows.append(
            {
                "name": name,
                "images_per_second": rates,
                "median": statistics.median(rates),
                "min": min(rates),
                "max": max(rates),
                "ratio": statistics.median(baseline_wall) / statistics.median(w for w, _ in values),
                "paired": statistics.median(b / w for b, (w, _) in zip(baseline_wall, values)),
                "cpu_seconds_per_step": cpu / steps,
                "cpu_seconds_per_step_rounds": [cpu / steps for _, cpu in values],
                "cpu_ratio": baseline_cpu / cpu,
            }
        )
    return rows


def print_table(rows):
    print("| contender           | images/s | min-max | vs baseline | paired | CPU s/step | CPU |")
    print("|---------------------|---------:|--------:|------------:|-------:|-----------:|----:|")
    for row in rows:
        span = f"{row['min']:.0f}-{row['max']:.0f}"
        print(
            f"| {row['name']:<19} | {row['median']:>8.1f} | {span:>7} | {row['ratio']:>10.3f}x "
            f"| {row['paired']:>5.3f}x | {row['cpu_seconds_per_step']:>10.2f} "
            f"| {row['cpu_ratio']:.3f}x |"
        )


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=8, help="training steps per round")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (after a warm-up)")
    parser.add_argument(
        "--steps-per-execution",
        default="1,8",
        help="comma-separated values for kgan's compile(steps_per_execution=)",
    )
    parser.add_argument(
        "--xla",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time every contender with jit_compile=True",
    )
    parser.add_argument(
        "--breakdown",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time each part of a step on its own (about a minute on a CPU)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny smoke run (< 60 s on a CPU)")
    parser.add_argument("--out", help="write the results as JSON to this path")
    args = parser.parse_args()
    if args.quick:
        args.batch_size, args.steps, args.rounds = 16, 2, 1
        args.steps_per_execution, args.xla, args.breakdown = "1,2", False, False
    args.steps_per_execution = [int(value) for value in args.steps_per_execution.split(",")]
    # fit runs whole executions: a round must be a multiple of every steps_per_execution.
    step_multiple = int(np.lcm.reduce(args.steps_per_execution))
    args.steps = -(-args.steps // step_multiple) * step_multiple
    return args


def write_json(path, result):
    if path:
        with open(path, "w") as file:
            json.dump(result, file, indent=2)


def main():
    args = parse_args()
    result = {
        "args": vars(args),
        "device": device_description(),
        "devices": [device.name for device in tf.config.list_physical_devices()],
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
        "nproc": os.cpu_count(),
        "load_average_start": os.getloadavg(),
    }
    print(f"devices: {tf.config.list_physical_devices()}")
    print(f"device:  {result['device']}")
    print(
        f"tensorflow {tf.__version__}, keras {keras.__version__}, kgan {kgan.__version__}, "
        f"nproc {os.cpu_count()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    dataset, real_batch, result["data"] = make_dataset(args.batch_size)
    print(f"data:    {result['data']}")
    print(f"run:     batch {args.batch_size}, {args.steps} steps per round, {args.rounds} rounds")

    keras.utils.set_random_seed(SEED)
    weights = tuple(
        network.get_weights()
        for network in (networks_tf_tutorial.generator(), networks_tf_tutorial.discriminator())
    )

    correctness = result["correctness"] = check_correctness(weights, real_batch)
    print(
        "correctness (1 step, same weights and noise, dropout 0): max |kgan - baseline| = "
        f"{correctness['generator']['max_abs_difference']:.2e} (generator), "
        f"{correctness['discriminator']['max_abs_difference']:.2e} (discriminator); "
        f"updates up to {correctness['generator']['max_abs_update']:.1e}; "
        "BatchNorm moving stats differ by "
        f"{correctness['generator_moving_stats_max_abs_difference']:.1e} "
        f"(baseline runs G forward twice) -> {'PASS' if correctness['passed'] else 'FAIL'}",
        flush=True,
    )
    if not correctness["passed"]:
        raise SystemExit("kgan's step does not match the hand-written alternating step.")

    auto = result["auto_jit_compile"] = bool(make_gan(*make_networks(weights)).jit_compile)
    print(f"a default compile (jit_compile='auto') resolves to jit_compile={auto} here", flush=True)
    xla_values = (False, True) if args.xla else (False,)
    contenders = make_contenders(weights, dataset, args.steps_per_execution, xla_values)
    times = measure(contenders, args.steps, args.rounds)
    rows = result["summary"] = summarize(times, args.steps, args.batch_size)
    result["load_average_end"] = os.getloadavg()
    write_json(args.out, result)
    print()
    print_table(rows)
    print()
    by_name = {row["name"]: row for row in rows}
    for row in rows:
        if row["name"].startswith("kgan") and "xla" not in row["name"]:
            print(
                f"kgan/baseline ({row['name']} / {BASELINE}): {row['ratio']:.3f} "
                f"(paired {row['paired']:.3f}, CPU {row['cpu_ratio']:.3f})"
            )
    for name, row in by_name.items():
        if name + " +xla" in by_name:
            xla = by_name[name + " +xla"]
            print(
                f"XLA speed-up ({name}): {xla['median'] / row['median']:.3f} "
                f"(CPU {row['cpu_seconds_per_step'] / xla['cpu_seconds_per_step']:.3f})"
            )

    if args.breakdown:
        parts = result["breakdown_ms"] = breakdown(
            weights, real_batch, dataset, repeats=max(3, args.rounds)
        )
        print("\nbreakdown (median per call, no XLA):       wall ms    CPU ms")
        for name, (wall, cpu) in parts.items():
            print(f"  {name:<46} {wall:8.1f}  {cpu:8.1f}")
        write_json(args.out, result)
    if args.out:
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
