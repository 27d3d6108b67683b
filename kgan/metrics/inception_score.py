"""Inception Score: are samples confidently one class each, and are all classes present?

`IS = exp(E_x KL(p(y|x) || p(y)))`, where `p(y|x)` is a classifier's prediction for sample `x`
and `p(y)` the marginal over the samples. The KL divergence is large when each prediction is
sharp (quality) and the marginal is broad (diversity); the score ranges from 1 to the number of
classes. It judges generated samples alone, with no reference to real data.

The samples are split into contiguous groups, the score is computed on each, and the mean and
standard deviation over groups are reported, as in Salimans et al.'s code and torch-fidelity.

Example:

```python
from kgan import metrics

is_mean, is_std = metrics.inception_score(logits)  # logits [num_samples, classes]
```
"""

import keras
import numpy as np

from kgan.metrics import base
from kgan.metrics import linalg


def _log_softmax(logits):
    # Subtracting the row maximum keeps exp() from overflowing; in float64 the result is
    # exact to rounding even for logits in the hundreds.
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def _split_score(log_probabilities):
    """`exp(mean_x KL(p(y|x) || p(y)))` for one split, from log-probabilities `[n, classes]`."""
    # log p(y) = log(mean_x p(y|x)), as a log-sum-exp of the log-probabilities: finite even for
    # a class no sample gives any probability to (where log(mean(p)) would be log 0 and the
    # product 0 * -inf a NaN).
    column_max = log_probabilities.max(axis=0, keepdims=True)
    log_marginal = column_max + np.log(
        np.mean(np.exp(log_probabilities - column_max), axis=0, keepdims=True)
    )
    probabilities = np.exp(log_probabilities)
    kl = np.sum(probabilities * (log_probabilities - log_marginal), axis=1)
    return float(np.exp(np.mean(kl)))


def inception_score(logits, splits=10, shuffle=False, seed=None):
    """Inception Score from classifier logits: mean and std over contiguous splits.

    The logits become probabilities with a softmax in float64. Split `i` of `n` samples is
    rows `i * n // splits` to `(i + 1) * n // splits`, as torch-fidelity does; with
    `shuffle=True` the rows are first permuted by `np.random.RandomState(seed).permutation`,
    so `shuffle=True, seed=2020` reproduces torch-fidelity's default. Given probabilities
    instead of logits, pass their logarithm (a softmax of log-probabilities returns them).

    Args:
        logits: Array `[num_samples, num_classes]` of unnormalised scores.
        splits: Number of contiguous splits, at most `num_samples`. Defaults to `10`.
        shuffle: Permute the samples before splitting. Defaults to `False`.
        seed: Seed of the permutation. Defaults to `None` (a fresh one).

    Returns:
        `(mean, std)` of the per-split scores, Python floats; std with `ddof=0`.

    Example:

    ```python
    confident = np.eye(10)[np.arange(1000) % 10] * 50.0  # each sample sure of one class
    inception_score(confident)  # (about 10.0, about 0.0): every class, all confident
    ```

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016.
        https://arxiv.org/abs/1606.03498
    """
    logits = linalg.as_features(logits, "logits").astype(np.float64, copy=False)
    splits = int(splits)
    num_samples = logits.shape[0]
    if not 1 <= splits <= num_samples:
        raise ValueError(
            f"splits must be between 1 and the number of samples ({num_samples}); got {splits}."
        )
    if shuffle:
        logits = logits[np.random.RandomState(seed).permutation(num_samples)]
    log_probabilities = _log_softmax(logits)
    scores = [
        _split_score(log_probabilities[i * num_samples // splits : (i + 1) * num_samples // splits])
        for i in range(splits)
    ]
    return float(np.mean(scores)), float(np.std(scores))


@keras.saving.register_keras_serializable(package="kgan")
class InceptionScore(base.FeatureMetric):
    """Streaming Inception Score as a Keras metric.

    The state is every logit vector seen, as host NumPy arrays: `num_samples * num_classes`
    values (50,000 samples of 1,008 Inception classes: about 200 MB in float32). `result()` equals
    `inception_score` on all of them in the order they came. Host-side, for callbacks and
    evaluation scripts, not for `model.compile(metrics=...)`.

    The score is of generated samples only: `update_state(fake=...)`. To score real data (the
    usual reference value), pass it as `fake` to a metric of its own.

    Args:
        feature_extractor: Callable mapping a batch of samples to logits `[batch, classes]`.
            Defaults to `None`: the inputs already are logits.
        splits: See `inception_score`. Defaults to `10`.
        shuffle: See `inception_score`. Defaults to `False`.
        seed: See `inception_score`. Defaults to `None`.
        name: Metric name; the result's keys are `name` and `name + "_std"`. Defaults to `"is"`.
        dtype: Unused (the state is NumPy); accepted for Keras compatibility.

    Example:

    ```python
    metric = InceptionScore()
    for batch in generated_logit_batches:
        metric.update_state(fake=batch)
    metric.result()  # {"is": ..., "is_std": ...}
    ```
    """

    requires_real = False

    def __init__(
        self, feature_extractor=None, splits=10, shuffle=False, seed=None, name="is", dtype=None
    ):
        super().__init__(feature_extractor, name=name, dtype=dtype)
        self.splits = splits
        self.shuffle = shuffle
        self.seed = seed

    def update_state(self, real=None, fake=None):
        """Keeps the logits of a batch of generated samples.

        Args:
            real: Must be `None`: the Inception Score does not use real data.
            fake: A batch of generated samples (or logits, without a feature extractor).
        """
        if real is not None:
            raise ValueError(
                "The Inception Score is computed on generated samples only; pass them as `fake` "
                "(to score real data, give it as `fake` to a separate metric)."
            )
        super().update_state(fake=fake)

    def _add_fake_features(self, logits):
        """Keeps a batch of logits `[batch, classes]`, checked against earlier batches."""
        linalg.append_batch(self._fake, logits, "logits")

    def result(self):
        """`{name: mean, name_std: std}` over all logits seen, as Python floats."""
        _, logits = self._all_features()
        mean, std = inception_score(logits, self.splits, self.shuffle, self.seed)
        return {self.name: mean, f"{self.name}_std": std}

    def get_config(self):
        config = super().get_config()
        config.update(splits=self.splits, shuffle=self.shuffle, seed=self.seed)
        return config
