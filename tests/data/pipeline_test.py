"""Tests for kgan/data/pipeline.py: normalization, resizing, channels and batching."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.data import errors
from kgan.data import pipeline


def test_normalize_maps_range_endpoints_exactly():
    pixels = np.array([0, 1, 127, 128, 254, 255], np.uint8)
    normalized = pipeline.normalize(pixels, (0, 255)).numpy()
    assert normalized.dtype == np.float32
    assert normalized[0] == -1.0 and normalized[-1] == 1.0
    np.testing.assert_allclose(normalized, pixels / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_array_equal(pipeline.normalize([0.0, 8.0, 16.0], (0, 16)), [-1.0, 0.0, 1.0])


def test_normalize_is_correctly_rounded_symmetric_and_identity_on_minus_one_one():
    pixels = np.arange(256, dtype=np.float32)
    normalized = pipeline.normalize(pixels, (0, 255)).numpy()
    exact = ((2 * pixels.astype(np.float64) - 255) / 255).astype(np.float32)
    np.testing.assert_array_equal(normalized, exact)
    np.testing.assert_array_equal(normalized, -normalized[::-1])  # x and 255 - x
    signed = np.array([-1.0, -1e-8, 0.0, 1e-8, 0.3, 1.0], np.float32)
    np.testing.assert_array_equal(pipeline.normalize(signed, (-1, 1)).numpy(), signed)


def test_normalize_rejects_empty_range():
    with pytest.raises(errors.DataError, match=r"low < high, got \(1, 1\)"):
        pipeline.normalize([1.0], (1, 1))


@pytest.mark.parametrize(
    "image_size, expected", [(None, None), (8, (8, 8)), ((6, 10), (6, 10)), ([4, 5], (4, 5))]
)
def test_image_size_pair(image_size, expected):
    assert pipeline.image_size_pair(image_size) == expected


@pytest.mark.parametrize("image_size", [0, -3, (4,), (4, 0), 2.5, True, "32"])
def test_image_size_pair_rejects_bad_sizes(image_size):
    with pytest.raises(errors.DataError, match="image_size must be a positive int"):
        pipeline.image_size_pair(image_size)


def test_resize_crops_centre_to_aspect_ratio_and_stays_in_range():
    # A 4x8 image whose left and right quarters are white: the centred square crop removes them.
    images = -np.ones([1, 4, 8, 1], np.float32)
    images[:, :, :2] = images[:, :, 6:] = 1.0
    resized = pipeline.resize(images, 2).numpy()
    np.testing.assert_array_equal(resized, -np.ones([1, 2, 2, 1]))
    stretched = pipeline.resize(images, 2, crop_to_aspect_ratio=False).numpy()
    assert stretched.max() > -1.0
    upsampled = pipeline.resize(np.sign(np.random.randn(3, 5, 5, 1)), 17, method="bicubic")
    assert upsampled.shape == (3, 17, 17, 1)
    assert upsampled.numpy().min() >= -1.0 and upsampled.numpy().max() <= 1.0


def test_convert_channels():
    gray = tf.constant([[[[-1.0]], [[1.0]]]])  # [1, 2, 1, 1]
    rgb = pipeline.convert_channels(gray, 3)
    np.testing.assert_array_equal(rgb[0, 1, 0], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(pipeline.convert_channels(rgb, 1), gray, atol=1e-6)
    rgba = pipeline.convert_channels(gray, 4)
    np.testing.assert_array_equal(rgba[0, 0, 0], [-1.0, -1.0, -1.0, 1.0])
    assert pipeline.convert_channels(rgba, 3).shape == (1, 2, 1, 3)
    assert pipeline.convert_channels(gray, None) is gray
    with pytest.raises(errors.DataError, match="not from 2 to 3"):
        pipeline.convert_channels(tf.zeros([1, 2, 2, 2]), 3)


def test_check_batch_size_names_both_numbers():
    pipeline.check_batch_size(10, 10)
    pipeline.check_batch_size(11, 10, drop_remainder=False)
    with pytest.raises(errors.DataError, match="batch_size=11 is larger than the 10 examples in X"):
        pipeline.check_batch_size(11, 10, source="X")
    with pytest.raises(errors.DataError, match="holds no examples"):
        pipeline.check_batch_size(1, 0)
    for bad in (0, -1, 2.0, True):
        with pytest.raises(errors.DataError, match="batch_size must be a positive int"):
            pipeline.check_batch_size(bad)


def test_batch_dataset_shuffles_deterministically_and_keeps_pairs_aligned():
    values = np.arange(20)
    dataset = tf.data.Dataset.from_tensor_slices((values, values * 10))

    def epochs(seed):
        batched = pipeline.batch_dataset(dataset, 4, seed=seed, image_fn=lambda x: x + 1000)
        return [np.concatenate([x for x, _ in batched]) for _ in range(2)]

    first, second = epochs(seed=5)
    np.testing.assert_array_equal(first, epochs(seed=5)[0])  # same seed, same order
    assert not np.array_equal(first, second)  # reshuffled every epoch
    assert sorted(first - 1000) == list(values)
    for images, labels in pipeline.batch_dataset(dataset, 4, seed=5, image_fn=lambda x: x + 1000):
        np.testing.assert_array_equal((images - 1000) * 10, labels)  # image_fn: images only


def test_batch_dataset_shapes_options_and_repeat():
    dataset = tf.data.Dataset.range(10)
    batched = pipeline.batch_dataset(dataset, 3, shuffle=False)
    assert batched.element_spec.shape == (3,)  # static batch size with drop_remainder
    assert [len(batch) for batch in batched] == [3, 3, 3]
    assert batched.options().autotune.enabled is False
    ragged = pipeline.batch_dataset(dataset, 3, shuffle=False, drop_remainder=False)
    assert [len(batch) for batch in ragged] == [3, 3, 3, 1]
    repeated = pipeline.batch_dataset(dataset, 4, repeat=True, example_fn=lambda x: x * 2)
    assert len(list(repeated.take(7))) == 7
    with pytest.raises(errors.DataError, match="batch_size=11 is larger than the 10 examples"):
        pipeline.batch_dataset(dataset, 11)  # size read from the cardinality
