import numpy as np

from kgan.layers import conditional_batch_normalization


def test_conditional_batch_norm_scales_and_shifts_by_the_condition():
    layer = conditional_batch_normalization.ConditionalBatchNormalization()
    features = np.random.default_rng(3).normal(size=(4, 2, 2, 3)).astype("float32")
    condition = np.random.default_rng(4).normal(size=(4, 5)).astype("float32")
    mean = features.mean(axis=(0, 1, 2))
    normalized = (features - mean) / np.sqrt(features.var(axis=(0, 1, 2)) + 1e-5)
    # Fresh, the condition maps are zero: plain batch normalization.
    np.testing.assert_allclose(layer([features, condition], training=True), normalized, atol=1e-5)
    rng = np.random.default_rng(5)
    for dense in (layer.gamma, layer.beta):
        dense.kernel.assign(rng.normal(size=(5, 3)).astype("float32"))
        dense.bias.assign(rng.normal(size=3).astype("float32"))
    scale = 1 + condition @ layer.gamma.kernel.numpy() + layer.gamma.bias.numpy()
    offset = condition @ layer.beta.kernel.numpy() + layer.beta.bias.numpy()
    expected = normalized * scale[:, None, None, :] + offset[:, None, None, :]
    np.testing.assert_allclose(layer([features, condition], training=True), expected, atol=1e-4)
