"""`MaliGAN`: maximum-likelihood augmented sequence GAN, importance weights from the critic."""

import keras
import tensorflow as tf

from kgan.losses import sequence as sequence_losses
from kgan.models import sequence_gan
from kgan.models import updates


@keras.saving.register_keras_serializable(package="kgan")
class MaliGAN(sequence_gan.SequenceGAN):
    """MaliGAN: the generator's samples re-weighted by the discriminator, a likelihood step.

    With an optimal discriminator, `D(y) / (1 - D(y)) = p_data(y) / p_model(y)`, so weighting
    the model's own samples by that ratio turns the gradient of their log-likelihood into the
    gradient of the *data's* log-likelihood (Che et al. 2017, eq. 6). MaliGAN normalises the
    ratios over the batch, which cancels the unknown scale of `D` and lowers the variance, and
    subtracts the baseline `1 / batch`. Each adversarial step samples a batch, weights it
    (`kgan.losses.sequence.maligan_weights`, over the *global* batch, so replicas under
    `tf.distribute` agree with one device), takes that policy-gradient step with every token of
    a sequence sharing its weight, then updates the discriminator `discriminator_steps` times.

    The phases and their logs are `kgan.models.SeqGAN`'s (`mle_loss`, `d_loss`, `phase`);
    the adversarial phase logs `g_loss` and `weight_max`, the largest normalised weight
    (1 when the critic cannot tell the samples apart; the batch size when one sample takes
    all the weight).

    Args:
        generator: A token generator, e.g. `kgan.networks.RecurrentGenerator`.
        discriminator: A sequence classifier returning logits `[batch, 1]`.
        seed: Integer seed of the sampling noise. Defaults to a random one.
        vocabulary: A `kgan.data.Vocabulary` of the generator's `vocab_size` tokens, saved with
            the model: `generate_text` and `kgan sample` then write words, and its pad id is
            the padding. Defaults to `None` (bare token ids).
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    model = kgan.models.MaliGAN(generator, discriminator)
    model.compile(pretrain_generator_epochs=80, pretrain_discriminator_epochs=10)
    model.fit(token_dataset, epochs=120)
    ```

    Reference:
        Che et al., "Maximum-Likelihood Augmented Discrete Generative Adversarial Networks",
        2017. https://arxiv.org/abs/1702.07983
    """

    LOGS = ("d_loss", "g_loss", "weight_max")

    def adversarial_step(self, tokens, step, layout):
        fake = self.sample_tokens(layout, step, 0)
        fake_logits = tf.reshape(self.discriminator(fake, training=False), [-1])
        weights = sequence_losses.maligan_weights(
            fake_logits, updates.global_logsumexp(fake_logits), layout.global_size
        )
        # The weights are scaled to mean 1, so `w - 1` is Che et al.'s `w / sum w - 1 / m`
        # times the batch size: the same direction, with rewards of order 1 as SeqGAN's.
        advantages = tf.broadcast_to((weights - 1.0)[:, None], tf.shape(fake))
        self.policy_gradient_step(fake, tf.stop_gradient(advantages), layout)
        self.trackers["weight_max"].update_state(updates.replica_max(weights))
        self.discriminator_updates(tokens, step, layout)
