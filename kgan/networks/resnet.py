"""The CycleGAN ResNet generator (Zhu et al., 2017), after Johnson et al.'s transformation network.

A 7x7 convolution at full resolution, stride-2 convolutions down to a quarter of it, a stack of
residual blocks there, stride-2 transposed convolutions back up and a 7x7 convolution to the
output channels through tanh. With the defaults it is the paper's network for 256x256 images
(appendix 7.2), `c7s1-64, d128, d256, R256 x 9, u128, u64, c7s1-3`:

| layer            | c7s1-64 | d128 | d256 | R256 x 9 | u128 | u64 | c7s1-3 |
|------------------|---------|------|------|----------|------|-----|--------|
| resolution (256) | 256     | 128  | 64   | 64       | 128  | 256 | 256    |

The paper uses 6 residual blocks for 128x128 training images and 9 for 256x256 and higher. Each
layer but the last is followed by normalization (instance normalization in the paper) and ReLU;
a residual block is two 3x3 convolutions, `x + norm(conv(relu(norm(conv(x)))))`, with no ReLU
after the sum. Unlike the U-Net, the network has no skip connections across resolutions: the
source only reaches the output through the bottleneck, which is why it keeps a quarter of the
resolution and many channels.

Padding follows the authors' code, so that the network computes what theirs does (and their
trained weights would carry over): reflection padding before every 7x7 and residual-block
convolution (the paper pads so "to reduce artifacts" at the borders), and one pixel of zero
padding on each side of the stride-2 convolutions (PyTorch `padding=1`; Keras' `"same"` would pad
the bottom and right only). The transposed convolutions crop their first row and column, as
PyTorch's `padding=1, output_padding=1` does; Keras' `padding="same"` would crop the last ones
instead, one pixel off from this downsampling.

The network is fully convolutional: it can be built for one image size, or with
`image_size=None` for any size divisible by `2**num_downsampling`.

Reference:
    - [Zhu et al., 2017](https://arxiv.org/abs/1703.10593) (CycleGAN)
    - [Johnson et al., 2016](https://arxiv.org/abs/1603.08155)
    - [He et al., 2016](https://arxiv.org/abs/1512.03385) (residual blocks)
"""

import keras
import numpy as np

from kgan.layers import reflection_padding
from kgan.networks import building_blocks

NORMALIZATIONS = building_blocks.IMAGE_TO_IMAGE_NORMALIZATIONS
# The 7x7 convolutions at full resolution, reflection-padded by 3.
OUTER_KERNEL_SIZE = 7
KERNEL_SIZE = 3


def resnet_generator(
    image_size,
    input_channels=3,
    output_channels=3,
    num_blocks=9,
    filters=64,
    normalization="instance",
    num_downsampling=2,
    dropout=0.0,
    name="resnet_generator",
):
    """Builds the CycleGAN ResNet generator mapping source images to images in [-1, 1].

    See the module docstring for the layout. The convolutions have a bias with instance
    normalization or none, and no bias with batch normalization (whose offset replaces it), as
    in the authors' code. Before instance normalization the bias is in fact inert (the per-channel
    mean it shifts is subtracted right after), but keeping it keeps the parameters one-to-one with
    the authors' model. Instance normalization here has a learned scale and offset per channel
    (`keras.layers.GroupNormalization(groups=-1)`), where the authors' `InstanceNorm2d` has none:
    the paper's network has 11,378,179 parameters in their code and 11,388,675 here (2 x 5,248
    normalized channels more).

    Args:
        image_size: Height and width of the square source images: a multiple of
            `2**num_downsampling` at least `max(4, 2 * 2**num_downsampling)` (8 for the default,
            so that reflection padding fits at every resolution), or `None` for a model that
            takes any such size. The paper trains on 128 (with 6 blocks) and 256 (with 9).
        input_channels: Channels of the source images. Defaults to `3`.
        output_channels: Channels of the generated images. Defaults to `3`.
        num_blocks: Residual blocks at the lowest resolution: 6 in the paper for 128x128 images,
            9 for 256x256 and higher. Defaults to `9`.
        filters: Filters of the first convolution; they double at each downsampling (64, 128,
            256 in the paper). Defaults to `64`.
        normalization: `"instance"` (the paper), `"batch"` or `None`. Defaults to `"instance"`.
        num_downsampling: Stride-2 convolutions before the residual blocks (and transposed ones
            after). Defaults to `2`.
        dropout: Dropout rate between the two convolutions of each residual block, which the
            authors' code offers and leaves off for CycleGAN; `0` adds no dropout layers.
            Defaults to `0`.
        name: Name of the model. Defaults to `"resnet_generator"`.

    Returns:
        A functional `keras.Model` with input `source` of shape
        `[batch, image_size, image_size, input_channels]` and float32 output of the same height
        and width with `output_channels` channels, in (-1, 1).

    Example:

    ```python
    generator = kgan.networks.resnet_generator(128, num_blocks=6)
    translated = generator(keras.random.uniform((1, 128, 128, 3), -1.0, 1.0))  # (1, 128, 128, 3)
    ```

    Reference:
        - [Zhu et al., 2017](https://arxiv.org/abs/1703.10593) (appendix 7.2)
        - [Johnson et al., 2016](https://arxiv.org/abs/1603.08155)
    """
    input_channels = building_blocks.check_positive_int("input_channels", input_channels)
    output_channels = building_blocks.check_positive_int("output_channels", output_channels)
    num_blocks = building_blocks.check_positive_int("num_blocks", num_blocks)
    filters = building_blocks.check_positive_int("filters", filters)
    num_downsampling = building_blocks.check_positive_int("num_downsampling", num_downsampling)
    building_blocks.check_image_to_image_normalization(normalization)
    dropout = building_blocks.check_dropout(dropout)
    _check_image_size(image_size, num_downsampling)
    # The authors' `use_bias = norm_layer == InstanceNorm2d`; without normalization their code
    # drops the bias too, which leaves the network without any offset: keep it there instead.
    use_bias = normalization != "batch"

    def conv(x, layer_filters, kernel_size, name, strides=1, bias=use_bias, cls=None):
        return (cls or keras.layers.Conv2D)(
            layer_filters,
            kernel_size,
            strides=strides,
            padding="valid",
            use_bias=bias,
            kernel_initializer=building_blocks.pix2pix_initializer(),
            name=name,
        )(x)

    def norm_relu(x, name):
        x = building_blocks.image_to_image_normalization(x, normalization, name=f"{name}_norm")
        return keras.layers.ReLU(name=f"{name}_relu")(x)

    source = keras.Input(shape=(image_size, image_size, input_channels), name="source")
    x = reflection_padding.ReflectionPadding2D(3, name="stem_pad")(source)
    x = conv(x, filters, OUTER_KERNEL_SIZE, name="stem_conv")
    x = norm_relu(x, "stem")

    for level in range(1, num_downsampling + 1):
        x = keras.layers.ZeroPadding2D(1, name=f"down{level}_pad")(x)
        x = conv(x, filters * 2**level, KERNEL_SIZE, strides=2, name=f"down{level}_conv")
        x = norm_relu(x, f"down{level}")

    for block in range(1, num_blocks + 1):
        x = _residual_block(x, conv, normalization, dropout, name=f"block{block}")

    for level in range(num_downsampling - 1, -1, -1):
        up = num_downsampling - level
        x = conv(
            x,
            filters * 2**level,
            KERNEL_SIZE,
            strides=2,
            cls=keras.layers.Conv2DTranspose,
            name=f"up{up}_conv",
        )
        # The valid transposed convolution gives 2h + 1 rows; PyTorch's padding=1 with
        # output_padding=1 keeps rows 1..2h of them.
        x = keras.layers.Cropping2D(((1, 0), (1, 0)), name=f"up{up}_crop")(x)
        x = norm_relu(x, f"up{up}")

    x = reflection_padding.ReflectionPadding2D(3, name="output_pad")(x)
    x = conv(x, output_channels, OUTER_KERNEL_SIZE, bias=True, name="output_conv")
    # float32 so that images come out float32 under a mixed-precision policy.
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(source, images, name=name)


def _residual_block(inputs, conv, normalization, dropout, name):
    """`inputs + norm(conv(pad(dropout(relu(norm(conv(pad(inputs))))))))`, 3x3 convolutions."""
    channels = inputs.shape[-1]
    x = reflection_padding.ReflectionPadding2D(1, name=f"{name}_pad1")(inputs)
    x = conv(x, channels, KERNEL_SIZE, name=f"{name}_conv1")
    x = building_blocks.image_to_image_normalization(x, normalization, name=f"{name}_norm1")
    x = keras.layers.ReLU(name=f"{name}_relu")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name=f"{name}_dropout")(x)
    x = reflection_padding.ReflectionPadding2D(1, name=f"{name}_pad2")(x)
    x = conv(x, channels, KERNEL_SIZE, name=f"{name}_conv2")
    x = building_blocks.image_to_image_normalization(x, normalization, name=f"{name}_norm2")
    # No activation after the sum, as in the authors' code (unlike He et al.'s blocks).
    return keras.layers.Add(name=f"{name}_add")([inputs, x])


def _check_image_size(image_size, num_downsampling):
    """Raises unless `image_size` is `None` or a size every layer of the network can take."""
    if image_size is None:
        return
    factor = 2**num_downsampling
    # Reflection padding needs more rows than it pads: 3 at full size, 1 at the lowest size.
    min_size = max(OUTER_KERNEL_SIZE // 2 + 1, 2 * factor)
    integer = isinstance(image_size, (int, np.integer)) and not isinstance(image_size, bool)
    if not integer or image_size < min_size or image_size % factor:
        raise ValueError(
            f"`image_size` must be a multiple of {factor} (2**num_downsampling) and >= "
            f"{min_size} ({min_size}, {min_size + factor}, {min_size + 2 * factor}, ...), or "
            "None for a model that takes any such size; resize or crop the images to such a "
            f"size. Received: image_size={image_size!r}, num_downsampling={num_downsampling}"
        )
