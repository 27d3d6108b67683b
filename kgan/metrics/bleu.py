"""BLEU of generated sequences against references, and self-BLEU (diversity), as text GANs report.

Text-GAN papers (Yu et al. 2017; Texygen, Zhu et al. 2018; Caccia et al. 2020) score each
generated sentence with sentence BLEU against the *whole* reference set, smoothed by Chen &
Cherry's method 1 (a zero n-gram match counts as `epsilon = 0.1`), and average over the
sentences; self-BLEU scores each generated sentence against all the *other* generated ones, so
high self-BLEU means low diversity. These are NLTK's `sentence_bleu(references, hypothesis,
weights, SmoothingFunction().method1)` averaged, equal to it (a test checks), but fast: the
clipping count of an n-gram against all references is its largest count in any single
reference, precomputed once per n-gram (and, for self-BLEU, the largest from any *other*
sentence, from the top two counts), so scoring costs one pass over each sentence's n-grams
instead of one pass over the references per sentence.

Tokens are any hashable items: ids, or words.
"""

import collections
import math

EPSILON = 0.1  # Chen & Cherry (2014) method 1, NLTK's default epsilon.


def _ngrams(sequence, order):
    return collections.Counter(
        tuple(sequence[i : i + order]) for i in range(len(sequence) - order + 1)
    )


class _ReferenceTable:
    """Per n-gram the two largest counts in single references, with the owner of the largest."""

    def __init__(self, references, max_order):
        self.tables = []
        for order in range(1, max_order + 1):
            table = {}
            for owner, reference in enumerate(references):
                for gram, count in _ngrams(reference, order).items():
                    best = table.get(gram)
                    if best is None:
                        table[gram] = (count, owner, 0)
                    elif count > best[0]:
                        table[gram] = (count, owner, best[0])
                    elif count > best[2]:
                        table[gram] = (best[0], best[1], count)
            self.tables.append(table)
        self.lengths = sorted({len(reference) for reference in references})
        self.length_counts = collections.Counter(len(reference) for reference in references)

    def max_count(self, order, gram, excluded):
        best = self.tables[order - 1].get(gram)
        if best is None:
            return 0
        return best[2] if best[1] == excluded else best[0]

    def closest_length(self, length, excluded_length=None):
        # NLTK: the reference length closest to the hypothesis', the shorter on a tie.
        candidates = [
            ref for ref in self.lengths if excluded_length != ref or self.length_counts[ref] > 1
        ]
        return min(candidates, key=lambda ref: (abs(ref - length), ref))


def _sentence_bleu(hypothesis, table, weights, excluded=None):
    log_total = 0.0
    for order, weight in enumerate(weights, start=1):
        grams = _ngrams(hypothesis, order)
        total = max(1, sum(grams.values()))
        matched = sum(
            min(count, table.max_count(order, gram, excluded)) for gram, count in grams.items()
        )
        if order == 1 and matched == 0:
            return 0.0  # NLTK: no unigram in common scores 0, smoothing or not
        precision = matched / total if matched else EPSILON / total
        log_total += weight * math.log(precision)
    length = len(hypothesis)
    excluded_length = length if excluded is not None else None
    reference_length = table.closest_length(length, excluded_length)
    brevity = 1.0 if length > reference_length else math.exp(1 - reference_length / length)
    return brevity * math.exp(log_total)


def bleu(hypotheses, references, max_order=4):
    """Mean smoothed sentence BLEU-`max_order` of `hypotheses` against all `references`.

    Args:
        hypotheses: Generated sequences (lists of tokens; padding already removed).
        references: Real sequences.
        max_order: Longest n-gram, with uniform weights `1 / max_order` (BLEU-2 .. BLEU-5).
            Defaults to `4`.

    Returns:
        A float in `[0, 1]`.
    """
    hypotheses, references = _lists(hypotheses, "hypotheses"), _lists(references, "references")
    table = _ReferenceTable(references, max_order)
    weights = [1.0 / max_order] * max_order
    return sum(_sentence_bleu(h, table, weights) for h in hypotheses) / len(hypotheses)


def self_bleu(samples, max_order=4):
    """Mean BLEU of each sample against all the *other* samples: high means low diversity."""
    samples = _lists(samples, "samples")
    if len(samples) < 2:
        raise ValueError("self-BLEU needs at least two samples.")
    table = _ReferenceTable(samples, max_order)
    weights = [1.0 / max_order] * max_order
    scores = [_sentence_bleu(s, table, weights, excluded=i) for i, s in enumerate(samples)]
    return sum(scores) / len(scores)


def _lists(sequences, what):
    sequences = [list(sequence) for sequence in sequences]
    if not sequences:
        raise ValueError(f"BLEU needs {what}; got none.")
    return sequences
