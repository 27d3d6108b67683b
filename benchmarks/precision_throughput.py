"""Training speed of `kgan.GAN.fit` under `mixed_bfloat16` (and `mixed_float16`) against float32.

Every contender trains the TensorFlow DCGAN tutorial's MNIST networks
(`networks_tf_tutorial.py`, latent 100, 28x28x1) from the same initial weights on the same
in-memory batches; only the Keras dtype policy in force when the networks and the objective are
built differs (weights stay float32 under both mixed policies). The contenders run in
interleaved rounds in one process, the order rotating each round, so background load slows them
alike; the first round (tracing) is dropped. Reported per contender: the median images/s over
rounds (wall time) and CPU milliseconds per image (process CPU time), and each as a ratio to
float32 (the baseline).

bfloat16 pays off where the hardware multiplies in it: recent GPUs and TPUs, and CPUs with
AVX512-BF16 or AMX (oneDNN uses them); elsewhere the casts cost more than they save.

    python benchmarks/precision_throughput.py --batch-size 256 --steps 8 --rounds 5
"""

import argparse
import os
import statistics
import sys
import time

import keras
import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import networks_tf_tutorial  # noqa: E402

import kgan  # noqa: E402

POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")


def build(policy, weights):
    """A compiled `kgan.GAN` of the tutorial networks under `policy`, holding `weights`."""
    keras.config.set_dtype_policy(policy)
    try:
        generator = networks_tf_tutorial.generator()
        discriminator = networks_tf_tutorial.discriminator()
        generator.set_weights(weights[0])
        discriminator.set_weights(weights[1])
        model = kgan.GAN(generator, discriminator, seed=0)
        model.compile(jit_compile=False)
    finally:
        keras.config.set_dtype_policy("float32")
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=8, help="training steps per round")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (after a warm-up)")
    parser.add_argument("--policies", default=",".join(POLICIES))
    args = parser.parse_args()
    policies = args.policies.split(",")
    keras.utils.set_random_seed(0)
    weights = (
        networks_tf_tutorial.generator().get_weights(),
        networks_tf_tutorial.discriminator().get_weights(),
    )
    images = np.random.default_rng(0).uniform(-1, 1, (args.batch_size * 4, 28, 28, 1))
    dataset = tf.data.Dataset.from_tensor_slices(images.astype("float32"))
    dataset = dataset.batch(args.batch_size, drop_remainder=True).repeat()
    models = {policy: build(policy, weights) for policy in policies}
    times = {policy: [] for policy in policies}
    for round_index in range(args.rounds + 1):
        order = policies[round_index % len(policies) :] + policies[: round_index % len(policies)]
        for policy in order:
            wall, cpu = time.perf_counter(), time.process_time()
            models[policy].fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0)
            if round_index:  # round 0 traces the step
                times[policy].append((time.perf_counter() - wall, time.process_time() - cpu))
    images_per_round = args.steps * args.batch_size
    rows = {}
    for policy in policies:
        rows[policy] = (
            images_per_round / statistics.median(wall for wall, _ in times[policy]),
            1000 * statistics.median(cpu for _, cpu in times[policy]) / images_per_round,
        )
    base_speed, base_cpu = rows[policies[0]]
    print(f"batch {args.batch_size}, {args.steps} steps x {args.rounds} rounds, interleaved")
    print(f"{'policy':<16}{'images/s':>10}{'vs float32':>12}{'CPU ms/image':>14}{'vs float32':>12}")
    for policy, (speed, cpu) in rows.items():
        print(f"{policy:<16}{speed:>10.1f}{speed / base_speed:>11.2f}x{cpu:>14.2f}"
              f"{base_cpu / cpu:>11.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
