"""`kgan.CycleGAN` under `tf.distribute.MirroredStrategy` on two logical CPUs equals one device.

The image pools are queried with the global batch of fakes (gathered across replicas) and the
same seed on every replica, so their mirrored copies stay in sync and hand each replica the rows
one device would; the last batch of 3 splits 2 + 1. The tolerances are those of
`gan_distribution_test.py`.
"""

import pytest

from kgan.testing import distribution

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TOLERANCE = 1e-5


def test_mirrored_training_matches_one_device():
    # One case (about 30 s, most of it tracing the mirrored step) covers the pools and the
    # penalty's weights, both drawn for the global batch and sliced per replica.
    result = distribution.run_case("cycle_gan", gradient_penalty_weight=1.0)
    assert result["replicas"] == 2 and result["steps"] == 12  # 2 epochs of 6 batches
    assert result["max_abs_diff"] < TOLERANCE, result
    for key, value in result["single_logs"].items():
        assert result["mirrored_logs"][key] == pytest.approx(value, rel=1e-4, abs=1e-5), key
