"""Tests for kgan/metrics/temperature_sweep.py: scores per temperature, tempered likelihood."""

import numpy as np
import pytest

from kgan import metrics
from kgan.data import oracle as oracle_lib
from kgan.networks import sequence_sampling
from kgan.testing import sequences


def test_sweep_scores_each_temperature_as_the_metrics_do():
    generator = sequences.tiny_generator()
    oracle = oracle_lib.make_oracle(sequences.VOCAB_SIZE, sequences.LENGTH, 8, 8, seed=0)
    test = sequences.counting_sequences(40)
    references = [list(row) for row in sequences.counting_sequences(30, seed=1)]
    rows = metrics.temperature_sweep(
        generator, (0.5, 1.0), oracle, test, references, num_samples=60, max_order=2
    )
    assert [row["temperature"] for row in rows] == [0.5, 1.0]
    samples = sequence_sampling.generate_tokens(generator, 60, seed=0, temperature=0.5)
    assert rows[0]["nll_oracle"] == pytest.approx(metrics.sequence_nll(oracle, samples))
    assert rows[0]["bleu"] == pytest.approx(metrics.bleu(samples.tolist(), references, 2))
    assert rows[0]["self_bleu"] == pytest.approx(metrics.self_bleu(samples.tolist(), 2))
    # At temperature 1 the tempered likelihood is the generator's own.
    assert rows[1]["nll_test"] == pytest.approx(metrics.sequence_nll(generator, test), rel=1e-5)
    # A lower temperature makes the samples less diverse.
    assert rows[0]["self_bleu"] > rows[1]["self_bleu"]


def test_tempered_likelihood_divides_the_logits():
    generator = sequences.tiny_generator()
    test = sequences.counting_sequences(8)
    logits = generator(generator.teacher_inputs(test)).numpy() / 2.0
    shifted = logits - logits.max(-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    expected = -np.take_along_axis(log_probs, test[..., None], -1).mean()
    (row,) = metrics.temperature_sweep(generator, (2.0,), test_tokens=test, num_samples=4)
    assert row["nll_test"] == pytest.approx(expected, rel=1e-5)
