"""What image-to-image objectives share: running a generator over a batch of images in chunks."""

import keras
import numpy as np

from kgan.models import gan


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
    if expected_shape is not None and not gan._shapes_compatible(images.shape[1:], expected_shape):
        raise ValueError(
            f"The generator takes images of shape {tuple(expected_shape)}; got {images.shape[1:]}."
        )
    batch_size = int(batch_size)
    outputs = [
        keras.ops.convert_to_numpy(generator(images[start : start + batch_size], training=training))
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(outputs, axis=0).astype("float32")
