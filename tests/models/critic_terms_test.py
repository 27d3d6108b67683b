"""Tests for kgan/models/critic_terms.py: lazy R1/R2 (StyleGAN2) against every-step penalties,
and the adjusted Adam that goes with it."""

import keras
import numpy as np
import pytest

import kgan
from kgan.testing import networks
from kgan.testing import test_case


def tiny_gan():
    keras.utils.set_random_seed(7)
    return kgan.GAN(networks.tiny_vector_generator(), networks.tiny_vector_discriminator(), seed=2)


def weights(model):
    return [w.numpy().copy() for w in model.weights]


@pytest.mark.parametrize("penalty", ["r1_weight", "r2_weight"])
def test_a_lazy_penalty_is_the_every_step_one_times_k_on_every_kth_step(penalty):
    data = test_case.vector_dataset(num=32, batch_size=16)  # two steps
    lazy = tiny_gan()
    lazy.compile("sgd", "sgd", **{penalty: 0.5}, regularization_interval=2)
    history = lazy.fit(data, epochs=1, verbose=0)
    # By hand: step 0 takes the penalty at twice its weight, step 1 none.
    eager = tiny_gan()
    eager.compile("sgd", "sgd", **{penalty: 1.0})
    eager.fit(data.take(1), epochs=1, verbose=0)
    eager.compile("sgd", "sgd")
    eager.fit(data.skip(1), epochs=1, verbose=0)
    assert lazy.step == eager.step == 2
    for a, b in zip(weights(lazy), weights(eager)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    # The log averages the regularized step only (one of the two), and is logged.
    assert penalty[:2] in history.history and history.history[penalty[:2]][0] > 0


def test_lazy_adam_applies_the_stylegan2_adjustment_once(tmp_path):
    optimizer = kgan.models.lazy_adam(2e-3, beta_1=0.0, beta_2=0.99, interval=16)
    ratio = 16 / 17
    assert float(optimizer.learning_rate) == pytest.approx(2e-3 * ratio)
    assert optimizer.beta_1 == 0.0 and optimizer.beta_2 == pytest.approx(0.99**ratio)
    gan = tiny_gan()
    gan.compile(discriminator_optimizer=optimizer, r1_weight=1.0, regularization_interval=16)
    gan.fit(test_case.vector_dataset(num=32), epochs=1, verbose=0)
    gan.save(tmp_path / "lazy.keras")
    loaded = keras.saving.load_model(tmp_path / "lazy.keras")
    restored = loaded.discriminator_optimizer
    assert float(restored.learning_rate) == pytest.approx(2e-3 * ratio)
    assert restored.beta_2 == pytest.approx(0.99**ratio) and loaded.regularization_interval == 16


@pytest.mark.parametrize("interval", [0, -2, 1.5, True])
def test_bad_intervals_are_refused(interval):
    with pytest.raises(ValueError, match="regularization_interval must be a positive integer"):
        tiny_gan().compile(r1_weight=1.0, regularization_interval=interval)
    if not isinstance(interval, float):
        with pytest.raises(ValueError, match="interval must be a positive integer"):
            kgan.models.lazy_adam(interval=interval)
