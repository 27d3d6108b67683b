"""Conditional discriminators: a conditional head on any feature trunk, for `kgan.ConditionalGAN`.

A condition is either a class id (int, shape `[batch]`) or an attribute vector (multi-hot float,
shape `[batch, condition_dim]`). `conditional_discriminator` puts a conditional head on a trunk
`phi: images -> features` (`dcgan_features`, `mlp_features` or your own model); the result takes
`[images, labels]` (concatenation and projection) or `images` alone (AC-GAN, whose discriminator
*predicts* the labels):

| conditioning   | head                                            | reference             |
|----------------|-------------------------------------------------|-----------------------|
| `"concat"`     | `dense(hidden(concat(phi(x), embed(y))))`       | Mirza & Osindero 2014 |
| `"projection"` | `psi(phi(x)) + <embed(y), phi(x)>`              | Miyato & Koyama 2018  |
| `"acgan"`      | `(psi(phi(x)), classifier(phi(x)))`             | Odena et al. 2017     |

Keras layers do all of it (`Embedding`, `CategoryEncoding` for one-hot, `Dense`, `Dot`), so every
network saves and loads without `custom_objects`.

Reference:
    - [Mirza & Osindero, 2014](https://arxiv.org/abs/1411.1784)
    - [Miyato & Koyama, 2018](https://arxiv.org/abs/1802.05637)
    - [Odena et al., 2017](https://arxiv.org/abs/1610.09585)
"""

import keras

from kgan.networks import building_blocks
from kgan.networks import dcgan
from kgan.networks import label_encoding
from kgan.networks import mlp

CONDITIONINGS = ("concat", "projection", "acgan")


def dcgan_features(name="dcgan_features", **kwargs):
    """The DCGAN discriminator without its last dense layer: images -> flattened 4x4 features.

    Args:
        name: Name of the model. Defaults to `"dcgan_features"`.
        **kwargs: Passed to `dcgan_discriminator` (`image_size`, `channels`, `base_filters`,
            `normalization`, `spectral_norm`, `dropout`).

    Returns:
        A functional `keras.Model` with input `images` and features `[batch, 16 * filters]`.
    """
    discriminator = dcgan.dcgan_discriminator(**kwargs)
    return keras.Model(discriminator.input, discriminator.get_layer("logits").input, name=name)


def mlp_features(input_shape, name="mlp_features", **kwargs):
    """The MLP discriminator without its last dense layer: samples -> last hidden features.

    Args:
        input_shape: Shape of one sample, as for `mlp_discriminator`.
        name: Name of the model. Defaults to `"mlp_features"`.
        **kwargs: Passed to `mlp_discriminator` (`hidden_units`, `spectral_norm`, `dropout`).

    Returns:
        A functional `keras.Model` with input `images` and features `[batch, hidden_units[-1]]`.
    """
    discriminator = mlp.mlp_discriminator(input_shape, **kwargs)
    return keras.Model(discriminator.input, discriminator.get_layer("logits").input, name=name)


def conditional_discriminator(
    features,
    num_classes=None,
    condition_dim=None,
    conditioning="projection",
    embedding_dim=None,
    hidden_units=(256,),
    spectral_norm=False,
    name=None,
):
    """Puts a conditional head on a feature trunk `phi: images -> features`.

    - `"projection"`: `logits = psi(phi(x)) + <embed(y), phi(x)>`, the embedding as long as the
      features (Miyato & Koyama 2018). Under a log-likelihood-ratio view of the optimal
      discriminator, the inner product is exactly the conditional part `log p(y|x) / q(y|x)` of a
      log-linear model, which concatenation only reaches through extra hidden layers.
    - `"concat"`: `logits = dense(hidden(concat(phi(x), embed(y))))`. The hidden layers are needed:
      without them the label would only add a per-class constant to the logit and the network
      could not judge whether image and label *match*.
    - `"acgan"`: inputs are the images alone; outputs `(logits, class_logits)` with
      `class_logits` of shape `[batch, num_classes]` (softmax) or `[batch, condition_dim]`
      (independent sigmoids per attribute).

    Args:
        features: A `keras.Model` mapping images to features (rank 2, or flattened here), e.g.
            `dcgan_features(...)` or `mlp_features(...)`.
        num_classes: Number of classes (class-id conditions). Defaults to `None`.
        condition_dim: Attribute vector length (multi-hot conditions). Defaults to `None`.
        conditioning: `"projection"`, `"concat"` or `"acgan"`. Defaults to `"projection"`.
        embedding_dim: For `"concat"`, the label embedding size (`None`: one-hot / raw
            attributes). Ignored by `"projection"` (the embedding matches the features) and
            `"acgan"`. Defaults to `None`.
        hidden_units: For `"concat"`, the dense layers after the concatenation (at least one).
            Ignored otherwise. Defaults to `(256,)`.
        spectral_norm: Whether to wrap the head's dense layers and embedding in spectral
            normalization (the trunk has its own flag). Defaults to `False`.
        name: Name of the model. Defaults to `f"{conditioning}_discriminator"`.

    Returns:
        A functional `keras.Model`: inputs `[images, labels]` and float32 logits `[batch, 1]`, or
        for `"acgan"` input `images` and outputs `[logits, class_logits]`.

    Example:

    ```python
    trunk = kgan.networks.dcgan_features(image_size=32, spectral_norm=True)
    discriminator = kgan.networks.conditional_discriminator(
        trunk, num_classes=10, conditioning="projection", spectral_norm=True
    )
    ```

    Reference:
        - [Miyato & Koyama, 2018](https://arxiv.org/abs/1802.05637)
        - [Odena et al., 2017](https://arxiv.org/abs/1610.09585)
    """
    num_classes, condition_dim = label_encoding.check_condition(num_classes, condition_dim)
    if conditioning not in CONDITIONINGS:
        raise ValueError(
            f"`conditioning` must be one of {CONDITIONINGS}. "
            f"Received: conditioning={conditioning!r}"
        )
    if not isinstance(features, keras.Model) or len(features.inputs) != 1:
        raise ValueError(
            "`features` must be a functional keras.Model with one input (the images), such as "
            f"dcgan_features(...) or mlp_features(...); got {features!r}."
        )
    name = name or f"{conditioning}_discriminator"

    def dense(units, layer_name, **kwargs):
        return building_blocks.layer_with_optional_spectral_norm(
            keras.layers.Dense, name=layer_name, spectral_norm=spectral_norm, units=units, **kwargs
        )

    images = keras.Input(shape=features.inputs[0].shape[1:], name="images")
    phi = features(images)
    if len(phi.shape) > 2:
        phi = keras.layers.Flatten(name="flatten_features")(phi)
    if conditioning == "acgan":
        logits = dense(1, "logits", dtype="float32")(phi)
        num_outputs = num_classes if num_classes is not None else condition_dim
        class_logits = dense(num_outputs, "class_logits", dtype="float32")(phi)
        return keras.Model(images, [logits, class_logits], name=name)

    labels = label_encoding.label_input(num_classes, condition_dim)
    if conditioning == "projection":
        feature_dim = phi.shape[-1]
        embedded = label_encoding.embed_labels(
            labels, num_classes, condition_dim, feature_dim, spectral_norm, name="label_embedding"
        )
        unconditional = dense(1, "unconditional_logits", dtype="float32")(phi)
        projection = keras.layers.Dot(axes=1, name="projection", dtype="float32")([embedded, phi])
        logits = keras.layers.Add(name="logits", dtype="float32")([unconditional, projection])
        return keras.Model([images, labels], logits, name=name)

    units = mlp.check_hidden_units(hidden_units)
    if not units:
        raise ValueError(
            "A concatenation discriminator needs at least one hidden layer after the "
            "concatenation (otherwise the label only shifts the logit by a per-class constant "
            "and cannot be matched against the image). Received: hidden_units=()"
        )
    embedded = label_encoding.embed_labels(
        labels, num_classes, condition_dim, embedding_dim, spectral_norm
    )
    x = keras.layers.Concatenate(name="features_and_condition")([phi, embedded])
    for index, size in enumerate(units, start=1):
        x = dense(size, f"head{index}")(x)
        x = keras.layers.LeakyReLU(negative_slope=0.2, name=f"head{index}_leaky_relu")(x)
    logits = dense(1, "logits", dtype="float32")(x)
    return keras.Model([images, labels], logits, name=name)
