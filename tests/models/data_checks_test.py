"""`kgan.models.data_checks`: `fit` refuses empty data and images outside [-1, 1] before any
step runs, on every objective, and accepts vectors of any range and properly scaled images."""

import warnings

import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.data import arrays
from kgan.models.pix2pix import Pix2Pix
from kgan.testing import networks
from kgan.testing import paired
from kgan.testing import test_case


def image_gan():
    model = kgan.GAN(
        networks.tiny_image_generator(image_size=8), networks.tiny_image_discriminator(8), seed=0
    )
    model.compile()
    return model


def images(low, high, num=32, dtype="float32"):
    rng = np.random.default_rng(0)
    return rng.uniform(low, high, (num, 8, 8, 1)).astype(dtype)


def refused(model, *args, match, **kwargs):
    """Asserts `fit` raises a one-line ValueError matching `match` and trained nothing."""
    before = test_case.weights_of(model.generator)
    with pytest.raises(ValueError, match=match) as caught:
        model.fit(*args, epochs=1, verbose=0, **kwargs)
    assert "\n" not in str(caught.value)
    assert model.step == 0
    assert not test_case.changed(before, model.generator)
    return str(caught.value)


def test_uint8_pixels_are_refused_with_the_fix():
    pixels = (images(0, 1) * 255).astype("uint8")
    message = refused(image_gan(), pixels, batch_size=16, match="uint8 images")
    assert "images / 127.5 - 1" in message and "from_arrays" in message


def test_float_pixels_in_0_255_are_refused_in_a_dataset():
    dataset = tf.data.Dataset.from_tensor_slices(images(0, 255)).batch(16)
    message = refused(image_gan(), dataset, match=r"images in \[0.0\d*, 25\d")
    assert "first batch" in message


def test_non_finite_pixels_are_refused():
    data = images(-1, 1)
    data[3, 2, 2, 0] = np.nan
    data[5, 0, 0, 0] = np.inf
    refused(image_gan(), data, batch_size=16, match="2 NaN or infinite")


@pytest.mark.parametrize(
    "data",
    [
        np.zeros((0, 8, 8, 1), "float32"),
        tf.data.Dataset.from_tensor_slices(np.zeros((0, 8, 8, 1), "float32")).batch(4),
        # Cardinality unknown until read: a filter that keeps nothing.
        tf.data.Dataset.from_tensor_slices(images(-1, 1)).filter(lambda x: False).batch(4),
    ],
    ids=["empty-array", "empty-dataset", "filtered-to-nothing"],
)
def test_empty_data_is_an_error_not_an_empty_history(data):
    kwargs = {"batch_size": 4} if isinstance(data, np.ndarray) else {}
    refused(image_gan(), data, match="empty|no batch", **kwargs)


def test_images_in_0_1_train_with_a_warning():
    model = image_gan()
    with pytest.warns(UserWarning, match=r"none below 0.*images \* 2 - 1"):
        model.fit(images(0, 1), batch_size=16, epochs=1, verbose=0)
    assert model.step == 2


def test_scaled_images_and_vectors_of_any_range_train_silently():
    model = image_gan()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        # from_arrays scales uint8 pixels itself: accepted.
        pixels = (images(0, 1) * 255).astype("uint8")
        model.fit(arrays.from_arrays(pixels, batch_size=16, seed=0), epochs=1, verbose=0)
        points = kgan.GAN(networks.tiny_vector_generator(), networks.tiny_vector_discriminator())
        points.compile()
        grid = np.random.default_rng(0).uniform(-4, 4, (32, 2)).astype("float32")
        points.fit(grid, batch_size=16, epochs=1, verbose=0)  # 2-D points: no pixel range
    assert model.step == 2 and points.step == 2


def test_each_part_of_a_pair_is_checked():
    model = Pix2Pix(paired.tiny_translation_generator(), paired.tiny_patch_discriminator(), seed=0)
    model.compile()
    source, target = paired.negation_pairs(num=16)
    message = refused(model, source, target * 127.5 + 127.5, batch_size=8, match="part 2")
    assert "images in [" in message
