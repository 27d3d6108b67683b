"""The FeatureMetric contract, on a toy metric and on each of kgan's five streaming metrics."""

import keras
import numpy as np
import pytest

from kgan.metrics import base
from kgan.metrics.density_coverage import DensityCoverage
from kgan.metrics.frechet_distance import FrechetDistance
from kgan.metrics.inception_score import InceptionScore
from kgan.metrics.kernel_distance import KernelDistance
from kgan.metrics.precision_recall import PrecisionRecall


@keras.saving.register_keras_serializable(package="kgan_tests")
class MeanDistance(base.FeatureMetric):
    """Distance between the mean real and mean generated feature."""

    def __init__(self, feature_extractor=None, name="mean_distance", dtype=None):
        super().__init__(feature_extractor, name=name, dtype=dtype)

    def result(self):
        real, fake = self._all_features()
        return float(np.linalg.norm(real.mean(axis=0) - fake.mean(axis=0)))


class CountingExtractor:
    """Keeps the first three columns and records the row count of every batch it is given."""

    def __init__(self):
        self.batch_sizes = []

    def __call__(self, samples):
        self.batch_sizes.append(len(samples))
        return samples[:, :3]


METRICS = {
    "fid": (FrechetDistance, {}),
    "kid": (KernelDistance, {"num_subsets": 2, "subset_size": 10}),
    "is": (InceptionScore, {"splits": 2}),
    "precision_recall": (PrecisionRecall, {"k": 3}),
    "density_coverage": (DensityCoverage, {"k": 3}),
}


def samples(num_samples, seed):
    return np.random.default_rng(seed).normal(size=(num_samples, 6))


def test_feature_extractor_maps_both_sides_and_none_passes_features_through():
    extractor = CountingExtractor()
    metric = MeanDistance(extractor)
    real, fake = samples(20, 0), samples(15, 1) + 2.0
    metric.update_state(real=real, fake=fake)
    assert extractor.batch_sizes == [20, 15]  # real first, then generated
    kept_real, kept_fake = metric._all_features()
    np.testing.assert_array_equal(kept_real, real[:, :3])
    np.testing.assert_array_equal(kept_fake, fake[:, :3])

    plain = MeanDistance()
    plain.update_state(real=keras.ops.convert_to_tensor(real[:, :3]), fake=fake[:, :3])
    assert plain.result() == metric.result()


def test_keep_real_clears_only_the_generated_side():
    metric = MeanDistance()
    real, fake = samples(20, 2), samples(15, 3)
    metric.update_state(real=real, fake=fake)
    expected = metric.result()
    metric.reset_state(keep_real=True)
    with pytest.raises(ValueError, match="needs real and generated samples"):
        metric.result()
    metric.update_state(fake=fake)
    assert metric.result() == expected
    metric.reset_state()
    metric.update_state(fake=fake)
    with pytest.raises(ValueError, match="needs real and generated samples"):
        metric.result()


def test_config_round_trip_keeps_the_extractor():
    metric = MeanDistance(feature_extractor=keras.layers.Identity(), name="md")
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert isinstance(rebuilt, MeanDistance) and rebuilt.name == "md"
    assert isinstance(rebuilt.feature_extractor, keras.layers.Identity)
    assert rebuilt.get_config() == metric.get_config()
    assert MeanDistance().get_config()["feature_extractor"] is None


@pytest.mark.parametrize("key", list(METRICS))
def test_every_metric_keeps_the_contract(key):
    metric_class, arguments = METRICS[key]
    extractor = CountingExtractor()
    metric = metric_class(extractor, **arguments)
    real, fake = samples(20, 4), samples(15, 5)
    if metric.requires_real:
        metric.update_state(real=real, fake=fake)
        assert extractor.batch_sizes == [20, 15]
    else:
        metric.update_state(fake=fake)
        assert extractor.batch_sizes == [15]
    expected = metric.result()
    metric.reset_state(keep_real=True)
    with pytest.raises(ValueError):
        metric.result()
    metric.update_state(fake=fake)
    assert metric.result() == expected
    metric.reset_state()
    metric.update_state(fake=fake)
    if metric.requires_real:
        with pytest.raises(ValueError):
            metric.result()

    metric = metric_class(keras.layers.Identity(), name=f"{key}_x", **arguments)
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert type(rebuilt) is metric_class and rebuilt.name == f"{key}_x"
    assert isinstance(rebuilt.feature_extractor, keras.layers.Identity)
    assert rebuilt.get_config() == metric.get_config()
