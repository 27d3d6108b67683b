"""Tests for kgan/layers/packing.py: packs of consecutive samples, and scores spread back."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.layers import PackSamples
from kgan.layers import SpreadPackScores


def test_vectors_are_packed_side_by_side_in_batch_order():
    points = np.arange(12, dtype="float32").reshape(6, 2)
    packs = keras.ops.convert_to_numpy(PackSamples(3)(points))
    np.testing.assert_array_equal(packs, [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]])


def test_images_are_packed_along_channels():
    images = np.random.default_rng(0).normal(size=(4, 3, 5, 2)).astype("float32")
    packs = keras.ops.convert_to_numpy(PackSamples(2)(images))
    assert packs.shape == (2, 3, 5, 4)
    # Pack k holds sample 2k's channels, then sample 2k+1's.
    np.testing.assert_array_equal(packs[1], np.concatenate([images[2], images[3]], axis=-1))
    np.testing.assert_array_equal(packs[0][..., :2], images[0])


def test_scores_are_spread_to_every_sample_of_their_pack():
    scores = keras.ops.convert_to_numpy(SpreadPackScores(2)(np.array([[1.0], [-2.0]])))
    np.testing.assert_array_equal(scores, [[1.0], [1.0], [-2.0], [-2.0]])


def test_a_batch_that_is_not_a_multiple_of_the_packing_names_the_fix():
    with pytest.raises(tf.errors.InvalidArgumentError, match="drop_remainder=True"):
        PackSamples(4)(np.zeros((6, 2), "float32"))


@pytest.mark.parametrize("packing", [0, -1, 2.0, True])
def test_bad_packing_is_refused(packing):
    with pytest.raises(ValueError, match="packing must be a positive integer"):
        PackSamples(packing)
    with pytest.raises(ValueError, match="packing must be a positive integer"):
        SpreadPackScores(packing)


def test_config_round_trip():
    layer = PackSamples(3, name="pack")
    assert PackSamples.from_config(layer.get_config()).packing == 3
    assert SpreadPackScores.from_config(SpreadPackScores(3).get_config()).packing == 3
