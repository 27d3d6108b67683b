"""Kernel distance between feature distributions (KID when the features are Inception's).

The squared maximum mean discrepancy (MMD^2) between the real and generated feature
distributions under the cubic polynomial kernel `k(x, y) = (x.y / d + 1)^3`, estimated without
bias and averaged over random subsets. Unlike FID it assumes no Gaussian shape and its estimator
is unbiased, so values from different sample counts can be compared; the subsets give a spread.

It needs every feature (subsets are drawn from all of them), so the streaming metric keeps them:
`num_samples * dim` values per side (a float32 2048-d feature is 8 KiB; 10,000 samples 80 MiB).

Example:

```python
from kgan import metrics

kid_mean, kid_std = metrics.kernel_distance(real_features, fake_features)
```
"""

import warnings

import keras
import numpy as np

from kgan.metrics import base
from kgan.metrics import linalg


def polynomial_kernel(x, y):
    """The cubic polynomial kernel `(x.y / d + 1)^3` between the rows of `x` and of `y`."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(real_features, fake_features):
    """Unbiased MMD^2 between two equal-size samples under the cubic polynomial kernel.

    With `m` samples each and kernel matrices `K_XX`, `K_YY`, `K_XY`,

    `MMD^2 = sum_{i != j} K_XX[i, j] / (m (m - 1)) + sum_{i != j} K_YY[i, j] / (m (m - 1))
    - 2 sum_{i, j} K_XY[i, j] / m^2`.

    The within-set sums leave out the diagonal (a sample paired with itself), which is what
    removes the bias. The cross term keeps all `m^2` pairs, as in Binkowski et al.'s code and
    torch-fidelity (the "unbiased" estimator there; the U-statistic would also drop the cross
    diagonal).

    Args:
        real_features: Array `[m, d]`, float64.
        fake_features: Array `[m, d]`, float64.

    Returns:
        The estimate as a Python float (can be slightly negative for close distributions).
    """
    m = real_features.shape[0]
    k_xx = polynomial_kernel(real_features, real_features)
    k_yy = polynomial_kernel(fake_features, fake_features)
    k_xy = polynomial_kernel(real_features, fake_features)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.sum() / (m * m))


def kernel_distance(real_features, fake_features, num_subsets=100, subset_size=1000, seed=2020):
    """Kernel distance (KID on Inception pool features): mean and std of MMD^2 over subsets.

    Each of `num_subsets` rounds draws `subset_size` real and `subset_size` generated samples
    without replacement and computes `mmd2_unbiased` on them. The draws use
    `np.random.RandomState(seed)` in torch-fidelity's order (real, then generated, per subset),
    so with the same features and seed the value is torch-fidelity's (its seed is 2020 too).

    Args:
        real_features: Array `[num_real, dim]`.
        fake_features: Array `[num_fake, dim]`.
        num_subsets: Number of subsets. Defaults to `100`.
        subset_size: Samples per subset and side. Capped, with a warning, at the smaller sample
            count (torch-fidelity raises instead). Defaults to `1000`.
        seed: Seed of the subset draws. Defaults to `2020`.

    Returns:
        `(mean, std)` of the per-subset estimates, Python floats; std with `ddof=0`.

    Example:

    ```python
    rng = np.random.default_rng(0)
    kernel_distance(rng.normal(size=(500, 8)), rng.normal(size=(500, 8)), subset_size=100)
    # (0.002, 0.037): the same distribution, so about 0 within the spread
    ```

    Reference:
        Binkowski et al., "Demystifying MMD GANs", ICLR 2018. https://arxiv.org/abs/1801.01401
    """
    real_features = linalg.as_features(real_features, "real_features")
    fake_features = linalg.as_features(fake_features, "fake_features")
    linalg.check_same_dim(real_features, fake_features)
    num_subsets, subset_size = int(num_subsets), int(subset_size)
    if num_subsets < 1:
        raise ValueError(f"num_subsets must be at least 1; got {num_subsets}.")
    available = min(real_features.shape[0], fake_features.shape[0])
    if subset_size > available:
        warnings.warn(
            f"subset_size={subset_size} is more than the {available} samples available; using "
            f"subsets of {available}. KID values from different subset sizes have different "
            "variances; report the size used.",
            stacklevel=2,
        )
        subset_size = available
    if subset_size < 2:
        raise ValueError(f"The unbiased estimate needs subsets of at least 2; got {subset_size}.")
    rng = np.random.RandomState(seed)
    estimates = np.empty(num_subsets)
    for i in range(num_subsets):
        real_subset = real_features[rng.choice(len(real_features), subset_size, replace=False)]
        fake_subset = fake_features[rng.choice(len(fake_features), subset_size, replace=False)]
        estimates[i] = mmd2_unbiased(real_subset.astype(np.float64), fake_subset.astype(np.float64))
    return float(np.mean(estimates)), float(np.std(estimates))


@keras.saving.register_keras_serializable(package="kgan")
class KernelDistance(base.FeatureMetric):
    """Streaming kernel distance (KID with Inception features) as a Keras metric.

    The state is every feature seen, as host NumPy arrays (float32 features stay float32; the
    computation is float64): `(num_real + num_fake) * dim` values. `result()` equals
    `kernel_distance` on all of them with the same arguments. Host-side, for callbacks and
    evaluation scripts, not for `model.compile(metrics=...)`.

    Args:
        feature_extractor: Callable mapping a batch of samples to features `[batch, dim]`.
            Defaults to `None`: the inputs already are features.
        num_subsets: See `kernel_distance`. Defaults to `100`.
        subset_size: See `kernel_distance`. Defaults to `1000`.
        seed: See `kernel_distance`. Defaults to `2020`.
        name: Metric name; the result's keys are `name` and `name + "_std"`. Defaults to
            `"kid"`.
        dtype: Unused (the state is NumPy); accepted for Keras compatibility.

    Example:

    ```python
    kid = KernelDistance(subset_size=500)
    kid.update_state(real=real_features)
    kid.update_state(fake=fake_features)
    kid.result()  # {"kid": ..., "kid_std": ...}
    ```
    """

    def __init__(
        self,
        feature_extractor=None,
        num_subsets=100,
        subset_size=1000,
        seed=2020,
        name="kid",
        dtype=None,
    ):
        super().__init__(feature_extractor, name=name, dtype=dtype)
        self.num_subsets = num_subsets
        self.subset_size = subset_size
        self.seed = seed

    def result(self):
        """`{name: mean, name_std: std}` over all features seen, as Python floats."""
        real, fake = self._all_features()
        mean, std = kernel_distance(real, fake, self.num_subsets, self.subset_size, self.seed)
        return {self.name: mean, f"{self.name}_std": std}

    def get_config(self):
        config = super().get_config()
        config.update(num_subsets=self.num_subsets, subset_size=self.subset_size, seed=self.seed)
        return config
