"""The sequence GANs under `tf.distribute.MirroredStrategy` on two logical CPUs equal one device.

Through all three phases: maximum likelihood, the discriminator's pre-training, then each
objective's adversarial step. Samples, rollouts and Gumbel noise are drawn for the global batch
and sliced per replica, MaliGAN normalises its weights over the global batch and Seq2SeqGAN
gathers its mismatched targets from it, so two replicas reproduce one device.
"""

import pytest

from kgan.testing import distribution

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TOLERANCE = 1e-5


@pytest.mark.parametrize("objective", ["seq_gan", "mali_gan", "seq2seq_gan"])
def test_mirrored_training_matches_one_device(objective):
    result = distribution.run_case("sequence_gan", objective=objective)
    assert result["replicas"] == 2 and result["steps"] == 18  # 3 epochs of 6 batches
    assert result["max_abs_diff"] < TOLERANCE, result
    for key, value in result["single_logs"].items():
        assert result["mirrored_logs"][key] == pytest.approx(value, rel=1e-4, abs=1e-5), key
