"""Tests for kgan/networks/sequence_discriminator.py: ids and distributions, saving, errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.networks import sequence_discriminator
from kgan.testing import sequences


def test_one_hot_rows_read_like_ids():
    discriminator = sequences.tiny_discriminator()
    tokens = sequences.counting_sequences(4)
    logits = discriminator(tokens).numpy()
    assert logits.shape == (4, 1)
    one_hot = tf.one_hot(tokens, sequences.VOCAB_SIZE)
    np.testing.assert_allclose(discriminator(one_hot).numpy(), logits, atol=1e-5)


def test_soft_rows_are_differentiable():
    discriminator = sequences.tiny_discriminator()
    soft = tf.Variable(tf.nn.softmax(tf.random.normal([2, sequences.LENGTH, 12])))
    with tf.GradientTape() as tape:
        logits = discriminator(soft)
    gradient = tape.gradient(logits, soft)
    assert gradient is not None and float(tf.reduce_max(tf.abs(gradient))) > 0


def test_default_widths_are_seqgans_up_to_the_length():
    discriminator = sequence_discriminator.SequenceDiscriminator(5000, 20)
    assert discriminator.filter_sizes == list(sequence_discriminator.SEQGAN_FILTER_SIZES)
    short = sequence_discriminator.SequenceDiscriminator(50, 4)
    assert short.filter_sizes == [1, 2, 3, 4] and short.num_filters == [100, 200, 200, 200]


def test_save_and_load(tmp_path):
    discriminator = sequences.tiny_discriminator()
    tokens = sequences.counting_sequences(3)
    discriminator.save(tmp_path / "d.keras")
    loaded = keras.saving.load_model(tmp_path / "d.keras")
    np.testing.assert_array_equal(loaded(tokens).numpy(), discriminator(tokens).numpy())


def test_bad_settings_and_inputs_are_refused():
    with pytest.raises(ValueError, match="between 1 and max_length=4"):
        sequence_discriminator.SequenceDiscriminator(10, 4, filter_sizes=(2, 5))
    with pytest.raises(ValueError, match="one filter count per width"):
        sequence_discriminator.SequenceDiscriminator(10, 4, filter_sizes=(2, 3), num_filters=[4])
    with pytest.raises(ValueError, match="reads token ids"):
        sequences.tiny_discriminator()(tf.zeros([2]))
