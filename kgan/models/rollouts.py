"""SeqGAN's Monte-Carlo rollouts: a reward for every token of a sampled sequence.

The discriminator scores only whole sequences, but the policy gradient needs the value of each
token choice. SeqGAN estimates the value of the prefix `y_1..y_t` by completing it `N` times with
a rollout policy and averaging the discriminator's probability that the completions are real;
the last token's reward is the score of the sequence itself (Yu et al. 2017, eq. 4):

    Q(y_1..y_t) = 1/N sum_n D(rollout_n(y_1..y_t))   for t < T,     Q(y_1..y_T) = D(y_1..y_T).

All `batch x N x (T - 1)` completions run as one batch through the rollout policy (each row
copies its prefix and samples the rest), then through the discriminator in one call: no Python
loop over prefixes or rollouts, so the work is a few large matrix products that XLA and a GPU
keep busy. Each row still steps through all `T` positions (the prefix positions are forced),
which costs at most twice the minimal work and keeps every row the same shape.
"""

import tensorflow as tf

from kgan.networks import token_sampling


def prefixes(sequences, num_rollouts):
    """Every prefix of every sequence, `num_rollouts` times: `(tokens, prefix_length)`.

    Args:
        sequences: int32 `[batch, T]`.
        num_rollouts: Completions per prefix.

    Returns:
        `tokens` int32 `[batch * num_rollouts * (T - 1), T]` (row `(b, n, t)` is sequence `b`)
        and `prefix_length` int32 `[batch * num_rollouts * (T - 1)]` (`t + 1` for row
        `(b, n, t)`): the prefixes of lengths `1 .. T - 1`.
    """
    batch = tf.shape(sequences)[0]
    length = sequences.shape[1]
    rows = batch * num_rollouts * (length - 1)
    tokens = tf.broadcast_to(sequences[:, None, None, :], [batch, num_rollouts, length - 1, length])
    prefix_length = tf.broadcast_to(
        tf.range(1, length, dtype=tf.int32)[None, None, :], [batch, num_rollouts, length - 1]
    )
    return tf.reshape(tokens, [rows, length]), tf.reshape(prefix_length, [rows])


def monte_carlo_rewards(policy, discriminator, sequences, uniforms, num_rollouts):
    """Per-token rewards `[batch, T]` of `sequences` by Monte-Carlo rollouts.

    Args:
        policy: The rollout policy, a `RecurrentGenerator`-like network with `unroll`.
        discriminator: Callable `tokens -> logits [rows, 1]`.
        sequences: int32 `[batch, T]`, the sampled sequences.
        uniforms: float `[batch * num_rollouts * (T - 1), T]` in `[0, 1)`: one uniform per
            token of every completion (rows ordered as `prefixes` orders them).
        num_rollouts: Completions per prefix (`N`; 16 in SeqGAN).

    Returns:
        float32 `[batch, T]`: `D`'s mean probability of "real" over the completions of each
        prefix, and the sequence's own probability for the last token.
    """
    sequences = tf.cast(sequences, tf.int32)
    batch = tf.shape(sequences)[0]
    length = sequences.shape[1]
    final = tf.sigmoid(tf.reshape(discriminator(sequences, training=False), [batch, 1]))
    if length == 1:
        return final
    tokens, prefix_length = prefixes(sequences, num_rollouts)
    completed = policy.unroll(
        lambda logits, t: token_sampling.choose(logits, uniforms[:, t]),
        tf.shape(tokens)[0],
        prefix=tokens,
        prefix_length=prefix_length,
        length=length,
        training=False,
    )
    scores = tf.sigmoid(discriminator(completed, training=False))
    scores = tf.reshape(scores, [batch, num_rollouts, length - 1])
    return tf.stop_gradient(tf.concat([tf.reduce_mean(scores, axis=1), final], axis=1))


def blend_into(target, source, rate):
    """`target <- rate * target + (1 - rate) * source`, variable by variable.

    SeqGAN's delayed rollout policy (its code's `update_rate = 0.8`): the policy that scores the
    generator's tokens trails the generator, which steadies the rewards.
    """
    for target_variable, source_variable in zip(target.weights, source.weights):
        target_variable.assign(rate * target_variable + (1.0 - rate) * source_variable)
