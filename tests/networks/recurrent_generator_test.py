"""Tests for kgan/networks/recurrent_generator.py: teacher forcing and free running agree."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.networks import recurrent_generator
from kgan.testing import sequences


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_teacher_forcing_equals_stepping(cell):
    generator = sequences.tiny_generator(cell=cell)
    tokens = sequences.counting_sequences(5)
    forced = generator(generator.teacher_inputs(tokens)).numpy()
    assert forced.shape == (5, sequences.LENGTH, sequences.VOCAB_SIZE)
    # Free running with every token forced from the prefix computes the same logits.
    replayed, logits = generator.unroll(
        lambda logits, t: tf.zeros([5], tf.int32),
        5,
        prefix=tf.constant(tokens),
        prefix_length=tf.fill([5], sequences.LENGTH),
        keep_logits=True,
    )
    np.testing.assert_array_equal(replayed.numpy(), tokens)
    np.testing.assert_allclose(logits.numpy(), forced, atol=1e-6)


def test_teacher_inputs_shift_behind_the_start_token():
    generator = sequences.tiny_generator()
    inputs = generator.teacher_inputs([[4, 5, 6, 7, 8, 9]]).numpy()
    assert inputs.tolist() == [[sequences.VOCAB_SIZE, 4, 5, 6, 7, 8]]


def test_save_and_load(tmp_path):
    generator = sequences.tiny_generator(cell="gru")
    inputs = generator.teacher_inputs(sequences.counting_sequences(3))
    generator.save(tmp_path / "generator.keras")
    loaded = keras.saving.load_model(tmp_path / "generator.keras")
    assert isinstance(loaded, recurrent_generator.RecurrentGenerator)
    assert loaded.cell_type == "gru" and loaded.max_length == sequences.LENGTH
    np.testing.assert_array_equal(loaded(inputs).numpy(), generator(inputs).numpy())


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="cell must be one of"):
        recurrent_generator.RecurrentGenerator(10, 5, cell="rnn")
    with pytest.raises(ValueError, match="vocab_size"):
        recurrent_generator.RecurrentGenerator(0, 5)
