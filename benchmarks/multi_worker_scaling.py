"""Images per second of `kgan.GAN.fit` with 1 and 2 `MultiWorkerMirroredStrategy` workers.

Trains the TensorFlow DCGAN tutorial's MNIST networks (`networks_tf_tutorial.py`, latent 100,
28x28x1) on the same global batches of random images in [-1, 1] in three set-ups, one after the
other on this machine:

- `one process`: plain `fit` (no strategy), TensorFlow using every core;
- `1 worker`: the same under `MultiWorkerMirroredStrategy` with a cluster of one (kgan's
  multi-worker loop is not used for a single worker: this is Keras' `fit`);
- `2 workers`: two processes on 127.0.0.1 (loopback gRPC), each limited to one thread pool of
  one thread (`TF_NUM_INTRAOP_THREADS=1`), each taking half of every global batch through
  kgan's own loop, the gradients all-reduced every step.

Each run does `--epochs` epochs of `--steps` steps; the first epoch (tracing, warm-up) is not
timed. Wall time of the chief. This measures the loop and the all-reduce on one machine, not a
cluster's network; run it on an otherwise idle machine.

    python benchmarks/multi_worker_scaling.py --batch 128 --steps 20 --epochs 3
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def worker(role, ports, batch, steps, epochs):
    """One training process; prints `{"images_per_second": ...}` as its last line."""
    if role != "plain":
        cluster = {"worker": [f"127.0.0.1:{port}" for port in ports.split(",")]}
        index = int(role)
        os.environ["TF_CONFIG"] = json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": index}}
        )
    import keras
    import numpy as np
    import tensorflow as tf

    sys.path.insert(0, HERE)
    import networks_tf_tutorial

    import kgan

    strategy = (
        tf.distribute.get_strategy()
        if role == "plain"
        else tf.distribute.MultiWorkerMirroredStrategy()
    )
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = kgan.GAN(
            networks_tf_tutorial.generator(), networks_tf_tutorial.discriminator(), seed=0
        )
        model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (batch * steps, 28, 28, 1)).astype("float32")
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(batch).with_options(options)
    starts = []

    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            starts.append(time.perf_counter())

        def on_train_end(self, logs=None):
            starts.append(time.perf_counter())

    model.fit(dataset, epochs=epochs, verbose=0, callbacks=[Clock()])
    if not starts:  # a non-chief worker: kgan runs the (timing) callbacks on the chief only
        print(json.dumps({"images_per_second": None}))
        return
    seconds = starts[-1] - starts[1]
    print(json.dumps({"images_per_second": batch * steps * (epochs - 1) / seconds}))


def launch(roles, ports, args, threads=None):
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if threads:
        environment.update(TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS="1")
    command = [sys.executable, __file__, "--role"]
    extra = ["--ports", ports, "--batch", str(args.batch), "--steps", str(args.steps)]
    extra += ["--epochs", str(args.epochs)]
    processes = [
        subprocess.Popen(
            [*command, role, *extra], stdout=subprocess.PIPE, text=True, env=environment
        )
        for role in roles
    ]
    outputs = [process.communicate()[0] for process in processes]
    if any(process.returncode for process in processes):
        raise SystemExit("a training process failed")
    return json.loads(outputs[0].strip().splitlines()[-1])["images_per_second"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--role")
    parser.add_argument("--ports", default="")
    args = parser.parse_args()
    if args.role is not None:
        worker(args.role, args.ports, args.batch, args.steps, args.epochs)
        return
    from kgan.testing import multi_worker

    one = launch(["plain"], "", args)
    single_port = str(multi_worker.free_ports(1)[0])
    one_worker = launch(["0"], single_port, args)
    ports = ",".join(str(port) for port in multi_worker.free_ports(2))
    two = launch(["0", "1"], ports, args, threads=1)
    print(f"global batch {args.batch}, {args.steps} steps x {args.epochs - 1} timed epochs")
    print(f"{'set-up':<34}{'images/s':>10}{'vs one process':>16}")
    for name, value in (
        ("one process (all cores)", one),
        ("1 worker (MultiWorkerMirrored)", one_worker),
        ("2 workers (1 thread each, loopback)", two),
    ):
        print(f"{name:<34}{value:>10.1f}{value / one:>15.2f}x")


if __name__ == "__main__":
    main()
