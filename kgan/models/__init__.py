"""Training objectives: `keras.Model` subclasses that own their `train_step`."""

from kgan.models.conditional_gan import ConditionalGAN
from kgan.models.gan import GAN
from kgan.models.pix2pix import Pix2Pix

__all__ = ["ConditionalGAN", "GAN", "Pix2Pix"]
