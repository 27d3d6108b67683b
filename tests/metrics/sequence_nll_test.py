"""Tests for kgan/metrics/sequence_nll.py: per-token NLL equals a NumPy computation."""

import numpy as np
import pytest

from kgan import metrics
from kgan.data import oracle as oracle_lib
from kgan.testing import sequences


def numpy_nll(network, tokens, pad_token=None):
    logits = network(network.teacher_inputs(tokens)).numpy().astype(np.float64)
    log_probs = (
        logits
        - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True))
        - logits.max(-1, keepdims=True)
    )
    picked = np.take_along_axis(log_probs, tokens[..., None], axis=-1)[..., 0]
    mask = np.ones_like(picked) if pad_token is None else (tokens != pad_token)
    return -(picked * mask).sum() / mask.sum()


def test_streaming_equals_numpy_with_and_without_padding():
    network = sequences.tiny_generator()
    tokens = sequences.counting_sequences(37)
    for pad_token in (None, 3):
        metric = metrics.SequenceNLL(network, pad_token)
        metric.update_state(tokens[:20], batch_size=7)
        metric.update_state(tokens[20:], batch_size=7)
        expected = numpy_nll(network, tokens, pad_token)
        assert metric.result() == pytest.approx(expected, rel=1e-5)
        assert metrics.sequence_nll(network, tokens, pad_token) == pytest.approx(expected, rel=1e-5)


def test_the_oracle_scores_its_own_samples_below_uniform_tokens():
    oracle = oracle_lib.make_oracle(vocab_size=50, max_length=8, seed=0)
    own = oracle_lib.oracle_sequences(oracle, 400, seed=1)
    uniform = np.random.default_rng(0).integers(0, 50, (400, 8))
    assert metrics.sequence_nll(oracle, own) < metrics.sequence_nll(oracle, uniform)
    # The same seed is the same oracle.
    again = oracle_lib.make_oracle(vocab_size=50, max_length=8, seed=0)
    np.testing.assert_array_equal(oracle_lib.oracle_sequences(again, 10, seed=1), own[:10])


def test_bad_sequences_are_refused():
    metric = metrics.SequenceNLL(sequences.tiny_generator())
    with pytest.raises(ValueError, match=r"token ids \[N, 6\]"):
        metric.update_state(np.zeros((3, 4), np.int32))
    with pytest.raises(ValueError, match=r"must be in \[0, 12\)"):
        metric.update_state(np.full((3, 6), 12))
    assert np.isnan(metrics.SequenceNLL(sequences.tiny_generator()).result())


def test_one_trace_for_every_batch_size_and_every_metric_of_a_network():
    # GenerativeMetrics and the recipes make a metric per evaluation: none may trace again.
    network = sequences.tiny_generator()
    first = metrics.SequenceNLL(network, pad_token=0)
    for num in (20, 7, 33):
        tokens = sequences.counting_sequences(num)
        first.update_state(tokens, batch_size=16)
        metric = metrics.SequenceNLL(network, pad_token=0)
        metric.update_state(tokens, batch_size=16)
        assert metric.result() == pytest.approx(numpy_nll(network, tokens, 0), rel=1e-5)
    assert first._score.experimental_get_tracing_count() == 1
    other = metrics.SequenceNLL(network)  # other padding: its own function
    assert other._score is not first._score
