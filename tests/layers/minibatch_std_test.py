"""Tests for kgan/layers/minibatch_std.py: the batch's spread as extra feature maps."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.layers import minibatch_std


def reference(x, group_size, num_features, epsilon=1e-8):
    """StyleGAN2's minibatch_stddev_layer, transcribed to numpy in channels-last order."""
    n, h, w, c = x.shape
    g = min(group_size, n)
    while n % g:
        g -= 1
    y = x.astype(np.float64).reshape(g, n // g, h, w, num_features, c // num_features)
    y = y - y.mean(axis=0)
    y = np.sqrt((y**2).mean(axis=0) + epsilon).mean(axis=(1, 2, 4))  # [n // g, F]
    y = np.tile(y, (g, 1)).reshape(n, 1, 1, num_features)
    return np.concatenate([x, np.broadcast_to(y, (n, h, w, num_features))], axis=-1)


@pytest.mark.parametrize("batch, group_size, num_features", [(8, 4, 1), (8, 2, 2), (6, 4, 1)])
def test_equals_the_reference(batch, group_size, num_features):
    x = np.random.default_rng(0).normal(size=(batch, 3, 5, 4)).astype("float32")
    layer = minibatch_std.MinibatchStdDev(group_size, num_features)
    out = layer(x).numpy()
    assert out.shape == (batch, 3, 5, 4 + num_features)
    np.testing.assert_allclose(out, reference(x, group_size, num_features), rtol=1e-5)
    np.testing.assert_array_equal(out[..., :4], x)  # the inputs pass through unchanged


def test_a_collapsed_batch_gets_zero_spread():
    same = np.repeat(np.random.default_rng(1).normal(size=(1, 4, 4, 2)), 8, axis=0)
    out = minibatch_std.MinibatchStdDev()(same.astype("float32")).numpy()
    np.testing.assert_allclose(out[..., 2], 1e-4, atol=1e-6)  # sqrt(epsilon)
    varied = np.random.default_rng(2).normal(size=(8, 4, 4, 2)).astype("float32")
    assert minibatch_std.MinibatchStdDev()(varied).numpy()[..., 2].min() > 0.5


def test_any_batch_size_inside_a_graph():
    layer = minibatch_std.MinibatchStdDev(group_size=4)
    run = tf.function(layer, input_signature=[tf.TensorSpec([None, 2, 2, 3], tf.float32)])
    for batch in (1, 3, 5, 8):  # 5 is prime: groups of 1, where the spread is 0
        x = np.random.default_rng(batch).normal(size=(batch, 2, 2, 3)).astype("float32")
        np.testing.assert_allclose(run(x).numpy(), reference(x, 4, 1), rtol=1e-5, atol=1e-6)


def test_in_a_saved_discriminator(tmp_path):
    inputs = keras.Input((4, 4, 2))
    features = minibatch_std.MinibatchStdDev(group_size=2, num_features=2)(inputs)
    outputs = keras.layers.Dense(1)(keras.layers.Flatten()(features))
    model = keras.Model(inputs, outputs)
    assert model.layers[1].output.shape == (None, 4, 4, 4)
    model.save(tmp_path / "d.keras")
    loaded = keras.saving.load_model(tmp_path / "d.keras")
    assert loaded.layers[1].get_config()["num_features"] == 2
    x = np.random.default_rng(3).normal(size=(4, 4, 4, 2)).astype("float32")
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), rtol=1e-6)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="group_size must be a positive integer, got 0"):
        minibatch_std.MinibatchStdDev(group_size=0)
    with pytest.raises(ValueError, match="num_features=2 must divide the 3 channels"):
        minibatch_std.MinibatchStdDev(num_features=2)(np.zeros((4, 2, 2, 3), np.float32))
    with pytest.raises(ValueError, match=r"takes images \[batch, height, width, channels\]"):
        minibatch_std.MinibatchStdDev()(np.zeros((4, 3), np.float32))
