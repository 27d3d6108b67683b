"""Two `MultiWorkerMirroredStrategy` workers on 127.0.0.1, started by a test, against one device.

```
python -m kgan.testing.multi_worker OUT INDEX PORTS [OPTIONS]  # a worker (PORTS: "p0,p1")
python -m kgan.testing.multi_worker OUT single - [OPTIONS]      # the same on one device
```

Each run trains the tiny GAN of `train` on the same global batches and writes its weights and
final logs to `OUT/<worker index or "single">.npz`; `run_workers` and `run_single` start them as
processes (free ports, `TF_CONFIG` per worker) and read the results back.
"""

import json
import os
import socket
import subprocess
import sys

import numpy as np

from kgan.testing import kill_resume

GLOBAL_BATCH = 16
NUM_EXAMPLES = 64
EPOCHS = 2


def free_ports(count):
    """`count` TCP ports free on 127.0.0.1 right now."""
    sockets = [socket.socket() for _ in range(count)]
    for item in sockets:
        item.bind(("127.0.0.1", 0))
    ports = [item.getsockname()[1] for item in sockets]
    for item in sockets:
        item.close()
    return ports


def train(out, name, strategy, epochs=EPOCHS, backup=None, stop=None):
    """Trains the tiny GAN under `strategy`; writes `out/<name>.npz` (weights, logs, step) and,
    through a `CSVLogger`, `out/log_<name>.csv` (on the chief only, under several workers).

    With `backup` a `BackupAndRestore(backup)` joins the callbacks; with `stop = (epoch, batch)`
    the process writes `out/stopped_<name>` there and waits to be killed."""
    import keras
    import tensorflow as tf

    from kgan.models import gan as gan_lib
    from kgan.testing import networks

    with strategy.scope():
        keras.utils.set_random_seed(21)
        model = gan_lib.GAN(
            networks.tiny_image_generator(), networks.tiny_image_discriminator(), seed=5
        )
        model.compile()
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (NUM_EXAMPLES, 8, 8, 1)).astype("float32")
    options = tf.data.Options()
    # Each worker takes its share of every global batch (not whole files): the same split as
    # MirroredStrategy's, so the run can equal one device's.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(GLOBAL_BATCH).with_options(options)
    # A file-writing callback: only the chief's run may write its CSV.
    callbacks = [keras.callbacks.CSVLogger(os.path.join(out, f"log_{name}.csv"))]
    if backup is not None:
        callbacks.append(keras.callbacks.BackupAndRestore(backup))
    if stop is not None:
        callbacks.append(kill_resume.stop_and_wait(os.path.join(out, f"stopped_{name}"), *stop))
    history = model.fit(dataset, epochs=epochs, verbose=0, callbacks=callbacks)
    weights = {f"weight_{index}": np.asarray(w.numpy()) for index, w in enumerate(model.weights)}
    logs = {f"log_{key}": np.asarray(values, "float64") for key, values in history.history.items()}
    results = dict(step=model.step, epochs_run=len(history.epoch), **weights, **logs)
    np.savez(os.path.join(out, f"{name}.npz"), **results)


def _environment():
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", KERAS_BACKEND="tensorflow")


def _read(out, name):
    with np.load(os.path.join(out, f"{name}.npz")) as data:
        return dict(data)


def _start(out, name, ports, options):
    command = [sys.executable, "-m", "kgan.testing.multi_worker", str(out), name, ports]
    return subprocess.Popen(
        [*command, json.dumps(options)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )


def _finish(processes, timeout):
    """Waits for every process; raises with the stderr of those that failed."""
    failures = []
    for index, process in enumerate(processes):
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            raise
        if process.returncode != 0:
            failures.append(f"process {index}:\n{stderr[-3000:]}")
    if failures:
        raise RuntimeError("\n".join(failures))


def run_workers(out, num_workers=2, timeout=300, **options):
    """Starts `num_workers` worker processes on free loopback ports; returns their results.

    `options` go to `train` (`epochs`, `backup`)."""
    os.makedirs(out, exist_ok=True)
    ports = ",".join(str(port) for port in free_ports(num_workers))
    processes = [_start(out, str(index), ports, options) for index in range(num_workers)]
    _finish(processes, timeout)
    return [_read(out, str(index)) for index in range(num_workers)]


def kill_and_restart(out, stop, num_workers=2, timeout=300, **options):
    """Starts the workers with a `BackupAndRestore` in `out/backup`, `SIGKILL`s the chief when
    it reaches `stop = (epoch, batch)` (then the others, stuck in the step's collective), and
    restarts them all with the same command; returns the restarted workers' results."""
    import time

    os.makedirs(out, exist_ok=True)
    options = {**options, "backup": os.path.join(str(out), "backup")}
    ports = ",".join(str(port) for port in free_ports(num_workers))
    stopping = {**options, "stop": list(stop)}
    processes = [_start(out, str(index), ports, stopping) for index in range(num_workers)]
    marker = os.path.join(str(out), "stopped_0")
    deadline = time.monotonic() + timeout
    while not os.path.exists(marker):
        if time.monotonic() > deadline or processes[0].poll() is not None:
            for process in processes:
                process.kill()
            raise RuntimeError(f"the chief did not reach {stop}: {processes[0].stderr.read()}")
        time.sleep(0.1)
    for process in processes:  # the chief first: the worker that dies
        process.kill()
        process.communicate()
    os.remove(marker)
    return run_workers(out, num_workers, timeout, **options)


def run_single(out, timeout=300, **options):
    """The same training on one device, in a fresh process; returns its result."""
    os.makedirs(out, exist_ok=True)
    process = _start(out, "single", "-", options)
    _finish([process], timeout)
    return _read(out, "single")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out, name = argv[0], argv[1]
    options = json.loads(argv[3]) if len(argv) > 3 else {}
    if options.get("stop") is not None:
        options["stop"] = tuple(options["stop"])
    if name != "single":
        cluster = {"worker": [f"127.0.0.1:{port}" for port in argv[2].split(",")]}
        os.environ["TF_CONFIG"] = json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": int(name)}}
        )
    import tensorflow as tf

    if name == "single":
        strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    else:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    train(out, name, strategy, **options)


if __name__ == "__main__":
    main()
