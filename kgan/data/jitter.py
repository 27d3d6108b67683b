"""The pix2pix random jitter: one random resize-crop and flip shared by a source and its target.

Image-to-image training augments each pair by enlarging both images a little, cropping them back
at one random offset and mirroring them together, so the pair stays pixel-aligned while the
network sees new crops every epoch. The paired loaders (`kgan.data.paired`, `jitter=True`) apply
it per example; it is public for pipelines of one's own.

Example:

```python
from kgan.data import jitter

source, target = jitter.random_jitter(source, target, seed=[0, step])
```

Reference:
    Isola et al., "Image-to-Image Translation with Conditional Adversarial Networks", CVPR 2017,
    appendix "Training details": 256x256 pairs resized to 286x286 and randomly cropped back.
    https://arxiv.org/abs/1611.07004
"""

import tensorflow as tf

from kgan.data import errors

# The paper's jitter: resize 256 -> 286, then crop back to 256.
JITTER_SCALE = 286 / 256


def random_jitter(source, target, seed, scale=JITTER_SCALE, flip=True):
    """The paper's random jitter, applied identically to a source and its target.

    Both images are stacked along the channels, resized up by `scale` (286/256), randomly
    cropped back to their size, and flipped left-right with probability 1/2, so that the same
    crop and flip move both: the pair stays aligned. The draws are stateless: the same `seed`
    gives the same jitter.

    Args:
        source: Source image `[H, W, C1]` or batch `[N, H, W, C1]`, float, in [-1, 1].
        target: Target image(s) of the same height and width, `C2` channels.
        seed: Stateless seed: an int, or an int tensor of shape `[2]`. A batch draws one crop
            and one flip per example.
        scale: How much larger than the output the resized pair is, `>= 1`. Defaults to
            `286 / 256`.
        flip: Whether to flip at random. Defaults to `True`.

    Returns:
        `(source, target)` float32 tensors with the shapes of the inputs.

    Example:

    ```python
    source, target = random_jitter(source, target, seed=[0, step])
    ```
    """
    source = tf.convert_to_tensor(source, tf.float32)
    target = tf.convert_to_tensor(target, tf.float32)
    if scale < 1:
        raise errors.DataError(f"The jitter scale must be >= 1, got {scale}.")
    if source.shape.rank not in (3, 4) or source.shape.rank != target.shape.rank:
        raise errors.DataError(
            "random_jitter takes images [H, W, C] or batches [N, H, W, C], the same rank for "
            f"source and target; got {source.shape} and {target.shape}."
        )
    single = source.shape.rank == 3
    if single:
        source, target = source[tf.newaxis], target[tf.newaxis]
    if not source.shape[:3].is_compatible_with(target.shape[:3]):
        raise errors.DataError(
            "random_jitter needs a source and target of the same size, got "
            f"{source.shape[1:3]} and {target.shape[1:3]}: pass image_size= to load both at it."
        )
    seed = tf.cast(tf.convert_to_tensor(seed), tf.int64)
    if seed.shape.rank == 0:
        seed = tf.stack([seed, tf.constant(0, tf.int64)])
    source_channels = tf.shape(source)[-1]
    pair = tf.concat([source, target], axis=-1)
    shape = tf.shape(pair)
    batch, height, width = shape[0], shape[1], shape[2]
    large_height = tf.cast(tf.round(tf.cast(height, tf.float32) * scale), tf.int32)
    large_width = tf.cast(tf.round(tf.cast(width, tf.float32) * scale), tf.int32)
    large = tf.image.resize(pair, tf.stack([large_height, large_width]), method="bilinear")
    # One offset per example: exact integer crops by gathering rows then columns.
    offsets = tf.random.stateless_uniform(
        tf.stack([batch, 2]), seed=seed, minval=0, maxval=2**30, dtype=tf.int32
    )
    top = offsets[:, 0] % (large_height - height + 1)
    left = offsets[:, 1] % (large_width - width + 1)
    rows = top[:, tf.newaxis] + tf.range(height)[tf.newaxis]
    columns = left[:, tf.newaxis] + tf.range(width)[tf.newaxis]
    pair = tf.gather(large, rows, axis=1, batch_dims=1)
    pair = tf.gather(pair, columns, axis=2, batch_dims=1)
    if flip:
        flip_seed = tf.stack([seed[0], seed[1] + 1])
        flips = tf.random.stateless_uniform(tf.stack([batch]), seed=flip_seed) < 0.5
        pair = tf.where(flips[:, tf.newaxis, tf.newaxis, tf.newaxis], pair[:, :, ::-1], pair)
    pair = tf.clip_by_value(pair, -1.0, 1.0)
    source, target = pair[..., :source_channels], pair[..., source_channels:]
    if single:
        source, target = source[0], target[0]
    return source, target
