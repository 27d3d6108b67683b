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


def network_weights(model):
    """An objective's weights without its step counter (networks and state such as pools)."""
    return [weight for weight in model.weights if weight is not model.step_counter]


def trained_networks(model):
    """`{role: network}` of every network an objective trains (one per optimizer)."""
    return {role: getattr(model, role) for role in model.NETWORKS}


def run_gan_fit_test(model, dataset, expected_logs, epochs=1):
    """Fits `model` and checks the logs' keys are exactly `expected_logs`, all finite, that every
    network's weights changed and that the step counter counted the steps.

    Works for any objective on `kgan.models.AdversarialModel` (its `NETWORKS` are checked).

    Returns:
        The `History` object.
    """
    before = {role: weights_of(network) for role, network in trained_networks(model).items()}
    step = model.step
    history = model.fit(dataset, epochs=epochs, verbose=0)
    assert set(history.history) == set(expected_logs), sorted(history.history)
    for key, values in history.history.items():
        assert len(values) == epochs and np.all(np.isfinite(values)), (key, values)
    for role, network in trained_networks(model).items():
        assert changed(before[role], network), f"fit did not update the {role}"
    steps = int(dataset.cardinality()) * epochs if dataset.cardinality() > 0 else None
    if steps is not None:
        assert model.step == step + steps, (model.step, step, steps)
    return history


def assert_same_state(model, other, message=""):
    """Checks two objectives hold bit-identical state: every weight (networks, step counter,
    pools, ...) and every optimizer variable, as `state_variables()` lists them."""
    # Compared in order: Keras makes layer names unique per session, so two instances of one
    # objective have different variable paths.
    state, other_state = model.state_variables(), other.state_variables()
    assert len(state) == len(other_state), (message, len(state), len(other_state))
    for (path, variable), other_variable in zip(state.items(), other_state.values()):
        assert variable.shape == other_variable.shape, (message, path)
        np.testing.assert_array_equal(
            other_variable.numpy(), variable.numpy(), err_msg=f"{message} {path}"
        )


def run_model_saving_test(model, path, dataset, inputs):
    """Saves `model` to `path` (a `.keras` file) and checks the loaded copy: same class, same
    output on `inputs`, every weight, the step counter and every optimizer's iterations and
    slot variables restored, and `fit` continues from the restored step.

    Works for any objective on `kgan.models.AdversarialModel`; `model` must have trained.

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
    assert loaded.step == model.step > 0, (loaded.step, model.step)
    for name, optimizer in model.network_optimizers.items():
        restored = loaded.network_optimizers[name]
        assert int(restored.iterations.numpy()) == int(optimizer.iterations.numpy()) > 0, name
        assert len(restored.variables) == len(optimizer.variables), name
    assert_same_state(model, loaded, "after loading:")
    steps = loaded.step
    loaded.fit(dataset, epochs=1, verbose=0)
    assert loaded.step > steps
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
    """Checks that training interrupted and resumed by `BackupAndRestore` is bit-exact: the
    step, every weight and every optimizer variable equal an uninterrupted run's.

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
    assert resumed.step == reference.step, (resumed.step, reference.step)
    assert_same_state(reference, resumed, "after resuming:")
