"""`FeatureMetric`: the base of kgan's streaming metrics on real and generated features.

Every metric here compares features of generated samples with features of real ones (or, like
the Inception Score, scores generated ones alone). `FeatureMetric` holds what they share: the
injected feature extractor, `update_state(real=..., fake=...)` passing each side through it,
host-side state that `reset_state(keep_real=True)` clears on the generated side only, and the
`get_config` / `from_config` pair that serializes the extractor. A metric adds its own
arguments and `result()`.

The feature extractor contract: `None` means the inputs already are features; otherwise any
callable mapping a batch of samples to features `[batch, dim]`: a function, a Keras layer or a
Keras model (registered serializable ones survive `get_config`).

Example:

```python
@keras.saving.register_keras_serializable(package="my_package")
class MeanDistance(FeatureMetric):
    def result(self):
        real, fake = self._all_features()
        return float(np.linalg.norm(real.mean(axis=0) - fake.mean(axis=0)))

metric = MeanDistance(feature_extractor=encoder, name="mean_distance")
metric.update_state(real=real_images, fake=generated_images)
metric.result()
```
"""

import keras
import numpy as np

from kgan.metrics import linalg


class FeatureMetric(keras.metrics.Metric):
    """Base class of the streaming metrics on real and generated features, kept on the host.

    The state is NumPy on the host, not Keras variables: the metrics are meant for callbacks and
    evaluation scripts, not for `model.compile(metrics=...)`, whose update runs inside the
    compiled train step. By default it is every feature batch seen, in one list per side (float32
    features stay float32), which `_all_features()` concatenates for `result()`.

    To write a metric: pass its `name` default to `super().__init__`, set its own arguments
    after it, implement `result()` and add those arguments in `get_config`. A metric that keeps
    something else than the batches (the Fréchet distance keeps running statistics) overrides
    `_add_real_features`, `_add_fake_features` and `reset_state`; the constructor ends with
    `reset_state()`, so what that reads must be set before `super().__init__`.

    Args:
        feature_extractor: Callable mapping a batch of samples to features `[batch, dim]` (a
            Keras model, for example). Defaults to `None`: the inputs already are features.
        name: Metric name, the key of its result in logs. Defaults to `None` (from the class).
        dtype: Unused (the state is NumPy); accepted for Keras compatibility.
    """

    # Whether the metric uses real data at all (the Inception Score does not).
    requires_real = True

    def __init__(self, feature_extractor=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if feature_extractor is not None and not callable(feature_extractor):
            # A name such as "inception_v3" is not resolved here: the metrics take networks.
            raise TypeError(
                f"feature_extractor must be callable (a network or function mapping samples to "
                f"features), got {feature_extractor!r}; for a named extractor pass "
                f"kgan.metrics.feature_extractors.get({feature_extractor!r})."
            )
        self.feature_extractor = feature_extractor
        self.reset_state()

    def compute_features(self, samples):
        """Maps a batch of samples to host NumPy features with the feature extractor, if any."""
        if self.feature_extractor is not None:
            samples = self.feature_extractor(samples)
        return keras.ops.convert_to_numpy(samples)

    def update_state(self, real=None, fake=None):
        """Adds the features of a batch of real and/or generated samples."""
        if real is not None:
            self._add_real_features(self.compute_features(real))
        if fake is not None:
            self._add_fake_features(self.compute_features(fake))

    def _add_real_features(self, features):
        """Keeps a batch of real features `[batch, dim]`, checked against earlier batches."""
        linalg.append_batch(self._real, features, "real features")

    def _add_fake_features(self, features):
        """Keeps a batch of generated features `[batch, dim]`, checked against earlier batches."""
        linalg.append_batch(self._fake, features, "generated features")

    def _all_features(self):
        """Every feature kept, as `(real, fake)` arrays (`real` is `None` when none was kept).

        Raises:
            ValueError: If a side the metric needs has no samples yet.
        """
        if not self._fake or (self.requires_real and not self._real):
            needed = "real and generated" if self.requires_real else "generated"
            raise ValueError(f"{self.name} needs {needed} samples before result().")
        real = np.concatenate(self._real) if self._real else None
        return real, np.concatenate(self._fake)

    def reset_state(self, keep_real=False):
        """Drops the features kept.

        Args:
            keep_real: Keep the real features and drop only the generated ones, so real
                features computed once serve many evaluations. Defaults to `False`.
        """
        if not keep_real:
            self._real = []
        self._fake = []

    def get_config(self):
        config = super().get_config()
        config["feature_extractor"] = keras.saving.serialize_keras_object(self.feature_extractor)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["feature_extractor"] = keras.saving.deserialize_keras_object(
            config.get("feature_extractor")
        )
        return cls(**config)
