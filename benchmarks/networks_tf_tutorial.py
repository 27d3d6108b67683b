"""The MNIST generator and discriminator of TensorFlow's DCGAN tutorial, for benchmarks.

Layer for layer the networks of https://www.tensorflow.org/tutorials/generative/dcgan (latent
size 100, 28x28x1 images in [-1, 1]), written as functional Keras 3 models. They are kept here,
not in `kgan.networks`, because their only job is to make the benchmark comparable with the
tutorial that everyone has run.

Example:

```python
from benchmarks import networks_tf_tutorial

generator = networks_tf_tutorial.generator()  # [batch, 100] -> [batch, 28, 28, 1]
discriminator = networks_tf_tutorial.discriminator()  # [batch, 28, 28, 1] -> [batch, 1]
```
"""

import keras

LATENT_DIM = 100
IMAGE_SHAPE = (28, 28, 1)


def generator(latent_dim=LATENT_DIM):
    """Builds the tutorial's generator: Dense to 7x7x256, then transposed convolutions to 28x28x1.

    Args:
        latent_dim: Size of the latent vector. Defaults to `100`.

    Returns:
        A functional `keras.Model` from `[batch, latent_dim]` to images `[batch, 28, 28, 1]` in
        `[-1, 1]` (tanh).
    """
    layers = keras.layers
    latent = keras.Input((latent_dim,), name="z")
    x = layers.Dense(7 * 7 * 256, use_bias=False)(latent)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU()(x)
    x = layers.Reshape((7, 7, 256))(x)
    x = layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU()(x)
    x = layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU()(x)
    images = layers.Conv2DTranspose(
        1, 5, strides=2, padding="same", use_bias=False, activation="tanh"
    )(x)
    return keras.Model(latent, images, name="tutorial_generator")


def discriminator(dropout_rate=0.3):
    """Builds the tutorial's discriminator: two stride-2 convolutions and a dense logit.

    Args:
        dropout_rate: Rate of the two Dropout layers. `0` makes the network deterministic (for
            checks that compare two training loops weight for weight); the weights are the same
            for every rate. Defaults to `0.3` (the tutorial's).

    Returns:
        A functional `keras.Model` from images `[batch, 28, 28, 1]` to logits `[batch, 1]`.
    """
    layers = keras.layers
    images = keras.Input(IMAGE_SHAPE, name="images")
    x = layers.Conv2D(64, 5, strides=2, padding="same")(images)
    x = layers.LeakyReLU()(x)
    x = layers.Dropout(dropout_rate)(x)
    x = layers.Conv2D(128, 5, strides=2, padding="same")(x)
    x = layers.LeakyReLU()(x)
    x = layers.Dropout(dropout_rate)(x)
    x = layers.Flatten()(x)
    logits = layers.Dense(1)(x)
    return keras.Model(images, logits, name="tutorial_discriminator")
