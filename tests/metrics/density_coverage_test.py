"""Density and coverage against the prdc package's computation (Naeem et al. 2020)."""

import keras
import numpy as np
import pytest

from kgan import metrics
from kgan.metrics import linalg
from kgan.metrics.density_coverage import DensityCoverage
from kgan.testing import reference_metrics


def data(seed, num_real=40, num_fake=30, dim=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(num_real, dim)) - 30.0, rng.normal(size=(num_fake, dim)) * 0.8 - 31.0


@pytest.mark.parametrize("k", [1, 5, 9])
def test_matches_prdc(k):
    real, fake = data(k)
    density, coverage = metrics.density_coverage(real, fake, k=k)
    expected = reference_metrics.prdc(real, fake, k)
    expected_density, expected_coverage = expected["density"], expected["coverage"]
    np.testing.assert_allclose(density, expected_density, rtol=1e-12)
    assert coverage == expected_coverage
    assert density > 0 and 0.0 < coverage < 1.0


def test_blocks_of_a_few_distances_give_the_same_values(monkeypatch):
    real, fake = data(2, 31, 47)
    expected = metrics.density_coverage(real, fake)
    monkeypatch.setattr(linalg, "DISTANCE_BLOCK_ENTRIES", 70)  # 2 rows of 31 per block
    assert metrics.density_coverage(real, fake) == expected


def test_ties_do_not_count():
    # Points 0..4 on a line, k = 1: every radius is exactly 1. Generated point 5 is at exactly
    # distance 1 from 4: outside with prdc's strict <. Point 2.5 is in the balls of 2 and 3.
    real = np.arange(5.0)[:, None]
    fake = np.array([[5.0], [2.5]])
    density, coverage = metrics.density_coverage(real, fake, k=1)
    assert density == pytest.approx(2 / 2)
    assert coverage == pytest.approx(2 / 5)


def test_matching_distributions_score_about_one():
    rng = np.random.default_rng(3)
    density, coverage = metrics.density_coverage(
        rng.normal(size=(1000, 3)), rng.normal(size=(1000, 3))
    )
    assert 0.9 < density < 1.1 and coverage > 0.9  # expected coverage 1 - 1/2^5 = 0.97


def test_streaming_metric_equals_one_shot_and_config():
    real, fake = data(4, 50, 45)
    metric = DensityCoverage(k=3, name="dc")
    for start in range(0, 50, 20):
        metric.update_state(real=real[start : start + 20], fake=fake[start : start + 20])
    density, coverage = metrics.density_coverage(real, fake, k=3)
    assert metric.result() == {"density": density, "coverage": coverage}
    metric.reset_state(keep_real=True)
    metric.update_state(fake=fake)
    assert metric.result() == {"density": density, "coverage": coverage}
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert isinstance(rebuilt, DensityCoverage) and (rebuilt.k, rebuilt.name) == (3, "dc")


def test_errors():
    real, fake = data(5, 5, 1)
    assert metrics.density_coverage(real, fake, k=4)  # one generated sample is enough
    with pytest.raises(ValueError, match="k=5 needs more than 5 real samples"):
        metrics.density_coverage(real, fake, k=5)
    with pytest.raises(ValueError, match="same dimension"):
        metrics.density_coverage(real, fake[:, :3])
    with pytest.raises(ValueError, match="empty"):
        metrics.density_coverage(np.ones((0, 4)), fake)
    with pytest.raises(ValueError, match="real and generated"):
        DensityCoverage().result()
