"""Tests for kgan/data/tfds.py, offline under `tfds.testing.mock_data`."""

import numpy as np
import pytest
import tensorflow_datasets

from kgan.data import errors
from kgan.data import tfds


@pytest.fixture
def mock_catalog():
    """Replaces every tensorflow-datasets split with 20 random examples of the right structure."""
    with tensorflow_datasets.testing.mock_data(num_examples=20):
        yield


def test_mnist_shapes_dtype_range_and_labels(mock_catalog):
    dataset = tfds.from_tfds("mnist", batch_size=8, with_labels=True, seed=0)
    images, labels = next(iter(dataset))
    assert images.shape == (8, 28, 28, 1) and images.dtype == "float32"
    assert labels.shape == (8,) and labels.dtype == "int32"
    assert -1.0 <= images.numpy().min() and images.numpy().max() <= 1.0
    assert len(list(dataset)) == 20 // 8


def test_images_are_the_uint8_pixels_scaled(mock_catalog):
    raw = next(iter(tensorflow_datasets.load("mnist", split="train", batch_size=20)))["image"]
    images = next(iter(tfds.from_tfds("mnist", batch_size=20, shuffle=False)))
    np.testing.assert_allclose(images, raw.numpy() / 127.5 - 1.0, atol=1e-6)


def test_resize_channels_and_split(mock_catalog):
    dataset = tfds.from_tfds("cifar10", split="test", image_size=16, batch_size=4, channels=1)
    assert dataset.element_spec.shape == (4, 16, 16, 1)
    faces = tfds.from_tfds("celeb_a", image_size=(8, 8), batch_size=4)
    assert faces.element_spec.shape == (4, 8, 8, 3)


def test_same_seed_same_batches(mock_catalog):
    def run(seed):
        return [batch.numpy() for batch in tfds.from_tfds("mnist", batch_size=4, seed=seed)]

    np.testing.assert_array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))


def test_nested_label_key(mock_catalog):
    dataset = tfds.from_tfds(
        "celeb_a", image_size=8, batch_size=4, with_labels=True, label_key="attributes/Smiling"
    )
    _, labels = next(iter(dataset))
    assert labels.dtype == "int32" and set(labels.numpy()) <= {0, 1}


def test_label_key_errors_list_the_features(mock_catalog):
    with pytest.raises(
        errors.DataError, match="no feature 'label'; its features are: .*attributes"
    ):
        tfds.from_tfds("celeb_a", with_labels=True, batch_size=4)
    with pytest.raises(errors.DataError, match=r"is a group of features .*'attributes/<name>'"):
        tfds.from_tfds("celeb_a", with_labels=True, label_key="attributes", batch_size=4)
    with pytest.raises(errors.DataError, match="no feature 'picture'"):
        tfds.from_tfds("mnist", image_key="picture", batch_size=4)


def test_images_of_different_sizes_need_image_size(mock_catalog):
    with pytest.raises(errors.DataError, match="differ in size .* pass image_size"):
        tfds.from_tfds("oxford_flowers102", batch_size=4)
    dataset = tfds.from_tfds("oxford_flowers102", image_size=12, batch_size=4, with_labels=True)
    images, _ = next(iter(dataset))
    assert images.shape == (4, 12, 12, 3)


def test_batch_larger_than_split(mock_catalog):
    with pytest.raises(errors.DataError, match=r"batch_size=21 is larger than the 20 examples"):
        tfds.from_tfds("mnist", batch_size=21)


def test_unknown_name_lists_close_matches():
    with pytest.raises(errors.DataError, match="no dataset named 'mnsit'. Close matches: mnist"):
        tfds.from_tfds("mnsit")
    tfds.check_name("cifar10")
    tfds.check_name("mnist:3.0.1")
    assert "fashion_mnist" in tfds.close_matches("fashion_mnst")


def test_missing_data_without_download_says_how_to_get_it(tmp_path):
    with pytest.raises(errors.DataError, match="not prepared in .*download=False") as info:
        tfds.from_tfds("mnist", data_dir=str(tmp_path), download=False)
    assert f"tfds build mnist --data_dir {tmp_path}" in str(info.value)


def test_missing_importlib_resources_says_what_to_install(monkeypatch):
    def load(*args, **kwargs):
        raise ModuleNotFoundError(
            "No module named 'importlib_resources'", name="importlib_resources"
        )

    monkeypatch.setattr(tensorflow_datasets, "load", load)
    with pytest.raises(ImportError, match="pip install importlib_resources"):
        tfds.from_tfds("mnist")


def test_failed_download_says_what_to_do_instead(monkeypatch):
    import requests

    def load(*args, **kwargs):
        raise requests.exceptions.ConnectionError(
            "HTTPSConnectionPool(host='www.cs.toronto.edu', port=443): Max retries exceeded"
        )

    monkeypatch.setattr(tensorflow_datasets, "load", load)
    with pytest.raises(errors.DataError, match="Could not download .*'cifar10'") as info:
        tfds.from_tfds("cifar10")
    message = str(info.value)
    assert "ConnectionError: HTTPSConnectionPool" in message
    assert "tfds build cifar10" in message and "data_dir" in message
