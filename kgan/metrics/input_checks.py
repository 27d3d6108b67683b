"""Argument checks shared by the metrics modules, and the extractors' gray-to-RGB step.

Shared within `kgan.metrics`, as `kgan/networks/building_blocks.py` is by the networks: the feature
extractors (`feature_extractors`, `fid_inception`), the digits classifier and its outlier data
(`classifier`, `outliers`) and the evaluator's batches (`evaluation`, `sample_batches`) check
their arguments here, so the messages read alike and no module imports another for a check
alone (`feature_extractors` imports `fid_inception`, `classifier` imports `outliers`).
"""

import keras
import numpy as np
import tensorflow as tf

# What an extractor returns, and what its `output` argument may select.
OUTPUTS = ("features", "logits")


def check_count(value, name):
    """Returns `value` as an int; raises `ValueError` unless it is a positive integer.

    For batch sizes and sample counts. Booleans are refused, NumPy integers accepted.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


# --- feature extractors -------------------------------------------------------------------------


def check_output(output):
    """Raises `ValueError` unless `output` is `None` or one of `OUTPUTS`."""
    if output is not None and output not in OUTPUTS:
        raise ValueError(f"output must be None, 'features' or 'logits'; got {output!r}.")


def check_input_range(input_range):
    """Returns `input_range` as floats `(low, high)`; raises `ValueError` unless `low < high`."""
    low, high = (float(value) for value in input_range)
    if not high > low:
        raise ValueError(f"input_range must be (low, high) with low < high; got {input_range}.")
    return low, high


def check_image_shape(shape):
    """Raises a clear error unless `shape` is `[batch, height, width, 1 or 3]`."""
    if getattr(shape, "rank", 0) is None:  # unknown rank: checked when run
        return
    shape = tuple(shape)
    if len(shape) != 4:
        raise ValueError(
            f"Expected images of shape [batch, height, width, channels]; got shape {shape}."
        )
    if shape[-1] is not None and shape[-1] not in (1, 3):
        raise ValueError(
            f"Expected images with 1 (grayscale) or 3 (RGB) channels; got shape {shape}."
        )


def to_rgb(images):
    """Checks images `[batch, height, width, 1 or 3]` and repeats a gray channel three times."""
    check_image_shape(images.shape)
    channels = images.shape[-1]
    if channels == 1:
        return tf.concat([images, images, images], axis=-1)
    if channels == 3:
        return images
    # The channel count is known only when run (in a function traced with relaxed shapes):
    # check it there, and let broadcasting repeat 1 channel and keep 3.
    channels = tf.shape(images)[-1]
    checks = [
        tf.debugging.assert_rank(images, 4, "Expected images [batch, height, width, channels]."),
        tf.debugging.Assert(
            tf.logical_or(tf.equal(channels, 1), tf.equal(channels, 3)),
            ["Expected images with 1 (grayscale) or 3 (RGB) channels; got shape", tf.shape(images)],
        ),
    ]
    with tf.control_dependencies([check for check in checks if check is not None]):
        return images + tf.zeros((3,), images.dtype)


# --- labelled images (the classifier and its outliers) -------------------------------------------


def check_num_classes(num_classes):
    """Raises `ValueError` unless `num_classes` is an int of at least 2."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, int | np.integer):
        raise ValueError(f"num_classes must be an int; got {num_classes!r}.")
    if num_classes < 2:
        raise ValueError(f"A classifier needs at least 2 classes; got num_classes={num_classes}.")


def check_images(images, name="images"):
    """Returns `images` as a float32 array `[N, height, width, channels]`, checked to be in [-1, 1].

    Raises:
        ValueError: For another rank, no images, NaN or infinite values, or values outside
            [-1, 1] (with a little slack for rounding).
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            f"{name} must be a 4-D array [N, height, width, channels]; got shape {images.shape}."
        )
    if len(images) == 0:
        raise ValueError(f"{name} is empty: got shape {images.shape}.")
    images = images.astype("float32", copy=False)
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{name} contain NaN or infinite values.")
    low, high = float(images.min()), float(images.max())
    # A little slack for rounding (e.g. resizing); images in 0..1 or 0..255 fail here.
    if low < -1.01 or high > 1.01:
        raise ValueError(
            f"{name} must be in [-1, 1], kgan's image range; got values in [{low}, {high}]. "
            "Rescale them, e.g. x / 127.5 - 1 for 0..255."
        )
    return images


def check_labels(labels, num_images, num_classes=None):
    """Returns `labels` as int64 class ids `[num_images]`, in `[0, num_classes)` when given.

    Raises:
        ValueError: For another rank or length, non-integer values, or ids out of range.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(
            f"labels must be a 1-D array of integer class ids; got shape {labels.shape}."
        )
    if len(labels) != num_images:
        raise ValueError(f"Got {num_images} images but {len(labels)} labels.")
    if not np.issubdtype(labels.dtype, np.integer):
        if not np.issubdtype(labels.dtype, np.floating) or np.any(labels != np.round(labels)):
            raise ValueError(f"labels must be integer class ids; got dtype {labels.dtype}.")
    labels = labels.astype(np.int64)
    if num_classes is not None:
        check_num_classes(num_classes)
    if labels.min() < 0 or (num_classes is not None and labels.max() >= num_classes):
        raise ValueError(
            f"labels must be in [0, {num_classes if num_classes is not None else 'num_classes'}); "
            f"got values in [{labels.min()}, {labels.max()}]."
        )
    return labels


def check_image_range(batch, low, high):
    """Raises if a batch of real images leaves [-1, 1]; returns the running `(min, max)`.

    `low` and `high` are the running minimum and maximum before this batch.
    """
    values = keras.ops.convert_to_numpy(batch)
    low, high = min(low, float(values.min())), max(high, float(values.max()))
    # A little slack for round-off in resizing; uint8 pixels or [0, 255] floats are far out.
    if low < -1.01 or high > 1.01:
        raise ValueError(
            f"real_data holds values in [{low:.4g}, {high:.4g}], but kgan compares images in "
            "[-1, 1], the range its generators produce: rescale them (x / 127.5 - 1 for 8-bit "
            "pixels), or load them with kgan.data, which does."
        )
    return low, high
