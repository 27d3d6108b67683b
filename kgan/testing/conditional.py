"""Tiny conditional networks and labelled datasets for fast `ConditionalGAN` tests.

The networks are built with `kgan.networks`' conditional builders at a few hundred weights and
without batch normalization, so penalties are per example and steps are quick.
"""

import numpy as np
import tensorflow as tf

from kgan.networks import conditional_discriminators
from kgan.networks import conditional_generators

# Class c of the toy problem is a small blob around CENTERS[c]: the classes differ only in x.
CENTERS = ((-0.5, 0.0), (0.5, 0.0))

# Both label forms, for network tests on a batch of three: form -> (builder kwargs, labels,
# a second labelling that differs in every row).
_ATTRIBUTES = np.array([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 1, 1]], "float32")
LABEL_FORMS = {
    "classes": ({"num_classes": 3}, np.array([0, 2, 1]), np.array([1, 0, 2])),
    "attributes": ({"condition_dim": 4}, _ATTRIBUTES, 1 - _ATTRIBUTES),
}


def tiny_conditional_generator(
    latent_dim=4, output_dim=2, num_classes=2, condition_dim=None, units=32
):
    """`[z, labels]` -> vectors `[batch, output_dim]` in `(-1, 1)` (one-hot / raw condition)."""
    if condition_dim is not None:
        num_classes = None
    return conditional_generators.conditional_mlp_generator(
        latent_dim,
        (output_dim,),
        num_classes=num_classes,
        condition_dim=condition_dim,
        hidden_units=(units,),
        name="tiny_conditional_generator",
    )


def tiny_conditional_discriminator(
    input_dim=2, num_classes=2, condition_dim=None, conditioning_kind="concat", units=32
):
    """A conditional discriminator on vectors: `[samples, labels]` -> logits, or for
    `"acgan"` samples -> `[logits, class_logits]`."""
    if condition_dim is not None:
        num_classes = None
    trunk = conditional_discriminators.mlp_features(
        (input_dim,), hidden_units=(units,), name="tiny_features"
    )
    return conditional_discriminators.conditional_discriminator(
        trunk,
        num_classes=num_classes,
        condition_dim=condition_dim,
        conditioning=conditioning_kind,
        hidden_units=(units,),
        name=f"tiny_{conditioning_kind}_discriminator",
    )


def tiny_image_conditional_gan(image_size=8, num_classes=3, condition_dim=None, seed=0, **options):
    """An untrained, compiled `ConditionalGAN` on `image_size` square gray images (MLP networks
    of a few thousand weights): class ids by default, attribute vectors with `condition_dim`;
    `options` go to its constructor."""
    from kgan.models import conditional_gan  # the models import kgan.testing's users lazily

    if condition_dim is not None:
        num_classes = None
    shape = (image_size, image_size, 1)
    form = {"num_classes": num_classes, "condition_dim": condition_dim}
    model = conditional_gan.ConditionalGAN(
        conditional_generators.conditional_mlp_generator(4, shape, hidden_units=(8,), **form),
        conditional_discriminators.conditional_discriminator(
            conditional_discriminators.mlp_features(shape, hidden_units=(8,)),
            hidden_units=(8,),
            **form,
        ),
        seed=seed,
        **form,
        **options,
    )
    model.compile()
    return model


def toy_points(num=512, seed=0, scale=0.1):
    """Points of the two-class toy problem: `(points [num, 2], class ids [num])`.

    Class 0 lies around `(-0.5, 0)`, class 1 around `(0.5, 0)`, each a Gaussian blob of standard
    deviation `scale`; classes alternate so every batch holds both.
    """
    rng = np.random.default_rng(seed)
    labels = (np.arange(num) % 2).astype("int32")
    points = np.asarray(CENTERS, "float32")[labels] + rng.normal(0, scale, (num, 2))
    return points.astype("float32"), labels


def labeled_vector_dataset(num=512, batch_size=64, seed=0):
    """The toy problem as an unshuffled dataset of `(points, class ids)` batches."""
    points, labels = toy_points(num, seed)
    return tf.data.Dataset.from_tensor_slices((points, labels)).batch(
        batch_size, drop_remainder=True
    )


def attribute_vectors(num, condition_dim=3, seed=0):
    """Random multi-hot float32 vectors `[num, condition_dim]` (repeats are frequent)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, (num, condition_dim)).astype("float32")


def attribute_vector_dataset(num=128, condition_dim=3, batch_size=32, seed=0):
    """`(points, attribute vectors)` batches; a point's x is the mean of its attributes - 0.5."""
    attributes = attribute_vectors(num, condition_dim, seed)
    rng = np.random.default_rng(seed + 1)
    points = np.stack([attributes.mean(axis=1) - 0.5, rng.normal(0, 0.1, num)], axis=1)
    return tf.data.Dataset.from_tensor_slices((points.astype("float32"), attributes)).batch(
        batch_size, drop_remainder=True
    )
