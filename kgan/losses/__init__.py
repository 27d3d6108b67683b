"""Adversarial losses (function pairs by family) and gradient penalties.

`kgan.losses.get("hinge")` returns `(generator_loss, discriminator_loss)`.
"""

from kgan.losses import adversarial
from kgan.losses import penalties
from kgan.losses import reconstruction
from kgan.losses.adversarial import FAMILIES
from kgan.losses.adversarial import get
from kgan.losses.penalties import gradient_penalty
from kgan.losses.penalties import r1_penalty
from kgan.losses.reconstruction import l1_loss

__all__ = [
    "FAMILIES",
    "adversarial",
    "get",
    "gradient_penalty",
    "l1_loss",
    "penalties",
    "r1_penalty",
    "reconstruction",
]
