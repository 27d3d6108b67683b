"""Tests for kgan/data/arrays.py: datasets from NumPy images, vectors and labels."""

import numpy as np
import pytest

from kgan.data import arrays
from kgan.data import errors


def first_batch(dataset):
    return next(iter(dataset))


def test_uint8_images_map_0_and_255_to_minus_one_and_one():
    images = np.random.randint(0, 256, size=[10, 6, 5, 3]).astype(np.uint8)
    images[0, 0, 0] = [0, 255, 128]
    batch = first_batch(arrays.from_arrays(images, batch_size=10, shuffle=False)).numpy()
    assert batch.shape == (10, 6, 5, 3) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch[0, 0, 0, :2], [-1.0, 1.0])
    np.testing.assert_allclose(batch, images / 127.5 - 1.0, atol=1e-6)


def test_rank3_images_gain_a_channel_axis():
    dataset = arrays.from_arrays(np.zeros([8, 7, 7], np.uint8), batch_size=4)
    assert dataset.element_spec.shape == (4, 7, 7, 1)
    assert len(list(dataset)) == 2


def test_float_images_use_value_range_or_must_be_in_minus_one_one():
    unit = np.random.rand(6, 4, 4, 1).astype(np.float32)
    unit[0, 0, 0, 0], unit[1, 0, 0, 0] = 0.0, 1.0
    batch = first_batch(arrays.from_arrays(unit, value_range=(0, 1), batch_size=6, shuffle=False))
    assert batch.numpy().min() == -1.0 and batch.numpy().max() == 1.0
    np.testing.assert_allclose(batch, unit * 2 - 1, atol=1e-6)

    with pytest.warns(
        UserWarning, match=r"as if they were scaled to \[0, 1\].*value_range=\(0, 1\)"
    ):
        arrays.from_arrays(unit, batch_size=6)

    signed = np.linspace(-1, 1, 6 * 16, dtype=np.float64).reshape(6, 4, 4, 1)
    batch = first_batch(arrays.from_arrays(signed, batch_size=6, shuffle=False))
    assert batch.dtype == "float32"
    np.testing.assert_allclose(batch, signed, atol=1e-6)


def test_vectors_are_scaled_only_with_value_range():
    vectors = np.arange(12, dtype=np.float64).reshape(6, 2)
    unscaled = first_batch(arrays.from_arrays(vectors, batch_size=6, shuffle=False))
    np.testing.assert_array_equal(unscaled, vectors)
    scaled = first_batch(
        arrays.from_arrays(vectors, batch_size=6, shuffle=False, value_range=(0, 11))
    )
    assert scaled.shape == (6, 2)
    np.testing.assert_allclose(scaled, vectors / 5.5 - 1, atol=1e-6)


def test_labels_stay_aligned_with_images_after_shuffling():
    images = np.repeat(np.arange(20, dtype=np.uint8), 4).reshape(20, 2, 2)
    labels = np.arange(20, dtype=np.int64)
    dataset = arrays.from_arrays(images, labels, batch_size=5, seed=3)
    assert dataset.element_spec[1].dtype == "int32"
    seen = []
    for batch_images, batch_labels in dataset:
        pixel = np.round((batch_images.numpy()[:, 0, 0, 0] + 1) * 127.5)
        np.testing.assert_array_equal(pixel, batch_labels)
        seen.extend(batch_labels.numpy())
    assert sorted(seen) == list(range(20)) and seen != list(range(20))


def test_same_seed_gives_same_batches():
    images = np.random.randint(0, 256, size=[32, 3, 3]).astype(np.uint8)
    run_one = [batch.numpy() for batch in arrays.from_arrays(images, batch_size=8, seed=7)]
    run_two = [batch.numpy() for batch in arrays.from_arrays(images, batch_size=8, seed=7)]
    np.testing.assert_array_equal(run_one, run_two)


@pytest.mark.parametrize(
    "images, kwargs, message",
    [
        (np.zeros([4, 3, 3]) + 2.0, {}, r"not in \[-1, 1\]. Pass value_range=\(low, high\)"),
        (np.zeros([4, 3, 3]) + 2.0, {"value_range": (0, 1)}, "outside the given value_range"),
        (np.full([4, 3, 3], np.nan), {}, "NaN or infinite"),
        (np.zeros([4]), {}, r"got shape \(4,\) \(rank 1\)"),
        (np.zeros([2, 3, 3, 1, 1]), {}, "rank 5"),
        (np.array([["a"]] * 4), {}, "must be numeric"),
        (np.zeros([4, 2, 2], np.uint8), {"labels": [1, 2]}, "got 4 images and labels of shape"),
        (np.zeros([4, 2, 2], np.uint8), {"batch_size": 5}, "batch_size=5 is larger than the 4"),
    ],
)
def test_errors(images, kwargs, message):
    with pytest.raises(errors.DataError, match=message):
        arrays.from_arrays(images, **kwargs)
