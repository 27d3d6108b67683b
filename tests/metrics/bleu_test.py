"""Tests for kgan/metrics/bleu.py: equal to NLTK's smoothed sentence BLEU, and hand values."""

import numpy as np
import pytest
from nltk.translate import bleu_score

from kgan import metrics


def random_sequences(rng, num, vocabulary, shortest, longest):
    lengths = rng.integers(shortest, longest + 1, num)
    return [list(rng.integers(0, vocabulary, length)) for length in lengths]


@pytest.mark.parametrize("vocabulary, shortest, longest", [(5, 4, 8), (20, 2, 10), (3, 1, 4)])
@pytest.mark.parametrize("order", [2, 3, 4, 5])
def test_equals_nltk(vocabulary, shortest, longest, order):
    rng = np.random.default_rng(order * 100 + vocabulary)
    hypotheses = random_sequences(rng, 25, vocabulary, shortest, longest)
    references = random_sequences(rng, 30, vocabulary, shortest, longest)
    weights = (1 / order,) * order
    smoothing = bleu_score.SmoothingFunction().method1

    def nltk_mean(pairs):
        return np.mean([bleu_score.sentence_bleu(r, h, weights, smoothing) for h, r in pairs])

    expected = nltk_mean((h, references) for h in hypotheses)
    assert metrics.bleu(hypotheses, references, order) == pytest.approx(expected, abs=1e-12)
    others = ((h, hypotheses[:i] + hypotheses[i + 1 :]) for i, h in enumerate(hypotheses))
    assert metrics.self_bleu(hypotheses, order) == pytest.approx(nltk_mean(others), abs=1e-12)


def test_hand_values():
    # Identical sentence: every precision 1, no brevity penalty.
    assert metrics.bleu([[1, 2, 3, 4]], [[1, 2, 3, 4]], 2) == pytest.approx(1.0)
    # Unigrams 2/3 matched, bigrams 1/2 (only "1 2"): sqrt(2/3 * 1/2); lengths equal.
    assert metrics.bleu([[1, 2, 9]], [[1, 2, 3]], 2) == pytest.approx(np.sqrt(2 / 3 * 1 / 2))
    # Clipping: "7 7 7" against "7" matches one of three unigrams, and is longer (no penalty);
    # no bigram matches, smoothed to 0.1 / 2.
    assert metrics.bleu([[7, 7, 7]], [[7]], 2) == pytest.approx(np.sqrt(1 / 3 * 0.05))
    # No unigram in common: 0.
    assert metrics.bleu([[5, 6]], [[1, 2]], 2) == 0.0


def test_self_bleu_is_high_for_copies_and_errors():
    assert metrics.self_bleu([[1, 2, 3]] * 3, 3) == pytest.approx(1.0)
    assert metrics.self_bleu([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 3) == 0.0
    with pytest.raises(ValueError, match="at least two samples"):
        metrics.self_bleu([[1, 2]])
    with pytest.raises(ValueError, match="needs references"):
        metrics.bleu([[1]], [])
