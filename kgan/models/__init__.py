"""Training objectives: `keras.Model` subclasses that own their `train_step`.

`AdversarialModel` is the base they share (see its module for the interface that callbacks,
metrics, export and the CLI use); `GAN`, `ConditionalGAN`, `Pix2Pix` and `CycleGAN` state only
their objective. The sequence GANs (`SeqGAN`, `MaliGAN`, `RelGAN`, and the
sequence-to-sequence `Seq2SeqGAN`) stand on `SequenceGAN`, the base that runs maximum
likelihood, discriminator pre-training and adversarial training as phases of one `fit`.
`latent_space` walks a latent-vector GAN's inputs: truncation, lerp/slerp paths, samples of
given vectors; `latent_inversion` finds the vector of a given image. `GLO` is the supervised
alternative: a generator and one code per image trained by reconstruction, no discriminator.
"""

from kgan.models import latent_space
from kgan.models.adversarial_model import AdversarialModel
from kgan.models.conditional_gan import ConditionalGAN
from kgan.models.critic_terms import lazy_adam
from kgan.models.cycle_gan import CycleGAN
from kgan.models.gan import GAN
from kgan.models.glo import GLO
from kgan.models.mali_gan import MaliGAN
from kgan.models.pix2pix import Pix2Pix
from kgan.models.rel_gan import RelGAN
from kgan.models.seq2seq_gan import Seq2SeqGAN
from kgan.models.seq_gan import SeqGAN
from kgan.models.sequence_gan import SequenceGAN
from kgan.models.served_generator import ServedGenerator

__all__ = [
    "AdversarialModel",
    "ConditionalGAN",
    "CycleGAN",
    "GAN",
    "GLO",
    "MaliGAN",
    "Pix2Pix",
    "RelGAN",
    "Seq2SeqGAN",
    "SeqGAN",
    "SequenceGAN",
    "ServedGenerator",
    "latent_space",
    "lazy_adam",
]
