"""Tests for kgan/layers/image_pool.py: the reference rule image by image, statistics, state."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.layers import image_pool

IMAGE_SHAPE = (2, 2, 1)


def numbered_images(first, num, dtype="float32"):
    """Images `first, first + 1, ...`, each filled with its own number (a unique id)."""
    ids = np.arange(first, first + num, dtype=dtype)
    return ids[:, None, None, None] * np.ones((num, *IMAGE_SHAPE), dtype)


def ids_of(images):
    return np.asarray(images)[:, 0, 0, 0].astype(int).tolist()


def seed(*values):
    return tf.constant(values, tf.int32)


@tf.function
def query(buffer, count, images, seed, pool_size):
    return image_pool.query_pool(buffer, count, images, seed, pool_size)


def empty_pool(pool_size):
    return tf.zeros((pool_size, *IMAGE_SHAPE)), tf.constant(0)


def test_the_first_pool_size_images_are_stored_and_returned_unchanged():
    pool = image_pool.ImagePool(pool_size=5)
    assert ids_of(pool(numbered_images(0, 3), seed(0, 0))) == [0, 1, 2]
    assert ids_of(pool(numbered_images(3, 2), seed(0, 1))) == [3, 4]
    assert int(pool.count) == 5
    assert ids_of(pool.buffer.numpy()) == [0, 1, 2, 3, 4]


def replay(stored, pool_size, new_ids, returned_ids):
    """Replays the reference rule on `stored` (a list of ids) from a batch's outputs.

    Returns the slots whose stored image was returned (and replaced by the new one).
    """
    swapped_slots = []
    for new_id, returned_id in zip(new_ids, returned_ids):
        if len(stored) < pool_size:
            assert returned_id == new_id  # filling: stored and returned as it is
            stored.append(new_id)
        elif returned_id != new_id:
            # The returned image must be a stored one, and the new image takes its slot.
            slot = stored.index(returned_id)
            stored[slot] = new_id
            swapped_slots.append(slot)
    return swapped_slots


def test_a_full_pool_follows_the_reference_rule_with_probability_one_half():
    pool_size, num, batch = 10, 2000, 100
    _, buffer, count = query(*empty_pool(pool_size), numbered_images(0, 10), seed(0, 0), 10)
    stored, swapped_slots = list(range(pool_size)), []
    for step in range(num // batch):
        first = pool_size + step * batch
        outputs, buffer, count = query(
            buffer, count, numbered_images(first, batch), seed(5, step), 10
        )
        new_ids = range(first, first + batch)
        swapped_slots += replay(stored, pool_size, new_ids, ids_of(outputs))
    assert ids_of(buffer) == stored and int(count) == pool_size
    # Binomial(2000, 0.5): 4 standard deviations are 4 * sqrt(2000 / 4), about 89 images.
    tolerance = 4 * np.sqrt(num * 0.5 * 0.5)
    assert abs(len(swapped_slots) - num * 0.5) <= tolerance, len(swapped_slots)
    assert set(swapped_slots) == set(range(pool_size))


def test_a_batch_crossing_the_full_boundary_fills_first_then_swaps():
    _, buffer, count = query(*empty_pool(4), numbered_images(0, 3), seed(1, 0), 4)
    outputs, buffer, count = query(buffer, count, numbered_images(3, 40), seed(1, 1), 4)
    stored = [0, 1, 2]
    assert replay(stored, 4, range(3, 43), ids_of(outputs))
    assert ids_of(buffer) == stored and int(count) == 4
    # Image 3 filled the pool early in this batch, so it can come back later in the same batch.
    assert 3 in ids_of(outputs)[1:]


def test_same_seed_same_result_and_different_seed_different():
    _, buffer, count = query(*empty_pool(4), numbered_images(0, 4), seed(0, 0), 4)
    images = numbered_images(4, 16)
    first = query(buffer, count, images, seed(2, 3), 4)
    again = query(buffer, count, images, seed(2, 3), 4)
    other = query(buffer, count, images, seed(2, 4), 4)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_pool_size_zero_is_the_identity():
    pool = image_pool.ImagePool(pool_size=0)
    images = np.random.default_rng(0).uniform(-1, 1, (3, *IMAGE_SHAPE)).astype("float32")
    np.testing.assert_array_equal(pool(images, seed(0, 0)), images)
    outputs, _, count = image_pool.query_pool(tf.zeros((0, 2, 2, 1)), 0, images, seed(0, 0), 0)
    np.testing.assert_array_equal(outputs, images)
    assert int(count) == 0


def test_mixed_precision_images_come_back_exactly_in_their_dtype():
    keras.config.set_dtype_policy("mixed_float16")
    try:
        pool = image_pool.ImagePool(pool_size=3)
        images = numbered_images(0, 9, dtype="float16") / 7
        outputs = pool(images, seed(0, 0))
    finally:
        keras.config.set_dtype_policy("float32")
    assert outputs.dtype == tf.float16 and pool.buffer.dtype == "float32"
    inputs = set(np.asarray(images)[:, 0, 0, 0].tolist())
    assert set(np.asarray(outputs)[:, 0, 0, 0].tolist()) <= inputs


def test_the_layer_in_a_tf_function_equals_eager_and_stops_gradients():
    eager, graph = image_pool.ImagePool(pool_size=3), image_pool.ImagePool(pool_size=3)
    images = tf.constant(numbered_images(0, 8))
    step = tf.function(lambda images, seed: graph(images, seed))
    np.testing.assert_array_equal(eager(images, seed(4, 0)), step(images, seed(4, 0)))
    np.testing.assert_array_equal(eager.buffer.numpy(), graph.buffer.numpy())
    with tf.GradientTape() as tape:
        tape.watch(images)
        outputs = eager(images, kgan.models.noise.step_seed(1, 2, 3))  # an int64 seed
    assert tape.gradient(outputs, images) is None


@keras.saving.register_keras_serializable(package="kgan_test")
class PoolOwner(keras.Model):
    """A model owning a pool, as the CycleGAN will."""

    def __init__(self, pool_size=4, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = pool_size
        self.pool = image_pool.ImagePool(pool_size)

    def build(self, input_shape):
        self.pool.build(input_shape)

    def call(self, images):
        return self.pool(images, seed(0, 0))

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size}


def test_the_pool_state_is_saved_and_loaded_with_the_model(tmp_path):
    model = PoolOwner(pool_size=4)
    model.build((None, *IMAGE_SHAPE))
    model.pool(numbered_images(0, 3), seed(0, 0))
    model.save(tmp_path / "owner.keras")
    loaded = keras.saving.load_model(tmp_path / "owner.keras")
    assert isinstance(loaded.pool, image_pool.ImagePool) and loaded.pool.pool_size == 4
    np.testing.assert_array_equal(loaded.pool.buffer.numpy(), model.pool.buffer.numpy())
    assert int(loaded.pool.count) == 3
    assert kgan.layers.ImagePool is image_pool.ImagePool


def test_errors_are_clear():
    with pytest.raises(ValueError, match="pool_size must be an integer >= 0"):
        image_pool.ImagePool(pool_size=-1)
    with pytest.raises(ValueError, match=r"\[batch, height, width, channels\]"):
        image_pool.ImagePool(pool_size=2)(np.zeros((3, 4), "float32"), seed(0, 0))
    pool = image_pool.ImagePool(pool_size=2)
    pool(numbered_images(0, 1), seed(0, 0))
    with pytest.raises(ValueError, match=r"built for images of shape \(2, 2, 1\)"):
        pool(np.zeros((1, 3, 3, 1), "float32"), seed(0, 1))
