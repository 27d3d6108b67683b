"""Tiny image-to-image networks and paired datasets for fast `Pix2Pix` tests.

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
