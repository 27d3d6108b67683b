"""Tests for kgan/models/translation.py: chunked translation, shapes checked, errors named."""

import keras
import numpy as np
import pytest

from kgan.models import translation
from kgan.testing import paired


def test_chunks_equal_one_call_and_keep_the_order():
    generator = paired.tiny_translation_generator()
    images = np.random.default_rng(0).uniform(-1, 1, (7, 8, 8, 1)).astype("float32")
    chunked = translation.translate_in_batches(generator, images, batch_size=3)
    whole = keras.ops.convert_to_numpy(generator(images, training=False))
    assert chunked.dtype == np.float32 and chunked.shape == (7, 8, 8, 1)
    np.testing.assert_allclose(chunked, whole, atol=1e-6)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((0, 8, 8, 1)), "non-empty batch"),
        (np.zeros((8, 8, 1)), "non-empty batch"),
        (np.zeros((2, 8, 8, 3)), r"takes images of shape \(8, 8, 1\)"),
    ],
)
def test_errors_name_the_shapes(images, message):
    generator = paired.tiny_translation_generator()
    with pytest.raises(ValueError, match=message):
        translation.translate_in_batches(generator, images, expected_shape=(8, 8, 1))
