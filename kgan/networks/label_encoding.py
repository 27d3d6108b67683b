"""How conditional networks take a condition: the `labels` input and its encoding.

A condition is either a class id (int, shape `[batch]`) or an attribute vector (multi-hot float,
shape `[batch, condition_dim]`); a builder gets exactly one of `num_classes` and `condition_dim`.
`label_input` makes the named `labels` input, and `embed_labels` turns it into a float vector per
example (one-hot, a learned embedding, or the attribute vector itself). The conditional
generators (`conditional_generators`) and discriminators (`conditional_discriminators`) are
built on these, and so is any conditional network of your own that `kgan.ConditionalGAN` trains.
"""

import keras

from kgan.networks import building_blocks


def check_condition(num_classes=None, condition_dim=None):
    """Checks that exactly one of `num_classes` and `condition_dim` is given.

    Args:
        num_classes: Number of classes, for integer class ids.
        condition_dim: Length of the attribute vectors, for multi-hot float conditions.

    Returns:
        `(num_classes, condition_dim)` as ints, one of them None.
    """
    if (num_classes is None) == (condition_dim is None):
        raise ValueError(
            "Pass exactly one of `num_classes` (integer class ids, shape [batch]) and "
            "`condition_dim` (attribute vectors, shape [batch, condition_dim]). Received: "
            f"num_classes={num_classes!r}, condition_dim={condition_dim!r}"
        )
    if num_classes is not None:
        return building_blocks.check_positive_int("num_classes", num_classes), None
    return None, building_blocks.check_positive_int("condition_dim", condition_dim)


def label_input(num_classes=None, condition_dim=None, name="labels"):
    """A `keras.Input` for conditions: int32 `[batch]` class ids or float32 attribute vectors.

    Args:
        num_classes: Number of classes (class-id conditions). Defaults to `None`.
        condition_dim: Attribute vector length (multi-hot conditions). Defaults to `None`.
        name: Name of the input. Defaults to `"labels"`.

    Returns:
        A symbolic input of shape `[batch]` (int32) or `[batch, condition_dim]` (float32).
    """
    num_classes, condition_dim = check_condition(num_classes, condition_dim)
    if num_classes is not None:
        return keras.Input(shape=(), dtype="int32", name=name)
    return keras.Input(shape=(condition_dim,), dtype="float32", name=name)


def embed_labels(
    labels,
    num_classes=None,
    condition_dim=None,
    embedding_dim=None,
    spectral_norm=False,
    name="label_embedding",
):
    """Encodes a condition tensor as a float vector per example.

    Class ids become one-hot vectors (`embedding_dim=None`) or learned embeddings; attribute
    vectors pass through unchanged (`embedding_dim=None`) or through a bias-free dense layer. With
    `spectral_norm=True` a class embedding is a spectrally normalized bias-free dense layer on the
    one-hot vector (the same map as an `Embedding`, but with a `kernel` that
    `keras.layers.SpectralNormalization` can wrap, as the projection discriminator's embedding
    is normalized in Miyato & Koyama 2018).

    Args:
        labels: Symbolic condition tensor from `label_input`.
        num_classes: Number of classes (class-id conditions). Defaults to `None`.
        condition_dim: Attribute vector length (multi-hot conditions). Defaults to `None`.
        embedding_dim: Size of a learned embedding; `None` keeps the one-hot or attribute vector.
            Defaults to `None`.
        spectral_norm: Whether to spectrally normalize a learned embedding. Defaults to `False`.
        name: Name of the embedding layer. Defaults to `"label_embedding"`.

    Returns:
        A float tensor of shape `[batch, embedding_dim]` (or `num_classes` / `condition_dim`).
    """
    num_classes, condition_dim = check_condition(num_classes, condition_dim)
    if embedding_dim is not None:
        building_blocks.check_positive_int("embedding_dim", embedding_dim)
    if num_classes is not None:
        if embedding_dim is not None and not spectral_norm:
            return keras.layers.Embedding(num_classes, embedding_dim, name=name)(labels)
        labels = keras.layers.CategoryEncoding(
            num_classes, output_mode="one_hot", name=f"{name}_one_hot"
        )(labels)
    if embedding_dim is None:
        return labels
    return building_blocks.layer_with_optional_spectral_norm(
        keras.layers.Dense,
        name=name,
        spectral_norm=spectral_norm,
        units=embedding_dim,
        use_bias=False,
    )(labels)


def condition_size(num_classes=None, condition_dim=None, embedding_dim=None):
    """Length of `embed_labels`' output: the embedding size, else the classes or attributes."""
    num_classes, condition_dim = check_condition(num_classes, condition_dim)
    if embedding_dim is not None:
        return building_blocks.check_positive_int("embedding_dim", embedding_dim)
    return num_classes if num_classes is not None else condition_dim
