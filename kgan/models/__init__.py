"""Training objectives: `keras.Model` subclasses that own their `train_step`."""

from kgan.models.conditional_gan import ConditionalGAN
from kgan.models.gan import GAN

__all__ = ["ConditionalGAN", "GAN"]
