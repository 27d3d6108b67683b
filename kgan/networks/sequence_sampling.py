"""Sampling token sequences from a generator outside training: seeded, batched, decoded.

`SequenceGAN.generate` and the synthetic oracle (`kgan.data.oracle`) both sample through
`generate_tokens`, so a seed gives the same sequences everywhere: the uniforms come from
`numpy.random.default_rng(seed)`, one per token, and the first `k` sequences of
`generate_tokens(network, n, seed)` are those of `generate_tokens(network, k, seed)`.
"""

import weakref

import numpy as np
import tensorflow as tf

from kgan.networks import token_sampling

# One traced sampler per network and decoding setting (the temperature is a tensor argument).
_SAMPLERS = weakref.WeakKeyDictionary()


def generate_tokens(
    network,
    num,
    seed=None,
    temperature=1.0,
    top_k=0,
    top_p=1.0,
    greedy=False,
    end_token=None,
    pad_token=None,
    batch_size=256,
    sources=None,
):
    """Samples `num` sequences from a token generator, int32 `np.ndarray` `[num, max_length]`.

    Args:
        network: A token generator with `unroll` and `max_length` (`RecurrentGenerator`).
        num: Number of sequences.
        seed: Integer seed. Defaults to a random one.
        temperature: Divides the logits (below 1: likelier, less diverse). Defaults to `1.0`.
        top_k: Sample among the `top_k` likeliest tokens only; `0` for all. Defaults to `0`.
        top_p: Sample from the nucleus of mass `top_p`; `1` for all. Defaults to `1.0`.
        greedy: Take the likeliest token every step (no randomness). Defaults to `False`.
        end_token: After this token, positions hold `pad_token` (or the end token itself when
            `pad_token` is `None`). Defaults to `None` (fixed-length sequences).
        pad_token: The filler after `end_token`. Defaults to `None`.
        batch_size: Sequences per forward pass. Defaults to `256`.
        sources: For a sequence-to-sequence generator (with `encode`): the source ids
            `[num, source_length]`, one output sampled for each. Defaults to `None`.

    Returns:
        int32 `np.ndarray` `[num, max_length]`.
    """
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
        raise ValueError(f"num must be a positive integer number of sequences, got {num!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    token_sampling.check_decoding(temperature, top_k, top_p)
    if sources is not None:
        sources = np.asarray(sources)
        if sources.ndim != 2 or len(sources) != num:
            raise ValueError(
                f"sources must be source ids [num={num}, source_length]; got shape {sources.shape}."
            )
    uniforms = np.random.default_rng(seed).random((int(num), network.max_length), np.float32)
    sample = _sampler(network, int(top_k), float(top_p), bool(greedy), sources is not None)
    temperature = tf.constant(float(temperature))
    batches = []
    for start in range(0, int(num), batch_size):
        arguments = [tf.constant(uniforms[start : start + batch_size]), temperature]
        if sources is not None:
            arguments.append(tf.constant(sources[start : start + batch_size], tf.int32))
        batches.append(sample(*arguments).numpy())
    return pad_after_end(np.concatenate(batches).astype(np.int32), end_token, pad_token)


def pad_after_end(tokens, end_token=None, pad_token=None):
    """`tokens` `[num, T]` with every position after the first `end_token` set to `pad_token`.

    Sampling runs all `T` steps; what follows a sentence's end is noise, so it is replaced (by
    the end token itself when `pad_token` is `None`). Nothing changes when `end_token` is `None`.
    """
    tokens = np.asarray(tokens, np.int32)
    if end_token is None:
        return tokens
    is_end = tokens == int(end_token)
    after_end = (np.cumsum(is_end, axis=1) - is_end) > 0
    return np.where(after_end, int(end_token) if pad_token is None else pad_token, tokens)


def _sampler(network, top_k, top_p, greedy, conditional=False):
    samplers = _SAMPLERS.setdefault(network, {})
    key = (top_k, top_p, greedy, conditional)
    if key not in samplers:

        @tf.function(reduce_retracing=True)
        def sample(uniforms, temperature, sources=None):
            # Only a sequence-to-sequence generator takes a start state (its encoder's).
            start = {} if sources is None else {"state": network.encode(sources, training=False)}
            return tokens_from_uniforms(
                network, uniforms, temperature, top_k, top_p, greedy, **start
            )

        samplers[key] = sample
    return samplers[key]


def tokens_from_uniforms(network, uniforms, temperature, top_k=0, top_p=1.0, greedy=False, **start):
    """The sampling graph itself: token ids int32 `[rows, T]` chosen with `uniforms[:, t]`.

    What `generate_tokens` traces, and what `kgan.export` serves as the `generate` signature of
    a token generator, so an exported model and `generate` run the same ops on the same
    uniforms. Every op has a LiteRT built-in kernel.

    Args:
        network: A token generator with `unroll` (`RecurrentGenerator`).
        uniforms: float32 `[rows, T]` in `[0, 1)`, one per token.
        temperature: float scalar (or tensor), > 0.
        top_k, top_p, greedy: As for `generate_tokens`; Python values, fixed in the graph.
        **start: Passed to `network.unroll` (`state=` for a sequence-to-sequence generator).
    """
    return network.unroll(
        lambda logits, t: token_sampling.next_tokens(
            logits, uniforms[:, t], temperature, top_k, top_p, greedy
        ),
        tf.shape(uniforms)[0],
        training=False,
        **start,
    )


def sample_uniforms(network, uniforms, temperature=1.0, top_k=0, top_p=1.0, greedy=False):
    """`generate_tokens` on given uniforms `[num, T]` (one batch): int32 `np.ndarray` ids.

    The reference the export's parity check compares against: the same traced sampler as
    `generate_tokens`, so `sample_uniforms(network, rng.random((n, T), np.float32))` with
    `rng = np.random.default_rng(seed)` is `generate_tokens(network, n, seed)`.
    """
    token_sampling.check_decoding(temperature, top_k, top_p)
    sample = _sampler(network, int(top_k), float(top_p), bool(greedy))
    uniforms = tf.constant(np.asarray(uniforms, np.float32))
    return sample(uniforms, tf.constant(float(temperature))).numpy().astype(np.int32)


def run_steps(network, choose, rows, length, prefix, prefix_length, keep_logits, training, state):
    """The autoregressive loop behind `AutoregressiveDecoder.unroll` (see its arguments there).

    `network` provides `start_token`, `initial_state(rows)` and `step(tokens, state)` ->
    `(logits, state)`; whatever its state is (LSTM cells, a key/value cache), the loop is this.
    """
    tokens = tf.fill([rows], network.start_token)
    state = network.initial_state(rows) if state is None else list(state)
    chosen, logits_of_steps = [], []
    # A Python loop: unrolled in the traced graph (the sequences are short), so every step
    # is visible to XLA and to the gradient tape of the Gumbel-softmax relaxation.
    for t in range(length):
        logits, state = network.step(tokens, state, training=training)
        tokens = choose(logits, t)
        if prefix is not None:
            tokens = tf.where(t < prefix_length, prefix[:, t], tokens)
        chosen.append(tokens)
        if keep_logits:
            logits_of_steps.append(logits)
    sequences = tf.stack(chosen, axis=1)
    if keep_logits:
        return sequences, tf.stack(logits_of_steps, axis=1)
    return sequences
