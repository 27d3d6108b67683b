"""The pix2pix U-Net generator (Isola et al., 2017) for square power-of-two images.

An encoder of stride-2 4x4 convolutions halves the resolution down to 1x1; a decoder of stride-2
4x4 transposed convolutions climbs back, and after each of its blocks the encoder's feature map
of the same resolution is concatenated on (the skip connections), so fine detail of the source
reaches the output without squeezing through the bottleneck. The network always goes all the way
down to 1x1 (`log2(image_size)` levels), as the paper's 256x256 network does: the bottleneck then
sees the whole image, whatever its size. For `image_size=256, base_filters=64` this is the
paper's network (appendix 6.1.1):

| resolution       | 128 | 64  | 32  | 16  | 8   | 4   | 2   | 1 (bottleneck) |
|------------------|-----|-----|-----|-----|-----|-----|-----|----------------|
| encoder filters  | 64  | 128 | 256 | 512 | 512 | 512 | 512 | 512            |
| decoder filters  | 64  | 128 | 256 | 512 | 512 | 512 | 512 | -              |
| decoder dropout  |     |     |     |     | 0.5 | 0.5 | 0.5 |                |

The decoder's block at each resolution has as many filters as the encoder's, so each
concatenation doubles them (the paper's "CD1024"); its last layer maps 128 back to
`output_channels` at full resolution through tanh. Smaller images keep the same pattern with
fewer levels: at 32x32 the encoder is C64-C128-C256-C512-C512 and dropout sits at 2, 4 and 8.

Reference:
    - [Isola et al., 2017](https://arxiv.org/abs/1611.07004)
    - [Ronneberger et al., 2015](https://arxiv.org/abs/1505.04597) (U-Net)
"""

import keras

from kgan.networks import building_blocks

# 4x4 kernels with stride 2, as in the paper; every output pixel of a 4x4 stride-2 transposed
# convolution gets the same number of kernel taps, which avoids checkerboard artefacts.
KERNEL_SIZE = 4
MIN_IMAGE_SIZE = 32
# The paper puts dropout in the first three decoder blocks (resolutions 2, 4 and 8).
NUM_DROPOUT_BLOCKS = 3
NORMALIZATIONS = building_blocks.IMAGE_TO_IMAGE_NORMALIZATIONS


def unet_generator(
    image_size,
    input_channels=3,
    output_channels=3,
    base_filters=64,
    max_filters=512,
    normalization="batch",
    dropout=0.5,
    name="unet_generator",
):
    """Builds the pix2pix U-Net mapping source images to target images in [-1, 1].

    Encoder block: 4x4 stride-2 convolution, normalization, LeakyReLU(0.2); decoder block: 4x4
    stride-2 transposed convolution, normalization, dropout (first three blocks only), ReLU, then
    concatenation with the encoder's feature map at that resolution (see the module docstring for
    the table). Two layers are left unnormalized:

    - the first encoder convolution, as in the paper;
    - the 1x1 bottleneck. Batch normalization there would normalize a single value per channel
      when the batch has one image (pix2pix's batch size), zeroing the bottleneck; instance
      normalization would zero it at any batch size. The authors' code removes it too.

    The paper keeps dropout and batch statistics on at test time, as its only source of noise;
    this network follows Keras' convention (both off when `training=False`): call it with
    `training=True` to reproduce the paper's sampling.

    Args:
        image_size: Height and width of the square source and target images: a power of two >= 32
            (32, 64, 128, 256, 512, ...); the paper uses 256.
        input_channels: Channels of the source images. Defaults to `3`.
        output_channels: Channels of the generated images. Defaults to `3`.
        base_filters: Filters of the first encoder convolution (and of the last decoder block);
            they double at each halving of the resolution, up to `max_filters`. Defaults to `64`.
        max_filters: Cap on the filters of any layer. Defaults to `512`.
        normalization: `"batch"` (the paper), `"instance"` (each sample and channel normalized
            over height and width, by `keras.layers.GroupNormalization(groups=-1)`) or `None`.
            Defaults to `"batch"`.
        dropout: Dropout rate in the first three decoder blocks; `0` adds no dropout layers.
            Defaults to `0.5`.
        name: Name of the model. Defaults to `"unet_generator"`.

    Returns:
        A functional `keras.Model` with input `source` of shape
        `[batch, image_size, image_size, input_channels]` and float32 output of shape
        `[batch, image_size, image_size, output_channels]` in (-1, 1).

    Example:

    ```python
    generator = kgan.networks.unet_generator(image_size=64, input_channels=1)
    targets = generator(keras.random.uniform((4, 64, 64, 1), -1.0, 1.0))  # (4, 64, 64, 3)
    ```

    Reference:
        - [Isola et al., 2017](https://arxiv.org/abs/1611.07004)
        - [Ronneberger et al., 2015](https://arxiv.org/abs/1505.04597)
    """
    depth = _depth(image_size)
    building_blocks.check_positive_int("input_channels", input_channels)
    building_blocks.check_positive_int("output_channels", output_channels)
    base_filters = building_blocks.check_positive_int("base_filters", base_filters)
    max_filters = building_blocks.check_positive_int("max_filters", max_filters)
    if max_filters < base_filters:
        raise ValueError(
            "`max_filters` must be >= `base_filters`. "
            f"Received: max_filters={max_filters}, base_filters={base_filters}"
        )
    building_blocks.check_image_to_image_normalization(normalization)
    dropout = building_blocks.check_dropout(dropout)

    def filters(level):
        # Level 1 is the encoder's first output (half the image size), level `depth` is 1x1.
        return min(base_filters * 2 ** (level - 1), max_filters)

    source = keras.Input(shape=(image_size, image_size, input_channels), name="source")
    x = source
    skips = []
    for level in range(1, depth + 1):
        normalized = normalization is not None and 1 < level < depth
        x = keras.layers.Conv2D(
            filters(level),
            KERNEL_SIZE,
            strides=2,
            padding="same",
            use_bias=not normalized,
            kernel_initializer=building_blocks.pix2pix_initializer(),
            name=f"down{level}_conv",
        )(x)
        if normalized:
            x = building_blocks.image_to_image_normalization(
                x, normalization, name=f"down{level}_norm"
            )
        x = keras.layers.LeakyReLU(negative_slope=0.2, name=f"down{level}_leaky_relu")(x)
        skips.append(x)

    # Decoder block `block` climbs to the resolution of encoder level `depth - block`.
    for block, level in enumerate(range(depth - 1, 0, -1), start=1):
        x = keras.layers.Conv2DTranspose(
            filters(level),
            KERNEL_SIZE,
            strides=2,
            padding="same",
            use_bias=normalization is None,
            kernel_initializer=building_blocks.pix2pix_initializer(),
            name=f"up{block}_conv",
        )(x)
        x = building_blocks.image_to_image_normalization(x, normalization, name=f"up{block}_norm")
        if dropout and block <= NUM_DROPOUT_BLOCKS:
            x = keras.layers.Dropout(dropout, name=f"up{block}_dropout")(x)
        x = keras.layers.ReLU(name=f"up{block}_relu")(x)
        x = keras.layers.Concatenate(name=f"up{block}_skip")([x, skips[level - 1]])

    x = keras.layers.Conv2DTranspose(
        output_channels,
        KERNEL_SIZE,
        strides=2,
        padding="same",
        kernel_initializer=building_blocks.pix2pix_initializer(),
        name="output_conv",
    )(x)
    # float32 so that images come out float32 under a mixed-precision policy.
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(source, images, name=name)


def _depth(image_size):
    """Returns `log2(image_size)`, the number of stride-2 levels down to 1x1, or raises."""
    image_size = building_blocks.check_power_of_two_size(image_size, MIN_IMAGE_SIZE)
    return int(image_size).bit_length() - 1
