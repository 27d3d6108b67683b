"""What every objective's `fit` checks in the data before the first step: no silent wrong result.

Two mistakes train without a word under plain Keras and waste the run:

- **Pixels in the wrong range.** kgan's generators end in `tanh` and make images in [-1, 1].
  Real images given as `uint8` 0..255 (or floats in 0..255) let the discriminator separate real
  from fake by range alone; the generator can never reach the data, and the losses look like
  those of any hard problem. The first batch's images (rank-4 tensors: `[batch, H, W, C]`) must
  be floats in [-1, 1]; vectors (rank 2, e.g. points of a 2-D mixture) may take any range.
  Images that lie entirely in [0, 1] are warned about (a common half-way scaling).
- **No data.** `fit` on an empty array, or a dataset that yields no batch, returns a `History`
  with Keras' "ran out of data" warning and no step run. It is an error here.

NaN or infinite values in the first batch are errors too (they would only show as a
`NonFiniteLossError` some steps later). NumPy arrays are checked whole; a `tf.data.Dataset` by
its first batch (`dataset.take(1)`: one extra batch read, once per `fit`); Python generators and
`keras.utils.PyDataset`s are not peeked at. Token ids (sequence objectives) are rank 2 and
only checked for emptiness.
"""

import warnings

import keras
import numpy as np
import tensorflow as tf

# How far outside [-1, 1] a float image may reach: resizing and jitter round a little past it.
RANGE_TOLERANCE = 0.01

_SCALING_FIX = (
    "Scale them to [-1, 1] first: images / 127.5 - 1 for 0..255 pixels, images * 2 - 1 for "
    "[0, 1], or build the dataset with kgan.data.from_arrays(images, value_range=(low, high)), "
    "which does it per batch."
)


def check_fit_data(model, args, kwargs):
    """Raises `ValueError` when the data `fit` was given is empty or, for image objectives, not
    float pixels in [-1, 1] (see the module). `args`/`kwargs` are `fit`'s own."""
    x = args[0] if args else kwargs.get("x")
    y = args[1] if len(args) > 1 else kwargs.get("y")
    owner = type(model).__name__
    if isinstance(x, tf.data.Dataset):
        if int(x.cardinality()) == 0:
            raise ValueError(f"{owner}.fit got an empty dataset: it yields no batches. {_EMPTY}")
        batch = next(iter(x.take(1)), None)
        if batch is None:
            raise ValueError(f"{owner}.fit: the dataset yielded no batch. {_EMPTY}")
        where = "the dataset's first batch"
    elif _is_array_like(x):
        if _length(x) == 0:
            raise ValueError(f"{owner}.fit got empty data: x has 0 examples. {_EMPTY}")
        batch = (x, y)
        where = "x" if y is None else "the arrays"
    else:
        return  # a generator or PyDataset: cannot be peeked at without consuming it
    for index, images in enumerate(_tensors(batch)):
        _check_images(owner, images, where, index)


_EMPTY = "Pass at least one batch of examples (check the path, filter or split that made it)."


def _is_array_like(x):
    if isinstance(x, (np.ndarray, tf.Tensor)):
        return True
    if isinstance(x, (tuple, list)) and x and all(isinstance(item, np.ndarray) for item in x):
        return True
    return False


def _length(x):
    first = x[0] if isinstance(x, (tuple, list)) else x
    return int(np.shape(first)[0]) if np.ndim(first) else 1


def _tensors(batch):
    """The arrays of a batch (nested tuples, lists and dicts flattened), in order."""
    return [item for item in tf.nest.flatten(batch) if item is not None]


def _check_images(owner, images, where, index):
    array = keras.ops.convert_to_numpy(images) if not isinstance(images, np.ndarray) else images
    if array.ndim != 4:
        return  # vectors, labels, token ids or indices: any range is meaningful
    part = where if index == 0 else f"{where} (part {index + 1})"
    if np.issubdtype(array.dtype, np.integer) or array.dtype == bool:
        raise ValueError(
            f"{owner}.fit got {array.dtype} images in {part} (values "
            f"{_span(array)}), but kgan's generators make float images in [-1, 1] (tanh); "
            f"the discriminator would tell them apart by range alone. {_SCALING_FIX}"
        )
    finite = np.isfinite(array)  # once: the array may be the whole training set
    if not finite.all():
        bad = int(finite.size - np.count_nonzero(finite))
        raise ValueError(
            f"{owner}.fit: {part} holds {bad} NaN or infinite value(s). Clean or drop those "
            "images before training."
        )
    low, high = float(array.min()), float(array.max())
    if low < -1 - RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
        raise ValueError(
            f"{owner}.fit got images in [{low:.4g}, {high:.4g}] in {part}, but kgan's "
            f"generators make images in [-1, 1] (tanh). {_SCALING_FIX}"
        )
    if low >= 0 and high > 0.5:
        warnings.warn(
            f"{owner}.fit: the images in {part} lie in [{low:.3g}, {high:.3g}], none below 0, "
            "while the generator makes [-1, 1]. If they were scaled to [0, 1], use "
            "images * 2 - 1.",
            stacklevel=3,
        )


def _span(array):
    return f"{array.min()}..{array.max()}" if array.size else "none"
