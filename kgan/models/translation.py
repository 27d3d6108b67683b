"""What image-to-image objectives share: two-image batches, and translating in chunks."""

import keras
import numpy as np
import tensorflow as tf

from kgan.models import network_info


def translate_in_batches(generator, images, batch_size=32, training=False, expected_shape=None):
    """Runs `generator` on `images` in chunks of `batch_size`; returns a float32 NumPy array.

    Args:
        generator: A model on image batches.
        images: Images `[num, height, width, channels]` in `[-1, 1]` (array-like).
        batch_size: Images per forward pass. Defaults to `32`.
        training: Passed to the generator (e.g. `True` keeps Pix2Pix's dropout noise on).
            Defaults to `False`.
        expected_shape: The `(height, width, channels)` the generator takes, checked so a
            wrong shape fails with both shapes named; `None` skips the check.

    Returns:
        `np.ndarray` of the generator's outputs, float32.
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(
            "translate takes a non-empty batch of images [num, height, width, channels]; "
            f"got shape {images.shape}."
        )
    if expected_shape is not None and not network_info.shapes_compatible(
        images.shape[1:], expected_shape
    ):
        raise ValueError(
            f"The generator takes images of shape {tuple(expected_shape)}; got {images.shape[1:]}."
        )
    batch_size = int(batch_size)
    outputs = [
        keras.ops.convert_to_numpy(generator(images[start : start + batch_size], training=training))
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(outputs, axis=0).astype("float32")


def cycle_panels(translate, images_a, images_b=None, batch_size=32):
    """The grid panels of a two-way translator: each domain's image, translated, and back.

    Args:
        translate: `translate(images, direction, batch_size)`, e.g. `CycleGAN.translate`.
        images_a: A images `[num, height, width, channels]` in `[-1, 1]`.
        images_b: B images, or `None` to show the A -> B -> A cycle only. With a different
            count than `images_a`, the first `min` of each are shown (one A and one B image a
            row).
        batch_size: Images per forward pass. Defaults to `32`.

    Returns:
        `[a, G_ab(a), G_ba(G_ab(a))]`, followed with `images_b` by `[b, G_ba(b), G_ab(G_ba(b))]`.
    """
    images_a = np.asarray(images_a, dtype="float32")
    if images_b is not None:
        images_b = np.asarray(images_b, dtype="float32")
        rows = min(len(images_a), len(images_b))
        images_a, images_b = images_a[:rows], images_b[:rows]
    fake_b = translate(images_a, "a2b", batch_size)
    panels = [images_a, fake_b, translate(fake_b, "b2a", batch_size)]
    if images_b is None:
        return panels
    fake_a = translate(images_b, "b2a", batch_size)
    return [*panels, images_b, fake_a, translate(fake_a, "a2b", batch_size)]


def unpack_image_pair(data, expected, fix):
    """The two image batches of a `(first, second)` training batch, or a `ValueError`.

    Args:
        data: What `fit` hands `train_step`.
        expected: What the model trains on, starting the messages, e.g. "Pix2Pix trains on
            batches of (source, target) pairs".
        fix: How to build such batches, ending the message for a single tensor.

    Returns:
        `(first, second)`, as given.
    """
    if isinstance(data, dict):
        raise ValueError(f"{expected}; got a dict with keys {sorted(data)}.")
    first, second, _ = keras.utils.unpack_x_y_sample_weight(data)
    if second is None:
        raise ValueError(f"{expected}; this batch is a single tensor. {fix}")
    return first, second


def check_same_count(first, second, mismatch, message):
    """Checks that two batches hold as many images.

    At trace time when both sizes are known (a mismatch raises `ValueError` with
    `mismatch.format(count_first, count_second)`), else with a runtime assertion (`message`).
    """
    count_first, count_second = first.shape[0], second.shape[0]
    if count_first is not None and count_second is not None:
        if count_first != count_second:
            raise ValueError(mismatch.format(count_first, count_second))
    else:
        tf.debugging.assert_equal(tf.shape(first)[0], tf.shape(second)[0], message=message)
