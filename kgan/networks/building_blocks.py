"""Argument checks and layer wrapping shared by the network builders.

Used by every `kgan.networks` builder: each validates its arguments and wraps layers in
spectral normalization the same way, so the messages and layer names read alike across networks.
"""

import keras
import numpy as np


def check_positive_int(name, value):
    """Raises `ValueError` unless `value` is an integer of at least 1.

    Booleans are refused although Python counts them as integers: `channels=True` is a mistake,
    not a request for one channel.

    Args:
        name: The argument's name, for the message.
        value: The value to check.

    Returns:
        `value` as a Python int (NumPy integers, e.g. from an array's shape, are accepted).
    """
    if not _is_integer(value) or value < 1:
        raise ValueError(f"`{name}` must be an integer >= 1. Received: {name}={value!r}")
    return int(value)


def check_power_of_two_size(image_size, minimum):
    """Returns `image_size` as an int if it is a power of two >= `minimum`, else raises.

    Args:
        image_size: The image side to check.
        minimum: The smallest size the network takes (itself a power of two).

    Returns:
        `image_size` as a Python int.
    """
    if not _is_integer(image_size) or image_size < minimum or image_size & (image_size - 1):
        examples = ", ".join(str(minimum << step) for step in range(5))
        raise ValueError(
            f"`image_size` must be a power of two >= {minimum} ({examples}, ...). "
            f"Received: image_size={image_size!r}"
        )
    return int(image_size)


def _is_integer(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_shape(name, shape):
    """Turns an int or a sequence of positive ints into a shape tuple, or raises `ValueError`.

    Args:
        name: The argument's name, for the message.
        shape: An int `D` (meaning `(D,)`) or a non-empty sequence of ints >= 1, such as
            `(H, W, C)`.

    Returns:
        The shape as a tuple of ints.
    """
    received = shape
    if _is_integer(shape):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        shape = ()
    if not shape or not all(_is_integer(size) and size >= 1 for size in shape):
        raise ValueError(
            f"`{name}` must be an int or a non-empty tuple of ints >= 1, such as (64,) or "
            f"(28, 28, 1). Received: {name}={received!r}"
        )
    return tuple(int(size) for size in shape)


def check_dropout(dropout):
    """Raises `ValueError` unless `0 <= dropout < 1`.

    Args:
        dropout: The dropout rate to check.

    Returns:
        `dropout` as a float.
    """
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"`dropout` must be a number in [0, 1). Received: dropout={dropout!r}")
    return float(dropout)


def layer_with_optional_spectral_norm(layer_class, name, spectral_norm, **kwargs):
    """Builds `layer_class(name=name, **kwargs)`, wrapped in spectral normalization if asked.

    The wrapper takes the given name (the layer inside gets a `_wrapped` suffix), so
    `model.get_layer("logits")` finds the same place in the network with and without spectral
    normalization. The wrapper also gets the layer's `dtype`: Keras casts a layer's inputs to its
    own compute dtype and `SpectralNormalization` casts its output back to its input dtype, so a
    float32 layer inside a mixed-precision wrapper would still hand out float16.

    Args:
        layer_class: A layer class with a `kernel`, e.g. `keras.layers.Dense`, `Conv2D` or
            `Conv2DTranspose`.
        name: The name of the returned layer.
        spectral_norm: Whether to wrap the layer in `keras.layers.SpectralNormalization`.
        **kwargs: Passed to `layer_class`.

    Returns:
        The layer, or a `keras.layers.SpectralNormalization` wrapping it.

    Reference:
        - [Miyato et al., 2018](https://arxiv.org/abs/1802.05957)
    """
    if not spectral_norm:
        return layer_class(name=name, **kwargs)
    layer = layer_class(name=f"{name}_wrapped", **kwargs)
    return keras.layers.SpectralNormalization(layer, name=name, dtype=kwargs.get("dtype"))


# Normalizations of the image-to-image networks (U-Net, PatchGAN, and CycleGAN's).
IMAGE_TO_IMAGE_NORMALIZATIONS = ("batch", "instance", None)


def check_image_to_image_normalization(normalization):
    """Raises `ValueError` unless `normalization` is one of `IMAGE_TO_IMAGE_NORMALIZATIONS`."""
    if normalization not in IMAGE_TO_IMAGE_NORMALIZATIONS:
        raise ValueError(
            f"`normalization` must be one of {IMAGE_TO_IMAGE_NORMALIZATIONS}. "
            f"Received: normalization={normalization!r}"
        )


def image_to_image_normalization(x, normalization, name):
    """Applies `"batch"`, `"instance"` or no (`None`) normalization to `x`."""
    if normalization == "batch":
        # Momentum 0.9 (PyTorch's 0.1, which the paper's code uses) rather than Keras's 0.99.
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)(x)
    if normalization == "instance":
        # One group per channel: each sample and channel normalized over height and width
        # (Ulyanov et al., 2016), with a learned scale and offset per channel.
        return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)(x)
    return x


def pix2pix_initializer():
    """N(0, 0.02) kernels, as pix2pix and CycleGAN initialize; a fresh object per layer (Keras
    warns when one seeded initializer instance is shared)."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)
