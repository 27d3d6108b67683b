"""Tests for kgan/networks/autoregressive_decoder.py: the decoding both token generators share."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.networks import autoregressive_decoder
from kgan.networks import transformer_generator
from kgan.testing import sequences


class CountingDecoder(autoregressive_decoder.AutoregressiveDecoder, keras.Model):
    """A decoder whose state is the step number and whose output puts all mass on it.

    Only the hooks, no weights to speak of: what `unroll` does with them is then plain to see.
    """

    def __init__(self, vocab_size=5, max_length=4):
        super().__init__()
        self.vocab_size, self.max_length, self.start_token = vocab_size, max_length, vocab_size
        # The identity: `output_logits` of a one-hot output is that one-hot.
        self.to_logits = keras.layers.Dense(
            vocab_size, use_bias=False, kernel_initializer="identity"
        )
        self.to_logits.build((None, vocab_size))
        self.checked = []

    def initial_state(self, rows):
        return [tf.zeros([rows], tf.int32)]

    def advance(self, tokens, state, training=None):
        return tf.one_hot(state[0] % self.vocab_size, self.vocab_size), [state[0] + 1]

    def _check_unroll(self, length, prefix, prefix_length):
        self.checked.append(length)


def argmax(logits, t):
    return tf.argmax(logits, axis=-1, output_type=tf.int32)


def test_unroll_runs_the_hooks_of_the_subclass():
    decoder = CountingDecoder()
    tokens, logits = decoder.unroll(argmax, 2, keep_logits=True)
    assert tokens.numpy().tolist() == [[0, 1, 2, 3]] * 2
    assert logits.shape == (2, 4, 5) and logits.dtype == tf.float32
    # The length check sees the length the loop runs: `max_length` unless given.
    decoder.unroll(argmax, 2, length=3.0)
    assert decoder.checked == [4, 3]
    # A start state (an encoder's) replaces `initial_state`.
    started = decoder.unroll(argmax, 1, state=[tf.constant([2])])
    assert started.numpy().tolist() == [[2, 3, 4, 0]]


def test_step_is_advance_then_the_softmax_layer():
    decoder = CountingDecoder()
    logits, state = decoder.step(tf.constant([1, 1]), [tf.constant([0, 3])])
    np.testing.assert_array_equal(logits.numpy(), np.eye(5)[[0, 3]])
    assert state[0].numpy().tolist() == [1, 4]


def test_teacher_inputs_shift_behind_the_start_token():
    inputs = CountingDecoder().teacher_inputs([[1, 2, 3, 4]]).numpy()
    assert inputs.tolist() == [[5, 1, 2, 3]]


def test_a_decoder_without_its_state_hooks_says_what_is_missing():
    class Stateless(autoregressive_decoder.AutoregressiveDecoder):
        start_token, max_length = 0, 2

    with pytest.raises(NotImplementedError, match="initial_state"):
        Stateless().unroll(argmax, 1)
    with pytest.raises(NotImplementedError, match="advance"):
        Stateless().step(tf.constant([0]), [])


@pytest.mark.parametrize("generator_class", ["recurrent", "transformer"])
def test_prefix_is_kept_and_the_rest_chosen(generator_class):
    generator = (
        sequences.tiny_generator()
        if generator_class == "recurrent"
        else transformer_generator.TransformerGenerator(
            sequences.VOCAB_SIZE, sequences.LENGTH, num_heads=2, model_dim=16, feedforward_dim=32
        )
    )
    prefix = tf.constant([[1, 2, 3, 4, 5, 6]] * 3)
    chosen = generator.unroll(
        lambda logits, t: tf.fill([3], 11), 3, prefix=prefix, prefix_length=tf.constant([0, 2, 5])
    )
    assert chosen.numpy().tolist() == [
        [11, 11, 11, 11, 11, 11],
        [1, 2, 11, 11, 11, 11],
        [1, 2, 3, 4, 5, 11],
    ]
