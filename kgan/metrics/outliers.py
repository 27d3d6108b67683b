"""Outlier exposure data: images that are not of any class, made from labelled images.

A classifier trained on real images alone is confident on anything. Taught to answer these
non-images with the uniform distribution (outlier exposure), its confidence means "this looks
like one of the classes", which is what judging a generator needs: `kgan.metrics.classifier`
trains its judges so, and `benchmarks/digits_quality.py` judges these non-images too, as the
floor that a GAN's samples should rise above.

Example:

```python
from kgan.metrics import outliers

non_images = outliers.make_outliers(images, labels, seed=0)  # same shape, in [-1, 1]
```

Reference:
    Hendrycks et al., "Deep Anomaly Detection with Outlier Exposure", ICLR 2019.
    https://arxiv.org/abs/1812.04606
"""

import keras
import numpy as np

from kgan.metrics import input_checks


def make_outliers(images, labels, seed=0):
    """Images that are *not* of any class, one per input image, for outlier exposure.

    Four kinds, in turn, each keeping some statistic of the real images but not their shape:

    - the pixels of an image shuffled (same intensities, no strokes);
    - its patches shuffled: a 4x4 grid of square patches of side `min(height, width) // 4`
      (8x8 at 32x32; pixels past the grid, when the size is not a multiple of 4, stay put), so
      real stroke pieces in the wrong layout;
    - the average of two images of different classes: halfway between two classes, where a
      generator that mixes modes puts its samples (an overlay by maximum was tried too, but it
      also draws plausible digits, e.g. 1 over 7, and taught the classifier to doubt real ones);
    - smooth random blobs (uniform noise upsampled bicubically from 4x4 or 8x8, like an
      untrained generator's output).

    Args:
        images: float32 array `[N, height, width, channels]` in [-1, 1].
        labels: integer class ids `[N]`.
        seed: Seed of the shuffles, pairings and noise. Defaults to `0`.

    Returns:
        float32 array of the same shape as `images`, in [-1, 1].

    Example:

    ```python
    outliers = make_outliers(images, labels)
    classifier.predict(outliers)  # near-uniform predictions after outlier exposure
    ```

    Reference:
        Hendrycks et al., "Deep Anomaly Detection with Outlier Exposure", ICLR 2019.
        https://arxiv.org/abs/1812.04606
    """
    images = input_checks.check_images(images)
    labels = input_checks.check_labels(labels, len(images))
    rng = np.random.default_rng(seed)
    num, height, width, channels = images.shape
    patch = max(1, min(height, width) // 4)
    rows, columns = height // patch, width // patch
    kinds = np.arange(num) % 4
    outliers = images.copy()
    for index in np.flatnonzero(kinds == 0):
        pixels = images[index].reshape(-1, channels)
        outliers[index] = pixels[rng.permutation(len(pixels))].reshape(height, width, channels)
    for index in np.flatnonzero(kinds == 1):
        grid = images[index, : rows * patch, : columns * patch]
        pieces = grid.reshape(rows, patch, columns, patch, channels).transpose(0, 2, 1, 3, 4)
        pieces = pieces.reshape(-1, patch, patch, channels)[rng.permutation(rows * columns)]
        pieces = pieces.reshape(rows, columns, patch, patch, channels).transpose(0, 2, 1, 3, 4)
        outliers[index, : rows * patch, : columns * patch] = pieces.reshape(grid.shape)
    for index in np.flatnonzero(kinds == 2):
        others = np.flatnonzero(labels != labels[index])
        if len(others) == 0:  # one class only: any other image
            others = np.delete(np.arange(num), index) if num > 1 else np.array([index])
        outliers[index] = 0.5 * (images[index] + images[rng.choice(others)])
    blob_indices = np.flatnonzero(kinds == 3)
    blob_sizes = rng.choice([4, 8], size=len(blob_indices))
    for size in (4, 8):
        chosen = blob_indices[blob_sizes == size]
        if len(chosen):
            noise = rng.uniform(-1.0, 1.0, (len(chosen), size, size, channels)).astype("float32")
            blobs = keras.ops.image.resize(noise, (height, width), interpolation="bicubic")
            outliers[chosen] = np.clip(keras.ops.convert_to_numpy(blobs), -1.0, 1.0)
    return outliers
