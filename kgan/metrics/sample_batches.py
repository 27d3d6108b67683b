"""Samples in batches for evaluation: data read with a cap, generators run batch by batch.

`Evaluator` (`kgan.metrics.evaluation`) reads real and generated samples through these two
functions, so memory never holds more than one batch of them:

- `batches` reads data already there (an array, a tuple `(samples, labels)` of arrays, or a
  `tf.data.Dataset` of either, batched or of single samples) in batches, stopping after a cap,
  and refuses a repeating dataset without one rather than read it forever;
- `generated_batches` asks a generator for one batch at a time, each with its own seed drawn
  from one `seed`: the same seed and batch size give the same samples on every call, and a
  smaller evaluation's batches are the first batches of a larger one (or, given data, reads it
  with `batches`). A conditional model (`kgan.ConditionalGAN`) is asked for each batch's
  conditions: class ids drawn from the batch seed by default, rows given, or rows drawn from a
  pool such as the real labels (`uniform_class_ids`, `rows_of`).

Both yield `(samples, extra)` pairs: `extra` is the labels or conditions that came with the
samples, or `None`.

Example:

```python
from kgan.metrics import sample_batches

for images, _ in sample_batches.batches(dataset, batch_size=256, limit=10_000):
    ...
for images, _ in sample_batches.generated_batches(gan, num_samples=10_000, seed=0):
    ...
```
"""

import collections.abc
import math

import keras
import numpy as np
import tensorflow as tf

from kgan.metrics import input_checks


def split(element):
    """`(samples, extra)` of an element that is `samples` or `(samples, labels/conditions)`.

    Args:
        element: Samples, or a tuple whose first item is the samples and whose second (if any)
            is their labels or conditions.

    Returns:
        `(samples, extra)`, `extra` being `None` when the element holds samples alone.
    """
    if isinstance(element, tuple):
        return element[0], (element[1] if len(element) > 1 else None)
    return element, None


def batches(data, batch_size, limit=None, name="data"):
    """Yields `(samples, extra)` batches of `data`, `limit` samples at most in all.

    A dataset's batches are yielded as they come (the last one cut to the cap), and a dataset
    of single samples, images `[H, W, C]` or feature vectors `[d]`, is batched by `batch_size`
    first. Arrays are cut into batches of `batch_size`. Values come as the data holds them:
    NumPy arrays for arrays, tensors for datasets.

    Args:
        data: A NumPy array of samples, a tuple `(samples, labels)` of arrays, or a
            `tf.data.Dataset` of samples or `(samples, labels)`.
        batch_size: Samples per batch for arrays and unbatched datasets.
        limit: Read at most this many samples. Defaults to `None`: all of them; a repeating
            (infinite) dataset is then refused.
        name: What to call `data` in error messages. Defaults to `"data"`.

    Yields:
        `(samples, extra)`: a batch of samples and their labels (`None` without labels).

    Raises:
        ValueError: For a repeating dataset without `limit`, or a dataset of dicts.
    """
    batch_size = input_checks.check_count(batch_size, "batch_size")
    if limit is not None:
        limit = input_checks.check_count(limit, "limit")
    if isinstance(data, tf.data.Dataset):
        if limit is None and data.cardinality() == tf.data.INFINITE_CARDINALITY:
            raise ValueError(
                f"{name} is a repeating (infinite) dataset: pass a cap on the samples to read "
                "(num_real for real data, num_samples for generated data)."
            )
        samples_spec = split(data.element_spec)[0]
        if getattr(samples_spec, "shape", None) is not None and samples_spec.shape.rank in (1, 3):
            # Single images [H, W, C] (or feature vectors [d]), as
            # feature_extractors.extract accepts too: batch them here.
            data = data.batch(batch_size)
        remaining = math.inf if limit is None else limit
        for element in data:
            samples, extra = split(element)
            if isinstance(samples, collections.abc.Mapping):
                raise ValueError(f"{name} yields dicts; give samples or (samples, labels).")
            take = int(min(samples.shape[0], remaining))
            yield samples[:take], (None if extra is None else extra[:take])
            remaining -= take
            if remaining <= 0:
                break  # leaving the loop ends the iterator: a cap stops a repeating dataset
        return
    samples, extra = split(data)
    samples = np.asarray(samples)
    total = samples.shape[0] if limit is None else min(samples.shape[0], limit)
    for start in range(0, total, batch_size):
        stop = min(start + batch_size, total)
        yield samples[start:stop], (None if extra is None else np.asarray(extra)[start:stop])


def condition_form(model):
    """How a generator is conditioned: `("classes", num_classes)`, `("attributes", dim)` or `None`.

    A conditional kgan model (`kgan.ConditionalGAN`) generates with `generate(labels, seed=...,
    batch_size=...)` and says what its labels are through `num_classes` (int class ids) or
    `condition_dim` (attribute vectors), one of them set and the other `None`. Any object with
    `generate` and one of these attributes is treated so; everything else is unconditional.

    Args:
        model: Anything; typically a model with `generate`.

    Returns:
        `("classes", num_classes)`, `("attributes", condition_dim)`, or `None`.
    """
    if not callable(getattr(model, "generate", None)):
        return None
    num_classes = getattr(model, "num_classes", None)
    condition_dim = getattr(model, "condition_dim", None)
    if num_classes is not None:
        return "classes", int(num_classes)
    if condition_dim is not None:
        return "attributes", int(condition_dim)
    return None


def uniform_class_ids(num_classes):
    """A `draw(num, batch_seed)` of class ids uniform over `[0, num_classes)`.

    The ids come from `numpy.random.default_rng([batch_seed, 1])`: a stream of their own, apart
    from the latent vectors that `generate` draws from `default_rng(batch_seed)`.
    """

    def draw(num, batch_seed):
        rng = np.random.default_rng([batch_seed, _CONDITION_STREAM])
        return rng.integers(0, num_classes, num).astype("int32")

    return draw


def rows_of(pool, name="the real labels"):
    """A `draw(num, batch_seed)` of rows of `pool` drawn uniformly with replacement.

    So generated conditions follow the distribution of `pool` (e.g. the real data's labels or
    attribute vectors), drawn from the batch seed as `uniform_class_ids` draws.
    """
    pool = np.asarray(pool)
    if pool.ndim == 0 or pool.shape[0] == 0:
        raise ValueError(f"{name} hold no rows to draw conditions from.")

    def draw(num, batch_seed):
        rng = np.random.default_rng([batch_seed, _CONDITION_STREAM])
        return pool[rng.integers(0, pool.shape[0], num)]

    return draw


# Second entropy word of the condition draws, so they never reuse the latent vectors' stream.
_CONDITION_STREAM = 1


def generated_batches(samples, num_samples=None, seed=0, batch_size=256, conditions=None):
    """Yields `(samples, conditions)` batches from a generator, or from generated data.

    A generator is asked for `batch_size` samples at a time (fewer for the last batch). Batch
    `i` gets the seed `np.random.SeedSequence(seed).generate_state(num_batches)[i]`: the same
    `seed` and `batch_size` give the same samples every call, and since `generate_state(n)[:k]`
    equals `generate_state(k)`, the batches of a smaller `num_samples` are the first batches of
    a larger one.

    A conditional model (see `condition_form`) is called as `model.generate(labels,
    seed=batch_seed, batch_size=...)`, with each batch's labels from `conditions`:

    - `None`: class ids uniform over `num_classes`, drawn from the batch seed
      (`uniform_class_ids`); an attribute model has no such default and is refused;
    - an array of `num_samples` label rows: sample `i` is generated for row `i`;
    - a function `draw(num, batch_seed)` returning `num` label rows (e.g. `rows_of(real_labels)`).

    Class ids are yielded as the batch's conditions (`[n]` ints), so the "classes" statistics
    report `condition_accuracy`. Attribute vectors are not: they are not the extractor's
    classes. (To score them, pass a `generate_fn` returning a 0/1 matrix of acceptable classes.)

    Args:
        samples: A model with `generate(num, seed=..., batch_size=...)` (a `kgan.GAN`) or a
            conditional one with `generate(labels, seed=..., batch_size=...)` (a
            `kgan.ConditionalGAN`); a function `generate_fn(num, seed)` returning `num` samples
            or `(samples, conditions)`; or generated data, anything `batches` reads.
        num_samples: How many samples to generate; required for a generator (for a conditional
            model with a `conditions` array it defaults to the array's length). For data, a cap
            (required for a repeating dataset). Defaults to `None`.
        seed: Seed of the per-batch seeds; `None` draws fresh ones. Defaults to `0`.
        batch_size: Samples per generator call (and per batch of data). Defaults to `256`.
        conditions: A conditional model's labels, as above; refused for anything else.
            Defaults to `None`.

    Yields:
        `(samples, conditions)`, `conditions` being `None` when the generator or the data gives
        none.

    Raises:
        ValueError: For a generator without `num_samples`, a Keras model without `generate`,
            a generator that returns another number of samples than asked, an attribute model
            without `conditions`, or `conditions` that do not fit.
    """
    batch_size = input_checks.check_count(batch_size, "batch_size")
    form = condition_form(samples)
    if conditions is not None and form is None:
        raise ValueError(
            "conditions were given, but the generator is not conditional (a conditional model "
            "has `generate(labels, ...)` and `num_classes` or `condition_dim`)."
        )
    if form is not None:
        num_samples, generate_fn = _conditional_generate_fn(
            samples, form, num_samples, batch_size, conditions
        )
    elif hasattr(samples, "generate"):
        model = samples

        def generate_fn(num, batch_seed):
            return model.generate(num, seed=batch_seed, batch_size=batch_size)

    elif isinstance(samples, keras.Model):
        raise ValueError(
            f"{type(samples).__name__} has no `generate(num, seed=..., batch_size=...)`; pass a "
            "kgan model, or a function generate_fn(num, seed) returning samples."
        )
    elif callable(samples):
        generate_fn = samples
    else:
        if num_samples is not None:
            num_samples = input_checks.check_count(num_samples, "num_samples")
        yield from batches(samples, batch_size, num_samples, "The generated samples")
        return

    if num_samples is None:
        raise ValueError("num_samples is needed to evaluate a generator.")
    num_samples = input_checks.check_count(num_samples, "num_samples")
    num_batches = -(-num_samples // batch_size)
    # Prefix-stable: generate_state(n)[:k] == generate_state(k), so the first batches do not
    # depend on how many follow.
    batch_seeds = np.random.SeedSequence(seed).generate_state(num_batches)
    for index, batch_seed in enumerate(batch_seeds):
        num = min(batch_size, num_samples - index * batch_size)
        if form is not None:
            result = generate_fn(num, int(batch_seed), index * batch_size)
        else:
            result = generate_fn(num, int(batch_seed))
        batch, batch_conditions = split(result)
        if batch.shape[0] != num:
            raise ValueError(
                f"The generator was asked for {num} samples and returned {len(batch)}."
            )
        yield batch, batch_conditions


def _conditional_generate_fn(model, form, num_samples, batch_size, conditions):
    """`(num_samples, generate_fn(num, batch_seed, start))` for a conditional model."""
    kind, size = form
    if conditions is None:
        if kind == "attributes":
            raise ValueError(
                f"{type(model).__name__} is conditioned on attribute vectors "
                f"(condition_dim={size}), which have no uniform default: give the conditions "
                "(an array of attribute vectors, one per sample), or real data with labels to "
                "draw them from."
            )
        conditions = uniform_class_ids(size)
    if callable(conditions):
        draw = conditions

        def labels_for(num, batch_seed, start):
            return np.asarray(draw(num, batch_seed))

    else:
        given = check_conditions(conditions, form)
        if num_samples is None:
            num_samples = given.shape[0]
        elif given.shape[0] != num_samples:
            raise ValueError(
                f"conditions holds {given.shape[0]} label rows, but num_samples is "
                f"{num_samples}: give one row per sample."
            )

        def labels_for(num, batch_seed, start):
            return given[start : start + num]

    def generate_fn(num, batch_seed, start):
        labels = check_conditions(labels_for(num, batch_seed, start), form)
        if labels.shape[0] != num:
            raise ValueError(f"The conditions drawn for {num} samples hold {labels.shape[0]} rows.")
        samples = model.generate(labels, seed=batch_seed, batch_size=batch_size)
        return samples, (labels if kind == "classes" else None)

    return num_samples, generate_fn


def conditions_to_draw(samples, condition_source, real_labels):
    """The condition rows to draw a conditional model's samples for, or `None`.

    `None` means the default of `generated_batches` (uniform class ids) or an unconditional
    `samples`. With `condition_source="real"` (the default for attribute vectors) the rows are
    the real data's labels, drawn with replacement.

    Args:
        samples: What is evaluated (see `generated_batches`).
        condition_source: `"uniform"`, `"real"` or `None` (uniform for class ids, real for
            attribute vectors).
        real_labels: A function of no arguments returning the real labels, or `None` when the
            real data carries none; called only when they are needed.

    Returns:
        `None`, or a row source for `generated_batches(..., conditions=...)` (`rows_of`).
    """
    form = condition_form(samples)
    if form is None:
        return None
    source = condition_source
    if source is None:
        source = "uniform" if form[0] == "classes" else "real"
    if source == "uniform":
        if form[0] == "attributes":
            raise ValueError(
                "condition_source='uniform' draws class ids, but the model is conditioned "
                f"on attribute vectors (condition_dim={form[1]}): use 'real' with labelled "
                "real data, or give the conditions to evaluate."
            )
        return None  # generated_batches draws uniform class ids itself
    labels = real_labels()
    if labels is None:
        raise ValueError(
            f"{type(samples).__name__} is conditional and its conditions are to be drawn "
            "from the real data's labels (condition_source='real', the default for "
            "attribute vectors), but the real data carries no labels. Give real_data as "
            "(samples, labels) or a dataset of (images, labels), or give the conditions "
            "to evaluate."
        )
    try:
        labels = check_conditions(labels, form)
    except ValueError as error:
        raise ValueError(f"The real data's labels do not fit the model: {error}") from None
    return rows_of(labels)


def check_conditions(labels, form):
    """Checks label rows for a conditional model's `form`; class ids come back flat `[n]` ints.

    Args:
        labels: Class ids `[n]` (or `[n, 1]`) or attribute vectors `[n, condition_dim]`.
        form: What `condition_form` returns for the model.

    Returns:
        The labels as a NumPy array: int32 `[n]` class ids, or float32 `[n, condition_dim]`.

    Raises:
        ValueError: For labels of the wrong shape, non-integer or out-of-range class ids.
    """
    kind, size = form
    labels = np.asarray(labels)
    if kind == "classes":
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.ndim != 1 or labels.shape[0] == 0:
            raise ValueError(
                f"A model with num_classes={size} takes class ids, one per sample (shape [n]); "
                f"got shape {labels.shape}."
            )
        if not np.issubdtype(labels.dtype, np.number) or np.any(labels != np.round(labels)):
            raise ValueError(f"Class ids must be integers; got dtype {labels.dtype}.")
        if labels.min() < 0 or labels.max() >= size:
            raise ValueError(
                f"Class ids must lie in [0, {size}) (num_classes={size}); got ids in "
                f"[{labels.min()}, {labels.max()}]."
            )
        return labels.astype("int32")
    if labels.ndim != 2 or labels.shape[1] != size or labels.shape[0] == 0:
        raise ValueError(
            f"A model with condition_dim={size} takes attribute vectors, one row per sample "
            f"(shape [n, {size}]); got shape {labels.shape}."
        )
    return labels.astype("float32")
