"""The alternating update path of `AdversarialModel`: critic updates, then one generator update.

Each training step runs `discriminator_steps` discriminator updates, then one generator update
against the *updated* discriminator (the alternating scheme of Goodfellow et al.). The
generator's forward pass of the last discriminator update is recorded once on the generator's
tape and reused for the generator update (the discriminator update is taken outside that
recording), which saves a third of the generator's work per step without changing the maths.

An objective on this path defines five methods (see `kgan.GAN` for the smallest set):

- `unpack_batch(data)`: what `fit` hands the step -> the batch the other methods take (checked);
- `make_fakes(batch, step, stream, layout, training)`: generated samples for the batch, drawing
  any noise from `(seed, step, stream)` for the batch's `noise.BatchLayout`;
- `discriminator_loss(batch, fake, step, stream, layout, training)`: the discriminator's
  per-example loss, tracking its logs;
- `generator_loss(batch, fake, training)`: the generator's per-example loss, tracking its logs;
- `critic(batch, fake)`: `(function images -> logits, real images)` for the penalties, with any
  condition of the batch held fixed.
"""

import tensorflow as tf

from kgan.models import noise
from kgan.models import updates


class AlternatingSteps:
    """`train_step`, `test_step` and the two split steps of the alternating path (a mixin)."""

    def train_step(self, data):
        batch = self.unpack_batch(data)
        layout = noise.batch_layout(self.batch_size(batch))
        step = self.read_step()
        last = self.discriminator_steps - 1
        for stream in range(last):
            fake = self.make_fakes(batch, step, stream, layout, training=True)
            self.discriminator_step(batch, fake, step, stream, layout)
        with tf.GradientTape() as generator_tape:
            fake = self.make_fakes(batch, step, last, layout, training=True)
            # The generator's forward pass above is recorded once and serves its update below;
            # the critic's update in between must stay off the generator's tape.
            with generator_tape.stop_recording():
                self.discriminator_step(batch, fake, step, last, layout)
            g_loss = updates.global_mean(self.generator_loss(batch, fake, training=True), layout)
        self.update(generator_tape, g_loss, "generator")
        self.advance_step()
        return self.logs()

    def discriminator_step(self, batch, fake, step=None, stream=0, layout=None):
        """Updates the discriminator once on the batch's real samples and `fake` (constants).

        Note that every extra critic update (`discriminator_steps > 1`) reuses the step's real
        batch with fresh noise, where WGAN-GP's Algorithm 1 draws a new real batch each time.

        Args:
            batch: What `unpack_batch` made of the step's data.
            fake: Generated samples for the batch.
            step: The step seeding the update's draws. Defaults to the current step.
            stream: Which critic update of the step. Defaults to `0`.
            layout: The batch's `noise.BatchLayout`. Defaults to this batch's.

        Returns:
            The discriminator's loss averaged over the global batch (penalties and
            `discriminator_loss_weight` aside).
        """
        layout = layout or noise.batch_layout(self.batch_size(batch))
        step = self.read_step() if step is None else step
        fake = tf.stop_gradient(fake)
        with tf.GradientTape() as tape:
            per_example = self.discriminator_loss(batch, fake, step, stream, layout, training=True)
            d_loss = updates.global_mean(per_example, layout)
            total = self.discriminator_loss_weight * d_loss
            critic, real = self.critic(batch, fake)
            penalty = self.penalty(critic, real, fake, step, stream, layout)
            if penalty is not None:
                total = total + penalty
        self.update(tape, total, "discriminator")
        return d_loss

    def generator_step(self, batch, step=None, stream=0, layout=None):
        """Updates the generator once against the current discriminator.

        Args:
            batch: What `unpack_batch` made of the step's data (an unconditional GAN uses only
                its size).
            step: The step seeding the generator's noise. Defaults to the current step.
            stream: Which draw of the step. Defaults to `0`.
            layout: The batch's `noise.BatchLayout`. Defaults to this batch's.

        Returns:
            The generator's loss, averaged over the global batch.
        """
        layout = layout or noise.batch_layout(self.batch_size(batch))
        step = self.read_step() if step is None else step
        with tf.GradientTape() as tape:
            fake = self.make_fakes(batch, step, stream, layout, training=True)
            g_loss = updates.global_mean(self.generator_loss(batch, fake, training=True), layout)
        self.update(tape, g_loss, "generator")
        return g_loss

    def test_step(self, data):
        batch = self.unpack_batch(data)
        # The evaluation stream is never trained on. Its step is the number of examples
        # evaluated so far (the d_loss tracker's count, reset by `evaluate`), so each batch gets
        # its own noise and `evaluate` is repeatable.
        examples_so_far = tf.cast(self.trackers["d_loss"].count, tf.int64)
        stream = noise.EVALUATION_STREAM
        layout = noise.batch_layout(self.batch_size(batch))
        fake = self.make_fakes(batch, examples_so_far, stream, layout, training=False)
        self.discriminator_loss(batch, fake, examples_so_far, stream, layout, training=False)
        self.generator_loss(batch, fake, training=False)
        return self.logs(penalties=False)

    def batch_size(self, batch):
        """The number of examples in an unpacked batch (its first tensor's leading size)."""
        return tf.shape(tf.nest.flatten(batch)[0])[0]
