"""Tests for kgan/models/rollouts.py: prefixes, Monte-Carlo rewards, the delayed policy."""

import numpy as np
import tensorflow as tf

from kgan.models import rollouts
from kgan.testing import sequences


def test_prefixes_cover_every_length_for_every_rollout_shortest_first():
    tokens, lengths = rollouts.prefixes(tf.constant([[1, 2, 3], [4, 5, 6]]), num_rollouts=2)
    assert tokens.shape == (2 * 2 * 2, 3)
    assert lengths.numpy().tolist() == [1, 1, 1, 1, 2, 2, 2, 2]
    assert (
        tokens.numpy().tolist()
        == [[1, 2, 3]] * 2 + [[4, 5, 6]] * 2 + [[1, 2, 3]] * 2 + [[4, 5, 6]] * 2
    )


class CountsToken:
    """A discriminator whose logit is the number of `token` in the sequence, minus 1."""

    def __init__(self, token):
        self.token = token
        self.seen = []

    def __call__(self, tokens, training=False):
        self.seen.append(tokens.numpy())
        count = tf.reduce_sum(tf.cast(tf.equal(tokens, self.token), tf.float32), axis=1)
        return (count - 1.0)[:, None]


def test_rewards_average_the_scores_of_completed_prefixes():
    generator = sequences.tiny_generator()
    sequences_ = tf.constant(sequences.counting_sequences(3))
    num_rollouts, length = 4, sequences.LENGTH
    rows = 3 * num_rollouts * (length - 1)
    uniforms = np.random.default_rng(0).random((rows, length)).astype(np.float32)
    critic = CountsToken(token=int(sequences_[0, 0]))
    rewards = rollouts.monte_carlo_rewards(generator, critic, sequences_, uniforms, num_rollouts)
    assert rewards.shape == (3, length)
    final, completed = critic.seen
    # The last reward is the sequence's own score.
    np.testing.assert_allclose(rewards[:, -1], 1 / (1 + np.exp(-(critic(sequences_)[:, 0]))))
    # Each completion keeps its prefix; the reward of prefix t is the mean over its rollouts.
    completed = completed.reshape(length - 1, 3, num_rollouts, length).transpose(1, 2, 0, 3)
    for t in range(length - 1):
        np.testing.assert_array_equal(
            completed[:, :, t, : t + 1],
            np.broadcast_to(sequences_.numpy()[:, None, : t + 1], (3, num_rollouts, t + 1)),
        )
    scores = 1 / (1 + np.exp(-((completed == critic.token).sum(-1) - 1.0)))
    np.testing.assert_allclose(rewards[:, :-1], scores.mean(axis=1), rtol=1e-6)
    # The completions differ between rollouts (they are sampled).
    assert len({tuple(row) for row in completed[0, :, 0]}) > 1


def test_completions_are_distributed_as_the_policy():
    # Prefix of length T - 1: only the last token is sampled, from the policy's distribution
    # after the prefix, which the teacher-forced logits give.
    generator = sequences.tiny_generator()
    sequence = tf.constant(sequences.counting_sequences(1))
    tokens, _ = rollouts.prefixes(sequence, num_rollouts=4000)
    length = sequences.LENGTH
    uniforms = np.random.default_rng(1).random((len(tokens), length)).astype(np.float32)
    completed = rollouts.complete(generator, tokens, uniforms, group=4000)[-4000:]
    tokens = tokens[-4000:]  # the rows of the longest prefix
    np.testing.assert_array_equal(completed.numpy()[:, :-1], tokens.numpy()[:, :-1])
    logits = generator(generator.teacher_inputs(sequence)).numpy()[0, -1]
    expected = np.exp(logits - logits.max())
    expected /= expected.sum()
    counts = np.bincount(completed.numpy()[:, -1], minlength=sequences.VOCAB_SIZE) / 4000
    np.testing.assert_allclose(counts, expected, atol=0.03)


def test_blend_keeps_rate_of_the_target():
    target, source = sequences.tiny_generator(), sequences.tiny_generator()
    before = [w.numpy().copy() for w in target.weights]
    rollouts.blend_into(target, source, 0.8)
    for old, new, other in zip(before, target.weights, source.weights):
        np.testing.assert_allclose(new.numpy(), 0.8 * old + 0.2 * other.numpy(), rtol=1e-5)
