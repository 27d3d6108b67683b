"""Mode collapse and memorisation diagnostics: which classes a generator draws, and copies.

Two questions FID cannot answer on its own:

- **With a classifier** (`class_statistics`): which classes do the samples fall into, how many
  classes appear, how far the class histogram is from the real one, how confident the
  classifier is, and, for a conditional model, whether each sample is the class it was asked
  for.
- **Without labels** (`copy_statistics`, on any features): does the generator repeat itself
  (near-duplicate samples: collapse onto a few outputs), and does it reproduce training images
  (samples closer to a training sample than real samples are to each other: memorisation)?

Everything is host-side NumPy in float64, returning Python numbers (and a few documented lists)
ready for JSON.

Example:

```python
from kgan.metrics import mode_collapse

stats = mode_collapse.class_statistics(fake_logits, real_logits)
stats["classes_present"], stats["class_kl"]
copies = mode_collapse.copy_statistics(fake_features, train_features)
copies["duplicate_rate"], copies["copy_rate"]
```
"""

import numpy as np

from kgan.metrics import linalg


def _softmax(logits):
    # Subtracting the row maximum keeps exp() from overflowing.
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _histogram(predicted, num_classes):
    return np.bincount(predicted, minlength=num_classes) / len(predicted)


def class_statistics(fake_logits, real_logits=None, conditions=None, confidence=0.9):
    """Class statistics of generated samples from a single-label classifier's logits.

    Each sample's class is the classifier's top class (`argmax`; the first one on ties) and its
    confidence the top softmax probability. The **class histogram** is the share of samples per
    class; a generator that has collapsed misses classes or piles onto a few.

    With `real_logits`, `class_kl = KL(p_fake || p_real) = sum_c p_fake(c) log(p_fake(c) /
    p_real(c))`, in nats, over the two class histograms. This direction stays finite when the
    generator drops classes (they contribute `0 log 0 = 0`) and grows with how concentrated the
    generated classes are: against uniform real classes, covering half of them evenly gives
    `log 2`, a single class `log(num_classes)`. (The reverse direction is infinite as soon as
    one class is missing, so it cannot rank collapsed generators.) It is 0 only for equal
    histograms, and `inf` if samples fall into a class no real sample does. It is the class
    term of the Mode Score (Che et al., 2017), here on predicted-class counts rather than mean
    probabilities.

    With `conditions`, `condition_accuracy` is the share of samples whose predicted class is
    one the generator was asked for: `conditions` is either integer class ids `[N]` (the class
    asked for each sample) or a 0/1 matrix `[N, num_classes]` marking the acceptable classes of
    each sample (one-hot rows give the same as class ids; several ones accept any of them).
    It assumes a single-label (softmax) classifier; for a multi-label attribute classifier
    compare `logits > 0` with the attributes instead.

    Args:
        fake_logits: Array `[N, num_classes]` of the classifier's logits on generated samples.
        real_logits: Optional array `[M, num_classes]` on real samples. Defaults to `None`.
        conditions: Optional class ids `[N]` or 0/1 matrix `[N, num_classes]`. Defaults to
            `None`.
        confidence: Threshold of `confident_share`. Defaults to `0.9`.

    Returns:
        A dict: `num_samples`, `num_classes`, `class_histogram` (list of shares),
        `classes_present` (classes with at least one sample), `max_class_share`,
        `min_class_share`, `mean_confidence`, `confident_share` (share with top probability
        `>= confidence`); with `real_logits` also `class_kl` (the real histogram is
        `class_statistics(real_logits)["class_histogram"]`); with `conditions` also
        `condition_accuracy`. Python ints and floats, and the one list.

    Example:

    ```python
    fake_logits = np.eye(10)[[0, 0, 1, 1]] * 10.0  # four confident samples, classes 0 and 1
    stats = class_statistics(fake_logits, real_logits=np.eye(10) * 10.0)
    stats["classes_present"], stats["class_kl"]  # 2, log(5) = 1.609
    ```

    Reference:
        Che et al., "Mode Regularized Generative Adversarial Networks", ICLR 2017.
        https://arxiv.org/abs/1612.02136
    """
    fake_logits = _as_logits(fake_logits, "fake_logits")
    num_samples, num_classes = fake_logits.shape
    if not 0.0 < confidence <= 1.0:
        raise ValueError(f"confidence must be in (0, 1]; got {confidence}.")
    probabilities = _softmax(fake_logits)
    predicted = np.argmax(probabilities, axis=1)
    top = probabilities[np.arange(num_samples), predicted]
    histogram = _histogram(predicted, num_classes)
    stats = {
        "num_samples": int(num_samples),
        "num_classes": int(num_classes),
        "class_histogram": [float(share) for share in histogram],
        "classes_present": int(np.count_nonzero(histogram)),
        "max_class_share": float(histogram.max()),
        "min_class_share": float(histogram.min()),
        "mean_confidence": float(top.mean()),
        "confident_share": float(np.mean(top >= confidence)),
    }
    if real_logits is not None:
        real_logits = _as_logits(real_logits, "real_logits")
        if real_logits.shape[1] != num_classes:
            raise ValueError(
                f"real_logits has {real_logits.shape[1]} classes and fake_logits {num_classes}; "
                "were they computed by the same classifier?"
            )
        real_histogram = _histogram(np.argmax(real_logits, axis=1), num_classes)
        stats["class_kl"] = _kl(histogram, real_histogram)
    if conditions is not None:
        asked = _as_conditions(conditions, num_samples, num_classes)
        stats["condition_accuracy"] = float(np.mean(asked[np.arange(num_samples), predicted]))
    return stats


def _kl(p, q):
    """`KL(p || q)` of two histograms: 0 log 0 = 0, and inf where p > 0 = q."""
    support = p > 0
    if np.any(q[support] == 0):
        return float("inf")
    return float(np.sum(p[support] * np.log(p[support] / q[support])))


def nearest_neighbours(features, reference=None):
    """Each row's nearest row of `reference` (or of `features` itself, excluding the row).

    The search computes distances a block of rows at a time (`linalg.distance_blocks`, at most
    `linalg.DISTANCE_BLOCK_ENTRIES` distances at once), so memory stays bounded for 50,000 x
    50,000 pairs; the distance to the neighbour found is then recomputed directly from the
    difference of the two vectors, so an exact copy is at distance exactly 0 (the blockwise
    expansion `|x|^2 + |y|^2 - 2 x.y` leaves rounding of about `1e-8 |x|`).

    Args:
        features: Array `[N, dim]`.
        reference: Array `[M, dim]`. Defaults to `None`: `features` itself, each row's own
            index excluded (so `N >= 2`); a duplicate row is then a neighbour at distance 0.

    Returns:
        `(distances, indices)`: float64 `[N]` and int64 `[N]` indices into `reference`.
    """
    features = linalg.as_features(features, "features")
    if reference is None:
        if features.shape[0] < 2:
            raise ValueError("A nearest other sample needs at least 2 samples; got 1.")
        reference = features
        exclude_self = True
    else:
        reference = linalg.as_features(reference, "reference")
        linalg.check_same_dim(reference, features)
        exclude_self = False
    # Centring both on one point leaves distances unchanged and keeps the expansion from
    # cancelling when the features sit far from the origin.
    centre = reference.mean(axis=0, dtype=np.float64)
    features = features.astype(np.float64) - centre
    reference = features if exclude_self else reference.astype(np.float64) - centre
    indices = np.empty(features.shape[0], dtype=np.int64)
    distances = np.empty(features.shape[0])
    for start, block in linalg.distance_blocks(features, reference):
        rows = np.arange(block.shape[0])
        if exclude_self:
            block[rows, start + rows] = np.inf
        nearest = np.argmin(block, axis=1)
        differences = features[start : start + len(rows)] - reference[nearest]
        indices[start : start + len(rows)] = nearest
        squared = np.einsum("ij,ij->i", differences, differences)
        distances[start : start + len(rows)] = np.sqrt(squared)
    return distances, indices


def copy_statistics(fake_features, train_features, quantile=0.01, threshold=None):
    """Near-duplicate and memorisation rates of generated samples, from their features.

    Three nearest-neighbour distances, all Euclidean in feature space:

    - `fake -> fake`: each generated sample to its nearest *other* generated sample;
    - `fake -> train`: each generated sample to its nearest training sample;
    - `train -> train`: each training sample to its nearest other training sample
      (leave-one-out), the baseline of how close two independent real samples come.

    The `threshold` defaults to the `quantile` (1%) of the train leave-one-out distances:
    "closer than all but the closest 1% of real neighbour pairs". Then:

    - `copy_rate`: share of generated samples with `fake -> train <= threshold`. If generated
      samples come from the data distribution independently of the training set, their
      distance to the training set is distributed like the leave-one-out distances, so
      `copy_rate` is about `quantile`; a generator that outputs training images gets 1.0.
      Concentrating on the densest regions of the data also raises it, so read a high value
      with `nn_distance_ratio` and by looking at the pairs (`nearest_neighbours` gives them).
    - `duplicate_rate`: share of generated samples with `fake -> fake <= threshold`, about
      `quantile` for independent samples when there are as many generated as training samples;
      more samples pack closer and raise it (independent Gaussian samples in 128-d: 1.0% for
      N = M, 1.9% for N = 2 M), so compare runs at the same `N`. A generator collapsed onto a
      few outputs gets near 1.0.
    - `nn_distance_ratio`: median `fake -> train` over median `train -> train`; well below 1
      suggests memorisation, well above 1 samples away from the data.

    The comparisons are `<=`, so exact copies count even when `threshold` is 0 (more than
    `quantile` of the training samples duplicated). Cost: `(N^2 + N M + M^2) dim` flops, in
    float64 blocks of bounded memory.

    Args:
        fake_features: Array `[N, dim]` of generated samples' features (or flattened images),
            `N >= 2`.
        train_features: Array `[M, dim]` of the training set's features, `M >= 2`.
        quantile: Quantile of the train leave-one-out distances that sets the threshold, in
            `[0, 1]`. Defaults to `0.01`.
        threshold: Explicit distance threshold, overriding `quantile`. Defaults to `None`.

    Returns:
        A dict of Python numbers: `num_samples`, `num_train`, `threshold`, `duplicate_rate`,
        `copy_rate`, `nn_distance_mean`, `nn_distance_median` (fake -> train),
        `train_nn_distance_mean`, `train_nn_distance_median` (leave-one-out),
        `nn_distance_ratio` (`nan` if more than half of the training samples are duplicated).

    Example:

    ```python
    rng = np.random.default_rng(0)
    train = rng.normal(size=(1000, 16))
    copy_statistics(train[rng.integers(0, 1000, 500)], train)["copy_rate"]  # 1.0: copies
    copy_statistics(rng.normal(size=(1000, 16)), train)["copy_rate"]  # about 0.01: fresh
    ```

    Reference:
        Meehan et al., "A Non-Parametric Test to Detect Data-Copying in Generative Models",
        AISTATS 2020 (comparing generated-to-train with real-to-train nearest-neighbour
        distances). https://arxiv.org/abs/2004.05675
    """
    fake_features = linalg.as_features(fake_features, "fake_features")
    train_features = linalg.as_features(train_features, "train_features")
    linalg.check_same_dim(train_features, fake_features)
    for name, features in (("generated", fake_features), ("training", train_features)):
        if features.shape[0] < 2:
            raise ValueError(f"copy_statistics needs at least 2 {name} samples; got 1.")
    train_distances, _ = nearest_neighbours(train_features)
    if threshold is None:
        if not 0.0 <= quantile <= 1.0:
            raise ValueError(f"quantile must be in [0, 1]; got {quantile}.")
        threshold = float(np.quantile(train_distances, quantile))
    elif not threshold >= 0.0:
        raise ValueError(f"threshold must be a non-negative distance; got {threshold}.")
    fake_distances, _ = nearest_neighbours(fake_features)
    copy_distances, _ = nearest_neighbours(fake_features, train_features)
    train_median = float(np.median(train_distances))
    fake_median = float(np.median(copy_distances))
    return {
        "num_samples": int(fake_features.shape[0]),
        "num_train": int(train_features.shape[0]),
        "threshold": float(threshold),
        "duplicate_rate": float(np.mean(fake_distances <= threshold)),
        "copy_rate": float(np.mean(copy_distances <= threshold)),
        "nn_distance_mean": float(np.mean(copy_distances)),
        "nn_distance_median": fake_median,
        "train_nn_distance_mean": float(np.mean(train_distances)),
        "train_nn_distance_median": train_median,
        "nn_distance_ratio": fake_median / train_median if train_median > 0 else float("nan"),
    }


def _as_logits(logits, name):
    logits = linalg.as_features(logits, name).astype(np.float64, copy=False)
    if logits.shape[1] < 2:
        raise ValueError(f"{name} must have at least 2 classes; got shape {logits.shape}.")
    return logits


def _as_conditions(conditions, num_samples, num_classes):
    """Conditions as a boolean matrix `[N, num_classes]` of acceptable classes."""
    conditions = np.asarray(conditions)
    if conditions.ndim not in (1, 2) or conditions.shape[0] != num_samples:
        raise ValueError(
            f"conditions must be class ids [{num_samples}] or a 0/1 matrix "
            f"[{num_samples}, {num_classes}], one row per generated sample; got shape "
            f"{conditions.shape}."
        )
    if conditions.ndim == 1:
        if not np.issubdtype(conditions.dtype, np.number) or np.any(
            conditions != np.round(conditions)
        ):
            raise ValueError(f"Class ids must be integers; got dtype {conditions.dtype}.")
        if conditions.min() < 0 or conditions.max() >= num_classes:
            raise ValueError(
                f"Class ids must be in [0, {num_classes}); got values in "
                f"[{conditions.min()}, {conditions.max()}]."
            )
        return np.eye(num_classes, dtype=bool)[conditions.astype(np.int64)]
    if conditions.shape[1] != num_classes:
        raise ValueError(
            f"conditions has {conditions.shape[1]} columns but the logits have {num_classes} "
            "classes."
        )
    if not np.all((conditions == 0) | (conditions == 1)):
        raise ValueError(
            "A conditions matrix must hold only 0 and 1 (the acceptable classes of each "
            "sample); got other values. Pass class ids [N] for one class per sample."
        )
    asked = conditions.astype(bool)
    if not np.all(asked.any(axis=1)):
        raise ValueError("Every row of conditions must mark at least one class.")
    return asked
