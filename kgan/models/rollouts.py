"""SeqGAN's Monte-Carlo rollouts: a reward for every token of a sampled sequence.

The discriminator scores only whole sequences, but the policy gradient needs the value of each
token choice. SeqGAN estimates the value of the prefix `y_1..y_t` by completing it `N` times with
a rollout policy and averaging the discriminator's probability that the completions are real;
the last token's reward is the score of the sequence itself (Yu et al. 2017, eq. 4):

    Q(y_1..y_t) = 1/N sum_n D(rollout_n(y_1..y_t))   for t < T,     Q(y_1..y_T) = D(y_1..y_T).

All `batch x N x (T - 1)` completions run as one batch through the rollout policy, then
through the discriminator in one call: no Python loop over prefixes or rollouts. The rows are
ordered by prefix length, so at position `k` the rows that sample (those whose prefix is
shorter than `k + 1`) are the first `k * batch * N`: the recurrence steps every row (cheap), but
the softmax layer and the sampling, which cost `vocabulary` per row, run only on the rows that
sample. That is `T (T - 1) / 2` sampled tokens per rollout, the least possible, in `T` steps of
large matrix products that XLA and a GPU keep busy.
"""

import tensorflow as tf

from kgan.networks import token_sampling


def prefixes(sequences, num_rollouts):
    """Every prefix of every sequence, `num_rollouts` times: `(tokens, prefix_length)`.

    Args:
        sequences: int32 `[batch, T]`.
        num_rollouts: Completions per prefix.

    Returns:
        `tokens` int32 `[(T - 1) * batch * num_rollouts, T]` (row `(t, b, n)` is sequence `b`)
        and `prefix_length` int32 of the same rows (`t + 1` for row `(t, b, n)`): the
        prefixes of lengths `1 .. T - 1`, shortest first.
    """
    batch = tf.shape(sequences)[0]
    length = sequences.shape[1]
    rows = (length - 1) * batch * num_rollouts
    tokens = tf.broadcast_to(sequences[None, :, None, :], [length - 1, batch, num_rollouts, length])
    prefix_length = tf.broadcast_to(
        tf.range(1, length, dtype=tf.int32)[:, None, None], [length - 1, batch, num_rollouts]
    )
    return tf.reshape(tokens, [rows, length]), tf.reshape(prefix_length, [rows])


def complete(policy, tokens, uniforms, group):
    """Completes the prefixes of `prefixes(...)` rows by sampling from `policy`.

    Args:
        policy: A token generator with `initial_state`, `advance`, `output_logits` and
            `start_token` (`kgan.networks.RecurrentGenerator`).
        tokens: int32 `[rows, T]` from `prefixes`, rows ordered by prefix length.
        uniforms: float `[rows, T]` in `[0, 1)`, one per token.
        group: Rows per prefix length (`batch * num_rollouts`).

    Returns:
        int32 `[rows, T]`: each row's prefix, then sampled tokens.
    """
    rows = tf.shape(tokens)[0]
    length = tokens.shape[1]
    state = policy.initial_state(rows)
    previous = tf.fill([rows], policy.start_token)
    chosen = []
    for position in range(length):
        output, state = policy.advance(previous, state, training=False)
        if position == 0:
            # Every prefix holds at least one token: nothing samples at position 0.
            previous = tokens[:, 0]
        else:
            sampling = position * group  # prefixes of length <= position come first
            logits = policy.output_logits(output[:sampling])
            sampled = token_sampling.choose(logits, uniforms[:sampling, position])
            previous = tf.concat([sampled, tokens[sampling:, position]], axis=0)
        chosen.append(previous)
    return tf.stack(chosen, axis=1)


def monte_carlo_rewards(policy, discriminator, sequences, uniforms, num_rollouts):
    """Per-token rewards `[batch, T]` of `sequences` by Monte-Carlo rollouts.

    Args:
        policy: The rollout policy (see `complete`).
        discriminator: Callable `tokens -> logits [rows, 1]`.
        sequences: int32 `[batch, T]`, the sampled sequences.
        uniforms: float `[(T - 1) * batch * num_rollouts, T]` in `[0, 1)`: one uniform per
            token of every completion, rows ordered as `prefixes` orders them.
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
    tokens, _ = prefixes(sequences, num_rollouts)
    completed = complete(policy, tokens, uniforms, batch * num_rollouts)
    scores = tf.sigmoid(discriminator(completed, training=False))
    scores = tf.reshape(scores, [length - 1, batch, num_rollouts])
    partial = tf.transpose(tf.reduce_mean(scores, axis=2))
    return tf.stop_gradient(tf.concat([partial, final], axis=1))


def blend_into(target, source, rate):
    """`target <- rate * target + (1 - rate) * source`, variable by variable.

    SeqGAN's delayed rollout policy (its code's `update_rate = 0.8`): the policy that scores the
    generator's tokens trails the generator, which steadies the rewards.
    """
    for target_variable, source_variable in zip(target.weights, source.weights):
        target_variable.assign(rate * target_variable + (1.0 - rate) * source_variable)
