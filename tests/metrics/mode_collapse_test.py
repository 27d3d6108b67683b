"""Class statistics against hand-computed histograms, and copy/duplicate rates on known cases."""

import math

import numpy as np
import pytest

from kgan.metrics import linalg
from kgan.metrics import mode_collapse

# Six samples over three classes: predicted classes 0, 0, 0, 1, 1, 2.
FAKE_LOGITS = np.array(
    [[3.0, 0.0, 0.0], [2.0, 1.0, 0.0], [5.0, 0.0, 5.0 - 1e-9], [0.0, 4.0, 0.0], [1.0, 2.0, 0.0],
     [0.0, 0.0, 9.0]]
)  # fmt: skip


def softmax_top(row):
    exps = [math.exp(value) for value in row]
    return max(exps) / sum(exps)


def test_histogram_and_confidence_by_hand():
    stats = mode_collapse.class_statistics(FAKE_LOGITS, confidence=0.9)
    assert stats["num_samples"] == 6 and stats["num_classes"] == 3
    np.testing.assert_allclose(stats["class_histogram"], [3 / 6, 2 / 6, 1 / 6], rtol=1e-15)
    assert stats["classes_present"] == 3
    assert stats["max_class_share"] == 0.5 and stats["min_class_share"] == 1 / 6
    tops = [softmax_top(row) for row in FAKE_LOGITS]
    assert stats["mean_confidence"] == pytest.approx(np.mean(tops), rel=1e-12)
    # 3-vs-0-0: 0.909; 4-vs-0-0: 0.965; 9-vs-0-0: 0.9998; the rest below 0.9.
    assert stats["confident_share"] == pytest.approx(3 / 6)
    assert all(isinstance(value, float) for value in stats["class_histogram"])


def test_class_kl_by_hand_and_its_closed_forms():
    real = np.eye(3)[[0, 1, 1, 2]] * 10.0  # real classes 1/4, 1/2, 1/4
    stats = mode_collapse.class_statistics(FAKE_LOGITS, real_logits=real)
    expected = 0.5 * math.log(0.5 / 0.25) + (1 / 3) * math.log((1 / 3) / 0.5)
    expected += (1 / 6) * math.log((1 / 6) / 0.25)
    assert stats["class_kl"] == pytest.approx(expected, rel=1e-12)
    assert mode_collapse.class_statistics(real)["class_histogram"] == [0.25, 0.5, 0.25]
    uniform = np.eye(10)[np.arange(100) % 10]
    half = np.eye(10)[np.arange(100) % 5]  # five of ten classes, evenly
    one = np.eye(10)[np.zeros(100, int)]
    assert mode_collapse.class_statistics(uniform, uniform)["class_kl"] == 0.0
    assert mode_collapse.class_statistics(half, uniform)["class_kl"] == pytest.approx(math.log(2))
    assert mode_collapse.class_statistics(one, uniform)["class_kl"] == pytest.approx(math.log(10))
    collapsed = mode_collapse.class_statistics(one, uniform)
    assert collapsed["classes_present"] == 1 and collapsed["min_class_share"] == 0.0
    # A generated class no real sample falls into: infinitely unlike the real classes.
    assert mode_collapse.class_statistics(uniform, half)["class_kl"] == math.inf


def test_condition_accuracy_for_class_ids_one_hot_and_sets():
    ids = [0, 1, 0, 1, 1, 1]  # predicted 0, 0, 0, 1, 1, 2: right for samples 0, 2, 3, 4
    stats = mode_collapse.class_statistics(FAKE_LOGITS, conditions=ids)
    assert stats["condition_accuracy"] == pytest.approx(4 / 6)
    one_hot = np.eye(3)[ids]
    assert mode_collapse.class_statistics(FAKE_LOGITS, conditions=one_hot) == stats
    accept_any = one_hot.astype(bool)
    accept_any[5, 2] = True  # sample 5 may be class 1 or 2: it is class 2
    stats = mode_collapse.class_statistics(FAKE_LOGITS, conditions=accept_any)
    assert stats["condition_accuracy"] == pytest.approx(5 / 6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fake_logits": np.zeros(6)}, "2-D"),
        ({"fake_logits": np.zeros((6, 1))}, "at least 2 classes"),
        ({"real_logits": np.zeros((4, 4))}, "same classifier"),
        ({"conditions": [0, 1, 2]}, "one row per generated sample"),
        ({"conditions": [0, 1, 2, 3, 0, 0]}, r"in \[0, 3\)"),
        ({"conditions": [0.5, 1, 2, 0, 0, 0]}, "integers"),
        ({"conditions": np.full((6, 3), 0.5)}, "only 0 and 1"),
        ({"conditions": np.zeros((6, 3))}, "at least one class"),
        ({"conditions": np.ones((6, 4))}, "columns"),
        ({"confidence": 1.5}, "confidence"),
    ],
)
def test_class_statistics_errors(kwargs, match):
    kwargs = {"fake_logits": FAKE_LOGITS, **kwargs}
    with pytest.raises(ValueError, match=match):
        mode_collapse.class_statistics(**kwargs)


def brute_force_nearest(features, reference, exclude_self):
    distances = np.linalg.norm(features[:, None, :] - reference[None, :, :], axis=-1)
    if exclude_self:
        np.fill_diagonal(distances, np.inf)
    return distances.min(axis=1), distances.argmin(axis=1)


def test_nearest_neighbours_match_brute_force_in_any_block_size(monkeypatch):
    rng = np.random.default_rng(0)
    features, reference = rng.normal(size=(37, 5)) + 100.0, rng.normal(size=(23, 5)) + 100.0
    for block_entries in (linalg.DISTANCE_BLOCK_ENTRIES, 50):  # 50: 2-3 rows per block
        monkeypatch.setattr(linalg, "DISTANCE_BLOCK_ENTRIES", block_entries)
        for args, exclude in (((features, reference), False), ((features,), True)):
            distances, indices = mode_collapse.nearest_neighbours(*args)
            expected, expected_indices = brute_force_nearest(features, args[-1], exclude)
            np.testing.assert_allclose(distances, expected, rtol=1e-12)
            np.testing.assert_array_equal(indices, expected_indices)


def gaussian(num, seed, dim=8):
    return np.random.default_rng(seed).normal(size=(num, dim)).astype("float32")


def test_training_copies_are_flagged_and_fresh_samples_are_not():
    train = gaussian(500, 0)
    copies = train[np.random.default_rng(1).permutation(500)[:300]]
    stats = mode_collapse.copy_statistics(copies, train)
    assert stats["copy_rate"] == 1.0 and stats["nn_distance_median"] == 0.0
    assert stats["duplicate_rate"] == 0.0  # distinct training points, none repeated
    assert stats["nn_distance_ratio"] == 0.0
    # Fresh samples of the same distribution: about `quantile` (1%) of them by chance.
    fresh = mode_collapse.copy_statistics(gaussian(500, 2), train)
    assert fresh["copy_rate"] < 0.05 and fresh["duplicate_rate"] < 0.05
    assert 0.8 < fresh["nn_distance_ratio"] < 1.25
    assert fresh["num_samples"] == 500 and fresh["num_train"] == 500
    assert fresh["threshold"] == pytest.approx(
        np.quantile(brute_force_nearest(train, train, True)[0], 0.01), rel=1e-6
    )


def test_a_collapsed_generator_repeats_itself():
    # Ten outputs, each drawn 30 times with a little noise: not copies, but duplicates.
    modes = gaussian(10, 3)
    collapsed = np.repeat(modes, 30, axis=0) + gaussian(300, 4) * 1e-3
    stats = mode_collapse.copy_statistics(collapsed, gaussian(500, 0))
    assert stats["duplicate_rate"] == 1.0 and stats["copy_rate"] < 0.2


def test_copy_statistics_in_blocks_equal_one_block(monkeypatch):
    fake, train = gaussian(61, 5) + 30.0, gaussian(47, 6) + 30.0
    expected = mode_collapse.copy_statistics(fake, train, quantile=0.2)
    monkeypatch.setattr(linalg, "DISTANCE_BLOCK_ENTRIES", 100)
    assert mode_collapse.copy_statistics(fake, train, quantile=0.2) == expected


def test_explicit_threshold():
    train = gaussian(100, 7)
    stats = mode_collapse.copy_statistics(train[:10] + 0.01, train, threshold=0.05)
    assert stats["threshold"] == 0.05 and stats["copy_rate"] == 1.0


@pytest.mark.parametrize(
    "fake, train, kwargs, match",
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), {}, "same dimension"),
        (np.zeros(5), np.zeros((5, 3)), {}, "2-D"),
        (np.zeros((1, 3)), np.zeros((5, 3)), {}, "at least 2 generated"),
        (np.zeros((5, 3)), np.zeros((1, 3)), {}, "at least 2 training"),
        (np.zeros((5, 3)), np.zeros((5, 3)), {"quantile": 2.0}, "quantile"),
        (np.zeros((5, 3)), np.zeros((5, 3)), {"threshold": -1.0}, "threshold"),
        (np.full((5, 3), np.nan), np.zeros((5, 3)), {}, "NaN"),
    ],
)
def test_copy_statistics_errors(fake, train, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mode_collapse.copy_statistics(fake, train, **kwargs)
