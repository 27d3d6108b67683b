"""Improved precision and recall against Kynkäänniemi et al.'s and torch-fidelity's computation."""

import keras
import numpy as np
import pytest

from kgan import metrics
from kgan.metrics import linalg
from kgan.metrics.precision_recall import PrecisionRecall
from kgan.testing import reference_metrics


def data(seed, num_real=40, num_fake=30, dim=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(num_real, dim)) + 50.0, rng.normal(size=(num_fake, dim)) * 1.3 + 51.0


@pytest.mark.parametrize("k", [1, 3, 5])
def test_matches_reference(k):
    real, fake = data(k)
    precision, recall = metrics.precision_recall(real, fake, k=k)
    expected_precision, expected_recall = reference_metrics.improved_precision_recall(real, fake, k)
    assert precision == expected_precision
    assert recall == expected_recall
    assert 0.0 < precision < 1.0 and 0.0 < recall < 1.0


def test_blocks_of_a_few_distances_give_the_same_values(monkeypatch):
    real, fake = data(7, 33, 29)
    expected = metrics.precision_recall(real, fake)
    monkeypatch.setattr(linalg, "DISTANCE_BLOCK_ENTRIES", 100)  # 3 rows of 33 per block
    assert metrics.precision_recall(real, fake) == expected


def test_ties_count_as_inside():
    # Points 0..4 on a line, k = 1: every radius is exactly 1. The generated point 5 is at
    # distance exactly 1 from 4, inside its ball with the paper's <=.
    real = np.arange(5.0)[:, None]
    fake = np.array([[5.0], [2.5], [7.0]])
    precision, _ = metrics.precision_recall(real, fake, k=1)
    assert precision == pytest.approx(2 / 3)


def test_identical_and_disjoint_sets():
    real, _ = data(8)
    assert metrics.precision_recall(real, real.copy()) == (1.0, 1.0)
    assert metrics.precision_recall(real, real + 1000.0) == (0.0, 0.0)


def test_mode_dropping_lowers_recall_not_precision():
    rng = np.random.default_rng(9)
    real = np.concatenate([rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + 20.0])
    fake = rng.normal(size=(200, 2))  # only the first mode
    precision, recall = metrics.precision_recall(real, fake)
    assert precision > 0.9 and recall < 0.55


def test_streaming_metric_equals_one_shot_and_config():
    real, fake = data(10, 50, 45)
    metric = PrecisionRecall(k=4)
    for start in range(0, 50, 20):
        metric.update_state(real=real[start : start + 20], fake=fake[start : start + 20])
    precision, recall = metrics.precision_recall(real, fake, k=4)
    assert metric.result() == {"precision": precision, "recall": recall}
    metric.reset_state(keep_real=True)
    metric.update_state(fake=fake)
    assert metric.result() == {"precision": precision, "recall": recall}
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert isinstance(rebuilt, PrecisionRecall) and rebuilt.k == 4


def test_errors():
    real, fake = data(11, 10, 3)
    with pytest.raises(ValueError, match="k=3 needs more than 3 generated samples"):
        metrics.precision_recall(real, fake, k=3)
    with pytest.raises(ValueError, match="k=10 needs more than 10 real samples"):
        metrics.precision_recall(real, real, k=10)
    with pytest.raises(ValueError, match="positive integer"):
        metrics.precision_recall(real, real, k=0)
    with pytest.raises(ValueError, match="same dimension"):
        metrics.precision_recall(real, real[:, :2])
    with pytest.raises(ValueError, match="empty"):
        metrics.precision_recall(real, np.ones((0, 4)))
    with pytest.raises(ValueError, match="real and generated"):
        PrecisionRecall().result()
