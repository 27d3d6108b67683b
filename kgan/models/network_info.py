"""What an objective reads off its networks: input and output shapes, input names, batch norm.

Functional networks (built from `keras.Input`) know their shapes before any data arrives, so an
objective checks them against each other at construction and against the data when a step is
traced, and fails with both shapes named. Subclassed networks have no symbolic tensors: every
function here then answers `None` (unknown), and the check waits for the first batch.
"""

import keras


def is_functional(network):
    """Whether `network` has symbolic inputs (a functional or sequential Keras model)."""
    try:
        return bool(network.inputs)
    except (AttributeError, ValueError):
        return False


def _single_shape(tensors_of):
    """The shape, without the batch axis, of a network's single input or output, or None.

    `tensors_of` reads `network.inputs` or `network.outputs`; subclassed networks have no
    symbolic tensors, and networks with several have no single shape: both give None.
    """
    try:
        tensors = tensors_of()
        if len(tensors) == 1:
            return tuple(tensors[0].shape[1:])
    except (AttributeError, ValueError, TypeError):
        pass
    return None


def input_shape(network):
    """The shape (without the batch axis) of a network's single input, or None."""
    return _single_shape(lambda: network.inputs)


def output_shape(network):
    """The shape (without the batch axis) of a network's single output, or None."""
    return _single_shape(lambda: network.outputs)


def input_names(network):
    """The names of a functional network's inputs, or None when it has no symbolic inputs."""
    try:
        inputs = network.inputs
    except (AttributeError, ValueError, TypeError):
        return None
    return [tensor.name for tensor in inputs] if inputs else None


def shapes_compatible(actual, expected):
    """Whether two shapes (tuples, `None` for unknown sizes) can describe the same tensor."""
    actual, expected = tuple(actual), tuple(expected)
    return len(actual) == len(expected) and all(
        a is None or e is None or a == e for a, e in zip(actual, expected)
    )


def latent_size(generator, first_of_several=False):
    """The size of a generator's latent input `[batch, latent_dim]`, or None if unknown.

    Args:
        generator: A Keras model.
        first_of_several: Read the first of several inputs (a conditional generator's `z`,
            beside its `labels`); otherwise only a single input counts. Defaults to `False`.
    """
    if first_of_several:
        shape = tuple(generator.inputs[0].shape[1:]) if is_functional(generator) else None
    else:
        shape = input_shape(generator)
    if shape is not None and len(shape) == 1 and shape[0] is not None:
        return int(shape[0])
    return None


def resolve_latent_dim(generator, latent_dim, first_of_several=False, owner="the model"):
    """The latent size: `latent_dim` if given (checked against the generator), else read from it.

    Args:
        generator: A Keras model whose (first) input is the latent vector.
        latent_dim: The size given by the user, or None.
        first_of_several: See `latent_size`. Defaults to `False`.
        owner: The objective's name for the messages, e.g. `"GAN"`. Defaults to `"the model"`.

    Returns:
        The latent size, a positive Python int.
    """
    inferred = latent_size(generator, first_of_several)
    where = "'z' input" if first_of_several else "input"
    if latent_dim is None:
        if inferred is None:
            raise ValueError(
                f"Could not read latent_dim from the generator's {where} (it needs an input of "
                f"shape [batch, latent_dim]); pass latent_dim= to {owner}."
            )
        return inferred
    if int(latent_dim) < 1:
        raise ValueError(f"latent_dim must be positive, got {latent_dim}.")
    if inferred is not None and inferred != int(latent_dim):
        size = "'z' size" if first_of_several else "input size"
        raise ValueError(
            f"latent_dim={latent_dim} does not match the generator's {size} {inferred}."
        )
    return int(latent_dim)


def has_batch_normalization(layer):
    """True if `layer` is, or contains at any depth, a BatchNormalization layer.

    Penalties on per-example gradients are meaningless through batch normalization, which mixes
    the examples of a batch (Gulrajani et al. 2017, section 4).
    """
    if isinstance(layer, keras.layers.BatchNormalization):
        return True
    inner = getattr(layer, "layer", None)  # wrappers such as SpectralNormalization
    children = list(getattr(layer, "layers", [])) + ([inner] if inner is not None else [])
    return any(has_batch_normalization(child) for child in children)
