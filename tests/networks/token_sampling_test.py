"""Tests for kgan/networks/token_sampling.py: filtered logits and the inverse-CDF choice."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.networks import token_sampling

LOGITS = np.log(np.array([[0.5, 0.3, 0.15, 0.05]], np.float32))


def test_top_k_keeps_the_k_likeliest():
    kept = token_sampling.filter_logits(LOGITS, top_k=2).numpy()
    assert np.isfinite(kept[0, :2]).all() and np.isneginf(kept[0, 2:]).all()


def test_top_p_keeps_the_nucleus():
    # Mass before each token: 0, 0.5, 0.8, 0.95 -> top_p=0.8 keeps the first two tokens.
    kept = token_sampling.filter_logits(LOGITS, top_p=0.8).numpy()
    assert np.isfinite(kept[0, :2]).all() and np.isneginf(kept[0, 2:]).all()
    # Shuffled columns: the nucleus follows the probabilities, not the positions.
    order = [2, 0, 3, 1]
    kept = token_sampling.filter_logits(LOGITS[:, order], top_p=0.8).numpy()
    assert np.isfinite(kept[0]).tolist() == [False, True, False, True]
    # The likeliest token always stays, however small top_p.
    assert np.isfinite(token_sampling.filter_logits(LOGITS, top_p=1e-6).numpy()).sum() == 1


def test_temperature_divides_the_logits():
    np.testing.assert_allclose(
        token_sampling.filter_logits(LOGITS, temperature=0.5).numpy(), LOGITS / 0.5, rtol=1e-6
    )


def test_choose_inverts_the_cumulative_distribution():
    # Cumulative: 0.5, 0.8, 0.95, 1.0.
    uniform = np.array([0.0, 0.49, 0.51, 0.79, 0.81, 0.96, 0.999999], np.float32)
    logits = np.repeat(LOGITS, len(uniform), axis=0)
    assert token_sampling.choose(logits, uniform).numpy().tolist() == [0, 0, 1, 1, 2, 3, 3]


def test_choices_follow_the_distribution_and_skip_removed_tokens():
    uniform = np.random.default_rng(0).random(40_000).astype(np.float32)
    logits = np.repeat(LOGITS, len(uniform), axis=0)
    counts = np.bincount(token_sampling.choose(logits, uniform).numpy(), minlength=4)
    np.testing.assert_allclose(counts / len(uniform), [0.5, 0.3, 0.15, 0.05], atol=0.01)
    # A removed last token is never chosen, even for uniforms just below 1.
    filtered = token_sampling.filter_logits(logits, top_k=3)
    high = np.full(len(uniform), np.nextafter(np.float32(1), np.float32(0)), np.float32)
    assert token_sampling.choose(filtered, high).numpy().max() == 2


def single_level_choice(logits, uniform):
    """The one-cumsum inversion, by numpy in float64: what two levels must agree with."""
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True)).astype(np.float64)
    cumulative = np.cumsum(weights, axis=-1)
    target = uniform[:, None] * cumulative[:, -1:]
    return np.minimum((cumulative <= target).sum(axis=-1), logits.shape[-1] - 1)


def test_large_vocabularies_choose_in_two_levels_as_one_cumsum_would():
    # 1,000 tokens (above the single-level cut-off; 32 blocks of 32, the last one padded), a
    # skewed distribution so both likely and unlikely blocks are hit.
    rng = np.random.default_rng(1)
    vocabulary, rows = 1_000, 20_000
    logits = (rng.normal(size=(1, vocabulary)) * 2).astype(np.float32)
    logits = np.repeat(logits, rows, axis=0)
    uniform = rng.random(rows).astype(np.float32)
    chosen = token_sampling.choose(logits, uniform).numpy()
    expected = single_level_choice(logits, uniform)
    # Round-off may move a boundary between neighbours, nothing more.
    assert np.mean(chosen == expected) > 0.998
    assert np.abs(chosen - expected).max() <= 1
    probabilities = np.exp(logits[0] - logits[0].max())
    probabilities /= probabilities.sum()
    counts = np.bincount(chosen, minlength=vocabulary) / rows
    assert np.abs(counts - probabilities).max() < 0.01


def test_large_vocabularies_never_choose_removed_tokens():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(4_000, 777)).astype(np.float32)
    filtered = token_sampling.filter_logits(logits, top_k=5).numpy()
    for uniform in (
        rng.random(4_000).astype(np.float32),
        np.zeros(4_000, np.float32),
        np.full(4_000, np.nextafter(np.float32(1), np.float32(0)), np.float32),
    ):
        chosen = token_sampling.choose(filtered, uniform).numpy()
        assert np.isfinite(filtered[np.arange(4_000), chosen]).all()


def test_greedy_is_the_argmax():
    tokens = token_sampling.next_tokens(LOGITS[:, ::-1], tf.constant([0.99]), greedy=True)
    assert tokens.numpy().tolist() == [3]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"temperature": 0.0}, "temperature must be > 0"),
        ({"top_k": -1}, "top_k must be an integer >= 0"),
        ({"top_p": 0.0}, r"top_p must be in \(0, 1\]"),
        ({"top_p": 1.5}, r"top_p must be in \(0, 1\]"),
    ],
)
def test_bad_decoding_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        token_sampling.check_decoding(**options)
