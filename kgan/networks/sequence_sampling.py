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

    Returns:
        int32 `np.ndarray` `[num, max_length]`.
    """
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
        raise ValueError(f"num must be a positive integer number of sequences, got {num!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    token_sampling.check_decoding(temperature, top_k, top_p)
    uniforms = np.random.default_rng(seed).random((int(num), network.max_length), np.float32)
    sample = _sampler(network, int(top_k), float(top_p), bool(greedy))
    temperature = tf.constant(float(temperature))
    tokens = np.concatenate(
        [
            sample(tf.constant(uniforms[start : start + batch_size]), temperature).numpy()
            for start in range(0, int(num), batch_size)
        ]
    ).astype(np.int32)
    if end_token is not None:
        is_end = tokens == int(end_token)
        after_end = (np.cumsum(is_end, axis=1) - is_end) > 0
        tokens = np.where(after_end, int(end_token) if pad_token is None else pad_token, tokens)
    return tokens


def _sampler(network, top_k, top_p, greedy):
    samplers = _SAMPLERS.setdefault(network, {})
    key = (top_k, top_p, greedy)
    if key not in samplers:

        @tf.function(reduce_retracing=True)
        def sample(uniforms, temperature):
            return network.unroll(
                lambda logits, t: token_sampling.next_tokens(
                    logits, uniforms[:, t], temperature, top_k, top_p, greedy
                ),
                tf.shape(uniforms)[0],
                training=False,
            )

        samplers[key] = sample
    return samplers[key]
