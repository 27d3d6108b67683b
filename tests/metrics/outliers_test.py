"""Tests for kgan/metrics/outliers.py: each kind of non-image keeps what it should of the real
images, at any size, deterministically per seed, with clear errors."""

import numpy as np
import pytest

from kgan.metrics import outliers


def patches(image, side):
    """The `side` x `side` patches of a grid from the top-left corner, as sorted bytes."""
    rows, columns = image.shape[0] // side, image.shape[1] // side
    return sorted(
        image[r * side : (r + 1) * side, c * side : (c + 1) * side].tobytes()
        for r in range(rows)
        for c in range(columns)
    )


def test_outliers_of_sizes_not_divisible_by_four():
    # 11x9: patches of side 9 // 4 = 2 on a 5x4 grid; row 10 and column 8 lie past it.
    images = np.random.default_rng(0).uniform(-1, 1, (8, 11, 9, 2)).astype("float32")
    non_images = outliers.make_outliers(images, np.arange(8) % 2)
    # Pixel shuffles keep each image's values; patch shuffles keep its patches.
    np.testing.assert_array_equal(np.sort(non_images[0], None), np.sort(images[0], None))
    assert patches(non_images[1], 2) == patches(images[1], 2)
    np.testing.assert_array_equal(non_images[1, 10:], images[1, 10:])
    np.testing.assert_array_equal(non_images[1, :, 8:], images[1, :, 8:])
    assert not np.array_equal(non_images[1], images[1])
    # A blend with an image of the other class (odd index: label 1), and smooth blobs.
    partner = 2.0 * non_images[2] - images[2]
    distances = [np.abs(partner - other).max() for other in images]
    assert np.argmin(distances) % 2 == 1 and min(distances) < 1e-6
    assert np.abs(non_images[3]).max() <= 1.0


def test_same_seed_same_outliers_in_range():
    images = np.random.default_rng(1).uniform(-1, 1, (12, 16, 16, 1)).astype("float32")
    labels = np.arange(12) % 3
    first = outliers.make_outliers(images, labels, seed=3)
    assert first.shape == images.shape and first.dtype == np.float32
    assert np.abs(first).max() <= 1.0
    np.testing.assert_array_equal(outliers.make_outliers(images, labels, seed=3), first)
    assert not np.array_equal(outliers.make_outliers(images, labels, seed=4), first)
    # One class only: blends pair an image with any other one.
    single_class = outliers.make_outliers(images, np.zeros(12, int))
    assert single_class.shape == images.shape


def test_checks_its_inputs():
    # The same checks as the classifier's (kgan/metrics/input_checks.py), tested there in full.
    with pytest.raises(ValueError, match="4 images but 3 labels"):
        outliers.make_outliers(np.zeros((4, 8, 8, 1)), [0, 1, 0])
    with pytest.raises(ValueError, match=r"must be in \[-1, 1\]"):
        outliers.make_outliers(np.full((4, 8, 8, 1), 255.0), [0, 1, 0, 1])
