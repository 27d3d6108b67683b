"""Network architectures: builder functions that return functional `keras.Model`s.

Generators take a latent vector `z` and return float32 samples (images in [-1, 1]); discriminators
take `images` and return float32 raw logits of shape `[batch, 1]`. Conditional networks take the
condition too, as an input named `labels` (see `label_encoding`). Image-to-image networks take a
`source` image: `unet_generator` (pix2pix) and `resnet_generator` (CycleGAN) return the translated
image, `patchgan_discriminator` a map of patch logits `[batch, h, w, 1]`. Token networks for the
sequence GANs are Keras model classes: `RecurrentGenerator` (teacher forcing and free running)
or `TransformerGenerator` (the same interface, causal self-attention with a key/value cache)
and `SequenceDiscriminator` (token ids or token distributions in, a logit out); for
sequence-to-sequence, `Seq2SeqGenerator` (an encoder starts the decoder) and
`SequencePairDiscriminator` (judges (source, output) pairs). Objectives
(`kgan.models`) are kept apart, so any generator can be trained with any loss.
"""

from kgan.networks import sequence_sampling
from kgan.networks import token_sampling
from kgan.networks.augmentation import with_translation_augment
from kgan.networks.conditional_discriminators import conditional_discriminator
from kgan.networks.conditional_discriminators import dcgan_features
from kgan.networks.conditional_discriminators import mlp_features
from kgan.networks.conditional_generators import conditional_dcgan_generator
from kgan.networks.conditional_generators import conditional_generator
from kgan.networks.conditional_generators import conditional_mlp_generator
from kgan.networks.dcgan import dcgan_discriminator
from kgan.networks.dcgan import dcgan_generator
from kgan.networks.mlp import mlp_discriminator
from kgan.networks.mlp import mlp_generator
from kgan.networks.packing import packed_discriminator
from kgan.networks.patchgan import patchgan_discriminator
from kgan.networks.patchgan import patchgan_receptive_field
from kgan.networks.recurrent_generator import RecurrentGenerator
from kgan.networks.resnet import resnet_generator
from kgan.networks.seq2seq_generator import Seq2SeqGenerator
from kgan.networks.sequence_discriminator import SequenceDiscriminator
from kgan.networks.sequence_pair_discriminator import SequencePairDiscriminator
from kgan.networks.transformer_generator import TransformerGenerator
from kgan.networks.unet import unet_generator

__all__ = [
    "RecurrentGenerator",
    "Seq2SeqGenerator",
    "SequenceDiscriminator",
    "SequencePairDiscriminator",
    "TransformerGenerator",
    "conditional_dcgan_generator",
    "conditional_discriminator",
    "conditional_generator",
    "conditional_mlp_generator",
    "dcgan_discriminator",
    "dcgan_features",
    "dcgan_generator",
    "mlp_discriminator",
    "mlp_features",
    "mlp_generator",
    "packed_discriminator",
    "patchgan_discriminator",
    "patchgan_receptive_field",
    "resnet_generator",
    "sequence_sampling",
    "token_sampling",
    "unet_generator",
    "with_translation_augment",
]
