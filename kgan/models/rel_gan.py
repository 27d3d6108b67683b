"""`RelGAN`: a token generator trained through the Gumbel-softmax relaxation, relativistic loss."""

import keras
import tensorflow as tf

from kgan.losses import sequence as sequence_losses
from kgan.models import sequence_gan
from kgan.models import training_phases
from kgan.models import updates

SCHEDULES = ("exponential", "linear")


def inverse_temperature(step, maximum, annealing_steps, schedule="exponential"):
    """RelGAN's inverse temperature `beta` after `step` adversarial steps (eq. 4 and Sec. 4).

    `beta` rises from 1 to `maximum` over `annealing_steps` and stays there: exponentially,
    `maximum ** (n / N)`, or linearly, `1 + (maximum - 1) n / N`. A small `beta` gives smooth
    distributions with low-variance gradients; a large one makes the relaxed samples nearly
    one-hot, closer to what sampling produces (less bias) and more diverse (the paper's finding).
    """
    progress = tf.minimum(tf.cast(step, tf.float32) / float(max(annealing_steps, 1)), 1.0)
    if schedule == "exponential":
        return tf.pow(float(maximum), progress)
    return 1.0 + (float(maximum) - 1.0) * progress


@keras.saving.register_keras_serializable(package="kgan")
class RelGAN(sequence_gan.SequenceGAN):
    """RelGAN-style training: differentiable relaxed samples, relativistic standard loss.

    Sampling a token is `argmax(logits + g)` with Gumbel noise `g`; RelGAN feeds that token
    back into the generator but shows the discriminator `softmax(beta * (logits + g))`, a
    relaxed one-hot row the discriminator reads through its embedding matrix
    (`SequenceDiscriminator` takes distributions), so the discriminator's score is
    differentiable in the generator's weights and no reward estimate is needed. Real sequences
    are shown as one-hot rows. The inverse temperature `beta` is annealed from 1 to
    `max_inverse_temperature` over the first `annealing_steps` adversarial steps.

    Each adversarial step updates the generator once, then the discriminator
    `discriminator_steps` times, both with the relativistic standard loss
    (`kgan.losses.sequence.relativistic_*`), each update with fresh Gumbel noise. The generator
    here is kgan's recurrent one; RelGAN's relational-memory generator is one network choice
    away. The phases are `SequenceGAN`'s (maximum likelihood first, as the paper does).

    Logs: `mle_loss` (phase 0), `d_loss` (phases 1, 2), `g_loss` and `beta` (phase 2), `phase`.

    Args:
        generator: A token generator, e.g. `kgan.networks.RecurrentGenerator`.
        discriminator: A sequence classifier taking token distributions `[batch, T, V]`, e.g.
            `kgan.networks.SequenceDiscriminator`.
        seed: Integer seed of the Gumbel noise. Defaults to a random one.
        vocabulary: A `kgan.data.Vocabulary` of the generator's `vocab_size` tokens, saved with
            the model: `generate_text` and `kgan sample` then write words, and its pad id is
            the padding. Defaults to `None` (bare token ids).
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    model = kgan.models.RelGAN(generator, discriminator)
    model.compile(pretrain_generator_epochs=80, max_inverse_temperature=100,
                  annealing_steps=2000)
    model.fit(token_dataset, epochs=120)
    ```

    Reference:
        Nie et al., "RelGAN: Relational Generative Adversarial Networks for Text Generation",
        ICLR 2019. https://openreview.net/forum?id=rJedV3R5tm
    """

    LOGS = ("d_loss", "g_loss", "beta")
    COMPILE_SETTINGS = (
        *sequence_gan.SequenceGAN.COMPILE_SETTINGS,
        "max_inverse_temperature",
        "annealing_steps",
        "temperature_schedule",
    )

    max_inverse_temperature = 100.0
    annealing_steps = 1000
    temperature_schedule = "exponential"

    def create_state(self):
        # The step the adversarial phase began at, saved, so that beta resumes where it was.
        self.adversarial_start = self.add_weight(
            name="adversarial_start",
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
        )

    def compile(
        self,
        *optimizers,
        max_inverse_temperature=100.0,
        annealing_steps=1000,
        temperature_schedule="exponential",
        **kwargs,
    ):
        """Configures training; `SequenceGAN.compile`'s arguments, and:

        Args:
            max_inverse_temperature: The final `beta` (RelGAN tries 1 to 1000; 100 and 1000
                do best). Defaults to `100.0`.
            annealing_steps: Adversarial steps over which `beta` rises. Defaults to `1000`.
            temperature_schedule: `"exponential"` or `"linear"`. Defaults to `"exponential"`.
        """
        if not max_inverse_temperature >= 1:
            raise ValueError(
                f"max_inverse_temperature must be >= 1, got {max_inverse_temperature}."
            )
        if isinstance(annealing_steps, bool) or not isinstance(annealing_steps, int):
            raise ValueError(f"annealing_steps must be an integer, got {annealing_steps!r}.")
        if annealing_steps < 1:
            raise ValueError(f"annealing_steps must be >= 1, got {annealing_steps}.")
        if temperature_schedule not in SCHEDULES:
            raise ValueError(
                f"temperature_schedule must be one of {SCHEDULES}, got {temperature_schedule!r}."
            )
        self.max_inverse_temperature = float(max_inverse_temperature)
        self.annealing_steps = int(annealing_steps)
        self.temperature_schedule = temperature_schedule
        super().compile(*optimizers, **kwargs)

    def on_phase_change(self, phase):
        if phase == training_phases.ADVERSARIAL:
            self.adversarial_start.assign(self.step_counter)

    def relaxed_samples(self, layout, step, stream, beta, state=None):
        """Gumbel-softmax samples `[batch, T, V]` of the generator (differentiable in it).

        `state` starts the generator (a sequence-to-sequence generator's encoded source).
        """
        shape = (self.max_length * self.vocab_size,)
        uniforms = self.draw(layout, shape, step, sequence_gan.ROLLOUT_STREAM + stream, "uniform")
        uniforms = tf.clip_by_value(uniforms, 1e-10, 1.0 - 1e-7)
        gumbel = tf.reshape(
            -tf.math.log(-tf.math.log(uniforms)), [-1, self.max_length, self.vocab_size]
        )
        start = {} if state is None else {"state": state}
        _, logits = self.generator.unroll(
            lambda logits, t: tf.argmax(logits + gumbel[:, t], axis=-1, output_type=tf.int32),
            layout.size,
            keep_logits=True,
            training=True,
            **start,
        )
        return tf.nn.softmax(beta * (logits + gumbel), axis=-1)

    def adversarial_step(self, tokens, step, layout):
        beta = inverse_temperature(
            step - self.adversarial_start,
            self.max_inverse_temperature,
            self.annealing_steps,
            self.temperature_schedule,
        )
        real = tf.one_hot(tokens, self.vocab_size)
        with tf.GradientTape() as tape:
            fake = self.relaxed_samples(layout, step, 0, beta)
            per_example = sequence_losses.relativistic_generator(
                self.discriminator(real, training=True), self.discriminator(fake, training=True)
            )
            g_loss = updates.global_mean(per_example, layout)
        self.update(tape, g_loss, "generator")
        self.trackers["g_loss"].update_state(per_example)
        for stream in range(self.discriminator_steps):
            fake = tf.stop_gradient(self.relaxed_samples(layout, step, 1 + stream, beta))
            with tf.GradientTape() as tape:
                per_example = sequence_losses.relativistic_discriminator(
                    self.discriminator(real, training=True),
                    self.discriminator(fake, training=True),
                )
                d_loss = updates.global_mean(per_example, layout)
            self.update(tape, d_loss, "discriminator")
            self.trackers["d_loss"].update_state(per_example)
        self.trackers["beta"].update_state(beta)
