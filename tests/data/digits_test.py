"""Tests for kgan/data/digits.py: the bundled 8x8 handwritten digits."""

import importlib.resources

import numpy as np
import pytest

from kgan.data import digits
from kgan.data import errors


def test_stored_file_holds_the_uci_digits():
    images, labels = digits.raw_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert labels.shape == (1797,) and labels.dtype == np.int32
    assert images.min() == 0 and images.max() == 16
    np.testing.assert_array_equal(np.unique(labels), np.arange(10))
    assert labels[:10].tolist() == list(range(10))  # the data set's own order


def test_stored_file_matches_scikit_learn():
    datasets = pytest.importorskip("sklearn.datasets")
    pixels, labels = datasets.load_digits(return_X_y=True)
    stored_images, stored_labels = digits.raw_digits()
    np.testing.assert_array_equal(stored_images.reshape(-1, 64), pixels)
    np.testing.assert_array_equal(stored_labels, labels)


def test_license_file_is_packaged_and_credits_uci():
    text = importlib.resources.files("kgan.data").joinpath("LICENSE-digits").read_text()
    assert "https://archive.ics.uci.edu/dataset/80" in text and "CC BY 4.0" in text


def test_digits_arrays_shapes_and_exact_range():
    images, labels = digits.digits_arrays(image_size=32)
    assert images.shape == (1797, 32, 32, 1) and images.dtype == np.float32
    assert labels.shape == (1797,) and labels.dtype == np.int32
    assert images.min() == -1.0 and images.max() == 1.0  # blank paper is exactly -1
    native, _ = digits.digits_arrays(image_size=None)
    np.testing.assert_array_equal(native[..., 0], digits.raw_digits()[0] / 8.0 - 1.0)
    rgb, _ = digits.digits_arrays(image_size=(12, 10), channels=3)
    assert rgb.shape == (1797, 12, 10, 3)
    np.testing.assert_array_equal(rgb[..., 0], rgb[..., 2])


def test_upsampling_is_smooth():
    images, _ = digits.digits_arrays(image_size=32)
    # Nearest-neighbour upsampling would leave only the 17 stored levels.
    assert len(np.unique(images)) > 1000


def test_load_digits_batches():
    dataset = digits.load_digits(image_size=16, batch_size=64)
    assert dataset.element_spec.shape == (64, 16, 16, 1)
    assert len(list(dataset)) == 1797 // 64
    kept = digits.load_digits(image_size=16, batch_size=64, drop_remainder=False)
    assert sum(len(batch) for batch in kept) == 1797
    repeated = digits.load_digits(image_size=8, batch_size=900, repeat=True)
    assert len(list(repeated.take(3))) == 3


def test_load_digits_agrees_with_digits_arrays():
    images, labels = digits.digits_arrays(image_size=24)
    dataset = digits.load_digits(
        image_size=24, batch_size=1797, with_labels=True, shuffle=False, drop_remainder=False
    )
    batch_images, batch_labels = next(iter(dataset))
    np.testing.assert_array_equal(batch_images, images)
    np.testing.assert_array_equal(batch_labels, labels)


def test_shuffled_labels_stay_aligned_and_seed_repeats():
    images, labels = digits.digits_arrays(image_size=8)
    index = {image.tobytes(): label for image, label in zip(images, labels)}

    def run(seed):
        dataset = digits.load_digits(image_size=8, batch_size=256, with_labels=True, seed=seed)
        return [(x.numpy(), y.numpy()) for x, y in dataset]

    batches = run(seed=1)
    for batch_images, batch_labels in batches:
        assert [index[image.tobytes()] for image in batch_images] == batch_labels.tolist()
    repeat = run(seed=1)
    np.testing.assert_array_equal(batches[0][1], repeat[0][1])
    assert not np.array_equal(batches[0][1], run(seed=2)[0][1])


def test_batch_larger_than_dataset_is_an_error():
    with pytest.raises(errors.DataError, match="batch_size=2000 is larger than the 1797"):
        digits.load_digits(batch_size=2000)
