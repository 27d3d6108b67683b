"""Tests for kgan/export/tflite.py: representative data and conversion options."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.export import tflite


def test_representative_images_from_an_array_of_floats():
    floats = np.linspace(-1, 1, 2 * 4 * 4 * 3, dtype=np.float32).reshape(2, 4, 4, 3)
    images = tflite.representative_images(floats, 10, (4, 4, 3))
    assert images.dtype == np.uint8 and images.shape == (2, 4, 4, 3)
    assert images.min() == 0 and images.max() == 255


def test_representative_images_from_a_paired_dataset():
    sources = np.zeros((10, 4, 4, 1), np.uint8)
    dataset = tf.data.Dataset.from_tensor_slices((sources, sources)).batch(3)
    assert tflite.representative_images(dataset, 5, (4, 4, 1)).shape == (5, 4, 4, 1)


def test_representative_images_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"\[N, 4, 4, 1\]"):
        tflite.representative_images(np.zeros((3, 8, 8, 1)), 5, (4, 4, 1))


def test_int8_needs_representative_data(tmp_path):
    with pytest.raises(ValueError, match="representative"):
        tflite.convert(tmp_path, "generate", quantize="int8")
    with pytest.raises(ValueError, match="quantize must be one of"):
        tflite.convert(tmp_path, "generate", quantize="int16")
