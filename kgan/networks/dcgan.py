"""DCGAN generator and discriminator (Radford et al., 2016) for square power-of-two images.

Both networks work on a pyramid of resolutions 4, 8, ..., `image_size`. The generator climbs it
with stride-2 transposed convolutions, the discriminator descends it with stride-2 convolutions,
and the two use the same number of filters at the same resolution: `base_filters` next to the
image, doubling at each halving of the resolution, capped at `MAX_FILTER_MULTIPLIER * base_filters`.
For `image_size=64, base_filters=64` that gives the paper's layout at half its width:

| resolution | 4   | 8   | 16  | 32 | 64 (image) |
|------------|-----|-----|-----|----|------------|
| filters    | 512 | 256 | 128 | 64 | `channels` |

Reference:
    - [Radford et al., 2016](https://arxiv.org/abs/1511.06434)
"""

import keras

from kgan.networks import building_blocks

# A 4x4 kernel with stride 2 covers every output pixel with the same number of kernel taps; 5x5 (the
# paper's choice) or 3x3 do not, which is a known source of checkerboard artefacts
# (Odena et al., 2016, https://distill.pub/2016/deconv-checkerboard/).
KERNEL_SIZE = 4
# Both networks start (generator) or end (discriminator) at a 4x4 feature map.
BOTTOM_SIZE = 4
MIN_IMAGE_SIZE = 8
# The paper's 64x64 generator goes from 1024 filters at 4x4 to 128 at 32x32 (8x); capping there
# keeps 128x128 and larger networks from growing to thousands of filters at the bottom.
MAX_FILTER_MULTIPLIER = 8
NORMALIZATIONS = ("batch", "layer", None)


def dcgan_generator(
    latent_dim=128,
    image_size=32,
    channels=1,
    base_filters=64,
    normalization="batch",
    spectral_norm=False,
    name="dcgan_generator",
):
    """Builds a DCGAN generator mapping latent vectors to images in [-1, 1].

    A dense layer projects `z` to a 4x4 feature map; stride-2 transposed convolutions then double
    the resolution and halve the filters (see the module docstring for the table) up to
    `image_size`, each followed by normalization and ReLU; the last one produces `channels`
    channels through tanh. The tanh layer runs in float32 so that images come out float32 under a
    mixed-precision policy.

    Args:
        latent_dim: Size of the latent vector `z`. Defaults to `128`.
        image_size: Height and width of the square output images: a power of two >= 8 (8, 16, 32,
            64, 128, 256, ...). Defaults to `32`.
        channels: Number of image channels, e.g. 1 for grayscale, 3 for RGB. Defaults to `1`.
        base_filters: Filters of the last hidden layer (at half the image size); they double at
            each halving of the resolution, up to `8 * base_filters`. Defaults to `64`.
        normalization: `"batch"` (the paper), `"layer"` (each sample normalized over height, width
            and channels) or `None`. Defaults to `"batch"`.
        spectral_norm: Whether to wrap the dense and convolution layers in
            `keras.layers.SpectralNormalization`, as SAGAN does for its generator. Defaults to
            `False`.
        name: Name of the model. Defaults to `"dcgan_generator"`.

    Returns:
        A functional `keras.Model` with input `z` of shape `[batch, latent_dim]` and float32 output
        of shape `[batch, image_size, image_size, channels]` in [-1, 1].

    Example:

    ```python
    generator = kgan.networks.dcgan_generator(latent_dim=64, image_size=32, channels=3)
    images = generator(keras.random.normal((16, 64)))  # (16, 32, 32, 3)
    ```

    Reference:
        - [Radford et al., 2016](https://arxiv.org/abs/1511.06434)
    """
    building_blocks.check_positive_int("latent_dim", latent_dim)
    num_upsamplings = num_resolution_steps(image_size)
    building_blocks.check_positive_int("channels", channels)
    building_blocks.check_positive_int("base_filters", base_filters)
    _check_normalization(normalization)
    # A bias before a normalization layer is cancelled by its mean subtraction and replaced by its
    # offset (beta), so it would only add a useless parameter.
    use_bias = normalization is None

    latent = keras.Input(shape=(latent_dim,), name="z")
    filters = filters_at(base_filters, num_upsamplings - 1)
    x = building_blocks.layer_with_optional_spectral_norm(
        keras.layers.Dense,
        name="project",
        spectral_norm=spectral_norm,
        units=BOTTOM_SIZE * BOTTOM_SIZE * filters,
        use_bias=use_bias,
        kernel_initializer=weight_initializer(),
    )(latent)
    x = keras.layers.Reshape((BOTTOM_SIZE, BOTTOM_SIZE, filters), name="project_reshape")(x)
    x = _normalize(x, normalization, name="project_norm")
    x = keras.layers.ReLU(name="project_relu")(x)

    for block in range(1, num_upsamplings):
        x = building_blocks.layer_with_optional_spectral_norm(
            keras.layers.Conv2DTranspose,
            name=f"block{block}_conv",
            spectral_norm=spectral_norm,
            filters=filters_at(base_filters, num_upsamplings - 1 - block),
            kernel_size=KERNEL_SIZE,
            strides=2,
            padding="same",
            use_bias=use_bias,
            kernel_initializer=weight_initializer(),
        )(x)
        x = _normalize(x, normalization, name=f"block{block}_norm")
        x = keras.layers.ReLU(name=f"block{block}_relu")(x)

    # No normalization on the output layer (the paper): it would pin the image statistics.
    x = building_blocks.layer_with_optional_spectral_norm(
        keras.layers.Conv2DTranspose,
        name="output_conv",
        spectral_norm=spectral_norm,
        filters=channels,
        kernel_size=KERNEL_SIZE,
        strides=2,
        padding="same",
        kernel_initializer=weight_initializer(),
    )(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(latent, images, name=name)


def dcgan_discriminator(
    image_size=32,
    channels=1,
    base_filters=64,
    normalization="batch",
    spectral_norm=False,
    dropout=0.0,
    name="dcgan_discriminator",
):
    """Builds a DCGAN discriminator mapping images to one raw logit each.

    Stride-2 convolutions with LeakyReLU(0.2) halve the resolution and double the filters (see the
    module docstring for the table) down to 4x4; the feature map is then flattened into a dense
    layer with one output. The first convolution has no normalization, as in the paper: normalizing
    the input layer made their training oscillate. The output is a logit (no sigmoid, the losses
    take logits), computed in float32 so that mixed-precision losses stay stable.

    Batch normalization makes each sample's logit depend on the rest of its batch, which breaks the
    per-sample gradient the WGAN-GP penalty (Gulrajani et al., 2017) is defined on: use
    `normalization="layer"` or `None` for a critic trained with a gradient penalty.

    Args:
        image_size: Height and width of the square input images: a power of two >= 8 (8, 16, 32,
            64, 128, 256, ...). Defaults to `32`.
        channels: Number of image channels. Defaults to `1`.
        base_filters: Filters of the first convolution; they double at each halving of the
            resolution, up to `8 * base_filters`. Defaults to `64`.
        normalization: `"batch"` (the paper), `"layer"` (each sample normalized over height, width
            and channels, as the WGAN-GP paper suggests) or `None`. Defaults to `"batch"`.
        spectral_norm: Whether to wrap the convolutions and the dense layer in
            `keras.layers.SpectralNormalization`. Defaults to `False`.
        dropout: Dropout rate after each LeakyReLU; `0` adds no dropout layers. Defaults to `0.0`.
        name: Name of the model. Defaults to `"dcgan_discriminator"`.

    Returns:
        A functional `keras.Model` with input `images` of shape
        `[batch, image_size, image_size, channels]` and float32 logits of shape `[batch, 1]`.

    Example:

    ```python
    critic = kgan.networks.dcgan_discriminator(image_size=32, channels=3, normalization="layer")
    logits = critic(keras.random.uniform((16, 32, 32, 3), -1.0, 1.0))  # (16, 1)
    ```

    Reference:
        - [Radford et al., 2016](https://arxiv.org/abs/1511.06434)
        - [Miyato et al., 2018](https://arxiv.org/abs/1802.05957) (spectral normalization)
        - [Gulrajani et al., 2017](https://arxiv.org/abs/1704.00028) (gradient penalty)
    """
    num_downsamplings = num_resolution_steps(image_size)
    building_blocks.check_positive_int("channels", channels)
    building_blocks.check_positive_int("base_filters", base_filters)
    _check_normalization(normalization)
    dropout = building_blocks.check_dropout(dropout)

    images = keras.Input(shape=(image_size, image_size, channels), name="images")
    x = images
    for block in range(num_downsamplings):
        normalized = normalization is not None and block > 0
        x = building_blocks.layer_with_optional_spectral_norm(
            keras.layers.Conv2D,
            name=f"block{block + 1}_conv",
            spectral_norm=spectral_norm,
            filters=filters_at(base_filters, block),
            kernel_size=KERNEL_SIZE,
            strides=2,
            padding="same",
            use_bias=not normalized,
            kernel_initializer=weight_initializer(),
        )(x)
        if normalized:
            x = _normalize(x, normalization, name=f"block{block + 1}_norm")
        x = keras.layers.LeakyReLU(negative_slope=0.2, name=f"block{block + 1}_leaky_relu")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"block{block + 1}_dropout")(x)

    x = keras.layers.Flatten(name="flatten")(x)
    logits = building_blocks.layer_with_optional_spectral_norm(
        keras.layers.Dense,
        name="logits",
        spectral_norm=spectral_norm,
        units=1,
        kernel_initializer=weight_initializer(),
        dtype="float32",
    )(x)
    return keras.Model(images, logits, name=name)


def num_resolution_steps(image_size):
    """Returns how many stride-2 layers lie between a 4x4 map and `image_size`, or raises."""
    image_size = building_blocks.check_power_of_two_size(image_size, MIN_IMAGE_SIZE)
    return int(image_size).bit_length() - BOTTOM_SIZE.bit_length()


def filters_at(base_filters, depth):
    """Filters `depth` halvings of the resolution away from the image: doubling, then capped."""
    return base_filters * min(2**depth, MAX_FILTER_MULTIPLIER)


def _check_normalization(normalization):
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"`normalization` must be one of {NORMALIZATIONS}. "
            f"Received: normalization={normalization!r}"
        )


def _normalize(x, normalization, name):
    if normalization == "batch":
        # Momentum 0.9 (PyTorch's 0.1) rather than Keras's 0.99: the generator's weights move
        # quickly, and the moving statistics used at inference should follow recent weights.
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)(x)
    if normalization == "layer":
        # Layer normalization of a feature map normalizes each sample over height, width and
        # channels: group normalization with a single group (Wu & He, 2018). Keras's
        # `LayerNormalization(axis=-1)` would normalize each pixel over its channels only.
        return keras.layers.GroupNormalization(groups=1, epsilon=1e-5, name=name)(x)
    return x


def weight_initializer():
    # The paper initializes all weights from N(0, 0.02). A fresh object per layer, since Keras
    # warns when one seeded initializer instance is shared.
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)
