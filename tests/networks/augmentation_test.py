"""Tests for kgan/networks/augmentation.py: shifts in training only, on the images input only."""

import keras
import numpy as np
import pytest

from kgan.networks import augmentation


def identity_discriminator(conditional=False):
    """Returns its images (flattened) and, if conditional, its labels: what it was fed."""
    images = keras.Input((8, 8, 1), name="images")
    flat = keras.layers.Flatten()(images)
    if not conditional:
        return keras.Model(images, flat, name="plain")
    labels = keras.Input((1,), dtype="int32", name="labels")
    joined = keras.layers.Concatenate()([flat, keras.ops.cast(labels, "float32")])
    return keras.Model([images, labels], joined, name="conditional")


def test_shifts_images_in_training_only():
    wrapped = augmentation.with_translation_augment(identity_discriminator(), 0.25)
    images = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    np.testing.assert_array_equal(wrapped(images, training=False), images.reshape(16, -1))
    shifted = keras.ops.convert_to_numpy(wrapped(images, training=True)).reshape(16, 8, 8, 1)
    assert not np.array_equal(shifted, images)
    assert np.isclose(shifted, -1.0).any()  # shifted-in pixels take the fill value
    assert wrapped.name == "augmented_plain"


def test_conditional_discriminator_keeps_its_labels_and_input_names():
    wrapped = augmentation.with_translation_augment(identity_discriminator(True), 0.25)
    assert [tensor.name for tensor in wrapped.inputs] == ["images", "labels"]
    images = np.zeros((4, 8, 8, 1), "float32")
    labels = np.arange(4, dtype="int32")[:, None]
    outputs = keras.ops.convert_to_numpy(wrapped([images, labels], training=True))
    np.testing.assert_array_equal(outputs[:, -1], np.arange(4))


def test_gradients_flow_through_the_shift():
    wrapped = augmentation.with_translation_augment(identity_discriminator(), 0.25)
    import tensorflow as tf

    images = tf.Variable(np.ones((2, 8, 8, 1), "float32"))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(wrapped(images, training=True))
    assert float(tf.reduce_sum(tape.gradient(total, images))) > 0


@pytest.mark.parametrize("fraction", [0, 1, -0.1, True])
def test_rejects_bad_fractions(fraction):
    with pytest.raises(ValueError, match="fraction"):
        augmentation.with_translation_augment(identity_discriminator(), fraction)


def test_nearest_shifts_keep_pixel_values_and_bilinear_blends_them():
    binary = np.where(np.random.default_rng(1).uniform(size=(8, 8, 8, 1)) > 0.5, 1.0, -1.0)
    binary = binary.astype("float32")
    for interpolation, keeps_values in (("nearest", True), ("bilinear", False)):
        wrapped = augmentation.with_translation_augment(
            identity_discriminator(), 0.25, interpolation=interpolation
        )
        shifted = keras.ops.convert_to_numpy(wrapped(binary, training=True))
        assert np.isin(shifted, [-1.0, 1.0]).all() == keeps_values, interpolation
