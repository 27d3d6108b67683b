"""KID against torch-fidelity's computation: its MMD^2 estimator and its subset draws."""

import keras
import numpy as np
import pytest

from kgan import metrics
from kgan.metrics.kernel_distance import KernelDistance
from kgan.metrics.kernel_distance import mmd2_unbiased
from kgan.testing import reference_metrics


def data(seed, num_real=40, num_fake=35, dim=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(num_real, dim)), rng.normal(size=(num_fake, dim)) * 1.5 + 0.5


def test_mmd2_matches_torch_fidelity():
    real, fake = data(0, 6, 6)
    expected = reference_metrics.torch_fidelity_polynomial_mmd(real, fake)
    np.testing.assert_allclose(mmd2_unbiased(real, fake), expected, rtol=1e-12)


def test_kid_matches_torch_fidelity_subsets():
    real, fake = data(1)
    mean, std = metrics.kernel_distance(real, fake, num_subsets=7, subset_size=10, seed=3)
    expected_mean, expected_std = reference_metrics.torch_fidelity_kid(real, fake, 7, 10, seed=3)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-12)
    np.testing.assert_allclose(std, expected_std, rtol=1e-10)
    assert std > 0


def test_one_full_subset_is_the_whole_sample_estimate():
    real, fake = data(2, 12, 12)
    mean, std = metrics.kernel_distance(real, fake, num_subsets=1, subset_size=12)
    expected = reference_metrics.torch_fidelity_polynomial_mmd(real, fake)  # order does not matter
    np.testing.assert_allclose(mean, expected, rtol=1e-12)
    assert std == 0.0


def test_identical_distributions_give_about_zero():
    rng = np.random.default_rng(4)
    real, fake = rng.normal(size=(2000, 4)), rng.normal(size=(2000, 4))
    mean, _ = metrics.kernel_distance(real, fake, num_subsets=10, subset_size=500)
    assert abs(mean) < 0.02  # vs about 3 for a unit shift of the mean


def test_subset_size_is_capped_with_a_warning():
    real, fake = data(5, 15, 9)
    with pytest.warns(UserWarning, match="using subsets of 9"):
        capped = metrics.kernel_distance(real, fake, num_subsets=4, subset_size=1000)
    assert capped == metrics.kernel_distance(real, fake, num_subsets=4, subset_size=9)


def test_streaming_metric_equals_one_shot():
    real, fake = data(6, 60, 50)
    metric = KernelDistance(num_subsets=5, subset_size=20, seed=7)
    for start in range(0, 60, 25):
        metric.update_state(real=real[start : start + 25].astype("float32"))
    for start in range(0, 50, 16):
        metric.update_state(fake=fake[start : start + 16].astype("float32"))
    mean, std = metrics.kernel_distance(
        real.astype("float32"), fake.astype("float32"), num_subsets=5, subset_size=20, seed=7
    )
    assert metric.result() == {"kid": mean, "kid_std": std}
    metric.reset_state(keep_real=True)
    with pytest.raises(ValueError, match="real and generated"):
        metric.result()
    metric.update_state(fake=fake.astype("float32"))
    assert metric.result() == {"kid": mean, "kid_std": std}


def test_config_round_trip():
    metric = KernelDistance(num_subsets=3, subset_size=50, seed=1, name="kid_test")
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert isinstance(rebuilt, KernelDistance)
    assert rebuilt.get_config() == metric.get_config()
    assert (rebuilt.name, rebuilt.num_subsets, rebuilt.subset_size, rebuilt.seed) == (
        "kid_test",
        3,
        50,
        1,
    )


def test_errors():
    with pytest.raises(ValueError, match="same dimension"):
        metrics.kernel_distance(np.ones((5, 3)), np.ones((5, 4)))
    with pytest.raises(ValueError, match="empty"):
        metrics.kernel_distance(np.ones((5, 3)), np.ones((0, 3)))
    with pytest.raises(ValueError, match="at least 2"), pytest.warns(UserWarning):
        metrics.kernel_distance(np.ones((1, 3)), np.ones((5, 3)))
    with pytest.raises(ValueError, match="num_subsets"):
        metrics.kernel_distance(np.ones((5, 3)), np.ones((5, 3)), num_subsets=0)
