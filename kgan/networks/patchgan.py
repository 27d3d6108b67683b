"""The PatchGAN discriminator (Isola et al., 2017): one real/fake logit per image patch.

Instead of one logit per image, the network is fully convolutional and returns a map of logits,
each judging one overlapping patch of the input; averaging a loss over the map asks every patch to
look real, which models high-frequency structure while the L1 term of pix2pix takes care of the
low frequencies. With `num_layers=3` it is the paper's 70x70 PatchGAN (appendix 6.1.2),
C64-C128-C256-C512 followed by a 1-filter convolution: all 4x4 kernels, the first three with
stride 2, the last two with stride 1. Each logit sees a 70x70 window of the input (its receptive
field, see `patchgan_receptive_field`):

| `num_layers`     | 1  | 2  | 3 (paper) | 4   | 5   |
|------------------|----|----|-----------|-----|-----|
| receptive field  | 16 | 34 | 70        | 142 | 286 |

Every convolution pads its input by one pixel on each side, as the authors' code does, so each
stride-2 layer halves the size and each stride-1 layer takes one pixel off: a 256x256 input gives
the paper's 30x30 map, 128 gives 14x14, 64 gives 6x6 and 32 gives 2x2.

For pix2pix the discriminator judges the target *given* the source: both are concatenated along
the channels (`conditional=True`). CycleGAN's discriminators see images alone
(`conditional=False`) and use instance normalization.

Reference:
    - [Isola et al., 2017](https://arxiv.org/abs/1611.07004)
    - [Zhu et al., 2017](https://arxiv.org/abs/1703.10593) (CycleGAN)
"""

import keras
import numpy as np

from kgan.networks import building_blocks

KERNEL_SIZE = 4
# Filters double with each stride-2 layer up to 8x `base_filters` (C512 for base 64).
MAX_FILTER_MULTIPLIER = 8
NORMALIZATIONS = building_blocks.IMAGE_TO_IMAGE_NORMALIZATIONS


def patchgan_discriminator(
    image_size,
    source_channels=3,
    target_channels=3,
    base_filters=64,
    num_layers=3,
    normalization="batch",
    conditional=True,
    name="patchgan_discriminator",
):
    """Builds a PatchGAN discriminator returning a map of raw logits, one per image patch.

    `num_layers` stride-2 convolutions (filters `base_filters`, doubling, capped at
    `8 * base_filters`) are followed by a stride-1 convolution with the next filter count and a
    stride-1 convolution to one logit per position. All but the first and the last are normalized;
    all but the last are followed by LeakyReLU(0.2). The logits (no sigmoid: the losses take
    logits) are computed in float32 so that mixed-precision losses stay stable.

    Args:
        image_size: Height and width of the square input images. Any size whose logit map is at
            least 1x1 works: `image_size >= 3 * 2**num_layers` (24 for the default).
        source_channels: Channels of the `source` input; ignored when `conditional=False`.
            Defaults to `3`.
        target_channels: Channels of the `images` input (the real or generated target).
            Defaults to `3`.
        base_filters: Filters of the first convolution. Defaults to `64`.
        num_layers: Number of stride-2 convolutions; 3 gives the 70x70 receptive field of the
            paper (see the module docstring for the others). Defaults to `3`.
        normalization: `"batch"` (pix2pix), `"instance"` (CycleGAN; each sample and channel
            normalized over height and width, by `keras.layers.GroupNormalization(groups=-1)`)
            or `None`. Defaults to `"batch"`.
        conditional: If `True` (pix2pix), the network takes `[source, images]` and judges their
            channel-wise concatenation; if `False` (CycleGAN), it takes `images` alone.
            Defaults to `True`.
        name: Name of the model. Defaults to `"patchgan_discriminator"`.

    Returns:
        A functional `keras.Model` with inputs `source`
        (`[batch, image_size, image_size, source_channels]`, only if `conditional`) and `images`
        (`[batch, image_size, image_size, target_channels]`), and float32 logits of shape
        `[batch, size, size, 1]` where `size = image_size // 2**num_layers - 2`.

    Example:

    ```python
    discriminator = kgan.networks.patchgan_discriminator(image_size=256)
    source = keras.random.uniform((1, 256, 256, 3), -1.0, 1.0)
    target = keras.random.uniform((1, 256, 256, 3), -1.0, 1.0)
    logits = discriminator({"source": source, "images": target})  # (1, 30, 30, 1)
    ```

    Reference:
        - [Isola et al., 2017](https://arxiv.org/abs/1611.07004)
        - [Zhu et al., 2017](https://arxiv.org/abs/1703.10593)
    """
    num_layers = building_blocks.check_positive_int("num_layers", num_layers)
    _check_image_size(image_size, num_layers)
    building_blocks.check_positive_int("source_channels", source_channels)
    building_blocks.check_positive_int("target_channels", target_channels)
    base_filters = building_blocks.check_positive_int("base_filters", base_filters)
    building_blocks.check_image_to_image_normalization(normalization)

    images = keras.Input(shape=(image_size, image_size, target_channels), name="images")
    if conditional:
        source = keras.Input(shape=(image_size, image_size, source_channels), name="source")
        inputs = [source, images]
        x = keras.layers.Concatenate(name="source_and_images")([source, images])
    else:
        inputs = images
        x = images

    # Blocks 1..num_layers have stride 2, block num_layers + 1 has stride 1.
    for block in range(1, num_layers + 2):
        normalized = normalization is not None and block > 1
        filters = base_filters * min(2 ** (block - 1), MAX_FILTER_MULTIPLIER)
        x = _padded_conv(
            x,
            filters,
            strides=2 if block <= num_layers else 1,
            use_bias=not normalized,
            name=f"block{block}",
        )
        if normalized:
            x = building_blocks.image_to_image_normalization(
                x, normalization, name=f"block{block}_norm"
            )
        x = keras.layers.LeakyReLU(negative_slope=0.2, name=f"block{block}_leaky_relu")(x)

    logits = _padded_conv(x, 1, strides=1, use_bias=True, name="logits", dtype="float32")
    return keras.Model(inputs, logits, name=name)


def patchgan_receptive_field(num_layers=3):
    """Returns the height (and width) of the input window each PatchGAN logit depends on.

    Walking back from one logit: a 4x4 stride-1 convolution widens the window by 3 pixels, a 4x4
    stride-2 one maps a window of `w` to `2 * w + 2`.

    Args:
        num_layers: Number of stride-2 convolutions, as for `patchgan_discriminator`.
            Defaults to `3`.

    Returns:
        The receptive field in pixels: 70 for `num_layers=3`.
    """
    num_layers = building_blocks.check_positive_int("num_layers", num_layers)
    field = 1 + 2 * (KERNEL_SIZE - 1)  # the two stride-1 convolutions
    for _ in range(num_layers):
        field = (field - 1) * 2 + KERNEL_SIZE
    return field


def _padded_conv(x, filters, strides, use_bias, name, dtype=None):
    # One pixel of zero padding on each side then a valid convolution, as the authors' code
    # (PyTorch `padding=1`) does. Keras' "same" would pad a stride-1 4x4 convolution
    # asymmetrically (1 before, 2 after) and keep the size, shifting the patches.
    x = keras.layers.ZeroPadding2D(1, name=f"{name}_pad", dtype=dtype)(x)
    return keras.layers.Conv2D(
        filters,
        KERNEL_SIZE,
        strides=strides,
        padding="valid",
        use_bias=use_bias,
        kernel_initializer=building_blocks.pix2pix_initializer(),
        dtype=dtype,
        name=name if name == "logits" else f"{name}_conv",
    )(x)


def _check_image_size(image_size, num_layers):
    min_size = 3 * 2**num_layers
    if (
        isinstance(image_size, bool)
        or not isinstance(image_size, (int, np.integer))
        or image_size < min_size
    ):
        raise ValueError(
            f"`image_size` must be an integer >= {min_size} for num_layers={num_layers} (the "
            f"logit map must be at least 1x1). Received: image_size={image_size!r}"
        )
