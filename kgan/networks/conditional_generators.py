"""Conditional generators: `[z, labels] -> samples`, for `kgan.ConditionalGAN`.

A condition is either a class id (int, shape `[batch]`) or an attribute vector (multi-hot float,
shape `[batch, condition_dim]`). Every generator here is a functional `keras.Model` with inputs
named `z` and `labels`.

The generators wrap an unconditional generator of this package: the condition's encoding is
concatenated with `z` and fed to it (Mirza & Osindero 2014; Reed et al. 2016 embed the text the
same way). The DCGAN generator can also take the condition at every resolution through
`kgan.layers.ConditionalBatchNormalization` (`normalization="conditional_batch"`).

Reference:
    - [Mirza & Osindero, 2014](https://arxiv.org/abs/1411.1784)
    - [Reed et al., 2016](https://arxiv.org/abs/1605.05396)
    - [de Vries et al., 2017](https://arxiv.org/abs/1707.00683)
"""

import keras

from kgan.layers import conditional_batch_normalization
from kgan.networks import building_blocks
from kgan.networks import dcgan
from kgan.networks import label_encoding
from kgan.networks import mlp


def conditional_generator(
    generator,
    num_classes=None,
    condition_dim=None,
    embedding_dim=None,
    name="conditional_generator",
):
    """Makes an unconditional generator conditional: `G([z, y]) = generator(concat(z, e(y)))`.

    The wrapped generator takes vectors of size `latent_dim + condition size`, where the condition
    size is `embedding_dim`, else `num_classes` (one-hot) or `condition_dim` (attributes as
    given); `latent_dim` is what is left of its input.

    Args:
        generator: A `keras.Model` with one input of shape `[batch, latent_dim + condition size]`.
        num_classes: Number of classes (class-id conditions). Defaults to `None`.
        condition_dim: Attribute vector length (multi-hot conditions). Defaults to `None`.
        embedding_dim: Size of a learned label embedding; `None` concatenates the one-hot or
            attribute vector itself. Defaults to `None`.
        name: Name of the model. Defaults to `"conditional_generator"`.

    Returns:
        A functional `keras.Model` with inputs `z` `[batch, latent_dim]` and `labels`, and the
        wrapped generator's output.

    Example:

    ```python
    inner = kgan.networks.dcgan_generator(latent_dim=64 + 10, image_size=32)
    generator = kgan.networks.conditional_generator(inner, num_classes=10)
    images = generator([keras.random.normal((4, 64)), np.array([0, 1, 2, 3])])
    ```
    """
    size = label_encoding.condition_size(num_classes, condition_dim, embedding_dim)
    if not isinstance(generator, keras.Model) or len(generator.inputs) != 1:
        raise ValueError(
            "conditional_generator wraps a functional keras.Model with one input of shape "
            f"[batch, latent_dim + condition size]; got {generator!r}."
        )
    total = generator.inputs[0].shape[-1]
    if len(generator.inputs[0].shape) != 2 or total is None or total <= size:
        raise ValueError(
            f"The wrapped generator's input {tuple(generator.inputs[0].shape)} leaves no room for "
            f"a latent vector beside the condition of size {size}: build it for "
            f"latent_dim + {size} inputs."
        )
    latent = keras.Input(shape=(total - size,), name="z")
    labels = label_encoding.label_input(num_classes, condition_dim)
    encoded = label_encoding.embed_labels(labels, num_classes, condition_dim, embedding_dim)
    joined = keras.layers.Concatenate(name="z_and_condition")([latent, encoded])
    return keras.Model([latent, labels], generator(joined), name=name)


def conditional_mlp_generator(
    latent_dim,
    output_shape,
    num_classes=None,
    condition_dim=None,
    embedding_dim=None,
    name="conditional_mlp_generator",
    **kwargs,
):
    """A conditional `mlp_generator`: the label encoding is concatenated with `z`.

    Args:
        latent_dim: Size of the latent vector `z`.
        output_shape: Shape of one sample, as for `mlp_generator`.
        num_classes: Number of classes (class-id conditions). Defaults to `None`.
        condition_dim: Attribute vector length (multi-hot conditions). Defaults to `None`.
        embedding_dim: Size of a learned label embedding; `None` for one-hot / raw attributes.
            Defaults to `None`.
        name: Name of the model. Defaults to `"conditional_mlp_generator"`.
        **kwargs: Passed to `mlp_generator` (`hidden_units`, `activation`, `output_activation`).

    Returns:
        A functional `keras.Model` with inputs `z` and `labels`.
    """
    building_blocks.check_positive_int("latent_dim", latent_dim)
    size = label_encoding.condition_size(num_classes, condition_dim, embedding_dim)
    inner = mlp.mlp_generator(latent_dim + size, output_shape, name=f"{name}_body", **kwargs)
    return conditional_generator(inner, num_classes, condition_dim, embedding_dim, name=name)


def conditional_dcgan_generator(
    latent_dim=128,
    image_size=32,
    channels=1,
    num_classes=None,
    condition_dim=None,
    embedding_dim=None,
    normalization="batch",
    name="conditional_dcgan_generator",
    **kwargs,
):
    """A conditional DCGAN generator: the label encoding is concatenated with `z`.

    With `normalization="conditional_batch"` every batch normalization of the DCGAN stack
    becomes a `ConditionalBatchNormalization` whose scale and offset are predicted from the
    label encoding (de Vries et al. 2017; Miyato & Koyama 2018 pair it with the projection
    discriminator), so the condition reaches every resolution and not only the first layer.

    Args:
        latent_dim: Size of the latent vector `z`. Defaults to `128`.
        image_size: Output image size, as for `dcgan_generator`. Defaults to `32`.
        channels: Image channels. Defaults to `1`.
        num_classes: Number of classes (class-id conditions). Defaults to `None`.
        condition_dim: Attribute vector length (multi-hot conditions). Defaults to `None`.
        embedding_dim: Size of a learned label embedding; `None` for one-hot / raw attributes.
            Defaults to `None`.
        normalization: `"batch"`, `"layer"`, `None` (as for `dcgan_generator`) or
            `"conditional_batch"`. Defaults to `"batch"`.
        name: Name of the model. Defaults to `"conditional_dcgan_generator"`.
        **kwargs: Passed to `dcgan_generator` (`base_filters`, `spectral_norm`).

    Returns:
        A functional `keras.Model` with inputs `z` and `labels` and images in [-1, 1].

    Reference:
        - [de Vries et al., 2017](https://arxiv.org/abs/1707.00683) (conditional batch norm)
    """
    building_blocks.check_positive_int("latent_dim", latent_dim)
    size = label_encoding.condition_size(num_classes, condition_dim, embedding_dim)
    if normalization == "conditional_batch":
        return _conditional_batch_norm_dcgan_generator(
            latent_dim,
            image_size,
            channels,
            num_classes,
            condition_dim,
            embedding_dim,
            name=name,
            **kwargs,
        )
    inner = dcgan.dcgan_generator(
        latent_dim + size,
        image_size,
        channels,
        normalization=normalization,
        name=f"{name}_body",
        **kwargs,
    )
    return conditional_generator(inner, num_classes, condition_dim, embedding_dim, name=name)


def _conditional_batch_norm_dcgan_generator(
    latent_dim,
    image_size,
    channels,
    num_classes,
    condition_dim,
    embedding_dim,
    base_filters=64,
    spectral_norm=False,
    name="conditional_dcgan_generator",
):
    """The DCGAN generator stack with conditional batch norm (see `conditional_dcgan_generator`)."""
    num_upsamplings = dcgan.num_resolution_steps(image_size)
    building_blocks.check_positive_int("channels", channels)
    building_blocks.check_positive_int("base_filters", base_filters)
    latent = keras.Input(shape=(latent_dim,), name="z")
    labels = label_encoding.label_input(num_classes, condition_dim)
    encoded = label_encoding.embed_labels(labels, num_classes, condition_dim, embedding_dim)
    x = keras.layers.Concatenate(name="z_and_condition")([latent, encoded])

    def layer(layer_class, layer_name, **layer_kwargs):
        return building_blocks.layer_with_optional_spectral_norm(
            layer_class,
            name=layer_name,
            spectral_norm=spectral_norm,
            use_bias=False,  # the conditional offset replaces the bias
            kernel_initializer=dcgan.weight_initializer(),
            **layer_kwargs,
        )

    filters = dcgan.filters_at(base_filters, num_upsamplings - 1)
    x = layer(keras.layers.Dense, "project", units=dcgan.BOTTOM_SIZE**2 * filters)(x)
    x = keras.layers.Reshape(
        (dcgan.BOTTOM_SIZE, dcgan.BOTTOM_SIZE, filters), name="project_reshape"
    )(x)
    x = conditional_batch_normalization.ConditionalBatchNormalization(name="project_norm")(
        [x, encoded]
    )
    x = keras.layers.ReLU(name="project_relu")(x)
    for block in range(1, num_upsamplings):
        x = layer(
            keras.layers.Conv2DTranspose,
            f"block{block}_conv",
            filters=dcgan.filters_at(base_filters, num_upsamplings - 1 - block),
            kernel_size=dcgan.KERNEL_SIZE,
            strides=2,
            padding="same",
        )(x)
        x = conditional_batch_normalization.ConditionalBatchNormalization(
            name=f"block{block}_norm"
        )([x, encoded])
        x = keras.layers.ReLU(name=f"block{block}_relu")(x)
    x = building_blocks.layer_with_optional_spectral_norm(
        keras.layers.Conv2DTranspose,
        name="output_conv",
        spectral_norm=spectral_norm,
        filters=channels,
        kernel_size=dcgan.KERNEL_SIZE,
        strides=2,
        padding="same",
        kernel_initializer=dcgan.weight_initializer(),
    )(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model([latent, labels], images, name=name)
