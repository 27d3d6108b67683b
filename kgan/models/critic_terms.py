"""The terms of `AdversarialModel` that involve the critic: the generator's adversarial loss
and the gradient penalties.

A mixin of the base, kept apart so the base stays readable: the generator's loss against a
critic (relativistic families score the paired real batch too) and the penalties (WGAN-GP, R1,
R2) that keep a critic smooth, each averaged over the global batch and logged unweighted.
"""

import warnings

from kgan.losses import penalties
from kgan.models import network_info
from kgan.models import noise
from kgan.models import updates


class CriticTerms:
    """The generator's adversarial loss and the critic's penalties (see the module)."""

    def adversarial_generator_loss(self, scorer, real, fake, training):
        """The generator's per-example adversarial loss: `generator_loss_fn` of the scores.

        A relativistic family (`"relativistic_pairing"`) compares each fake's score with its
        paired real's, so the real batch is scored too (one more critic pass in the generator
        step, only for that family).

        Args:
            scorer: Callable `(samples, training=...) -> logits`, the condition held fixed (what
                `critic` returns).
            real: The real samples paired with `fake`.
            fake: The generated samples.
            training: Passed to the scorer.
        """
        fake_logits = scorer(fake, training=training)
        if not self.relativistic:
            return self.generator_loss_fn(fake_logits)
        return self.generator_loss_fn(fake_logits, scorer(real, training=training))

    def penalty(self, critic, real, fake, step, stream, layout):
        """The weighted penalties of `critic` for one update, or `None` when none is on.

        The WGAN-GP penalty (`gradient_penalty_weight`) at points between `real` and `fake`,
        with weights drawn from stream `PENALTY_STREAM + stream`, R1 (`r1_weight`) on `real` and
        R2 (`r2_weight`) on `fake`; each averaged over the global batch and logged unweighted as
        `gp`, `r1` and `r2`.

        Args:
            critic: Callable `(images, training=True) -> logits`, the condition held fixed.
            real: Real samples.
            fake: Generated samples (constants).
            step: The training step seeding the interpolation weights.
            stream: Which critic update of the step.
            layout: The batch's `noise.BatchLayout`.
        """
        total = None
        if self.gradient_penalty_weight > 0:
            alpha = self.draw(layout, (), step, noise.PENALTY_STREAM + stream, "uniform")
            per_example = penalties.gradient_penalty(
                critic, real, fake, self.gradient_penalty_target, alpha=alpha
            )
            total = self.gradient_penalty_weight * updates.global_mean(per_example, layout)
            self.trackers["gp"].update_state(per_example)
        if self.r1_weight > 0:
            per_example = penalties.r1_penalty(critic, real)
            term = self.r1_weight * updates.global_mean(per_example, layout)
            total = term if total is None else total + term
            self.trackers["r1"].update_state(per_example)
        if self.r2_weight > 0:
            per_example = penalties.r2_penalty(critic, fake)
            term = self.r2_weight * updates.global_mean(per_example, layout)
            total = term if total is None else total + term
            self.trackers["r2"].update_state(per_example)
        return total

    def _penalty_weights(self):
        return (self.gradient_penalty_weight, self.r1_weight, self.r2_weight)

    def _warn_on_batch_normalization(self):
        for role in self.CRITICS:
            if network_info.has_batch_normalization(getattr(self, role)):
                warnings.warn(
                    f"A gradient penalty is computed per example, but the {role} has "
                    "BatchNormalization layers, which mix the examples of a batch and make the "
                    "penalty meaningless (Gulrajani et al. 2017, section 4). Build the critic "
                    "with normalization='layer' or None, or use spectral normalization.",
                    stacklevel=3,
                )
