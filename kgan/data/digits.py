"""The bundled handwritten digits: a dataset that is always there, offline, in milliseconds.

kgan ships the 1,797 8x8 grayscale digits of the UCI "Optical Recognition of Handwritten Digits"
data set (E. Alpaydin and C. Kaynak, 1998, https://archive.ics.uci.edu/dataset/80, licensed
CC BY 4.0; see `kgan/data/LICENSE-digits`), the same copy scikit-learn bundles, converted by
`tools/make_digits_npz.py`. Each pixel counts the "on" pixels (0..16) of a 4x4 block of a 32x32
bitmap. The digits are upsampled with bicubic interpolation, so that a GAN trained at 32x32 sees
smooth strokes rather than 4x4 blocks, and mapped to [-1, 1].

They are small enough for a GAN to learn in a minute on a CPU, which makes them the dataset of
kgan's examples, tests and benchmarks.

Example:

```python
from kgan.data import digits

dataset = digits.load_digits(image_size=32, batch_size=64)  # [64, 32, 32, 1] in [-1, 1]
images, labels = digits.digits_arrays(image_size=32)  # [1797, 32, 32, 1], [1797]
```

Reference:
    E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
    Repository, 1998.
"""

import importlib.resources

import numpy as np
import tensorflow as tf

from kgan.data import pipeline

NUM_EXAMPLES = 1797
NUM_CLASSES = 10
# Pixel values are counts of "on" pixels in a 4x4 block: 0 (blank) to 16 (full).
VALUE_RANGE = (0, 16)
DATA_FILE = "digits.npz"


def raw_digits():
    """Returns the stored digits as they are: uint8 images [1797, 8, 8] in 0..16, int32 labels.

    Returns:
        A tuple `(images, labels)` of NumPy arrays.
    """
    # importlib.resources finds the file wherever the package lives (also inside a zip or wheel).
    resource = importlib.resources.files(__package__).joinpath(DATA_FILE)
    with resource.open("rb") as file, np.load(file) as stored:
        return stored["images"], stored["labels"].astype(np.int32)


def digits_arrays(image_size=32, channels=1):
    """Returns all 1,797 digits as preprocessed NumPy arrays, e.g. to train a classifier.

    The images are exactly those `load_digits` yields for the same `image_size` and `channels`.

    Args:
        image_size: int or `(height, width)`; the 8x8 digits are upsampled bicubically. `None`
            or 8 keeps them at 8x8. Defaults to `32`.
        channels: 1 (gray), or 3 to repeat the gray value for networks that expect RGB.
            Defaults to `1`.

    Returns:
        A tuple `(images, labels)`: float32 images [1797, H, W, channels] in [-1, 1] (blank
        pixels at exactly -1) and int32 labels [1797] in 0..9, in the stored order.

    Example:

    >>> images, labels = digits_arrays(image_size=16)
    >>> images.shape, labels.shape
    ((1797, 16, 16, 1), (1797,))
    """
    images, labels = raw_digits()
    images = pipeline.preprocess(
        images[..., np.newaxis],
        value_range=VALUE_RANGE,
        image_size=image_size,
        channels=channels,
        # Bicubic gives round strokes from 8x8 sources where bilinear leaves visible diamonds;
        # its overshoot past the range is clipped inside `preprocess`.
        method="bicubic",
    )
    return images.numpy(), labels


def load_digits(
    image_size=32,
    batch_size=64,
    with_labels=False,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    repeat=False,
    channels=1,
):
    """Loads the bundled handwritten digits as a batched `tf.data.Dataset`.

    Args:
        image_size: int or `(height, width)` to upsample the 8x8 digits to; `None` or 8 keeps
            them at 8x8. Defaults to `32`.
        batch_size: examples per batch. Defaults to `64`.
        with_labels: yield `(images, labels)` with int32 labels 0..9, e.g. for a
            `ConditionalGAN`. Defaults to `False`.
        shuffle: reshuffle every epoch. Defaults to `True`.
        seed: shuffle seed, for a repeatable order. Defaults to `None`.
        drop_remainder: drop the last, partial batch (1,797 = 3 x 599, so nearly every
            batch size leaves one), so every batch has the same static size. Defaults to `True`.
        repeat: repeat forever; pass `steps_per_epoch` to `fit`. Defaults to `False`.
        channels: 1, or 3 to repeat the gray value into RGB. Defaults to `1`.

    Returns:
        A `tf.data.Dataset` of float32 image batches [batch_size, H, W, channels] in [-1, 1], or
        of `(images, labels)` tuples when `with_labels=True`.

    Example:

    >>> dataset = load_digits(image_size=32, batch_size=64)
    >>> next(iter(dataset)).shape
    TensorShape([64, 32, 32, 1])
    """
    images, labels = digits_arrays(image_size=image_size, channels=channels)
    # The preprocessed set is small (7 MB at 32x32), so it is computed once here rather than per
    # batch in every epoch; it is also what makes the dataset and `digits_arrays` agree exactly.
    slices = (images, labels) if with_labels else images
    return pipeline.batch_dataset(
        tf.data.Dataset.from_tensor_slices(slices),
        batch_size=batch_size,
        num_examples=NUM_EXAMPLES,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        repeat=repeat,
        source="the bundled digits",
    )
