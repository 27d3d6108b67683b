"""Augmenting what the critic sees during training: the objective's side of ADA.

A mixin of `AdversarialModel`. With `augmentation=kgan.layers.AdaptiveAugmentation(...)` on an
objective's constructor, every critic pass of a *training* step (critic updates and the
generator's update) scores augmented images, reals and fakes alike, so the generator learns
through the differentiable operations and never learns to draw them; `evaluate`, the metrics
and sampling see the images as they are. The penalties (WGAN-GP, R1, R2) are taken on the
un-augmented images.

The operations' random numbers are the step's stateless draws (`AdversarialModel.draw`), one
stream per critic pass, so a resumed run and N replicas reproduce one uninterrupted device.
Each objective feeds the critic's outputs on the augmented reals of its critic updates to
`observe_reals`; `adjust_augmentation` (in `advance_step`) moves `p`, and `p` is logged as
`augment_p` on every step.

Streams (see `kgan.models.noise`): `AUGMENT_STREAM + 2 i` and `+ 2 i + 1` augment the reals and
fakes of critic update `i` (CycleGAN: `+ 10 i` for its second critic), `GENERATOR_STREAM` and
`+ 1` the fakes and the relativistic reals of the generator update.
"""

import keras
import tensorflow as tf

from kgan.layers import adaptive_augmentation
from kgan.models import noise
from kgan.models import updates

AUGMENT_STREAM = 400_000
GENERATOR_STREAM = AUGMENT_STREAM + 90_000
AUGMENT_LOG = "augment_p"


def check_augmentation(augmentation, owner, images=True):
    """The objective's `augmentation` argument, checked: `None` or an `AdaptiveAugmentation`.

    Args:
        augmentation: What the user passed (a layer, or its config dict from `from_config`).
        owner: The objective's class name, for messages.
        images: Whether the objective's critic scores images (sequence critics do not).
    """
    if augmentation is None:
        return None
    if isinstance(augmentation, dict):
        augmentation = keras.saving.deserialize_keras_object(augmentation)
    if not isinstance(augmentation, adaptive_augmentation.AdaptiveAugmentation):
        raise TypeError(
            "augmentation takes a kgan.layers.AdaptiveAugmentation, e.g. "
            f"AdaptiveAugmentation(target=0.6); got a {type(augmentation).__name__}."
        )
    if not images:
        raise ValueError(
            f"{owner}'s critic reads token sequences; augmentation transforms images. Leave "
            "augmentation out (None) for sequence objectives."
        )
    return augmentation


class CriticAugmentation:
    """`augmented`, `observe_reals` and `adjust_augmentation` (see the module)."""

    augmentation = None

    def augmented(self, images, stream, training, step=None, layout=None):
        """`images` through the augmentation when training with one, else `images` itself.

        Args:
            images: A batch of images `[batch, H, W, C]`.
            stream: The draw's stream (`AUGMENT_STREAM + ...` or `GENERATOR_STREAM + ...`).
            training: Whether this is a training pass; only training passes augment.
            step: The step seeding the draw. Defaults to the current step.
            layout: The batch's `noise.BatchLayout`. Defaults to this batch's.
        """
        if self.augmentation is None or not training:
            return images
        step = self.read_step() if step is None else step
        layout = layout or noise.batch_layout(tf.shape(images)[0])
        randoms = self.draw(layout, (self.augmentation.num_randoms,), step, stream, "uniform")
        return self.augmentation(images, randoms)

    def augmented_pair(self, real, fake, stream, training, step=None, layout=None):
        """`(real, fake)` of critic update `stream`, each augmented with its own draw."""
        base = AUGMENT_STREAM + 2 * stream
        return (
            self.augmented(real, base, training, step, layout),
            self.augmented(fake, base + 1, training, step, layout),
        )

    def observe_reals(self, real_logits, training):
        """Feeds the critic's outputs on augmented reals of a critic update to ADA's statistic."""
        if self.augmentation is None or not training or not self.augmentation.adaptive:
            return
        signs = self.augmentation.example_signs(real_logits)
        totals = updates.replica_sum(
            tf.stack([tf.reduce_sum(signs), tf.cast(tf.shape(signs)[0], "float32")])
        )
        self.augmentation.accumulate(totals[0], totals[1])

    def adjust_augmentation(self, steps_done):
        if self.augmentation is not None:
            self.augmentation.adjust(steps_done)

    def augmentation_logs(self):
        if self.augmentation is None:
            return {}
        return {AUGMENT_LOG: tf.identity(self.augmentation.probability.value)}
