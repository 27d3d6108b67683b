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


def test_unpack_image_pair_names_what_the_model_needs():
    first, second = translation.unpack_image_pair((1, 2), "M trains on pairs", "Zip them.")
    assert (first, second) == (1, 2)
    with pytest.raises(ValueError, match=r"M trains on pairs; got a dict with keys \['a'\]"):
        translation.unpack_image_pair({"a": 1}, "M trains on pairs", "Zip them.")
    with pytest.raises(ValueError, match="M trains on pairs; this batch is a single tensor. Zip"):
        translation.unpack_image_pair(np.zeros((2, 4, 4, 1)), "M trains on pairs", "Zip them.")


def test_check_same_count_at_trace_time_and_at_run_time():
    import tensorflow as tf

    four, two = np.zeros((4, 2, 2, 1)), np.zeros((2, 2, 2, 1))
    translation.check_same_count(four, four, "{} vs {}", "differ")
    with pytest.raises(ValueError, match="4 vs 2"):
        translation.check_same_count(four, two, "{} vs {}", "differ")

    @tf.function(input_signature=[tf.TensorSpec((None, 2, 2, 1))] * 2)
    def check(first, second):
        translation.check_same_count(first, second, "{} vs {}", "counts differ")
        return tf.constant(0)

    check(four, four)
    with pytest.raises(tf.errors.InvalidArgumentError, match="counts differ"):
        check(four, two)
