"""`kgan.ConditionalGAN` under `tf.distribute.MirroredStrategy` on two logical CPUs equals one
device.

Wrong attribute vectors are drawn from the global batch (gathered across replicas), so they match
one device, also when the last batch splits unevenly (11 = 6 + 5). (Class ids need no gathering;
measured equal to 3e-8.) The tolerances are those of `gan_distribution_test.py`.
"""

import pytest

from kgan.testing import distribution

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TOLERANCE = 1e-5


def test_mirrored_training_matches_one_device():
    result = distribution.run_case("conditional_gan", conditioning_kind="concat", condition_dim=3)
    assert result["replicas"] == 2 and result["steps"] == 12  # 2 epochs of 6 batches
    assert result["max_abs_diff"] < TOLERANCE, result
    for key, value in result["single_logs"].items():
        assert result["mirrored_logs"][key] == pytest.approx(value, rel=1e-4, abs=1e-5), key
