"""`kgan.Pix2Pix` under `tf.distribute.MirroredStrategy` on two logical CPUs equals one device.

Losses are averaged over the global batch and the gradient penalty's interpolation weights are
drawn for the global batch and sliced per replica, so two replicas reproduce one device; the
last batch of 5 splits 3 + 2. The tolerances are those of `gan_distribution_test.py`.
"""

import pytest

from kgan.testing import distribution

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TOLERANCE = 1e-5


def test_mirrored_training_matches_one_device():
    result = distribution.run_case("pix2pix")
    assert result["replicas"] == 2 and result["steps"] == 12  # 2 epochs of 6 batches
    assert result["max_abs_diff"] < TOLERANCE, result
    for key, value in result["single_logs"].items():
        assert result["mirrored_logs"][key] == pytest.approx(value, rel=1e-4, abs=1e-5), key
