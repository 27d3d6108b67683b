"""Gradient penalties against closed forms on critics whose gradients are known exactly."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.losses import penalties


def linear_critic(weights):
    """D(x) = w . x: its gradient is w everywhere, so every norm is ||w||."""
    w = tf.constant(weights, tf.float32)
    return lambda x, training=None: tf.reduce_sum(x * w, axis=list(range(1, x.shape.rank)))[:, None]


def test_gradient_penalty_of_a_linear_critic_is_closed_form():
    weights = np.array([3.0, 4.0], "float32")  # ||w|| = 5
    real = np.random.default_rng(0).normal(size=(6, 2)).astype("float32")
    fake = np.random.default_rng(1).normal(size=(6, 2)).astype("float32")
    gp = penalties.gradient_penalty(linear_critic(weights), real, fake)
    np.testing.assert_allclose(gp.numpy(), np.full(6, (5.0 - 1.0) ** 2), rtol=1e-5)
    # With a target the deviation is measured relative to it: ((5 - 2) / 2)^2.
    gp = penalties.gradient_penalty(linear_critic(weights), real, fake, target=2.0)
    np.testing.assert_allclose(gp.numpy(), np.full(6, 2.25), rtol=1e-5)


def test_gradient_penalty_is_per_example_at_the_interpolates():
    # D(x) = 0.5 * ||x||^2 has gradient x, so the norm at x_hat is ||x_hat||.
    def critic(x, training=None):
        return 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])[:, None]

    real = np.random.default_rng(2).normal(size=(4, 3, 3, 1)).astype("float32")
    fake = np.random.default_rng(3).normal(size=(4, 3, 3, 1)).astype("float32")
    alpha = np.array([0.0, 0.25, 0.5, 1.0], "float32")
    mixed = alpha[:, None, None, None] * real + (1 - alpha[:, None, None, None]) * fake
    expected = (np.sqrt((mixed**2).sum(axis=(1, 2, 3))) - 1.0) ** 2
    gp = penalties.gradient_penalty(critic, real, fake, alpha=alpha)
    np.testing.assert_allclose(gp.numpy(), expected, rtol=1e-5)


def test_interpolate_endpoints_and_range():
    real = np.ones((3, 2), "float32")
    fake = -np.ones((3, 2), "float32")
    mixed = penalties.interpolate(real, fake, alpha=np.array([1.0, 0.0, 0.75], "float32"))
    np.testing.assert_allclose(mixed.numpy(), [[1, 1], [-1, -1], [0.5, 0.5]])
    random = penalties.interpolate(real, fake).numpy()
    assert np.all(random >= -1) and np.all(random <= 1)
    # One alpha per example: both coordinates of a row are mixed alike.
    np.testing.assert_allclose(random[:, 0], random[:, 1])


def test_r1_penalty_is_the_squared_gradient_norm_on_real_data():
    weights = np.array([1.0, 2.0, 2.0], "float32")  # ||w||^2 = 9
    real = np.zeros((5, 3), "float32")
    np.testing.assert_allclose(
        penalties.r1_penalty(linear_critic(weights), real).numpy(), np.full(5, 9.0), rtol=1e-5
    )


def test_r2_penalty_is_the_squared_gradient_norm_on_generated_data_and_spares_the_generator():
    # D(x) = sum(x^2): the input gradient is 2x, so R2 = 4 |x|^2 per example, and it differs
    # from R1 on other points (R1 and R2 are the same function on different batches).
    fake = tf.constant([[1.0, 2.0], [0.0, 3.0]])
    real = tf.zeros((2, 2))

    def quadratic(x, training=True):
        return tf.reduce_sum(tf.square(x), axis=1, keepdims=True)

    with tf.GradientTape() as tape:
        tape.watch(fake)
        r2 = penalties.r2_penalty(quadratic, fake)
    np.testing.assert_allclose(r2.numpy(), [20.0, 36.0], rtol=1e-5)
    np.testing.assert_allclose(penalties.r1_penalty(quadratic, real).numpy(), [0.0, 0.0], atol=1e-5)
    # The samples are constants: the penalty trains only the discriminator.
    assert tape.gradient(tf.reduce_sum(r2), fake) is None


def test_gradient_penalty_trains_a_keras_critic_towards_unit_norm():
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
    critic.layers[0].kernel.assign([[3.0], [4.0]])
    optimizer = keras.optimizers.SGD(0.05)
    real = np.random.default_rng(4).normal(size=(16, 2)).astype("float32")
    fake = np.random.default_rng(5).normal(size=(16, 2)).astype("float32")
    # Each SGD step shrinks the excess norm by (1 - 2 * lr): 4 * 0.9^150 is about 1e-6.
    for _ in range(150):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(penalties.gradient_penalty(critic, real, fake))
        optimizer.apply_gradients(
            zip(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables)
        )
    np.testing.assert_allclose(np.linalg.norm(critic.layers[0].kernel.numpy()), 1.0, atol=1e-3)


def test_non_positive_target_is_rejected():
    with pytest.raises(ValueError, match="target must be positive"):
        penalties.gradient_penalty(linear_critic([1.0]), np.ones((1, 1)), np.ones((1, 1)), 0.0)
