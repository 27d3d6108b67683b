"""The preprocessing and batching that every `kgan.data` source shares.

Each loader (bundled digits, NumPy arrays, image folders, tensorflow-datasets) only reads its
source; this module turns what it read into the batches kgan's models expect: float32 images in
[-1, 1] (the range of a `tanh` generator output), shaped [batch, height, width, channels],
shuffled, batched and prefetched the same way everywhere.

Example:

```python
from kgan.data import pipeline

dataset = tf.data.Dataset.from_tensor_slices(uint8_images)
dataset = pipeline.batch_dataset(
    dataset,
    batch_size=64,
    image_fn=lambda images: pipeline.preprocess(images, value_range=(0, 255), image_size=32),
)
```
"""

import numbers

import tensorflow as tf

from kgan.data import errors

# Shuffle buffer for sources whose size is unknown or too large to hold in memory at once
# (tensorflow-datasets also shuffles its files, so a bounded buffer still mixes the whole split).
DEFAULT_SHUFFLE_BUFFER = 10_000

# ITU-R BT.601 luma weights, the ones PIL and `tf.image.rgb_to_grayscale` use for RGB -> gray.
_LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def image_size_pair(image_size):
    """Returns `image_size` as a `(height, width)` tuple of positive ints, or `None`.

    Args:
        image_size: `None` (keep the source size), an int (square images), or a
            `(height, width)` pair.

    Returns:
        `None` or a `(height, width)` tuple.
    """
    if image_size is None:
        return None
    if _is_int(image_size):
        pair = (image_size, image_size)
    elif hasattr(image_size, "__iter__") and not isinstance(image_size, (str, bytes)):
        pair = tuple(image_size)
    else:
        pair = ()
    if len(pair) != 2 or not all(_is_int(side) and side > 0 for side in pair):
        raise errors.DataError(
            f"image_size must be a positive int or a (height, width) pair of positive ints, "
            f"got {image_size!r}."
        )
    return tuple(int(side) for side in pair)


def normalize(images, value_range):
    """Maps pixel values linearly from `value_range` to [-1, 1] as float32.

    Computed as `(2x - (low + high)) / (high - low)`: for integer pixel values every step before
    the division is exact, so each result is the correctly rounded value, the low and high ends
    map to exactly -1.0 and 1.0, the mapping is symmetric (`x` and `low + high - x` give opposite
    values), and `value_range=(-1, 1)` is the identity. Values are clipped afterwards so rounding
    can never leave the range.

    Args:
        images: tensor or array of any shape and numeric dtype.
        value_range: `(low, high)`, the values that map to -1 and 1.

    Returns:
        A float32 tensor of the same shape, in [-1, 1].
    """
    low, high = (float(value) for value in value_range)
    if not high > low:
        raise errors.DataError(
            f"value_range must be (low, high) with low < high, got {value_range}."
        )
    images = tf.cast(images, tf.float32)
    images = (2.0 * images - (low + high)) / (high - low)
    return tf.clip_by_value(images, -1.0, 1.0)


def resize(images, image_size, method="bilinear", crop_to_aspect_ratio=True):
    """Resizes [..., H, W, C] images in [-1, 1] to `image_size`, keeping them in [-1, 1].

    Args:
        images: float tensor of rank 3 or 4, values in [-1, 1].
        image_size: int or `(height, width)`; `None` returns `images` unchanged.
        method: a `tf.image.resize` method. Bicubic is smoother when upsampling small images but
            overshoots at edges, hence the final clip. Defaults to `"bilinear"`.
        crop_to_aspect_ratio: crop the largest centred window with the target's aspect ratio
            before resizing, so that faces (e.g. CelebA's 218x178) are not squashed. Defaults to
            `True`.

    Returns:
        A float32 tensor of shape [..., height, width, C].
    """
    size = image_size_pair(image_size)
    if size is None or tuple(images.shape[-3:-1]) == size:
        return images
    height, width = size
    if crop_to_aspect_ratio:
        shape = tf.shape(images)
        source_height, source_width = shape[-3], shape[-2]
        crop_height = tf.minimum(source_height, source_width * height // width)
        crop_width = tf.minimum(source_width, source_height * width // height)
        top = (source_height - crop_height) // 2
        left = (source_width - crop_width) // 2
        images = images[..., top : top + crop_height, left : left + crop_width, :]
    # Antialiasing filters before downsampling (no aliasing moire); it changes nothing upwards.
    images = tf.image.resize(images, size, method=method, antialias=True)
    return tf.clip_by_value(images, -1.0, 1.0)


def convert_channels(images, channels):
    """Converts [..., C] images in [-1, 1] between 1 (gray), 3 (RGB) and 4 (RGBA) channels.

    Gray becomes RGB by repetition; RGB becomes gray by BT.601 luma; alpha is dropped without
    compositing (transparent pixels keep their colour) or added as fully opaque (1.0).

    Args:
        images: float tensor whose last axis has a static size of 1, 3 or 4.
        channels: the wanted channel count, or `None` to keep the images as they are.

    Returns:
        A float32 tensor with `channels` channels.
    """
    current = images.shape[-1]
    if channels is None or current == channels:
        return images
    if current not in (1, 3, 4) or channels not in (1, 3, 4):
        raise errors.DataError(
            f"Can convert images only between 1, 3 and 4 channels, not from {current} to "
            f"{channels}."
        )
    if current == 4:
        images = images[..., :3]
    if channels == 1:
        if images.shape[-1] == 1:
            return images
        gray = tf.tensordot(images, tf.constant(_LUMA_WEIGHTS, images.dtype), axes=[[-1], [0]])
        return tf.clip_by_value(gray[..., tf.newaxis], -1.0, 1.0)
    if images.shape[-1] == 1:
        images = tf.repeat(images, 3, axis=-1)
    if channels == 4:
        images = tf.concat([images, tf.ones_like(images[..., :1])], axis=-1)
    return images


def preprocess(images, value_range, image_size=None, channels=None, method="bilinear"):
    """Normalizes, resizes and converts images: the full path from stored pixels to model input.

    Args:
        images: [N, H, W, C] or [H, W, C] tensor or array of pixel values.
        value_range: `(low, high)` of the stored pixels, mapped to [-1, 1].
        image_size: int or `(height, width)` to resize to; `None` keeps the size. Defaults to
            `None`.
        channels: 1, 3 or 4 to convert to; `None` keeps the channels. Defaults to `None`.
        method: the `tf.image.resize` method. Defaults to `"bilinear"`.

    Returns:
        A float32 tensor in [-1, 1].
    """
    images = normalize(images, value_range)
    images = resize(images, image_size, method=method)
    return convert_channels(images, channels)


def check_batch_size(batch_size, num_examples=None, drop_remainder=True, source="the data"):
    """Raises `DataError` unless `batch_size` can produce at least one batch.

    With `drop_remainder=True` a batch larger than the data yields an empty dataset, and
    `model.fit` then runs zero steps without any error (a repeated empty dataset even loops
    forever): this check turns that into a message naming both numbers.

    Args:
        batch_size: the requested batch size.
        num_examples: how many examples the source holds, or `None` if unknown.
        drop_remainder: whether the last, partial batch is dropped. Defaults to `True`.
        source: words naming the source in the message. Defaults to `"the data"`.
    """
    if not _is_int(batch_size) or batch_size < 1:
        raise errors.DataError(f"batch_size must be a positive int, got {batch_size!r}.")
    if num_examples is None:
        return
    if num_examples == 0:
        raise errors.DataError(f"{source} holds no examples.")
    if drop_remainder and batch_size > num_examples:
        raise errors.DataError(
            f"batch_size={batch_size} is larger than the {num_examples} examples in {source}: "
            f"with drop_remainder=True every batch would be dropped and `fit` would run zero "
            f"steps. Pass batch_size <= {num_examples}, or drop_remainder=False."
        )


def dataset_options():
    """Returns the `tf.data.Options` that kgan's datasets carry.

    tf.data's autotuning is disabled: calling `fit` many times on one pipeline (as benchmarks and
    callbacks that iterate a dataset do) was seen to leave the process idle at the end of each call,
    waiting for the autotune loop, with call times snapped to 20.5 / 41 / 82 s; without it no stall
    was seen. `num_parallel_calls=AUTOTUNE` still runs in parallel, at a fixed default instead of a
    tuned one (twice as fast as serial on two cores here).
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return options


def batch_dataset(
    dataset,
    batch_size,
    num_examples=None,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    repeat=False,
    example_fn=None,
    image_fn=None,
    shuffle_buffer=None,
    source="the data",
):
    """Shuffles, batches, preprocesses and prefetches a dataset of single examples.

    Args:
        dataset: a `tf.data.Dataset` of examples: images, or tuples whose first item is images.
        batch_size: examples per batch.
        num_examples: the dataset's size; read from its cardinality when `None`. Defaults to
            `None`.
        shuffle: reshuffle the examples every epoch. Defaults to `True`.
        seed: shuffle seed; the same seed gives the same order of batches. Defaults to `None`.
        drop_remainder: drop the last, partial batch, so every batch has a static size.
            Defaults to `True`.
        repeat: repeat forever (then pass `steps_per_epoch` to `fit`). Defaults to `False`.
        example_fn: function applied to each example after shuffling and before batching, e.g.
            to read and decode a file, so that the shuffle buffer holds only file names.
            Defaults to `None`.
        image_fn: function applied to each batch of images after batching, where vectorized ops
            are fastest (e.g. `preprocess`). Defaults to `None`.
        shuffle_buffer: shuffle buffer size; the whole dataset when its size is known (a full
            shuffle), else `DEFAULT_SHUFFLE_BUFFER`. Defaults to `None`.
        source: words naming the source in error messages. Defaults to `"the data"`.

    Returns:
        A batched, prefetched `tf.data.Dataset`.
    """
    if num_examples is None:
        cardinality = int(dataset.cardinality())
        num_examples = cardinality if cardinality >= 0 else None
    check_batch_size(batch_size, num_examples, drop_remainder, source)
    if shuffle:
        buffer = shuffle_buffer or num_examples or DEFAULT_SHUFFLE_BUFFER
        dataset = dataset.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if example_fn is not None:
        # Parallel but deterministic (the default): the same seed gives the same batches.
        dataset = dataset.map(example_fn, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    if image_fn is not None:
        if isinstance(dataset.element_spec, tuple):
            dataset = dataset.map(
                lambda images, *rest: (image_fn(images), *rest),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        else:
            dataset = dataset.map(image_fn, num_parallel_calls=tf.data.AUTOTUNE)
    if repeat:
        dataset = dataset.repeat()
    return dataset.prefetch(tf.data.AUTOTUNE).with_options(dataset_options())


def _is_int(value):
    # bool is an int subclass, but `batch_size=True` is a mistake, not a batch of one.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
