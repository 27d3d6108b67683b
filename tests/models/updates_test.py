"""Tests for kgan/models/updates.py: the global mean, the optimizers, applying a gradient."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.models import noise
from kgan.models import updates


def linear(name, weight):
    """A one-weight network `y = w * x` with `w` set to `weight`."""
    network = keras.Sequential(
        [keras.Input((1,)), keras.layers.Dense(1, use_bias=False)], name=name
    )
    network.set_weights([np.array([[weight]], "float32")])
    return network


def weight_of(network):
    return float(network.get_weights()[0][0, 0])


def test_global_mean_divides_by_the_global_batch():
    layout = noise.BatchLayout(
        size=tf.constant(3), offset=tf.constant(2), global_size=tf.constant(8)
    )
    value = updates.global_mean(tf.constant([1.0, 2.0, 5.0]), layout)
    # (1 + 2 + 5) / 8, not the replica's own mean 8 / 3.
    assert float(value) == pytest.approx(1.0)


def test_one_loss_updates_each_network_with_its_own_optimizer():
    first, second = linear("first", 2.0), linear("second", -1.0)
    pairs = [
        (keras.optimizers.SGD(learning_rate=0.1), first),
        (keras.optimizers.SGD(learning_rate=0.5), second),
    ]
    x = tf.constant([[3.0]])
    with tf.GradientTape(persistent=True) as tape:
        # loss = w1 * 3 + (w2 * 3)^2: d/dw1 = 3, d/dw2 = 18 * w2 = -18.
        loss = tf.reduce_sum(first(x)) + tf.reduce_sum(tf.square(second(x)))
    updates.apply_gradients(tape, loss, pairs)
    assert weight_of(first) == pytest.approx(2.0 - 0.1 * 3.0)
    assert weight_of(second) == pytest.approx(-1.0 + 0.5 * 18.0)


def test_a_scaled_optimizer_gives_the_unscaled_update():
    plain, scaled = linear("plain", 1.5), linear("scaled", 1.5)
    optimizers = [
        keras.optimizers.SGD(learning_rate=0.1),
        keras.optimizers.LossScaleOptimizer(
            keras.optimizers.SGD(learning_rate=0.1), initial_scale=1024.0
        ),
    ]
    x = tf.constant([[2.0]])
    with tf.GradientTape(persistent=True) as tape:
        loss = tf.reduce_sum(tf.square(plain(x))) + tf.reduce_sum(tf.square(scaled(x)))
    updates.apply_gradients(tape, loss, list(zip(optimizers, [plain, scaled])))
    # d/dw (2w)^2 = 8w = 12: both move by 1.2, the scale of 1024 undone by the optimizer.
    assert weight_of(plain) == pytest.approx(1.5 - 1.2)
    assert weight_of(scaled) == pytest.approx(1.5 - 1.2)


def test_a_loss_that_does_not_reach_the_network_is_refused_by_name():
    used, unused = linear("used", 1.0), linear("forgotten_critic", 1.0)
    x = tf.constant([[1.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(used(x))
    pairs = [(keras.optimizers.SGD(), used), (keras.optimizers.SGD(), unused)]
    with pytest.raises(ValueError, match="does not depend on network 'forgotten_critic'"):
        updates.apply_gradients(tape, loss, pairs)


def test_make_optimizer_defaults_to_dcgan_adam_and_wraps_under_float16():
    default = updates.make_optimizer(None)
    assert isinstance(default, keras.optimizers.Adam)
    assert float(default.learning_rate) == pytest.approx(2e-4) and default.beta_1 == 0.5
    assert isinstance(updates.make_optimizer("sgd"), keras.optimizers.SGD)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        wrapped = updates.make_optimizer("adam")
        kept = updates.make_optimizer("adam", auto_scale_loss=False)
    finally:
        keras.config.set_dtype_policy(previous)
    assert isinstance(wrapped, keras.optimizers.LossScaleOptimizer)
    assert not isinstance(kept, keras.optimizers.LossScaleOptimizer)


def test_collect_optimizers_by_position_and_name_and_its_errors():
    adam, sgd = keras.optimizers.Adam(), keras.optimizers.SGD()
    names = ("generator_optimizer", "discriminator_optimizer")
    kwargs = {"discriminator_optimizer": sgd, "metrics": None}
    assert updates.collect_optimizers("GAN", names, (adam,), kwargs) == {
        "generator_optimizer": adam,
        "discriminator_optimizer": sgd,
    }
    assert kwargs == {}
    with pytest.raises(ValueError, match="own optimizer instance"):
        updates.collect_optimizers("GAN", names, (adam, adam), {})
    with pytest.raises(TypeError, match="both by position and by name"):
        updates.collect_optimizers("GAN", names, (adam,), {"generator_optimizer": sgd})
    with pytest.raises(TypeError, match="its optimizers are generator_optimizer"):
        updates.collect_optimizers("GAN", names, (), {"critic_optimizer": sgd})
    with pytest.raises(TypeError, match="at most 2 optimizers"):
        updates.collect_optimizers("GAN", names, (adam, sgd, "rmsprop"), {})
    with pytest.raises(ValueError, match="does not take `loss_weights`"):
        updates.collect_optimizers("GAN", names, (), {"loss_weights": [1.0]})
