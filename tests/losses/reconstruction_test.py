"""`kgan.losses.reconstruction`: per-example L1 against NumPy."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.losses import reconstruction


def test_l1_loss_is_the_mean_absolute_error_of_each_example():
    rng = np.random.default_rng(0)
    target = rng.uniform(-1, 1, (3, 4, 5, 2)).astype("float32")
    generated = rng.uniform(-1, 1, (3, 4, 5, 2)).astype("float32")
    loss = reconstruction.l1_loss(target, generated)
    assert loss.shape == (3,) and loss.dtype == tf.float32
    expected = np.abs(target.astype("float64") - generated).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-6)


def test_l1_loss_of_vectors_and_half_precision():
    np.testing.assert_allclose(reconstruction.l1_loss([1.0, -2.0], [0.5, 2.0]).numpy(), [0.5, 4.0])
    target = tf.constant([[0.25, -0.5]], tf.float16)
    loss = reconstruction.l1_loss(target, tf.zeros([1, 2], tf.float16))
    assert loss.dtype == tf.float32
    np.testing.assert_allclose(loss.numpy(), [0.375])


def test_l1_loss_is_zero_only_for_equal_images():
    images = tf.random.uniform([2, 3, 3, 1], -1, 1)
    np.testing.assert_array_equal(reconstruction.l1_loss(images, images).numpy(), [0.0, 0.0])
    assert np.all(reconstruction.l1_loss(images, images + 0.1).numpy() > 0)


def test_l1_loss_rejects_different_shapes_and_scalars():
    with pytest.raises(ValueError, match="same shape"):
        reconstruction.l1_loss(tf.zeros([2, 4, 4, 1]), tf.zeros([2, 4, 4, 3]))
    with pytest.raises(ValueError, match="batch axis"):
        reconstruction.l1_loss(1.0, 2.0)
