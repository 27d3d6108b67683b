"""Tiny networks for fast tests: a few hundred weights, no batch norm (so penalties and
distribution comparisons are exact)."""

import keras


def tiny_vector_generator(latent_dim=4, output_dim=2, units=16, name="tiny_generator"):
    """Latent `[batch, latent_dim]` -> vectors `[batch, output_dim]` in `(-1, 1)`."""
    latent = keras.Input((latent_dim,), name="z")
    hidden = keras.layers.Dense(units, activation="relu")(latent)
    outputs = keras.layers.Dense(output_dim, activation="tanh", dtype="float32")(hidden)
    return keras.Model(latent, outputs, name=name)


def tiny_vector_discriminator(input_dim=2, units=16, name="tiny_discriminator"):
    """Vectors `[batch, input_dim]` -> logits `[batch, 1]`."""
    samples = keras.Input((input_dim,), name="samples")
    hidden = keras.layers.Dense(units, activation="relu")(samples)
    logits = keras.layers.Dense(1, dtype="float32")(hidden)
    return keras.Model(samples, logits, name=name)


def tiny_image_generator(latent_dim=8, image_size=8, channels=1, name="tiny_image_generator"):
    """Latent -> images `[batch, image_size, image_size, channels]` in `(-1, 1)`."""
    latent = keras.Input((latent_dim,), name="z")
    half = image_size // 2
    hidden = keras.layers.Dense(half * half * 8, activation="relu")(latent)
    hidden = keras.layers.Reshape((half, half, 8))(hidden)
    hidden = keras.layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(
        hidden
    )
    images = keras.layers.Conv2D(channels, 3, padding="same", activation="tanh", dtype="float32")(
        hidden
    )
    return keras.Model(latent, images, name=name)


def tiny_image_discriminator(image_size=8, channels=1, name="tiny_image_discriminator"):
    """Images -> logits `[batch, 1]`."""
    images = keras.Input((image_size, image_size, channels), name="images")
    hidden = keras.layers.Conv2D(8, 3, strides=2, padding="same")(images)
    hidden = keras.layers.LeakyReLU(0.2)(hidden)
    hidden = keras.layers.Flatten()(hidden)
    logits = keras.layers.Dense(1, dtype="float32")(hidden)
    return keras.Model(images, logits, name=name)
