"""The terms of `AdversarialModel` that involve the critic: the generator's adversarial loss
and the gradient penalties.

A mixin of the base, kept apart so the base stays readable: the generator's loss against a
critic (relativistic families score the paired real batch too) and the penalties (WGAN-GP, R1,
R2) that keep a critic smooth, each averaged over the global batch and logged unweighted.
"""

import warnings

import keras
import tensorflow as tf

from kgan.losses import penalties
from kgan.models import critic_augmentation
from kgan.models import network_info
from kgan.models import noise
from kgan.models import updates


def check_penalty_settings(
    gradient_penalty_weight, gradient_penalty_target, r1_weight, r2_weight, interval
):
    """Raises `ValueError` naming the first bad penalty setting of `compile`."""
    for name, value in (
        ("gradient_penalty_weight", gradient_penalty_weight),
        ("r1_weight", r1_weight),
        ("r2_weight", r2_weight),
    ):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}.")
    if isinstance(interval, bool) or int(interval) != interval or interval < 1:
        raise ValueError(
            "regularization_interval must be a positive integer (1: every step; StyleGAN2 "
            f"uses 16), got {interval!r}."
        )
    if gradient_penalty_target <= 0:
        raise ValueError(
            f"gradient_penalty_target must be positive, got {gradient_penalty_target}."
        )


class CriticTerms:
    """The generator's adversarial loss and the critic's penalties (see the module)."""

    def adversarial_generator_loss(
        self, scorer, real, fake, training, augment_stream=critic_augmentation.GENERATOR_STREAM
    ):
        """The generator's per-example adversarial loss: `generator_loss_fn` of the scores.

        A relativistic family (`"relativistic_pairing"`) compares each fake's score with its
        paired real's, so the real batch is scored too (one more critic pass in the generator
        step, only for that family).

        Args:
            scorer: Callable `(samples, training=...) -> logits`, the condition held fixed (what
                `critic` returns).
            real: The real samples paired with `fake`.
            fake: The generated samples.
            training: Passed to the scorer; training passes score augmented samples when the
                objective has an `augmentation`.
            augment_stream: The augmentation's stream for the fakes (the reals take the next);
                `None` when the scorer augments itself.
        """
        if augment_stream is not None:
            fake = self.augmented(fake, augment_stream, training)
            if self.relativistic:
                real = self.augmented(real, augment_stream + 1, training)
        fake_logits = scorer(fake, training=training)
        if not self.relativistic:
            return self.generator_loss_fn(fake_logits)
        return self.generator_loss_fn(fake_logits, scorer(real, training=training))

    def penalty(self, critic, real, fake, step, stream, layout):
        """The weighted penalties of `critic` for one update, or `None` when none is on.

        The WGAN-GP penalty (`gradient_penalty_weight`) at points between `real` and `fake`,
        with weights drawn from stream `PENALTY_STREAM + stream`, R1 (`r1_weight`) on `real` and
        R2 (`r2_weight`) on `fake`; each averaged over the global batch and logged unweighted as
        `gp`, `r1` and `r2`. With `regularization_interval` k > 1, R1 and R2 are taken on steps
        divisible by k only, weighted k times (their logs average those steps).

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
        for name, weight, penalty_fn, samples in (
            ("r1", self.r1_weight, penalties.r1_penalty, real),
            ("r2", self.r2_weight, penalties.r2_penalty, fake),
        ):
            if weight > 0:
                term = self._lazy_term(name, weight, penalty_fn, critic, samples, step, layout)
                total = term if total is None else total + term
        return total

    def _lazy_term(self, name, weight, penalty_fn, critic, samples, step, layout):
        """`weight` times the global mean of `penalty_fn`, every `regularization_interval`
        steps (times the interval, so the average strength is unchanged), else 0."""

        def term(scale):
            per_example = penalty_fn(critic, samples)
            self.trackers[name].update_state(per_example)
            return scale * weight * updates.global_mean(per_example, layout)

        interval = self.regularization_interval
        if interval == 1:
            return term(1.0)
        # StyleGAN2's lazy regularization (Karras et al. 2020, appendix B): the penalty's extra
        # backward pass through the critic runs on one step in `interval`, scaled by `interval`.
        # Every replica reads the same step, so all take the same branch.
        return tf.cond(
            tf.equal(tf.math.floormod(step, interval), 0),
            lambda: term(float(interval)),
            lambda: tf.zeros((), "float32"),
        )

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


def lazy_adam(learning_rate=2e-3, beta_1=0.0, beta_2=0.99, interval=16, **kwargs):
    """Adam for a critic regularized every `interval` steps, adjusted as StyleGAN2 does.

    With lazy regularization a critic update takes `(interval + 1) / interval` of a plain one's
    gradient work on average, so StyleGAN2 treats the regularized steps as extra minibatches:
    the learning rate is multiplied by `c = interval / (interval + 1)` and each beta raised to
    the power `c`, which keeps the optimizer's time constants in steps of the whole process.
    Give the result to `compile` as the critic's optimizer with `regularization_interval=
    interval`. The adjustment happens here, once: the optimizer saved with the model holds the
    adjusted values, and loading does not adjust again.

    Args:
        learning_rate: The learning rate before adjustment. Defaults to StyleGAN2's `2e-3`.
        beta_1: Adam's first beta before adjustment. Defaults to StyleGAN2's `0.0`.
        beta_2: Adam's second beta before adjustment. Defaults to StyleGAN2's `0.99`.
        interval: The regularization interval. Defaults to StyleGAN2's `16`.
        **kwargs: Other `keras.optimizers.Adam` arguments (e.g. `epsilon`).

    Returns:
        A `keras.optimizers.Adam`.

    Example:

    ```python
    gan.compile(
        discriminator_optimizer=kgan.models.lazy_adam(2e-3, interval=16),
        r1_weight=5.0,
        regularization_interval=16,
    )
    ```

    Reference:
        Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020,
        appendix B. https://arxiv.org/abs/1912.04958
    """
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        raise ValueError(f"interval must be a positive integer (StyleGAN2: 16); got {interval!r}.")
    ratio = interval / (interval + 1)
    return keras.optimizers.Adam(
        learning_rate * ratio, beta_1=beta_1**ratio, beta_2=beta_2**ratio, **kwargs
    )
