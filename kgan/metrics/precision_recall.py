"""Improved precision and recall: how much of each distribution lies on the other's manifold.

Each set of features approximates its distribution's support by a union of balls: around every
sample, a ball reaching its k-th nearest neighbour in the same set. **Precision** is the share
of generated samples inside the real manifold (are samples realistic?); **recall** the share of
real samples inside the generated manifold (does the generator cover the data, or has it
dropped modes?). FID and KID mix the two into one number; this pair separates them.

Example:

```python
from kgan import metrics

precision, recall = metrics.precision_recall(real_features, fake_features, k=3)
```
"""

import keras
import numpy as np

from kgan.metrics import base
from kgan.metrics import linalg


def _share_inside(samples, manifold, radii):
    """Share of `samples` within distance `radii[j]` (inclusive) of some `manifold[j]`."""
    inside = np.zeros(samples.shape[0], dtype=bool)
    for start, distances in linalg.distance_blocks(samples, manifold):
        inside[start : start + distances.shape[0]] = np.any(distances <= radii[None, :], axis=1)
    return float(np.mean(inside))


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall of generated features against real ones.

    With `r_k(x)` the distance from `x` to its k-th nearest neighbour in its own set (the
    sample itself excluded),

    `precision = mean_{y in fake} [exists x in real: ||y - x|| <= r_k(x)]`,
    `recall    = mean_{x in real} [exists y in fake: ||x - y|| <= r_k(y)]`.

    The `<=` is the paper's and torch-fidelity's (the prdc package uses `<`; the two differ only
    on exact ties). Distances are computed a block of rows at a time (at most
    `linalg.DISTANCE_BLOCK_ENTRIES` = 2**22 distances, 32 MiB, per block), so memory stays bounded
    for 50,000 samples per side; time grows as `(num_real + num_fake)^2 * dim`.

    Args:
        real_features: Array `[num_real, dim]`, with `num_real > k`.
        fake_features: Array `[num_fake, dim]`, with `num_fake > k`.
        k: Neighbourhood size. Defaults to `3`, the paper's choice.

    Returns:
        `(precision, recall)`, Python floats in `[0, 1]`.

    Example:

    ```python
    rng = np.random.default_rng(0)
    real = rng.normal(size=(1000, 2))
    precision_recall(real, real[:500] * 0.2)  # (0.996, 0.243): realistic, not diverse
    ```

    Reference:
        Kynkäänniemi et al., "Improved Precision and Recall Metric for Assessing Generative
        Models", NeurIPS 2019. https://arxiv.org/abs/1904.06991
    """
    real_features = linalg.as_features(real_features, "real_features")
    fake_features = linalg.as_features(fake_features, "fake_features")
    linalg.check_same_dim(real_features, fake_features)
    linalg.check_neighbourhood(k, real_features.shape[0], "real")
    linalg.check_neighbourhood(k, fake_features.shape[0], "generated")
    # Centring both sets on one point leaves distances unchanged and keeps the expansion
    # ||x||^2 + ||y||^2 - 2 x.y from cancelling when the features sit far from the origin.
    centre = real_features.mean(axis=0, dtype=np.float64)
    real_features = real_features.astype(np.float64) - centre
    fake_features = fake_features.astype(np.float64) - centre
    real_radii = linalg.kth_neighbour_distances(real_features, k)
    fake_radii = linalg.kth_neighbour_distances(fake_features, k)
    precision = _share_inside(fake_features, real_features, real_radii)
    recall = _share_inside(real_features, fake_features, fake_radii)
    return precision, recall


@keras.saving.register_keras_serializable(package="kgan")
class PrecisionRecall(base.FeatureMetric):
    """Streaming improved precision and recall as a Keras metric.

    The state is every feature seen, as host NumPy arrays (float32 features stay float32; the
    computation is float64): `(num_real + num_fake) * dim` values. `result()` equals
    `precision_recall` on all of them. Host-side, for callbacks and evaluation scripts, not for
    `model.compile(metrics=...)`.

    Args:
        feature_extractor: Callable mapping a batch of samples to features `[batch, dim]`.
            Defaults to `None`: the inputs already are features.
        k: Neighbourhood size. Defaults to `3`.
        name: Metric name. Defaults to `"precision_recall"`.
        dtype: Unused (the state is NumPy); accepted for Keras compatibility.

    Example:

    ```python
    metric = PrecisionRecall()
    metric.update_state(real=real_features, fake=fake_features)
    metric.result()  # {"precision": ..., "recall": ...}
    ```
    """

    def __init__(self, feature_extractor=None, k=3, name="precision_recall", dtype=None):
        super().__init__(feature_extractor, name=name, dtype=dtype)
        self.k = k

    def result(self):
        """`{"precision": ..., "recall": ...}` over all features seen, as Python floats."""
        real, fake = self._all_features()
        precision, recall = precision_recall(real, fake, self.k)
        return {"precision": precision, "recall": recall}

    def get_config(self):
        config = super().get_config()
        config.update(k=self.k)
        return config
