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
    cumulative = tf.math.cumsum(weights, axis=-1)
    target = tf.cast(uniform, cumulative.dtype)[:, None] * cumulative[:, -1:]
    # The number of cumulative weights <= target is `searchsorted(side="right")` on this
    # non-decreasing row, exactly; counting is written out because LiteRT has no built-in
    # kernel for `searchsorted` (TF's `UpperBound`), and exported samplers must convert.
    chosen = tf.reduce_sum(tf.cast(cumulative <= target, tf.int32), axis=-1)
    return tf.minimum(chosen, logits.shape[-1] - 1)


def next_tokens(logits, uniform, temperature=1.0, top_k=0, top_p=1.0, greedy=False):
    """The next token of every row: the argmax when `greedy`, else a filtered random choice."""
    if greedy:
        return tf.argmax(logits, axis=-1, output_type=tf.int32)
    return choose(filter_logits(logits, temperature, top_k, top_p), uniform)
