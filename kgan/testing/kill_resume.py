"""A training process to kill: `SIGKILL` mid-epoch, then resume from `BackupAndRestore`.

An exception raised inside `fit` (what `kgan.testing.test_case.run_backup_and_restore_test`
simulates) still runs Python's clean-up; a `SIGKILL`, an out-of-memory kill or a power loss does
not: whatever file was being written stays as it was. This module is the process to kill:

```
python -m kgan.testing.kill_resume RUN_DIR EPOCHS [STOP_EPOCH STOP_BATCH]
```

trains a tiny seeded GAN for `EPOCHS` epochs with `keras.callbacks.BackupAndRestore(RUN_DIR/
backup)` (which saves at every epoch's end through the objective's atomic `save_weights`) and
writes its final weights to `RUN_DIR/final.npz`. With a stop point it writes `RUN_DIR/stopped`
when it reaches that batch and then waits to be killed. `kill_and_resume(run_dir, ...)` does the
whole sequence from a test.
"""

import os
import signal
import subprocess
import sys
import time

import numpy as np

EPOCHS = 4
BATCHES = 4


def stop_and_wait(marker, epoch, batch):
    """A callback that, after `batch` of `epoch`, writes the file `marker` and waits forever
    (for the test that started the process to kill it there, mid-epoch)."""
    import keras

    class StopAndWait(keras.callbacks.Callback):
        def on_epoch_begin(self, current, logs=None):
            self.current = current

        def on_train_batch_end(self, current, logs=None):
            if (self.current, current) == (epoch, batch):
                with open(marker, "w") as file:
                    file.write(f"{epoch} {batch}\n")
                while True:  # the parent kills the process here, in the middle of the epoch
                    time.sleep(0.1)

    return StopAndWait()


def train(run_dir, epochs, stop=None):
    """Trains the tiny GAN with a backup in `run_dir`; writes `final.npz` with every weight."""
    import keras
    import tensorflow as tf

    from kgan.models import gan as gan_lib
    from kgan.testing import networks

    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(0)
    model = gan_lib.GAN(
        networks.tiny_image_generator(image_size=8),
        networks.tiny_image_discriminator(image_size=8),
        seed=5,
    )
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (BATCHES * 8, 8, 8, 1)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(8)
    callbacks = [keras.callbacks.BackupAndRestore(os.path.join(run_dir, "backup"))]
    if stop is not None:
        callbacks.append(stop_and_wait(os.path.join(run_dir, "stopped"), *stop))
    history = model.fit(dataset, epochs=epochs, verbose=0, callbacks=callbacks)
    state = {f"weight_{index}": weight.numpy() for index, weight in enumerate(model.weights)}
    for name, optimizer in model.network_optimizers.items():
        for index, variable in enumerate(optimizer.variables):
            state[f"{name}_{index}"] = np.asarray(variable.numpy())
    # epochs_run tells a resumed run (fewer epochs) from one that silently started over.
    np.savez(
        os.path.join(run_dir, "final.npz"), step=model.step, epochs_run=len(history.epoch), **state
    )


def _command(run_dir, epochs, stop=None):
    command = [sys.executable, "-m", "kgan.testing.kill_resume", str(run_dir), str(epochs)]
    return command + ([str(stop[0]), str(stop[1])] if stop else [])


def _environment():
    # One thread per op pool keeps the two runs' floating-point sums in one order.
    return dict(
        os.environ,
        TF_CPP_MIN_LOG_LEVEL="2",
        KERAS_BACKEND="tensorflow",
        TF_NUM_INTEROP_THREADS="1",
        TF_NUM_INTRAOP_THREADS="1",
    )


def run(run_dir, epochs=EPOCHS, timeout=300):
    """Trains to the end in a fresh process; returns the final state (`{name: array}`)."""
    os.makedirs(run_dir, exist_ok=True)
    completed = subprocess.run(
        _command(run_dir, epochs), capture_output=True, text=True, timeout=timeout,
        env=_environment(),
    )  # fmt: skip
    if completed.returncode != 0:
        raise RuntimeError(f"training in {run_dir} failed:\n{completed.stderr[-3000:]}")
    with np.load(os.path.join(run_dir, "final.npz")) as data:
        return dict(data)


def kill_and_resume(run_dir, stop, epochs=EPOCHS, timeout=300):
    """Starts training, `SIGKILL`s it at `stop = (epoch, batch)`, reruns it to the end.

    Returns:
        The resumed run's final state, as `run` returns it.
    """
    os.makedirs(run_dir, exist_ok=True)
    process = subprocess.Popen(
        _command(run_dir, epochs, stop), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=_environment(),
    )  # fmt: skip
    marker = os.path.join(run_dir, "stopped")
    deadline = time.monotonic() + timeout
    while not os.path.exists(marker):
        if process.poll() is not None:
            raise RuntimeError(f"training ended before the stop point:\n{process.stderr.read()}")
        if time.monotonic() > deadline:
            process.kill()
            raise TimeoutError("training did not reach the stop point in time")
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert not os.path.exists(os.path.join(run_dir, "final.npz"))
    return run(run_dir, epochs, timeout)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    stop = (int(argv[2]), int(argv[3])) if len(argv) > 3 else None
    train(argv[0], int(argv[1]), stop)


if __name__ == "__main__":
    main()
