"""Shared checks for kgan objectives: fit, which network a step changes, and save/load.

Every objective's tests call these instead of repeating the set-up, so each test file keeps to
its assertions. The functions use plain `assert`s and NumPy, so they work under pytest or not.
"""

import keras
import numpy as np
import tensorflow as tf


def weights_of(network):
    """Copies of a network's trainable weights, as NumPy arrays."""
    return [np.array(variable.numpy()) for variable in network.trainable_variables]


def changed(before, network):
    """True if any trainable weight of `network` differs from the `before` snapshot."""
    return any(not np.array_equal(old, new) for old, new in zip(before, weights_of(network)))


def vector_dataset(num=128, dim=2, batch_size=32, seed=0):
    """An unshuffled dataset of uniform vectors in `[-1, 1]` (a fixed order, for exact tests)."""
    values = np.random.default_rng(seed).uniform(-1, 1, (num, dim)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(values).batch(batch_size, drop_remainder=True)


def image_dataset(num=64, image_size=8, channels=1, batch_size=16, seed=0, drop_remainder=True):
    """An unshuffled dataset of random images in `[-1, 1]`."""
    shape = (num, image_size, image_size, channels)
    values = np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")
    return tf.data.Dataset.from_tensor_slices(values).batch(
        batch_size, drop_remainder=drop_remainder
    )


def run_network_serialization_test(network, inputs, path):
    """Checks a network survives `.keras` save/load and `get_config`/`from_config` unchanged.

    A training call first moves batch-norm statistics and spectral-norm vectors off their initial
    values, so the round trips must carry real state, not just fresh initial values.

    Args:
        network: A functional `keras.Model`.
        inputs: A batch the network takes.
        path: Where to write the `.keras` file.
    """
    network(inputs, training=True)
    expected = keras.ops.convert_to_numpy(network(inputs))
    network.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(inputs)), expected)
    rebuilt = keras.Model.from_config(network.get_config())
    rebuilt.set_weights(network.get_weights())
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(rebuilt(inputs)), expected)


def run_gan_fit_test(model, dataset, expected_logs, epochs=1):
    """Fits `model` and checks the logs' keys are exactly `expected_logs`, all finite, and that
    both networks' weights changed.

    Returns:
        The `History` object.
    """
    generator_before = weights_of(model.generator)
    discriminator_before = weights_of(model.discriminator)
    history = model.fit(dataset, epochs=epochs, verbose=0)
    assert set(history.history) == set(expected_logs), sorted(history.history)
    for key, values in history.history.items():
        assert len(values) == epochs and np.all(np.isfinite(values)), (key, values)
    assert changed(generator_before, model.generator), "fit did not update the generator"
    assert changed(discriminator_before, model.discriminator), "fit did not update the critic"
    return history


def run_model_saving_test(model, path, dataset, inputs):
    """Saves `model` to `path` (a `.keras` file) and checks the loaded copy: same class, same
    output on `inputs`, both optimizers' iterations and slot variables restored, and `fit`
    continues from the restored step.

    Returns:
        The loaded model.
    """
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model), (type(loaded), type(model))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded(inputs, training=False)),
        keras.ops.convert_to_numpy(model(inputs, training=False)),
    )
    for original, restored in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(restored.numpy(), original.numpy(), err_msg=original.path)
    for name in ("generator_optimizer", "discriminator_optimizer"):
        original, restored = getattr(model, name), getattr(loaded, name)
        steps = int(original.iterations.numpy())
        assert int(restored.iterations.numpy()) == steps > 0, name
        assert len(restored.variables) == len(original.variables), name
        for old, new in zip(original.variables, restored.variables):
            np.testing.assert_array_equal(new.numpy(), old.numpy(), err_msg=f"{name}: {old.path}")
    steps = int(loaded.generator_optimizer.iterations.numpy())
    loaded.fit(dataset, epochs=1, verbose=0)
    assert int(loaded.generator_optimizer.iterations.numpy()) > steps
    return loaded


class InterruptAt(keras.callbacks.Callback):
    """Raises `RuntimeError("simulated crash")` after training batch `batch` of epoch `epoch`."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.current, batch) == (self.epoch, self.batch):
            raise RuntimeError("simulated crash")


def run_backup_and_restore_test(make_model, dataset, backup_dir, epochs, interrupt_at):
    """Checks that training interrupted and resumed by `BackupAndRestore` is bit-exact.

    Args:
        make_model: Function returning the same compiled model each call (seed it inside).
        dataset: A dataset with a fixed order.
        backup_dir: Folder for the backup.
        epochs: Epochs of each run.
        interrupt_at: `(epoch, batch)` after which the interrupted run crashes.
    """
    reference = make_model()
    reference.fit(dataset, epochs=epochs, verbose=0)
    backup = keras.callbacks.BackupAndRestore(str(backup_dir))
    crash = InterruptAt(*interrupt_at)
    try:
        make_model().fit(dataset, epochs=epochs, verbose=0, callbacks=[backup, crash])
    except RuntimeError as error:
        assert "simulated crash" in str(error), error
    else:
        raise AssertionError("the interrupted run did not crash")
    resumed = make_model()
    resumed.fit(dataset, epochs=epochs, verbose=0, callbacks=[backup])
    assert int(resumed.generator_optimizer.iterations) == int(
        reference.generator_optimizer.iterations
    )
    for a, b in zip(reference.weights, resumed.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
