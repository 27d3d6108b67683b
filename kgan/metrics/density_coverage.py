"""Density and coverage: precision and recall made robust to outliers.

Only the real features define a manifold here (balls reaching each real sample's k-th nearest
real neighbour), because real data is trusted and generated data may hold outliers that inflate
a generated manifold. **Density** counts how many real balls each generated sample falls in,
divided by `k` (about 1 when the two distributions match; above 1 when samples crowd the dense
regions of the data); **coverage** is the share of real samples whose ball holds at least one
generated sample (diversity, bounded by 1).

Example:

```python
from kgan import metrics

density, coverage = metrics.density_coverage(real_features, fake_features, k=5)
```
"""

import keras
import numpy as np

from kgan.metrics import base
from kgan.metrics import linalg


def density_coverage(real_features, fake_features, k=5):
    """Density and coverage of generated features against real ones, as the prdc package.

    With `r_k(x)` the distance from a real sample `x` to its k-th nearest real neighbour (itself
    excluded), `N` real and `M` generated samples,

    `density  = 1 / (k M) * sum_{y in fake} sum_{x in real} [||y - x|| < r_k(x)]`,
    `coverage = 1 / N * sum_{x in real} [min_{y in fake} ||x - y|| < r_k(x)]`.

    The comparisons are strict, as in the prdc package. Distances are computed a block of rows
    at a time (at most `linalg.DISTANCE_BLOCK_ENTRIES` = 2**22 distances, 32 MiB, per block), so
    memory stays bounded for 50,000 samples per side.

    Args:
        real_features: Array `[num_real, dim]`, with `num_real > k`.
        fake_features: Array `[num_fake, dim]`.
        k: Neighbourhood size. Defaults to `5`, the paper's choice.

    Returns:
        `(density, coverage)`, Python floats; density in `[0, num_real / k]`, coverage in
        `[0, 1]`.

    Example:

    ```python
    rng = np.random.default_rng(0)
    density_coverage(rng.normal(size=(1000, 4)), rng.normal(size=(1000, 4)))  # (0.98, 0.96)
    ```

    Reference:
        Naeem et al., "Reliable Fidelity and Diversity Metrics for Generative Models",
        ICML 2020. https://arxiv.org/abs/2002.09797
    """
    real_features = linalg.as_features(real_features, "real_features")
    fake_features = linalg.as_features(fake_features, "fake_features")
    linalg.check_same_dim(real_features, fake_features)
    linalg.check_neighbourhood(k, real_features.shape[0], "real")
    # Centring on one point leaves distances unchanged and keeps the expansion
    # ||x||^2 + ||y||^2 - 2 x.y from cancelling when the features sit far from the origin.
    centre = real_features.mean(axis=0, dtype=np.float64)
    real_features = real_features.astype(np.float64) - centre
    fake_features = fake_features.astype(np.float64) - centre
    radii = linalg.kth_neighbour_distances(real_features, k)
    # One pass over blocks of generated rows gives both: the balls each generated sample is in
    # (density), and each real sample's nearest generated sample (coverage).
    balls_entered = 0
    nearest_fake = np.full(real_features.shape[0], np.inf)
    for _, distances in linalg.distance_blocks(fake_features, real_features):
        balls_entered += int(np.count_nonzero(distances < radii[None, :]))
        np.minimum(nearest_fake, distances.min(axis=0), out=nearest_fake)
    density = balls_entered / (k * fake_features.shape[0])
    coverage = float(np.mean(nearest_fake < radii))
    return float(density), coverage


@keras.saving.register_keras_serializable(package="kgan")
class DensityCoverage(base.FeatureMetric):
    """Streaming density and coverage as a Keras metric.

    The state is every feature seen, as host NumPy arrays (float32 features stay float32; the
    computation is float64): `(num_real + num_fake) * dim` values. `result()` equals
    `density_coverage` on all of them. Host-side, for callbacks and evaluation scripts, not for
    `model.compile(metrics=...)`.

    Args:
        feature_extractor: Callable mapping a batch of samples to features `[batch, dim]`.
            Defaults to `None`: the inputs already are features.
        k: Neighbourhood size. Defaults to `5`.
        name: Metric name. Defaults to `"density_coverage"`.
        dtype: Unused (the state is NumPy); accepted for Keras compatibility.

    Example:

    ```python
    metric = DensityCoverage()
    metric.update_state(real=real_features, fake=fake_features)
    metric.result()  # {"density": ..., "coverage": ...}
    ```
    """

    def __init__(self, feature_extractor=None, k=5, name="density_coverage", dtype=None):
        super().__init__(feature_extractor, name=name, dtype=dtype)
        self.k = k

    def result(self):
        """`{"density": ..., "coverage": ...}` over all features seen, as Python floats."""
        real, fake = self._all_features()
        density, coverage = density_coverage(real, fake, self.k)
        return {"density": density, "coverage": coverage}

    def get_config(self):
        config = super().get_config()
        config.update(k=self.k)
        return config
