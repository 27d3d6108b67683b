"""FID against pytorch-fid's computation with SciPy, closed forms and exact identities."""

import keras
import numpy as np
import pytest

from kgan import metrics
from kgan.metrics.frechet_distance import FeatureStatistics
from kgan.metrics.frechet_distance import FrechetDistance
from kgan.testing import reference_fid


@keras.saving.register_keras_serializable(package="kgan_tests")
def first_four(samples):
    return samples[:, :4]


def features(num_samples, dim, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    return rng.normal(size=(num_samples, dim)) @ mixing + shift


def test_fid_matches_scipy_reference():
    real, fake = features(500, 32, seed=0), features(400, 32, seed=1, shift=0.3)
    np.testing.assert_allclose(
        metrics.frechet_distance(real, fake), reference_fid.pytorch_fid(real, fake), 1e-9
    )


def test_fewer_samples_than_dimensions_is_finite_exact_and_warns():
    real, fake = features(20, 64, seed=2), features(30, 64, seed=3, shift=1.0)
    with pytest.warns(UserWarning, match="covariance is singular"):
        value = metrics.frechet_distance(real, fake)
    assert np.isfinite(value)
    np.testing.assert_allclose(value, reference_fid.pytorch_fid(real, fake), rtol=1e-6)
    # Exact reference: tr sqrt(S1 S2) is the nuclear norm of X1c X2c^T / sqrt((n1-1)(n2-1)).
    np.testing.assert_allclose(value, reference_fid.exact_fid(real, fake), rtol=1e-12)


def test_identical_features_give_zero():
    real = features(300, 16, seed=4, shift=5.0)
    assert abs(metrics.frechet_distance(real, real.copy())) < 1e-10


def test_diagonal_gaussians_closed_form():
    # For commuting (here diagonal) covariances, tr sqrt(S1 S2) = sum sqrt(a_i b_i), so
    # d^2 = ||mu1 - mu2||^2 + sum (sqrt(a_i) - sqrt(b_i))^2.
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, -1.0])
    a, b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = 1 + 0 + 9 + (1 - 3) ** 2 + (2 - 1) ** 2 + 0
    value = metrics.frechet_distance_from_statistics(mu1, np.diag(a), mu2, np.diag(b))
    np.testing.assert_allclose(value, expected, rtol=1e-12)


def test_statistics_stream_exactly_even_far_from_the_origin():
    data = features(250, 8, seed=5, shift=1e6)  # spread 1, offset 1e6: a cancellation trap
    statistics = FeatureStatistics()
    for start in range(0, 250, 60):  # uneven batches: 60, 60, 60, 60, 10
        statistics.update(data[start : start + 60].astype("float64"))
    assert statistics.count == 250 and statistics.dim == 8
    np.testing.assert_allclose(statistics.mean, data.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(statistics.covariance, np.cov(data, rowvar=False), rtol=1e-8)


def test_save_load_round_trip_and_continued_updates(tmp_path):
    data = features(300, 6, seed=6)
    statistics = FeatureStatistics().update(data[:200])
    statistics.save(tmp_path / "stats.npz")
    with np.load(tmp_path / "stats.npz") as stored:
        assert sorted(stored.files) == ["count", "covariance", "mean"]
    loaded = FeatureStatistics.load(tmp_path / "stats.npz")
    assert loaded.count == 200
    np.testing.assert_array_equal(loaded.mean, statistics.mean)
    np.testing.assert_allclose(loaded.covariance, statistics.covariance, rtol=1e-14)
    loaded.update(data[200:])
    np.testing.assert_allclose(loaded.covariance, np.cov(data, rowvar=False), rtol=1e-12)
    np.savez(tmp_path / "bad.npz", mean=np.zeros(3))
    with pytest.raises(ValueError, match="lacks"):
        FeatureStatistics.load(tmp_path / "bad.npz")


def test_save_keeps_metadata(tmp_path):
    statistics = FeatureStatistics().update(features(20, 3, seed=9))
    assert statistics.metadata == {}
    statistics.save(tmp_path / "stats.npz", extractor="digits", image_shape=[32, 32, 1])
    loaded = FeatureStatistics.load(tmp_path / "stats.npz")
    assert loaded.metadata == {"extractor": "digits", "image_shape": [32, 32, 1]}
    assert loaded.copy().metadata == loaded.metadata


def test_streaming_metric_equals_one_shot_and_keeps_precomputed_real(tmp_path):
    real, fake = features(120, 10, seed=7), features(90, 10, seed=8, shift=0.5)
    expected = metrics.frechet_distance(real, fake)
    metric = FrechetDistance()
    for start in range(0, 120, 50):  # real batches of 50, 50, 20; generated of 50, 40
        fake_batch = fake[start : start + 50] if start < 90 else None
        metric.update_state(real=real[start : start + 50], fake=fake_batch)
    np.testing.assert_allclose(metric.result(), expected, rtol=1e-12)
    metric.reset_state(keep_real=True)
    metric.update_state(fake=fake)
    np.testing.assert_allclose(metric.result(), expected, rtol=1e-12)

    FeatureStatistics().update(real).save(tmp_path / "real.npz")
    metric = FrechetDistance(real_statistics=tmp_path / "real.npz")
    metric.update_state(fake=fake)
    np.testing.assert_allclose(metric.result(), expected, rtol=1e-12)
    metric.reset_state()  # back to the precomputed real statistics, no generated ones
    assert metric.real_statistics.count == 120 and metric.fake_statistics.count == 0


def test_feature_extractor_and_config_round_trip(tmp_path):
    real, fake = features(50, 8, seed=9), features(50, 8, seed=10, shift=1.0)
    FeatureStatistics().update(real[:, :4]).save(tmp_path / "real.npz")
    metric = FrechetDistance(first_four, real_statistics=str(tmp_path / "real.npz"), name="f")
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert isinstance(rebuilt, FrechetDistance) and rebuilt.name == "f"
    rebuilt.update_state(fake=fake)
    expected = metrics.frechet_distance(real[:, :4], fake[:, :4])
    np.testing.assert_allclose(rebuilt.result(), expected, rtol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="same dimension"):
        metrics.frechet_distance(np.ones((5, 3)), np.ones((5, 4)))
    with pytest.raises(ValueError, match="empty"):
        metrics.frechet_distance(np.ones((0, 3)), np.ones((5, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        metrics.frechet_distance(np.ones((1, 3)), np.ones((5, 3)))
    metric = FrechetDistance()
    metric.update_state(real=np.ones((4, 3)))
    with pytest.raises(ValueError, match="dimension 3"):
        metric.update_state(real=np.ones((4, 2)))
    with pytest.raises(ValueError, match="generated samples"):
        metric.result()
