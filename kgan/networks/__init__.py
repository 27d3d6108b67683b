"""Network architectures: builder functions that return functional `keras.Model`s.

Generators take a latent vector `z` and return float32 samples (images in [-1, 1]); discriminators
take `images` and return float32 raw logits of shape `[batch, 1]`. Objectives (`kgan.models`) are
kept apart, so any generator can be trained with any loss.
"""

from kgan.networks.dcgan import dcgan_discriminator
from kgan.networks.dcgan import dcgan_generator
from kgan.networks.mlp import mlp_discriminator
from kgan.networks.mlp import mlp_generator

__all__ = ["dcgan_discriminator", "dcgan_generator", "mlp_discriminator", "mlp_generator"]
