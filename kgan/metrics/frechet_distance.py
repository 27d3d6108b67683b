"""Fréchet distance between feature distributions (FID when the features are Inception's).

Each set of features is summarised by a Gaussian, its mean and covariance, and the distance is
the Fréchet (2-Wasserstein) distance between the two Gaussians:

`d^2 = ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr sqrt(S1 S2)`.

The statistics stream: `FeatureStatistics` keeps a float64 running sum and sum of outer
products, so memory is `O(dim^2)` (32 MiB at 2048 dimensions) whatever the number of samples,
and a real dataset's statistics can be saved to an `.npz` once and reused.

Example:

```python
from kgan import metrics

fid = metrics.frechet_distance(real_features, fake_features)

real_statistics = metrics.FeatureStatistics()
for batch in real_feature_batches:
    real_statistics.update(batch)
real_statistics.save("real_stats.npz")
```
"""

import json
import os
import warnings

import keras
import numpy as np

from kgan.metrics import base
from kgan.metrics import linalg
from kgan.utils import atomic


class FeatureStatistics:
    """Streaming float64 mean and unbiased covariance of feature vectors.

    Keeps the sample count, the sum of the features and the sum of their outer products, all
    taken relative to a fixed shift (the first batch's mean). The covariance does not depend on
    the shift, and subtracting it avoids the cancellation of
    `sum(x x^T) - n mu mu^T` when the features sit far from the origin relative to their
    spread. Memory is `dim^2` float64 values whatever the number of samples.

    Args:
        dim: Feature dimension. Defaults to that of the first batch.

    Example:

    ```python
    statistics = FeatureStatistics()
    for batch in feature_batches:
        statistics.update(batch)
    statistics.mean, statistics.covariance, statistics.count
    statistics.save("real_stats.npz")
    same = FeatureStatistics.load("real_stats.npz")
    ```
    """

    def __init__(self, dim=None):
        self.dim = None if dim is None else int(dim)
        # What `save(path, **metadata)` wrote beside the arrays; `{}` for computed statistics.
        self.metadata = {}
        self.count = 0
        self._shift = None
        self._sum = None
        self._outer = None

    def update(self, features):
        """Adds a batch of features `[batch, dim]` (any float dtype; accumulated in float64).

        Returns:
            `self`, so that `FeatureStatistics().update(features)` reads in one line.
        """
        features = linalg.as_features(features).astype(np.float64, copy=False)
        if self.dim is None:
            self.dim = features.shape[1]
        if features.shape[1] != self.dim:
            raise ValueError(
                f"Expected features of dimension {self.dim}; got a batch of shape {features.shape}."
            )
        if self._shift is None:
            self._shift = features.mean(axis=0)
            self._sum = np.zeros(self.dim)
            self._outer = np.zeros((self.dim, self.dim))
        centred = features - self._shift
        self._sum += centred.sum(axis=0)
        self._outer += centred.T @ centred
        self.count += features.shape[0]
        return self

    @property
    def mean(self):
        """The mean feature vector `[dim]`, float64."""
        self._check_count(1)
        return self._shift + self._sum / self.count

    @property
    def covariance(self):
        """The unbiased sample covariance `[dim, dim]` (divided by `count - 1`), float64.

        Singular when `count <= dim`; `frechet_distance` warns about that.
        """
        self._check_count(2)
        centred_mean = self._sum / self.count
        covariance = (self._outer - self.count * np.outer(centred_mean, centred_mean)) / (
            self.count - 1
        )
        return (covariance + covariance.T) / 2

    def _check_count(self, needed):
        if self.count < needed:
            raise ValueError(
                f"Feature statistics need at least {needed} sample(s); got {self.count}."
            )

    def save(self, path, **metadata):
        """Writes `mean`, `covariance` and `count` to an `.npz` file (NumPy appends `.npz`).

        Args:
            path: The file to write.
            **metadata: JSON-serialisable facts about how the features were made (the extractor,
                the image size, the data), stored beside the arrays and read back into
                `metadata` by `load`, so a later comparison can check that it compares like
                with like.
        """
        arrays = dict(mean=self.mean, covariance=self.covariance, count=np.asarray(self.count))
        if metadata:
            arrays["metadata"] = np.asarray(json.dumps(metadata))
        # NumPy appends .npz to other names; the file appears whole or not at all.
        path = os.fspath(path)
        if not path.endswith(".npz"):
            path += ".npz"
        atomic.write_with(path, lambda temporary: np.savez(temporary, **arrays))

    @classmethod
    def load(cls, path):
        """Reads statistics written by `save` (or any `.npz` with `mean`, `covariance`, `count`).

        The loaded statistics can be updated further: they carry the same information as the
        running sums they came from.
        """
        with np.load(path, allow_pickle=False) as data:
            missing = {"mean", "covariance", "count"} - set(data.files)
            if missing:
                raise ValueError(f"{path} lacks {sorted(missing)}; it has {sorted(data.files)}.")
            mean = np.asarray(data["mean"], dtype=np.float64)
            covariance = np.asarray(data["covariance"], dtype=np.float64)
            count = int(data["count"])
            metadata = json.loads(str(data["metadata"])) if "metadata" in data.files else {}
        if mean.ndim != 1 or covariance.shape != (mean.size, mean.size) or count < 2:
            raise ValueError(
                f"{path} holds inconsistent statistics: mean {mean.shape}, covariance "
                f"{covariance.shape}, count {count}."
            )
        statistics = cls(dim=mean.size)
        # Shift at the mean: the centred sum is zero and the outer sum is (n - 1) * covariance.
        statistics._shift = mean
        statistics._sum = np.zeros(mean.size)
        statistics._outer = covariance * (count - 1)
        statistics.count = count
        statistics.metadata = metadata
        return statistics

    def copy(self):
        """An independent copy."""
        clone = FeatureStatistics(self.dim)
        clone.count = self.count
        clone.metadata = dict(self.metadata)
        if self._shift is not None:
            clone._shift, clone._sum = self._shift.copy(), self._sum.copy()
            clone._outer = self._outer.copy()
        return clone


def frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2):
    """Fréchet distance between the Gaussians `N(mu1, sigma1)` and `N(mu2, sigma2)`.

    `||mu1 - mu2||^2 + tr(sigma1) + tr(sigma2) - 2 tr sqrt(sigma1 sigma2)`, in float64, with the
    trace of the square root from `linalg.trace_sqrt_product` (symmetric eigendecompositions,
    exact for singular covariances; no `eps * I` is added, unlike pytorch-fid's fallback).

    Args:
        mu1: Mean `[dim]` of the first distribution (the real data, by convention).
        sigma1: Covariance `[dim, dim]` of the first distribution.
        mu2: Mean `[dim]` of the second distribution.
        sigma2: Covariance `[dim, dim]` of the second distribution.

    Returns:
        The squared Fréchet distance as a Python float (clipped at 0: rounding can leave
        `-1e-13` for identical distributions).

    Reference:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
        Equilibrium", NeurIPS 2017. https://arxiv.org/abs/1706.08500
    """
    mu1 = np.asarray(mu1, dtype=np.float64)
    mu2 = np.asarray(mu2, dtype=np.float64)
    sigma1 = np.asarray(sigma1, dtype=np.float64)
    sigma2 = np.asarray(sigma2, dtype=np.float64)
    if mu1.ndim != 1 or mu1.shape != mu2.shape:
        raise ValueError(f"Means must be vectors of one size; got {mu1.shape} and {mu2.shape}.")
    if sigma1.shape != (mu1.size, mu1.size) or sigma2.shape != sigma1.shape:
        raise ValueError(
            f"Covariances must be [{mu1.size}, {mu1.size}] like the means; got {sigma1.shape} "
            f"and {sigma2.shape}."
        )
    difference = mu1 - mu2
    trace_sqrt = linalg.trace_sqrt_product(sigma1, sigma2)
    distance = difference @ difference + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt
    return max(float(distance), 0.0)


def frechet_distance_between(real_statistics, fake_statistics):
    """Fréchet distance between two `FeatureStatistics`, warning when a covariance is singular."""
    for which, statistics in (("real", real_statistics), ("generated", fake_statistics)):
        if statistics.count < 2:
            raise ValueError(
                f"The Fréchet distance needs at least 2 {which} samples; got {statistics.count}."
            )
    if real_statistics.dim != fake_statistics.dim:
        raise ValueError(
            "Real and generated features must have the same dimension; got "
            f"{real_statistics.dim} and {fake_statistics.dim}. Were they computed by the same "
            "feature extractor?"
        )
    for which, statistics in (("real", real_statistics), ("generated", fake_statistics)):
        if statistics.count <= statistics.dim:
            warnings.warn(
                f"Only {statistics.count} {which} samples for {statistics.dim}-dimensional "
                "features: the covariance is singular. The distance is still exact for these "
                "samples, but it is biased and not comparable with values from more samples "
                "(papers use 10,000 to 50,000).",
                stacklevel=3,
            )
    return frechet_distance_from_statistics(
        real_statistics.mean,
        real_statistics.covariance,
        fake_statistics.mean,
        fake_statistics.covariance,
    )


def frechet_distance(real_features, fake_features):
    """Fréchet distance between two sets of features (FID on Inception pool features).

    Args:
        real_features: Array `[num_real, dim]`, at least 2 samples.
        fake_features: Array `[num_fake, dim]`, at least 2 samples.

    Returns:
        The squared Fréchet distance as a Python float.

    Example:

    ```python
    rng = np.random.default_rng(0)
    frechet_distance(rng.normal(size=(5000, 8)), rng.normal(size=(5000, 8)) + 1)  # 7.92
    ```

    Reference:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
        Equilibrium", NeurIPS 2017. https://arxiv.org/abs/1706.08500
    """
    real_features = linalg.as_features(real_features, "real_features")
    fake_features = linalg.as_features(fake_features, "fake_features")
    linalg.check_same_dim(real_features, fake_features)
    return frechet_distance_between(
        FeatureStatistics().update(real_features), FeatureStatistics().update(fake_features)
    )


@keras.saving.register_keras_serializable(package="kgan")
class FrechetDistance(base.FeatureMetric):
    """Streaming Fréchet distance (FID with Inception features) as a Keras metric.

    The state is two `FeatureStatistics`, float64 NumPy arrays on the host: memory is
    `2 * dim^2` float64 values (64 MiB at 2048 dimensions) whatever the number of samples. Being
    host-side, the metric is meant for callbacks and evaluation scripts, not for
    `model.compile(metrics=...)`, whose update runs inside the compiled train step.

    Args:
        feature_extractor: Callable mapping a batch of samples to features `[batch, dim]` (a
            Keras model, for example). Defaults to `None`: the inputs already are features.
        real_statistics: Precomputed statistics of the real data: a `FeatureStatistics` or the
            path of an `.npz` written by `FeatureStatistics.save`. They survive `reset_state`.
            Only a path is kept by `get_config`. Defaults to `None`.
        name: Metric name, the key of its result in logs. Defaults to `"fid"`.
        dtype: Unused (the state is float64 NumPy); accepted for Keras compatibility.

    Example:

    ```python
    fid = FrechetDistance(real_statistics="real_stats.npz")
    for batch in generated_feature_batches:
        fid.update_state(fake=batch)
    fid.result()  # a Python float
    ```
    """

    def __init__(self, feature_extractor=None, real_statistics=None, name="fid", dtype=None):
        # Set before the base constructor, which ends with reset_state(): it reads them.
        self._real_statistics_path = None
        if isinstance(real_statistics, str | os.PathLike):
            self._real_statistics_path = os.fspath(real_statistics)
            real_statistics = FeatureStatistics.load(real_statistics)
        if real_statistics is not None and not isinstance(real_statistics, FeatureStatistics):
            raise TypeError(
                "real_statistics must be a FeatureStatistics or the path of an .npz; got "
                f"{type(real_statistics).__name__}."
            )
        self._initial_real_statistics = real_statistics
        super().__init__(feature_extractor, name=name, dtype=dtype)

    def _add_real_features(self, features):
        """Adds a batch of real features `[batch, dim]` to the real statistics."""
        self.real_statistics.update(features)

    def _add_fake_features(self, features):
        """Adds a batch of generated features `[batch, dim]` to the generated statistics."""
        self.fake_statistics.update(features)

    def result(self):
        """The Fréchet distance between everything seen so far, as a Python float."""
        return frechet_distance_between(self.real_statistics, self.fake_statistics)

    def reset_state(self, keep_real=False):
        """Clears the statistics.

        Args:
            keep_real: Keep the real statistics and clear only the generated ones, so real
                features computed once serve many evaluations. Defaults to `False`, which goes
                back to the `real_statistics` given at construction (or to none).
        """
        if not keep_real:
            initial = self._initial_real_statistics
            self.real_statistics = FeatureStatistics() if initial is None else initial.copy()
        self.fake_statistics = FeatureStatistics()

    def get_config(self):
        config = super().get_config()
        config.update(real_statistics=self._real_statistics_path)
        return config
