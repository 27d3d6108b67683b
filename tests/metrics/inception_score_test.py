"""Inception Score against torch-fidelity's computation, and closed forms."""

import keras
import numpy as np
import pytest

from kgan import metrics
from kgan.metrics.inception_score import InceptionScore
from kgan.testing import reference_metrics


def random_logits(num_samples=230, num_classes=7, seed=0):
    return np.random.default_rng(seed).normal(size=(num_samples, num_classes)) * 3.0


@pytest.mark.parametrize("num_samples, splits", [(230, 10), (23, 5), (50, 1)])
def test_matches_explicit_kl(num_samples, splits):
    logits = random_logits(num_samples)
    mean, std = metrics.inception_score(logits, splits=splits)
    expected_mean, expected_std = reference_metrics.torch_fidelity_inception_score(
        logits, splits, shuffle=False
    )
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-12)
    np.testing.assert_allclose(std, expected_std, rtol=1e-9, atol=1e-15)


def test_shuffle_uses_a_seeded_permutation_before_splitting():
    logits = random_logits(seed=1)
    mean, std = metrics.inception_score(logits, shuffle=True, seed=2020)
    expected = reference_metrics.torch_fidelity_inception_score(logits, 10, shuffle=True, seed=2020)
    np.testing.assert_allclose((mean, std), expected, rtol=1e-12)
    assert (mean, std) != metrics.inception_score(logits)


def test_closed_forms():
    # Uniform predictions: p(y|x) = p(y), KL = 0, IS = 1.
    np.testing.assert_allclose(metrics.inception_score(np.zeros((40, 5)), splits=4), (1.0, 0.0))
    # Every sample certain of one class, classes balanced in each split: KL = log C, IS = C.
    confident = np.eye(10)[np.arange(1000) % 10] * 100.0
    mean, std = metrics.inception_score(confident)
    np.testing.assert_allclose(mean, 10.0, rtol=1e-12)
    assert std < 1e-12


def test_extreme_logits_stay_finite():
    # Class 2 gets probability exp(-1000) = 0 in float64 everywhere: log p(y) must not be -inf.
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, -1000.0]] * 5)
    with np.errstate(divide="raise", invalid="raise", over="raise"):  # underflow to 0 is fine
        mean, std = metrics.inception_score(logits, splits=5)
    np.testing.assert_allclose((mean, std), (2.0, 0.0), rtol=1e-12, atol=1e-12)


def test_streaming_metric_equals_one_shot():
    logits = random_logits(101, seed=3)
    metric = InceptionScore(splits=4, shuffle=True, seed=5)
    for start in range(0, 101, 30):
        metric.update_state(fake=logits[start : start + 30].astype("float32"))
    mean, std = metrics.inception_score(logits.astype("float32"), 4, shuffle=True, seed=5)
    assert metric.result() == {"is": mean, "is_std": std}
    metric.reset_state()
    with pytest.raises(ValueError, match="needs generated samples"):
        metric.result()


def test_feature_extractor_and_config_round_trip():
    logits = random_logits(20).astype("float32")  # what the Identity layer returns
    metric = InceptionScore(feature_extractor=keras.layers.Identity(), splits=2, name="is_x")
    metric.update_state(fake=logits)
    assert metric.result()["is_x"] == metrics.inception_score(logits, splits=2)[0]
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert isinstance(rebuilt.feature_extractor, keras.layers.Identity)
    assert (rebuilt.name, rebuilt.splits, rebuilt.shuffle, rebuilt.seed) == ("is_x", 2, False, None)


def test_errors():
    with pytest.raises(ValueError, match="splits must be between 1 and"):
        metrics.inception_score(np.zeros((5, 3)), splits=10)
    with pytest.raises(ValueError, match="2-D"):
        metrics.inception_score(np.zeros(5))
    with pytest.raises(ValueError, match="generated samples only"):
        InceptionScore().update_state(real=np.zeros((5, 3)))
