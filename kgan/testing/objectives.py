"""A tiny untrained model of every kgan objective, for tests that must cover them all."""

from kgan.models import cycle_gan
from kgan.models import gan as gan_lib
from kgan.models import pix2pix
from kgan.testing import conditional
from kgan.testing import networks
from kgan.testing import paired

IMAGE_SIZE = 8
OBJECTIVES = ("gan", "classes", "attributes", "pix2pix", "cycle_gan")


def tiny_model(objective, image_size=IMAGE_SIZE):
    """An untrained tiny model of `objective` (one of `OBJECTIVES`) on `image_size` images."""
    if objective == "gan":
        return gan_lib.GAN(
            networks.tiny_image_generator(image_size=image_size),
            networks.tiny_image_discriminator(image_size=image_size),
            seed=3,
        )
    if objective == "classes":
        return conditional.tiny_image_conditional_gan(image_size, num_classes=3, seed=3)
    if objective == "attributes":
        return conditional.tiny_image_conditional_gan(image_size, condition_dim=4, seed=3)
    if objective == "pix2pix":
        return pix2pix.Pix2Pix(
            paired.tiny_translation_generator(image_size, source_channels=3, channels=1),
            paired.tiny_patch_discriminator(image_size, source_channels=3, channels=1),
            seed=3,
        )
    return cycle_gan.CycleGAN(
        paired.tiny_translation_generator(image_size, source_channels=1, channels=3),
        paired.tiny_translation_generator(image_size, source_channels=3, channels=1),
        paired.tiny_image_patch_discriminator(image_size, channels=1),
        paired.tiny_image_patch_discriminator(image_size, channels=3),
        pool_size=2,
        seed=3,
    )
