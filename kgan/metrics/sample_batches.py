"""Samples in batches for evaluation: data read with a cap, generators run batch by batch.

`Evaluator` (`kgan.metrics.evaluation`) reads real and generated samples through these two
functions, so memory never holds more than one batch of them:

- `batches` reads data already there (an array, a tuple `(samples, labels)` of arrays, or a
  `tf.data.Dataset` of either, batched or of single samples) in batches, stopping after a cap,
  and refuses a repeating dataset without one rather than read it forever;
- `generated_batches` asks a generator for one batch at a time, each with its own seed drawn
  from one `seed`: the same seed and batch size give the same samples on every call, and a
  smaller evaluation's batches are the first batches of a larger one (or, given data, reads it
  with `batches`).

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

from kgan.metrics import _common


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
    batch_size = _common.check_count(batch_size, "batch_size")
    if limit is not None:
        limit = _common.check_count(limit, "limit")
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


def generated_batches(samples, num_samples=None, seed=0, batch_size=256):
    """Yields `(samples, conditions)` batches from a generator, or from generated data.

    A generator is asked for `batch_size` samples at a time (fewer for the last batch). Batch
    `i` gets the seed `np.random.SeedSequence(seed).generate_state(num_batches)[i]`: the same
    `seed` and `batch_size` give the same samples every call, and since `generate_state(n)[:k]`
    equals `generate_state(k)`, the batches of a smaller `num_samples` are the first batches of
    a larger one.

    Args:
        samples: A model with `generate(num, seed=..., batch_size=...)` (a `kgan.GAN`); a
            function `generate_fn(num, seed)` returning `num` samples or `(samples,
            conditions)`; or generated data, anything `batches` reads.
        num_samples: How many samples to generate; required for a generator. For data, a cap
            (required for a repeating dataset). Defaults to `None`.
        seed: Seed of the per-batch seeds; `None` draws fresh ones. Defaults to `0`.
        batch_size: Samples per generator call (and per batch of data). Defaults to `256`.

    Yields:
        `(samples, conditions)`, `conditions` being `None` when the generator or the data gives
        none.

    Raises:
        ValueError: For a generator without `num_samples`, a Keras model without `generate`,
            or a generator that returns another number of samples than asked.
    """
    batch_size = _common.check_count(batch_size, "batch_size")
    if hasattr(samples, "generate"):
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
            num_samples = _common.check_count(num_samples, "num_samples")
        yield from batches(samples, batch_size, num_samples, "The generated samples")
        return

    if num_samples is None:
        raise ValueError("num_samples is needed to evaluate a generator.")
    num_samples = _common.check_count(num_samples, "num_samples")
    num_batches = -(-num_samples // batch_size)
    # Prefix-stable: generate_state(n)[:k] == generate_state(k), so the first batches do not
    # depend on how many follow.
    batch_seeds = np.random.SeedSequence(seed).generate_state(num_batches)
    for index, batch_seed in enumerate(batch_seeds):
        num = min(batch_size, num_samples - index * batch_size)
        batch, conditions = split(generate_fn(num, int(batch_seed)))
        if batch.shape[0] != num:
            raise ValueError(
                f"The generator was asked for {num} samples and returned {len(batch)}."
            )
        yield batch, conditions
