"""Mixed precision on every image objective: under `mixed_float16` and `mixed_bfloat16` a few
training steps move every network as float32 does (within the policies' round-off), the
weights stay float32, and the R1 penalty is computed unscaled (its logged value equals float32's:
a penalty taken on the loss-scaled output would be 32768 times too large under float16)."""

import keras
import numpy as np
import pytest

from kgan.testing import objectives

# Relative size of the difference between the mixed and the float32 updates. float16 keeps 11
# significant bits and bfloat16 8, so per-op round-off is about 5e-4 and 4e-3; summed over the
# networks' layers and two steps that stays well under these bounds, while a forgotten loss scale
# (updates 32768 times too small or large) or a penalty on scaled logits misses them by far.
TOLERANCE = {"mixed_float16": 0.05, "mixed_bfloat16": 0.15}


def train_two_steps(objective, policy):
    """Weight changes of every network and the logs after two SGD steps under `policy`."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(0)
        model = objectives.tiny_model(objective)
        # SGD: the update is the gradient itself (Adam's normalisation would hide its scale).
        optimizers = {name: keras.optimizers.SGD(0.05) for name in model.optimizer_names}
        if policy == "mixed_float16":
            # Keras' dynamic loss scale starts at 2**15 and halves after each step whose scaled
            # gradients overflow float16, skipping it: Pix2Pix's L1 term (x100) overflows for
            # its first steps, so the comparison would be of skipped steps. A smaller start
            # scale makes these two steps count; the scaling itself is tested in gan_test.
            optimizers = {
                name: keras.optimizers.LossScaleOptimizer(optimizer, initial_scale=2.0**7)
                for name, optimizer in optimizers.items()
            }
        extra = {"identity_weight": 0.0} if objective == "cycle_gan" else {}
        model.compile(r1_weight=1.0, **optimizers, **extra)
        before = [np.array(v.numpy()) for v in model.trainable_variables]
        history = model.fit(objectives.tiny_dataset(objective), epochs=1, verbose=0)
        dtypes = {v.dtype for v in model.trainable_variables}
        after = [np.array(v.numpy()) for v in model.trainable_variables]
    finally:
        keras.mixed_precision.set_global_policy("float32")
    deltas = [new - old for new, old in zip(after, before)]
    return deltas, history.history, dtypes


@pytest.mark.slow
@pytest.mark.parametrize("policy", sorted(TOLERANCE))
@pytest.mark.parametrize("objective", objectives.OBJECTIVES)
def test_a_few_mixed_precision_steps_equal_float32(objective, policy):
    full, full_logs, _ = train_two_steps(objective, "float32")
    mixed, mixed_logs, dtypes = train_two_steps(objective, policy)
    assert dtypes == {"float32"}  # the policies keep float32 variables
    tolerance = TOLERANCE[policy]
    for index, (low, high) in enumerate(zip(mixed, full)):
        scale = np.linalg.norm(high)
        assert scale > 0, f"variable {index} did not train"
        assert np.linalg.norm(low - high) <= tolerance * scale, (index, policy)
    np.testing.assert_allclose(mixed_logs["r1"], full_logs["r1"], rtol=tolerance)
    for key in full_logs:
        assert np.isfinite(mixed_logs[key]).all(), key
