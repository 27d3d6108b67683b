"""Tiny image-to-image networks and (un)paired datasets for fast `Pix2Pix` and `CycleGAN` tests.

The networks keep Pix2Pix's interfaces (a generator on an input named `"source"`, a conditional
patch discriminator on inputs `"source"` and `"images"` returning a logit map) at a few hundred
weights and without batch normalization, so each step takes milliseconds and is exact.
"""

import keras
import numpy as np
import tensorflow as tf


def tiny_translation_generator(
    image_size=8, source_channels=1, channels=1, units=8, dropout=0.0, name="tiny_translator"
):
    """`source [batch, s, s, source_channels]` -> images `[batch, s, s, channels]` in `(-1, 1)`.

    Two 3x3 convolutions; `dropout > 0` adds the Pix2Pix-style dropout noise between them.
    """
    source = keras.Input((image_size, image_size, source_channels), name="source")
    hidden = keras.layers.Conv2D(units, 3, padding="same", activation="relu")(source)
    if dropout:
        hidden = keras.layers.Dropout(dropout)(hidden)
    images = keras.layers.Conv2D(channels, 3, padding="same", activation="tanh", dtype="float32")(
        hidden
    )
    return keras.Model(source, images, name=name)


def tiny_patch_discriminator(
    image_size=8, source_channels=1, channels=1, units=8, name="tiny_patch_discriminator"
):
    """`[source, images]` -> a logit map `[batch, s/2, s/2, 1]`: one logit per patch."""
    source = keras.Input((image_size, image_size, source_channels), name="source")
    images = keras.Input((image_size, image_size, channels), name="images")
    pair = keras.layers.Concatenate()([source, images])
    hidden = keras.layers.Conv2D(units, 3, strides=2, padding="same")(pair)
    hidden = keras.layers.LeakyReLU(0.2)(hidden)
    logits = keras.layers.Conv2D(1, 3, padding="same", dtype="float32")(hidden)
    return keras.Model([source, images], logits, name=name)


def negation_pairs(num=64, image_size=8, channels=1, seed=0):
    """`(source, target)` NumPy arrays of the toy task target = -source.

    Sources are smooth random images (bilinear upsampling of a 4x4 grid) in `[-0.9, 0.9]`, so a
    `tanh` output can reach every target.
    """
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(-0.9, 0.9, (num, 4, 4, channels)).astype("float32")
    source = tf.image.resize(coarse, (image_size, image_size), method="bilinear").numpy()
    source = np.clip(source, -0.9, 0.9).astype("float32")
    return source, -source


def paired_dataset(num=64, image_size=8, channels=1, batch_size=16, seed=0):
    """The negation task as an unshuffled dataset of `(source, target)` batches."""
    source, target = negation_pairs(num, image_size, channels, seed)
    return tf.data.Dataset.from_tensor_slices((source, target)).batch(
        batch_size, drop_remainder=True
    )


def tiny_image_patch_discriminator(
    image_size=8, channels=1, units=8, name="tiny_image_patch_discriminator"
):
    """`images` alone -> a logit map `[batch, s/2, s/2, 1]` (CycleGAN's unconditional judge)."""
    images = keras.Input((image_size, image_size, channels), name="images")
    hidden = keras.layers.Conv2D(units, 3, strides=2, padding="same")(images)
    hidden = keras.layers.LeakyReLU(0.2)(hidden)
    logits = keras.layers.Conv2D(1, 3, padding="same", dtype="float32")(hidden)
    return keras.Model(images, logits, name=name)


def ramp_images(num=64, image_size=8, channels=1, seed=0):
    """Smooth random images that are bright at the top and dark at the bottom, in `[-0.9, 0.9]`.

    The ramp makes the negated images (dark at the top) a different domain: unlike for plain
    smooth images, whose negations look alike, the identity is no answer to "A -> B".
    """
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0.5, -0.5, 4, dtype="float32")[None, :, None, None]
    coarse = rng.uniform(-0.5, 0.5, (num, 4, 4, channels)).astype("float32") + ramp
    images = tf.image.resize(coarse, (image_size, image_size), method="bilinear").numpy()
    return np.clip(images, -0.9, 0.9).astype("float32")


def unpaired_negation(num=64, image_size=8, channels=1, seed=0):
    """`(images_a, images_b)` NumPy arrays for learning `A -> B = x -> -x` without pairs.

    Domain A holds `ramp_images`, domain B the negations of *other* ramp images (drawn from
    `seed + 1`): no B image is the translation of an A image, only the domains tell a model
    that A -> B is negation.
    """
    images_a = ramp_images(num, image_size, channels, seed)
    return images_a, -ramp_images(num, image_size, channels, seed + 1)


def unpaired_dataset(num=64, image_size=8, channels=1, batch_size=16, seed=0):
    """The unpaired negation task as an unshuffled dataset of `(images_a, images_b)` batches."""
    images_a, images_b = unpaired_negation(num, image_size, channels, seed)
    return tf.data.Dataset.from_tensor_slices((images_a, images_b)).batch(
        batch_size, drop_remainder=True
    )
