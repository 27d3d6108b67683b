"""Fully connected generator and discriminator (Goodfellow et al., 2014) for vector data.

Multilayer perceptrons are the networks of the original GAN paper. They suit low-dimensional data
(2-D mixtures of Gaussians, tabular rows) and small images such as 28x28 digits, where they train in
seconds on a CPU. Images are flattened at the discriminator's input and the generator's output is
reshaped to `(H, W, C)` when such an `output_shape` is given.

Reference:
    - [Goodfellow et al., 2014](https://arxiv.org/abs/1406.2661)
"""

import math

import keras

from kgan.networks import building_blocks


def mlp_generator(
    latent_dim,
    output_shape,
    hidden_units=(256, 256),
    activation="relu",
    output_activation="tanh",
    name="mlp_generator",
):
    """Builds a fully connected generator mapping latent vectors to samples of `output_shape`.

    Each hidden layer is a dense layer with `activation`; a last dense layer produces
    `prod(output_shape)` values, reshaped to `output_shape` and passed through `output_activation`.
    The output activation runs in float32 so that samples come out float32 under a
    mixed-precision policy.

    Args:
        latent_dim: Size of the latent vector `z`.
        output_shape: Shape of one sample: an int `D`, `(D,)` for vectors or `(H, W, C)` for
            images.
        hidden_units: Units of each hidden layer, input side first; `()` gives a linear map.
            Defaults to `(256, 256)`.
        activation: Name of the hidden layers' activation, any of `keras.activations` (e.g.
            `"relu"`, `"leaky_relu"`, `"gelu"`). Defaults to `"relu"`.
        output_activation: Name of the output activation: `"tanh"` for data scaled to [-1, 1],
            or `None` for unbounded data. Defaults to `"tanh"`.
        name: Name of the model. Defaults to `"mlp_generator"`.

    Returns:
        A functional `keras.Model` with input `z` of shape `[batch, latent_dim]` and float32 output
        of shape `[batch, *output_shape]`.

    Example:

    ```python
    generator = kgan.networks.mlp_generator(latent_dim=2, output_shape=(2,), output_activation=None)
    points = generator(keras.random.normal((512, 2)))  # (512, 2)
    ```

    Reference:
        - [Goodfellow et al., 2014](https://arxiv.org/abs/1406.2661)
    """
    building_blocks.check_positive_int("latent_dim", latent_dim)
    output_shape = building_blocks.check_shape("output_shape", output_shape)
    hidden_units = check_hidden_units(hidden_units)
    _check_activation("activation", activation)
    _check_activation("output_activation", output_activation)

    latent = keras.Input(shape=(latent_dim,), name="z")
    x = latent
    for index, units in enumerate(hidden_units, start=1):
        x = keras.layers.Dense(units, activation=activation, name=f"hidden{index}")(x)
    x = keras.layers.Dense(math.prod(output_shape), name="output_dense")(x)
    if len(output_shape) > 1:
        x = keras.layers.Reshape(output_shape, name="output_reshape")(x)
    # The last layer always runs in float32 (a linear activation when there is none), so the output
    # dtype does not depend on the mixed-precision policy. It comes after the reshape, since a
    # reshape under a float16 policy would cast float32 values back to float16.
    outputs = keras.layers.Activation(
        output_activation or "linear", dtype="float32", name="outputs"
    )(x)
    return keras.Model(latent, outputs, name=name)


def mlp_discriminator(
    input_shape,
    hidden_units=(256, 256),
    spectral_norm=False,
    dropout=0.0,
    name="mlp_discriminator",
):
    """Builds a fully connected discriminator mapping samples to one raw logit each.

    Inputs of rank above one, such as `(H, W, C)` images, are flattened first. Each hidden layer is
    a dense layer with LeakyReLU(0.2), which keeps gradients flowing to the generator where ReLU
    would zero them; the last dense layer has one output, a logit (no sigmoid, the losses take
    logits), computed in float32 so that mixed-precision losses stay stable.

    Args:
        input_shape: Shape of one sample: an int `D`, `(D,)` for vectors or `(H, W, C)` for
            images.
        hidden_units: Units of each hidden layer, input side first. Defaults to `(256, 256)`.
        spectral_norm: Whether to wrap every dense layer in `keras.layers.SpectralNormalization`.
            Defaults to `False`.
        dropout: Dropout rate after each hidden layer, as the original paper used;
            `0` adds no dropout layers. Defaults to `0.0`.
        name: Name of the model. Defaults to `"mlp_discriminator"`.

    Returns:
        A functional `keras.Model` with input `images` of shape `[batch, *input_shape]` (named
        like the convolutional discriminators' input even for vectors, so every discriminator is
        called the same way) and float32 logits of shape `[batch, 1]`.

    Example:

    ```python
    discriminator = kgan.networks.mlp_discriminator(input_shape=(28, 28, 1), spectral_norm=True)
    logits = discriminator(keras.random.uniform((16, 28, 28, 1), -1.0, 1.0))  # (16, 1)
    ```

    Reference:
        - [Goodfellow et al., 2014](https://arxiv.org/abs/1406.2661)
        - [Miyato et al., 2018](https://arxiv.org/abs/1802.05957) (spectral normalization)
    """
    input_shape = building_blocks.check_shape("input_shape", input_shape)
    hidden_units = check_hidden_units(hidden_units)
    dropout = building_blocks.check_dropout(dropout)

    samples = keras.Input(shape=input_shape, name="images")
    x = samples
    if len(input_shape) > 1:
        x = keras.layers.Flatten(name="flatten")(x)
    for index, units in enumerate(hidden_units, start=1):
        x = building_blocks.layer_with_optional_spectral_norm(
            keras.layers.Dense, name=f"hidden{index}", spectral_norm=spectral_norm, units=units
        )(x)
        x = keras.layers.LeakyReLU(negative_slope=0.2, name=f"hidden{index}_leaky_relu")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"hidden{index}_dropout")(x)
    logits = building_blocks.layer_with_optional_spectral_norm(
        keras.layers.Dense, name="logits", spectral_norm=spectral_norm, units=1, dtype="float32"
    )(x)
    return keras.Model(samples, logits, name=name)


def check_hidden_units(hidden_units):
    """Returns `hidden_units` as a tuple of ints >= 1, or raises `ValueError`."""
    if isinstance(hidden_units, int) and not isinstance(hidden_units, bool):
        hidden_units = (hidden_units,)
    try:
        units = tuple(hidden_units)
    except TypeError:
        units = None
    if units is None or not all(
        isinstance(size, int) and not isinstance(size, bool) and size >= 1 for size in units
    ):
        raise ValueError(
            "`hidden_units` must be a sequence of ints >= 1, such as (256, 256). "
            f"Received: hidden_units={hidden_units!r}"
        )
    return units


def _check_activation(name, activation):
    """Raises `ValueError` unless `activation` is `None` or the name of a Keras activation.

    Only names are accepted: a Python function would need `custom_objects`, or an unsafe load, to
    come back from a `.keras` file.
    """
    if activation is None:
        return
    try:
        if not isinstance(activation, str):
            raise ValueError
        keras.activations.get(activation)
    except ValueError:
        raise ValueError(
            f"`{name}` must be None or the name of a Keras activation, such as 'relu' or 'tanh'. "
            f"Received: {name}={activation!r}"
        ) from None
