"""A tiny untrained model of every kgan objective, for tests that must cover them all."""

from kgan.models import cycle_gan
from kgan.models import gan as gan_lib
from kgan.models import pix2pix
from kgan.testing import conditional
from kgan.testing import networks
from kgan.testing import paired

IMAGE_SIZE = 8
OBJECTIVES = ("gan", "classes", "attributes", "pix2pix", "cycle_gan")


def tiny_model(objective, image_size=IMAGE_SIZE, **options):
    """An untrained tiny model of `objective` (one of `OBJECTIVES`) on `image_size` images.

    `options` go to the objective's constructor (e.g. `ema_decay=0.9`).
    """
    if objective == "gan":
        return gan_lib.GAN(
            networks.tiny_image_generator(image_size=image_size),
            networks.tiny_image_discriminator(image_size=image_size),
            seed=3,
            **options,
        )
    if objective == "classes":
        return conditional.tiny_image_conditional_gan(image_size, num_classes=3, seed=3, **options)
    if objective == "attributes":
        return conditional.tiny_image_conditional_gan(
            image_size, condition_dim=4, seed=3, **options
        )
    if objective == "pix2pix":
        return pix2pix.Pix2Pix(
            paired.tiny_translation_generator(image_size, source_channels=3, channels=1),
            paired.tiny_patch_discriminator(image_size, source_channels=3, channels=1),
            seed=3,
            **options,
        )
    return cycle_gan.CycleGAN(
        paired.tiny_translation_generator(image_size, source_channels=1, channels=3),
        paired.tiny_translation_generator(image_size, source_channels=3, channels=1),
        paired.tiny_image_patch_discriminator(image_size, channels=1),
        paired.tiny_image_patch_discriminator(image_size, channels=3),
        pool_size=2,
        seed=3,
        **options,
    )


def tiny_dataset(objective, num=32, batch_size=16, image_size=IMAGE_SIZE, seed=0):
    """A fixed-order dataset that `tiny_model(objective)` trains on: images in `[-1, 1]`, with
    class ids or attribute vectors for the conditional objectives, as pairs for Pix2Pix and as
    two domains for CycleGAN."""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(seed)

    def images(channels):
        return rng.uniform(-1, 1, (num, image_size, image_size, channels)).astype("float32")

    if objective == "gan":
        data = images(1)
    elif objective == "classes":
        data = (images(1), rng.integers(0, 3, num).astype("int32"))
    elif objective == "attributes":
        data = (images(1), rng.uniform(0, 1, (num, 4)).astype("float32"))
    elif objective == "pix2pix":
        data = (images(3), images(1))
    else:
        data = (images(1), images(3))
    return tf.data.Dataset.from_tensor_slices(data).batch(batch_size)
