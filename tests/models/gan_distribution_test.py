"""`kgan.GAN` under `tf.distribute.MirroredStrategy` on two logical CPUs equals one device.

Each replica takes its slice of the same global noise draw and losses are averaged over the
global batch, so the only differences left are float32 summation order in the gradient
all-reduce: we allow 1e-5 absolute on weights of order 0.1-1 after 12 steps.
"""

import pytest

from kgan.testing import distribution

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

TOLERANCE = 1e-5


@pytest.mark.parametrize(
    "settings",
    [
        {"loss": "non_saturating"},
        {"loss": "wasserstein", "gradient_penalty_weight": 10.0, "discriminator_steps": 2},
        # 91 examples: the last batch of 11 splits 6 + 5 across the two replicas.
        {"loss": "hinge", "gradient_penalty_weight": 1.0, "num_examples": 91},
        # The EMA generator: updated on every replica from the same weights, so in sync.
        {"loss": "non_saturating", "ema_decay": 0.9},
        # ADA: every replica augments its rows of the global draw and p moves on the
        # all-reduced statistic (a fast speed, so it moves within the 12 steps).
        {
            "loss": "non_saturating",
            "num_examples": 91,
            "augmentation": {"speed": 200, "interval": 2, "probability": 0.5},
        },
    ],
    ids=["non_saturating", "wgan_gp", "uneven_last_batch", "ema_generator", "adaptive_augment"],
)
def test_mirrored_training_matches_one_device(settings):
    result = distribution.run_case("gan", **settings)
    assert result["replicas"] == 2 and result["steps"] == 12  # 2 epochs of 6 batches
    assert result["max_abs_diff"] < TOLERANCE, result
    assert result["replica_spread"] == 0.0, result
    for key, value in result["single_logs"].items():
        assert result["mirrored_logs"][key] == pytest.approx(value, rel=1e-4, abs=1e-5), key
