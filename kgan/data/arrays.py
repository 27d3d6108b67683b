"""Datasets from in-memory NumPy arrays: images, or plain vectors for GANs on tabular data.

Images become float32 in [-1, 1], the range kgan's `tanh` generators produce. `uint8` pixels are
scaled from 0..255; float pixels must say where they come from (`value_range`) unless they already
lie in [-1, 1], because a float image in [0, 1] and one in [-1, 1] look alike and training on the
wrong one fails quietly (the generator can never match the data's range).

Example:

```python
from kgan.data import arrays

(images, labels), _ = keras.datasets.mnist.load_data()  # uint8 [60000, 28, 28]
dataset = arrays.from_arrays(images, labels, batch_size=128)  # ([128, 28, 28, 1], [128])
```
"""

import warnings

import numpy as np
import tensorflow as tf

from kgan.data import errors
from kgan.data import pipeline


def from_arrays(
    images,
    labels=None,
    batch_size=64,
    value_range=None,
    shuffle=True,
    seed=None,
    drop_remainder=True,
):
    """Builds a shuffled, batched dataset from NumPy images (or vectors) and optional labels.

    The arrays are held in memory by the dataset (TensorFlow embeds them in its graph, which caps
    them at 2 GB); conversion to float32 happens per batch, so uint8 data is not copied at four
    times its size.

    Args:
        images: array of shape [N, H, W, C] (images), [N, H, W] (gray images; a channel axis is
            added) or [N, D] (vectors). Image pixels are `uint8` in 0..255, or floats in
            `value_range`, or floats already in [-1, 1].
        labels: optional array of N labels (class ids, or e.g. one-hot or attribute vectors),
            yielded as `(images, labels)` batches. Integer labels become int32. Defaults to
            `None`.
        batch_size: examples per batch. Defaults to `64`.
        value_range: `(low, high)` of the input values, mapped to [-1, 1]. Required for float
            images outside [-1, 1]; vectors are scaled only when it is given. Defaults to `None`
            (0..255 for `uint8` images).
        shuffle: reshuffle every epoch. Defaults to `True`.
        seed: shuffle seed, for a repeatable order. Defaults to `None`.
        drop_remainder: drop the last, partial batch. Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of float32 batches in [-1, 1] (vectors: scaled only with
        `value_range`), or of `(images, labels)` tuples when `labels` is given.

    Example:

    >>> dataset = from_arrays(np.zeros([10, 8, 8], np.uint8), batch_size=5)
    >>> next(iter(dataset)).shape
    TensorShape([5, 8, 8, 1])
    """
    images = np.asarray(images)
    images, value_range = check_images(images, value_range)
    num_examples = len(images)
    slices = images
    if labels is not None:
        slices = (images, _check_labels(labels, num_examples))

    def image_fn(batch):
        if value_range is None:
            return tf.cast(batch, tf.float32)
        return pipeline.normalize(batch, value_range)

    return pipeline.batch_dataset(
        tf.data.Dataset.from_tensor_slices(slices),
        batch_size=batch_size,
        num_examples=num_examples,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        image_fn=image_fn,
        source=f"the {num_examples} arrays given",
    )


def check_images(images, value_range):
    """Validates `images`; returns them (with a channel axis) and the range to normalize from."""
    if not (np.issubdtype(images.dtype, np.number) or images.dtype == np.bool_):
        raise errors.DataError(f"images must be numeric, got dtype {images.dtype}.")
    if images.ndim not in (2, 3, 4):
        raise errors.DataError(
            f"images must have shape [N, H, W, C], [N, H, W] (gray) or [N, D] (vectors), got "
            f"shape {images.shape} (rank {images.ndim})."
        )
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if np.issubdtype(images.dtype, np.floating) and not np.all(np.isfinite(images)):
        raise errors.DataError("images contain NaN or infinite values.")

    if value_range is not None:
        low, high = value_range
        if images.size and (images.min() < low or images.max() > high):
            raise errors.DataError(
                f"images hold values in [{images.min()}, {images.max()}], outside the given "
                f"value_range=({low}, {high}). Pass the range the data really uses."
            )
        return images, (low, high)
    if images.ndim == 2:  # vectors: no pixel convention to assume
        return images, None
    if images.dtype == np.uint8:
        return images, (0, 255)
    if images.size and (images.min() < -1 or images.max() > 1):
        raise errors.DataError(
            f"{images.dtype} images hold values in [{images.min()}, {images.max()}], not in "
            f"[-1, 1]. Pass value_range=(low, high) to say which values map to -1 and 1, e.g. "
            f"value_range=(0, 1) or value_range=(0, 255)."
        )
    if images.size and images.min() >= 0:
        # `images / 255` is the usual way float images are stored; taken as [-1, 1] data they
        # would train a generator on washed-out images without any error.
        warnings.warn(
            f"{images.dtype} images hold values in [{images.min()}, {images.max()}]: no "
            "negative values, as if they were scaled to [0, 1]. They are used as [-1, 1] data "
            "unchanged; pass value_range=(0, 1) if they are [0, 1] images.",
            stacklevel=3,
        )
    return images, None


def _check_labels(labels, num_examples):
    """Validates `labels` against the number of images; returns them as int32 or float32."""
    labels = np.asarray(labels)
    if labels.ndim == 0 or len(labels) != num_examples:
        raise errors.DataError(
            f"labels must hold one entry per image: got {num_examples} images and labels of "
            f"shape {labels.shape}."
        )
    if np.issubdtype(labels.dtype, np.integer) or labels.dtype == np.bool_:
        return labels.astype(np.int32)
    if np.issubdtype(labels.dtype, np.floating):
        return labels.astype(np.float32)
    raise errors.DataError(f"labels must be integers or floats, got dtype {labels.dtype}.")
