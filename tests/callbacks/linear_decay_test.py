"""Tests for kgan/callbacks/linear_decay.py: the schedule per step and per epoch, resume, errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.callbacks import linear_decay
from kgan.testing import networks
from kgan.testing import test_case

NAMES = ("discriminator_optimizer", "generator_optimizer")
# Two-time-scale rates (TTUR); float32, as the optimizers hold them.
BASES = {name: float(np.float32(rate)) for name, rate in zip(NAMES, (4e-4, 1e-4))}
# LinearDecay(1, 2) on 4 steps per epoch: steps 0-3 constant, then (12 - t) / (8 + 1) by hand.
FACTORS = [1, 1, 1, 1, 8 / 9, 7 / 9, 6 / 9, 5 / 9, 4 / 9, 3 / 9, 2 / 9, 1 / 9]


def make_gan():
    gan = kgan.GAN(networks.tiny_vector_generator(), networks.tiny_vector_discriminator(), seed=7)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-4),
        discriminator_optimizer=keras.optimizers.Adam(4e-4),
    )
    return gan


class RateRecorder(keras.callbacks.Callback):
    """Records the rates each training step is about to use."""

    def __init__(self):
        super().__init__()
        self.rates = {name: [] for name in NAMES}

    def on_train_batch_begin(self, batch, logs=None):
        for name in NAMES:
            self.rates[name].append(rate_of(self.model, name))


def rate_of(model, name):
    return float(getattr(model, name).learning_rate.numpy())


def fit(gan, callbacks, dataset=None, **kwargs):
    recorder = RateRecorder()
    dataset = test_case.vector_dataset() if dataset is None else dataset
    history = gan.fit(dataset, verbose=0, callbacks=[*callbacks, recorder], **kwargs)
    return recorder.rates, history.history


def expected(name, factors):
    return [BASES[name] * factor for factor in factors]


def test_rates_are_constant_then_decay_linearly_per_step_to_exactly_zero():
    gan = make_gan()
    rates, logs = fit(gan, [linear_decay.LinearDecay(1, 2)], epochs=3)
    for name in NAMES:
        assert rates[name][:4] == [BASES[name]] * 4  # exactly the base before the decay
        np.testing.assert_allclose(rates[name], expected(name, FACTORS), rtol=1e-6)
        assert rate_of(gan, name) == 0.0  # after the last step
        # The logs hold the rate of each epoch's last step.
        np.testing.assert_allclose(logs[f"{name}_lr"], expected(name, [1, 5 / 9, 1 / 9]), rtol=1e-6)
    # Both optimizers driven, their ratio kept.
    ratios = np.divide(rates["discriminator_optimizer"], rates["generator_optimizer"])
    np.testing.assert_allclose(ratios, 4.0, rtol=1e-6)


def test_resuming_a_reloaded_model_in_the_decay_continues_the_schedule(tmp_path):
    gan = make_gan()
    fit(gan, [linear_decay.LinearDecay(1, 2)], epochs=2)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.saving.load_model(tmp_path / "gan.keras")
    rates, _ = fit(loaded, [linear_decay.LinearDecay(1, 2)], epochs=3, initial_epoch=2)
    for name in NAMES:
        np.testing.assert_allclose(rates[name], expected(name, FACTORS[8:]), rtol=1e-6)
        assert rate_of(loaded, name) == 0.0


def test_backup_and_restore_resumes_the_schedule(tmp_path):
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    with pytest.raises(RuntimeError, match="simulated crash"):
        fit(
            make_gan(),
            [backup, linear_decay.LinearDecay(1, 2), test_case.InterruptAt(2, 1)],
            epochs=3,
        )
    rates, _ = fit(make_gan(), [backup, linear_decay.LinearDecay(1, 2)], epochs=3)
    for name in NAMES:  # epoch 2 replayed, with the rates of an uninterrupted run
        np.testing.assert_allclose(rates[name], expected(name, FACTORS[8:]), rtol=1e-6)


@pytest.mark.filterwarnings("ignore:Your input ran out of data")
def test_unknown_steps_per_epoch_falls_back_to_per_epoch_updates():
    gan = make_gan()
    unknown_length = test_case.vector_dataset().filter(lambda batch: True)
    assert unknown_length.cardinality() == tf.data.UNKNOWN_CARDINALITY
    rates, logs = fit(gan, [linear_decay.LinearDecay(1, 2)], dataset=unknown_length, epochs=3)
    for name in NAMES:
        # Keras begins a fifth batch per epoch before it finds the data exhausted.
        per_epoch = np.reshape(rates[name], (3, 5))
        assert np.all(per_epoch == per_epoch[:, :1]) and per_epoch[0, 0] == BASES[name]
        # Per epoch: (3 - epoch) / (2 + 1), the authors' rule.
        np.testing.assert_allclose(per_epoch[:, 0], expected(name, [1, 2 / 3, 1 / 3]), rtol=1e-6)
        np.testing.assert_allclose(logs[f"{name}_lr"], per_epoch[:, 0], rtol=1e-6)
        assert rate_of(gan, name) == 0.0


def test_named_optimizers_and_a_decay_from_the_first_step():
    gan = make_gan()
    decay = linear_decay.LinearDecay(0, 1, optimizers=["generator_optimizer"])
    rates, logs = fit(gan, [decay], epochs=1)
    # No constant phase: (4 - t) / (4 + 1) from the first step, from the compiled base rate.
    base = BASES["generator_optimizer"]
    np.testing.assert_allclose(rates["generator_optimizer"], [base * k / 5 for k in (4, 3, 2, 1)])
    assert rates["discriminator_optimizer"] == [BASES["discriminator_optimizer"]] * 4
    assert "discriminator_optimizer_lr" not in logs and rate_of(gan, "generator_optimizer") == 0


def test_model_optimizer_is_driven_from_given_base_rates_and_logged():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    decay = linear_decay.LinearDecay(1, 1, base_learning_rates={"optimizer": 0.2})
    history = model.fit(
        np.zeros((8, 2)), np.zeros((8, 1)), batch_size=4, epochs=2, verbose=0, callbacks=[decay]
    )
    # Two steps per epoch: the last steps of the epochs are t = 1 and 3, (4 - t) / (2 + 1).
    np.testing.assert_allclose(history.history["optimizer_lr"], [0.2, 0.2 / 3], rtol=1e-6)
    assert float(model.optimizer.learning_rate.numpy()) == 0.0


def start(decay, model, epochs=3, steps=4):
    decay.set_model(model)
    decay.set_params({"epochs": epochs, "steps": steps, "verbose": 0})
    decay.on_train_begin()


def test_errors_are_clear():
    for args in [(-1, 2), (1, -2), (0, 0), (1.5, 2)]:
        with pytest.raises(ValueError, match="must be an integer >= 0|both 0"):
            linear_decay.LinearDecay(*args)
    uncompiled = kgan.GAN(networks.tiny_vector_generator(), networks.tiny_vector_discriminator())
    with pytest.raises(ValueError, match="found no optimizer"):
        start(linear_decay.LinearDecay(1, 2), uncompiled)
    gan = make_gan()
    with pytest.raises(ValueError, match="'critic_optimizer' is not a keras.optimizers"):
        start(linear_decay.LinearDecay(1, 2, optimizers=["critic_optimizer"]), gan)
    with pytest.raises(ValueError, match="base_learning_rates has keys"):
        start(linear_decay.LinearDecay(1, 2, base_learning_rates={"generator_optimizer": 1}), gan)
    with pytest.warns(UserWarning, match="stay 0 for the last 2 epochs"):
        start(decay := linear_decay.LinearDecay(1, 2), gan, epochs=5)
    gan.generator_optimizer.learning_rate = 0.0
    with pytest.raises(ValueError, match="Pass base_learning_rates"):
        decay.on_epoch_begin(3)
    scheduled = keras.optimizers.schedules.ExponentialDecay(1e-3, 10, 0.5)
    gan.compile(generator_optimizer=keras.optimizers.Adam(scheduled))
    with pytest.raises(ValueError, match="schedule or a callable"):
        start(linear_decay.LinearDecay(1, 2), gan)


def test_decay_factor_and_config():
    assert [linear_decay.decay_factor(t, 2, 3) for t in range(7)] == [1, 1, 0.75, 0.5, 0.25, 0, 0]
    decay = linear_decay.LinearDecay(3, 4, optimizers=["generator_optimizer"])
    assert linear_decay.LinearDecay(**decay.get_config()).get_config() == decay.get_config()
    assert kgan.callbacks.LinearDecay is linear_decay.LinearDecay
