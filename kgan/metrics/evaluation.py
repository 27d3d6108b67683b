"""Evaluating a generator: every chosen metric from one pass of one feature extractor.

`Evaluator` runs the feature extractor once per batch, real or generated, and feeds the one
output `{"features": ..., "logits": ...}` to every metric asked for: FID, KID, precision and
recall, density and coverage read the features, the Inception Score and the class statistics the
logits. Real features are computed once, on first use, and serve every later `evaluate` call (a
callback evaluates every few epochs). Generated samples are made, extracted and dropped a batch
at a time, so a 50,000-sample evaluation never holds 50,000 images.

Memory: FID keeps running statistics only (`dim^2` float64 values per side, whatever the sample
count). KID, precision/recall, density/coverage and the copy statistics compare samples with
samples, so they keep the features of every real and generated sample (shared between them, not
copied; computing a result makes temporary float64 copies): 50,000 float32 2048-d features are
400 MB per side. The Inception Score and the class statistics keep the generated logits.

Example:

```python
from kgan.metrics import evaluation

evaluator = evaluation.Evaluator(
    metrics=("fid", "kid", "is"), extractor="inception_v3", real_data=real_images
)
evaluator.evaluate(gan, num_samples=10_000, seed=0)
# {"fid": 23.1, "kid": 0.012, "kid_std": 0.001, "is": 6.4, "is_std": 0.2,
#  "num_samples": 10000, "num_real": 50000}
```
"""

import os
import warnings

import keras
import numpy as np

from kgan.metrics import input_checks
from kgan.metrics import metric_names
from kgan.metrics import sample_batches

# The package exposes functions under the module names: import the classes from the modules.
from kgan.metrics.density_coverage import DensityCoverage
from kgan.metrics.frechet_distance import FeatureStatistics
from kgan.metrics.frechet_distance import FrechetDistance
from kgan.metrics.inception_score import InceptionScore
from kgan.metrics.kernel_distance import KernelDistance
from kgan.metrics.precision_recall import PrecisionRecall

# The metric names, for `evaluation.METRICS` and `evaluation.check_metrics` as before.
METRICS = metric_names.METRICS
check_metrics = metric_names.check_metrics

# Streaming metric classes fed generated features (the Inception Score is fed logits).
_FEATURE_METRICS = {
    "fid": FrechetDistance,
    "kid": KernelDistance,
    "pr": PrecisionRecall,
    "dc": DensityCoverage,
}


class Evaluator:
    """Computes generative metrics of samples or of a generator against real data.

    The extractor is called once per batch and its output feeds every metric. Real features are
    computed on the first `evaluate` (or `prepare`) and kept: later calls extract only generated
    samples.

    Real data is a NumPy array of samples, a tuple `(samples, labels)` of arrays, or a
    `tf.data.Dataset` of samples or `(samples, labels)` (labels are ignored), batched (its
    batches are extracted as they come) or of single images (batched by `batch_size`).
    `num_real` caps the number of real samples used; without it every sample of a finite
    dataset is used, and a repeating (infinite) dataset is refused rather than read forever.
    Real labels are ignored by the metrics, but kept to draw a conditional model's conditions
    from (`condition_source="real"`).

    **Conditional models** (`kgan.ConditionalGAN`: `generate(labels, ...)` and `num_classes` or
    `condition_dim`) are sampled one batch at a time for conditions drawn from the batch seed,
    so evaluations repeat exactly. Class ids are uniform over the classes by default (every
    class equally often, as conditional-GAN papers report FID), or drawn from the real data's
    labels with `condition_source="real"`; attribute vectors have no uniform default and are
    drawn from the real data's labels, which the real data must then carry. Explicit conditions
    (one row per sample) can be given to `evaluate`. The class ids asked for feed "classes",
    which then reports `condition_accuracy`: the share of samples the extractor's classifier
    puts in the class they were generated for.
    Precomputed `real_statistics` serve FID alone: metrics that compare samples one by one
    (kid, pr, dc, copies) still need `real_data`. When both are given, FID uses the statistics
    and the other metrics the data.

    Args:
        metrics: Names from `METRICS` (a sequence, or one comma-separated string such as
            `"fid,kid"`). Defaults to `("fid",)`.
        extractor: The feature extractor: a name or object that
            `kgan.metrics.feature_extractors.get` accepts (`"inception_v3"`,
            `"fid_inception"`, `"digits"`, a Keras model, a `.keras` path, a callable returning
            `{"features", "logits"}`), resolved on first use; or `None`, meaning the samples
            already are features (then "is" and "classes", which need logits, are refused).
            Defaults to `"inception_v3"`.
        real_data: Real samples, as above. Defaults to `None`.
        real_statistics: Precomputed FID statistics of the real data: a
            `kgan.metrics.FeatureStatistics` or the path of an `.npz` written by its `save`.
            Defaults to `None`.
        num_real: Use at most this many real samples (a warning says when fewer are there).
            Defaults to `None`: all of them.
        batch_size: Samples per extractor call (and per generator call). Defaults to `256`.
        options: Keyword arguments per metric name, passed to its metric class or function,
            e.g. `{"kid": {"subset_size": 100}, "pr": {"k": 5}, "classes": {"confidence":
            0.5}}`. Defaults to `None`.
        condition_source: Where a conditional model's conditions come from when `evaluate` is
            given none: `"uniform"` (class ids uniform over `num_classes`) or `"real"` (rows of
            the real data's labels, drawn with replacement). Defaults to `None`: `"uniform"`
            for class ids, `"real"` for attribute vectors.

    Example:

    ```python
    evaluator = Evaluator(("fid", "pr"), extractor="digits", real_data=digit_images)
    first = evaluator.evaluate(gan, num_samples=2000)
    later = evaluator.evaluate(gan, num_samples=2000)  # real features reused
    ```
    """

    def __init__(
        self,
        metrics=("fid",),
        extractor="inception_v3",
        real_data=None,
        real_statistics=None,
        num_real=None,
        batch_size=256,
        options=None,
        condition_source=None,
    ):
        self.metrics = metric_names.check_metrics(metrics)
        if condition_source not in metric_names.CONDITION_SOURCES:
            raise ValueError(
                f"condition_source must be one of {metric_names.CONDITION_SOURCES}, got "
                f"{condition_source!r}."
            )
        self.condition_source = condition_source
        self.batch_size = input_checks.check_count(batch_size, "batch_size")
        self.num_real = None if num_real is None else input_checks.check_count(num_real, "num_real")
        if isinstance(real_statistics, str | os.PathLike):
            real_statistics = FeatureStatistics.load(real_statistics)
        self.real_statistics = real_statistics
        self.real_data = real_data
        self._extractor_identifier = extractor
        self._extractor = None
        self.options = metric_names.check_options(options, self.metrics)
        self._check_inputs()

        fid_options = {"real_statistics": real_statistics, **self.options.get("fid", {})}
        self._feature_metrics = {
            name: _FEATURE_METRICS[name](**(fid_options if name == "fid" else self.options[name]))
            for name in self.metrics
            if name in _FEATURE_METRICS
        }
        self._inception_score = None
        if "is" in self.metrics:
            self._inception_score = InceptionScore(**self.options["is"])
        self._real_features = []  # for "copies"; the same arrays the streaming metrics keep
        self._real_logits = []  # for "classes"
        self._real_labels = []  # to draw a conditional model's conditions from
        self._real_ready = False
        self.num_real_used = None

    def _check_inputs(self):
        names = self.metrics
        if self._extractor_identifier is None:
            needing_logits = [name for name in names if name in metric_names.NEEDS_LOGITS]
            if needing_logits:
                raise ValueError(
                    f"Metrics {needing_logits} need class logits, but extractor=None means the "
                    "samples already are features. Pass an extractor with a classifier head "
                    "(e.g. 'inception_v3', or 'digits' for the bundled digits)."
                )
        if self.real_data is None:
            needing_data = [name for name in names if name in metric_names.NEEDS_REAL_FEATURES]
            if needing_data:
                given = "only real_statistics" if self.real_statistics is not None else "none"
                raise ValueError(
                    f"Metrics {needing_data} compare generated samples with real ones one by "
                    f"one and need real_data (samples); {given} was given. Statistics serve "
                    "'fid' alone."
                )
            if "fid" in names and self.real_statistics is None:
                raise ValueError("'fid' needs real_data or real_statistics; neither was given.")

    @property
    def extractor(self):
        """The resolved extractor (`None`: the samples are features); resolved on first use."""
        if self._extractor is None and self._extractor_identifier is not None:
            # Imported here: feature_extractors loads keras.applications, which the metrics
            # package should not pay for on import.
            from kgan.metrics import feature_extractors

            self._extractor = feature_extractors.get(self._extractor_identifier)
        return self._extractor

    def _extractor_name(self):
        identifier = self._extractor_identifier
        if isinstance(identifier, str | os.PathLike):
            return repr(os.fspath(identifier))
        return getattr(identifier, "name", None) or type(identifier).__name__

    def extract(self, samples):
        """Runs the extractor on one batch: `{"features": [n, d]}` plus `"logits"` if it has them.

        The values are host NumPy arrays. Without an extractor, the samples are the features.
        """
        if self.extractor is None:
            return {"features": keras.ops.convert_to_numpy(samples)}
        from kgan.metrics import feature_extractors

        outputs = feature_extractors.run_batch(self.extractor, samples)
        if "features" not in outputs:
            raise ValueError(
                f"The extractor {self._extractor_name()} must return a dict with 'features' "
                f"(and 'logits' for 'is' and 'classes'); it returned keys {sorted(outputs)}."
            )
        return {key: outputs[key] for key in ("features", "logits") if key in outputs}

    def _logits(self, outputs):
        if "logits" not in outputs:
            needing = [name for name in self.metrics if name in metric_names.NEEDS_LOGITS]
            raise ValueError(
                f"Metrics {needing} need class logits, but the extractor "
                f"{self._extractor_name()} returns features only. Use an extractor with a "
                "classifier head (e.g. 'inception_v3', or 'digits' for the bundled digits)."
            )
        return outputs["logits"]

    # --- real side -----------------------------------------------------------------------------

    def prepare(self):
        """Computes and keeps what the metrics need of the real data; later calls do nothing.

        `evaluate` calls it; call it early to pay for the real features (and meet data or
        extractor errors) before training starts.

        Returns:
            `self`.
        """
        if self._real_ready:
            return self
        fid_from_data = "fid" in self.metrics and self.real_statistics is None
        needs_features = fid_from_data or any(
            n in metric_names.NEEDS_REAL_FEATURES for n in self.metrics
        )
        needs_logits = "classes" in self.metrics
        count = 0
        low, high = np.inf, -np.inf
        if self.real_data is not None and (needs_features or needs_logits):
            real_batches = sample_batches.batches(
                self.real_data, self.batch_size, self.num_real, "real_data"
            )
            try:
                for batch, labels in real_batches:
                    if self.extractor is not None:
                        low, high = input_checks.check_image_range(batch, low, high)
                    outputs = self.extract(batch)
                    features = outputs["features"]
                    for name, metric in self._feature_metrics.items():
                        if name != "fid" or fid_from_data:
                            metric.update_state(real=features)
                    if "copies" in self.metrics:
                        self._real_features.append(features)
                    if needs_logits:
                        self._real_logits.append(self._logits(outputs))
                    if labels is not None:
                        self._real_labels.append(keras.ops.convert_to_numpy(labels))
                    count += features.shape[0]
            except BaseException:
                # Drop the partial real side, so a retry does not count batches twice.
                for metric in self._feature_metrics.values():
                    metric.reset_state()
                self._real_features, self._real_logits, self._real_labels = [], [], []
                raise
            if count == 0:
                raise ValueError("real_data holds no samples.")
            if self.extractor is not None and low >= 0.0 and high <= 1.0:
                warnings.warn(
                    f"real_data lies in [{low:.3g}, {high:.3g}]: if these are images in [0, 1], "
                    "rescale them to [-1, 1] (2 * x - 1), the range kgan's generators produce; "
                    "otherwise the metrics compare real and generated images in different "
                    "ranges.",
                    stacklevel=2,
                )
            if self.num_real is not None and count < self.num_real:
                warnings.warn(
                    f"num_real={self.num_real}, but real_data holds only {count} samples; "
                    f"using {count}.",
                    stacklevel=2,
                )
            self.num_real_used = count
        elif self.real_statistics is not None:
            self.num_real_used = int(self.real_statistics.count)
        self._real_ready = True
        return self

    # --- generated side ------------------------------------------------------------------------

    def evaluate(self, samples, num_samples=None, seed=0, batch_size=None, conditions=None):
        """Computes the metrics on generated samples.

        `samples` can be:

        - a model with `generate(num, seed=..., batch_size=...)` (a `kgan.GAN`),
        - a conditional model with `generate(labels, seed=..., batch_size=...)` (a
          `kgan.ConditionalGAN`), its conditions drawn per batch as the class docstring says
          (or given as `conditions`), or
        - a function `generate_fn(num, seed)` returning `num` samples (or `(samples,
          conditions)` for a conditional model, the conditions feeding "classes"),

        called a batch at a time, so memory does not grow with `num_samples`. Batch `i` gets
        seed `np.random.SeedSequence(seed).generate_state(num_batches)[i]`: the same `seed`
        and `batch_size` give the same samples (and numbers) every call, and the batches of a
        smaller evaluation are the first batches of a larger one. Or `samples` is data already
        generated: an array, a tuple `(samples, conditions)` of arrays, or a
        `tf.data.Dataset` of samples or `(samples, conditions)`. (The batches come from
        `kgan.metrics.sample_batches.generated_batches`.)

        Args:
            samples: As above.
            num_samples: How many samples to generate; required for a generator. For data, a
                cap (defaults to all; required for a repeating dataset). Defaults to `None`.
            seed: Seed of the per-batch generator seeds; `None` draws fresh ones. Defaults to
                `0`.
            batch_size: Samples per generator and extractor call. Defaults to the evaluator's.
            conditions: A conditional model's conditions, one label row per sample (class ids
                `[num_samples]` or attribute vectors `[num_samples, condition_dim]`; sample `i`
                is generated for row `i`; `num_samples` defaults to their count). Defaults to
                `None`: drawn per batch (see `condition_source`).

        Returns:
            A dict of Python floats and ints, ready for `json.dump`: the keys of `METRICS` for
            each metric asked for, in that order, then `num_samples` (generated samples used)
            and `num_real` (real samples used; the statistics' count when only those were
            given; absent when no metric uses real data). Only `class_histogram` (a list of
            shares) is not a scalar.
        """
        batch_size = (
            self.batch_size
            if batch_size is None
            else input_checks.check_count(batch_size, "batch_size")
        )
        self.prepare()
        if conditions is None:
            conditions = sample_batches.conditions_to_draw(
                samples, self.condition_source, self._real_label_rows
            )
        for metric in self._feature_metrics.values():
            metric.reset_state(keep_real=True)
        if self._inception_score is not None:
            self._inception_score.reset_state()
        fake_logits, fake_features, fake_conditions = [], [], []
        count = 0
        try:
            for batch, batch_conditions in sample_batches.generated_batches(
                samples, num_samples, seed, batch_size, conditions
            ):
                outputs = self.extract(batch)
                features = outputs["features"]
                for metric in self._feature_metrics.values():
                    metric.update_state(fake=features)
                if any(name in metric_names.NEEDS_LOGITS for name in self.metrics):
                    logits = self._logits(outputs)
                    if self._inception_score is not None:
                        self._inception_score.update_state(fake=logits)
                    fake_logits.append(logits)
                if "copies" in self.metrics:
                    fake_features.append(features)
                if batch_conditions is not None:
                    fake_conditions.append(np.asarray(batch_conditions))
                count += features.shape[0]
            if count == 0:
                raise ValueError("No generated samples to evaluate.")
            if num_samples is not None and count < num_samples:
                warnings.warn(
                    f"num_samples={num_samples}, but the samples given hold only {count}; "
                    f"using {count}.",
                    stacklevel=2,
                )
            results = self._results(fake_logits, fake_features, fake_conditions, count)
        finally:
            # Drop the generated side now: its features can be hundreds of megabytes.
            for metric in self._feature_metrics.values():
                metric.reset_state(keep_real=True)
            if self._inception_score is not None:
                self._inception_score.reset_state()
        results["num_samples"] = count
        if self.num_real_used is not None:
            results["num_real"] = self.num_real_used
        return results

    def _real_label_rows(self):
        """The real data's labels, or `None`; read on first use if `prepare` did not."""
        if not self._real_labels and self.real_data is not None:
            # prepare reads the real data only when a metric needs it (not for FID from
            # statistics); read the labels alone then.
            for _, labels in sample_batches.batches(
                self.real_data, self.batch_size, self.num_real, "real_data"
            ):
                if labels is None:
                    break
                self._real_labels.append(keras.ops.convert_to_numpy(labels))
        return np.concatenate(self._real_labels) if self._real_labels else None

    def _results(self, fake_logits, fake_features, conditions, count):
        results = {}
        for name in self.metrics:
            if name == "fid":
                results["fid"] = self._feature_metrics["fid"].result()
            elif name in _FEATURE_METRICS:
                results.update(self._feature_metrics[name].result())
            elif name == "is":
                results.update(self._inception_score.result())
            elif name == "classes":
                from kgan.metrics import mode_collapse

                real_logits = np.concatenate(self._real_logits) if self._real_logits else None
                if conditions and sum(len(c) for c in conditions) != count:
                    raise ValueError("Every generated batch must come with its conditions.")
                statistics = mode_collapse.class_statistics(
                    np.concatenate(fake_logits),
                    real_logits=real_logits,
                    conditions=np.concatenate(conditions) if conditions else None,
                    **self.options[name],
                )
                results.update(metric_names.result_values(statistics))
            elif name == "copies":
                from kgan.metrics import mode_collapse

                statistics = mode_collapse.copy_statistics(
                    np.concatenate(fake_features),
                    np.concatenate(self._real_features),
                    **self.options[name],
                )
                results.update(metric_names.result_values(statistics))
        return results
