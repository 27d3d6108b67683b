"""Choosing the next token from a sequence generator's logits: temperature, top-k, top-p, greedy.

Every random choice is made from one uniform number per row by inverting the categorical
distribution's cumulative sum, rather than with `tf.random.categorical`. One uniform per token
is what makes sequence sampling fit kgan's noise discipline: the uniforms of a training step are
drawn statelessly for the *global* batch (`kgan.models.noise`), so replicas under
`tf.distribute` and a resumed run choose exactly the tokens one uninterrupted device would, and
`generate(n, seed)` starts with the sequences of `generate(k, seed)`. Gumbel-max would need a
uniform per vocabulary entry (`rows x length x vocabulary` numbers: 8 GB for SeqGAN's
Monte-Carlo rollouts of one batch).
"""

import math

import tensorflow as tf


def check_decoding(temperature=1.0, top_k=0, top_p=1.0):
    """Raises `ValueError` naming the setting when a decoding option cannot work."""
    if isinstance(temperature, (int, float)) and not temperature > 0:
        raise ValueError(
            f"temperature must be > 0, got {temperature} (use greedy=True for argmax decoding)."
        )
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0:
        raise ValueError(f"top_k must be an integer >= 0 (0 keeps every token), got {top_k!r}.")
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1] (1 keeps every token), got {top_p}.")


def filter_logits(logits, temperature=1.0, top_k=0, top_p=1.0):
    """Logits divided by `temperature`, keeping the `top_k` best and the nucleus of mass `top_p`.

    Args:
        logits: float tensor `[rows, vocabulary]`.
        temperature: Divides the logits: below 1 sharpens the distribution (quality), above 1
            flattens it (diversity). A float or a float tensor. Defaults to `1.0`.
        top_k: Keep only the `top_k` most likely tokens; `0` keeps all. Defaults to `0`.
        top_p: Keep the smallest set of most likely tokens whose probability reaches `top_p`
            (nucleus sampling, Holtzman et al. 2020); `1` keeps all. Defaults to `1.0`.

    Returns:
        float32 logits `[rows, vocabulary]`, removed tokens at `-inf`.
    """
    logits = tf.cast(logits, tf.float32) / tf.cast(temperature, tf.float32)
    vocabulary = logits.shape[-1]
    if top_k and top_k < vocabulary:
        kth_best = tf.math.top_k(logits, k=top_k).values[:, -1:]
        logits = tf.where(logits < kth_best, float("-inf"), logits)
    if top_p < 1:
        order = tf.argsort(logits, axis=-1, direction="DESCENDING")
        sorted_logits = tf.gather(logits, order, batch_dims=1)
        # The mass *before* each sorted token: a token stays while the tokens ahead of it hold
        # less than top_p, so the most likely token always stays.
        mass_before = tf.math.cumsum(tf.nn.softmax(sorted_logits), axis=-1, exclusive=True)
        sorted_kept = mass_before < top_p
        kept = tf.scatter_nd(
            tf.stack(
                [tf.broadcast_to(tf.range(tf.shape(order)[0])[:, None], tf.shape(order)), order],
                axis=-1,
            ),
            sorted_kept,
            tf.shape(order),
        )
        logits = tf.where(kept, logits, float("-inf"))
    return logits


def choose(logits, uniform):
    """The token of each row whose cumulative probability first exceeds `uniform`.

    Args:
        logits: float32 `[rows, vocabulary]` (as `filter_logits` returns).
        uniform: float `[rows]` in `[0, 1)`.

    Returns:
        int32 token ids `[rows]`, distributed as `softmax(logits)`.
    """
    # Unnormalised weights suffice: the uniform is scaled by each row's total below, which also
    # keeps the choice below the total however round-off sums, so a removed token (zero
    # weight) at the end is never chosen.
    weights = tf.exp(logits - tf.reduce_max(logits, axis=-1, keepdims=True))
    vocabulary = logits.shape[-1]
    uniform = tf.cast(uniform, weights.dtype)
    if vocabulary <= _SINGLE_LEVEL_VOCABULARY:
        return _invert(weights, uniform)[0]
    # Two levels: TensorFlow's CPU cumsum over a long row is several times slower than a
    # reduction (0.40 s against 0.04 s for 20,000 x 5,000), and SeqGAN's rollouts invert
    # ~200,000 rows per step. So the row is cut into ~sqrt(V) blocks: the block is chosen from
    # the blocks' sums, then the token inside it from that block's own cumulative sum, with the
    # uniform rescaled to the block. Two cumsums of ~sqrt(V) instead of one of V; the same
    # distribution, exactly the same token except where round-off moves a boundary.
    size = math.isqrt(vocabulary - 1) + 1
    count = -(-vocabulary // size)
    rows = tf.shape(weights)[0]
    blocks = tf.reshape(
        tf.pad(weights, [[0, 0], [0, count * size - vocabulary]]), [rows, count, size]
    )
    block_sums = tf.reduce_sum(blocks, axis=-1)
    block, cumulative = _invert(block_sums, uniform)
    # Where the uniform falls inside its block, as a fraction of the block's weight: the
    # chosen block has weight > 0 (its cumulative sum exceeds the target), and the fraction is
    # clipped below 1 so the choice inside stays among the block's weighted tokens.
    block_sum = tf.gather(block_sums, block, batch_dims=1)
    below = tf.gather(cumulative, block, batch_dims=1) - block_sum
    fraction = tf.math.divide_no_nan(uniform * cumulative[:, -1] - below, block_sum)
    fraction = tf.clip_by_value(fraction, 0.0, _BELOW_ONE)
    inside, _ = _invert(tf.gather(blocks, block, batch_dims=1), fraction)
    return tf.minimum(block * size + inside, vocabulary - 1)


# Rows this short are inverted in one cumsum; above, two levels are faster.
_SINGLE_LEVEL_VOCABULARY = 256
# The largest float32 below 1.
_BELOW_ONE = 1.0 - 2.0**-24


def _invert(weights, uniform):
    """`(index, cumulative)`: the index of the first cumulative weight above `uniform` times
    the row's total, and the cumulative weights (which the two-level choice reuses)."""
    cumulative = tf.math.cumsum(weights, axis=-1)
    target = uniform[:, None] * cumulative[:, -1:]
    # The number of cumulative weights <= target is `searchsorted(side="right")` on this
    # non-decreasing row, exactly; counting is written out because LiteRT has no built-in
    # kernel for `searchsorted` (TF's `UpperBound`), and exported samplers must convert.
    chosen = tf.reduce_sum(tf.cast(cumulative <= target, tf.int32), axis=-1)
    return tf.minimum(chosen, weights.shape[-1] - 1), cumulative


def next_tokens(logits, uniform, temperature=1.0, top_k=0, top_p=1.0, greedy=False):
    """The next token of every row: the argmax when `greedy`, else a filtered random choice."""
    if greedy:
        return tf.argmax(logits, axis=-1, output_type=tf.int32)
    return choose(filter_logits(logits, temperature, top_k, top_p), uniform)
