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
class DensityCoverage(keras.metrics.Metric):
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

    requires_real = True

    def __init__(self, feature_extractor=None, k=5, name="density_coverage", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.feature_extractor = feature_extractor
        self.k = k
        self.reset_state()

    def _features(self, samples):
        if self.feature_extractor is not None:
            samples = self.feature_extractor(samples)
        return keras.ops.convert_to_numpy(samples)

    def update_state(self, real=None, fake=None):
        """Keeps a batch of real and/or generated samples' features."""
        if real is not None:
            linalg.append_batch(self._real, self._features(real), "real features")
        if fake is not None:
            linalg.append_batch(self._fake, self._features(fake), "generated features")

    def result(self):
        """`{"density": ..., "coverage": ...}` over all features seen, as Python floats."""
        if not self._real or not self._fake:
            raise ValueError(f"{self.name} needs real and generated samples before result().")
        density, coverage = density_coverage(
            np.concatenate(self._real), np.concatenate(self._fake), self.k
        )
        return {"density": density, "coverage": coverage}

    def reset_state(self, keep_real=False):
        """Drops the features kept (only the generated ones with `keep_real=True`)."""
        if not keep_real:
            self._real = []
        self._fake = []

    def get_config(self):
        config = super().get_config()
        config.update(
            feature_extractor=keras.saving.serialize_keras_object(self.feature_extractor),
            k=self.k,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["feature_extractor"] = keras.saving.deserialize_keras_object(
            config.get("feature_extractor")
        )
        return cls(**config)
