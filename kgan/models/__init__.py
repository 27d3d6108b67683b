"""Training objectives: `keras.Model` subclasses that own their `train_step`."""

from kgan.models.gan import GAN

__all__ = ["GAN"]
