"""The metrics an evaluation can compute: their names, the keys they add, and the checks.

`kgan.metrics.evaluation.Evaluator`, `kgan.callbacks.GenerativeMetrics` and `kgan evaluate` take
metric names from `METRICS`; `check_metrics` and `check_options` validate a selection and its
per-metric options with the same messages everywhere, and `result_values` turns a metric's
statistics into the plain Python values of the results (ready for `json.dump`).

Example:

```python
from kgan.metrics import metric_names

metric_names.check_metrics("fid, kid")  # ("fid", "kid")
print(metric_names.METRICS["kid"])
```
"""

import collections.abc

import numpy as np

# What each metric name computes, and the keys it adds to the results.
METRICS = {
    "fid": "Fréchet distance of real and generated features (FID): fid",
    "kid": "kernel distance, unbiased MMD^2 with a cubic kernel (KID): kid, kid_std",
    "is": "Inception Score of the generated samples' logits: is, is_std",
    "pr": "improved precision and recall (k=3): precision, recall",
    "dc": "density and coverage (k=5): density, coverage",
    "classes": (
        "class statistics of the generated samples' logits, for mode collapse "
        "(kgan.metrics.mode_collapse.class_statistics): classes_present, class_histogram (a "
        "list), max_class_share, min_class_share, mean_confidence, confident_share, and class_kl "
        "with real data"
    ),
    "copies": (
        "memorisation and duplicates against the real data "
        "(kgan.metrics.mode_collapse.copy_statistics): duplicate_rate, copy_rate and "
        "nearest-neighbour distances"
    ),
}

# Where a conditional model's conditions come from (None: uniform class ids, real attributes).
CONDITION_SOURCES = (None, "uniform", "real")

# Metrics that compare with the real samples one by one (statistics alone are not enough).
NEEDS_REAL_FEATURES = ("kid", "pr", "dc", "copies")
NEEDS_LOGITS = ("is", "classes")


def check_metrics(metrics):
    """Validates metric names: returns them as a tuple without repeats, in the order given.

    Raises:
        ValueError: For an empty selection or a name not in `METRICS`.
    """
    if isinstance(metrics, str):
        metrics = [name.strip() for name in metrics.split(",") if name.strip()]
    names = tuple(dict.fromkeys(str(name).lower() for name in metrics))
    unknown = [name for name in names if name not in METRICS]
    if unknown or not names:
        known = "; ".join(f"{name}: {description}" for name, description in METRICS.items())
        raise ValueError(f"Unknown metric(s) {unknown or '(none chosen)'}. Known metrics: {known}.")
    return names


def check_options(options, metrics):
    """Validates per-metric options: returns `{name: dict of keyword arguments}` per metric.

    Raises:
        ValueError: For a key that is not a metric name.
    """
    options = dict(options or {})
    unknown = [name for name in options if name not in METRICS]
    if unknown:
        raise ValueError(
            f"options has keys {unknown} that are not metrics; known: {list(METRICS)}."
        )
    return {name: dict(options.get(name) or {}) for name in metrics}


def result_values(statistics):
    """The statistics as plain Python values, less the sample counts the evaluator reports."""
    return {
        key: plain(value)
        for key, value in statistics.items()
        if key not in ("num_samples", "num_real")
    }


def plain(value):
    """Converts NumPy scalars and arrays (to lists) to Python values, recursively."""
    if isinstance(value, collections.abc.Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, np.ndarray | list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    return value
