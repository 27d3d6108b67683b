"""`GAN`: an unconditional generative adversarial network trained with `model.fit`."""

import keras
import numpy as np
import tensorflow as tf

from kgan.models import adversarial_model
from kgan.models import network_info
from kgan.models import noise
from kgan.models import sampling
from kgan.models import served_generator


@keras.saving.register_keras_serializable(package="kgan")
class GAN(adversarial_model.AdversarialModel):
    """A generator and a discriminator trained against each other with `fit`.

    Each training step updates the discriminator `discriminator_steps` times, then the generator
    once against the *updated* discriminator (the alternating scheme of Goodfellow et al.); the
    generator's forward pass of the last discriminator update serves the generator update too
    (see `kgan.models.alternating`).

    The latent noise is drawn statelessly from `(seed, training step)`, so training is a pure
    function of the data and the seed: `BackupAndRestore` resumes bit-exactly, and under
    `tf.distribute` each replica takes its slice of the same global draw, so N replicas reproduce
    one device. Per-example losses are averaged over the global batch, as
    `tf.nn.compute_average_loss` does. Everything else (compile settings, penalties, saving,
    `fit`'s guarantees) is `kgan.models.AdversarialModel`'s.

    `model(z)` runs the generator, so `predict`, callbacks and export all go through it.

    Logs: `d_loss` (the discriminator's adversarial loss), `g_loss`, and with a penalty `gp`
    or `r1` (unweighted).

    Args:
        generator: A model mapping latent vectors `[batch, latent_dim]` to samples.
        discriminator: A model mapping samples to logits `[batch, 1]` (or a logit map).
        latent_dim: Size of the latent vector. Defaults to the generator's input size.
        seed: Integer seed for the training noise. Defaults to a random one, stored in the config
            so a saved model resumes with the same noise stream.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    gan = kgan.GAN(
        generator=kgan.networks.dcgan_generator(latent_dim=64, image_size=32, channels=1),
        discriminator=kgan.networks.dcgan_discriminator(image_size=32, channels=1),
    )
    gan.compile(loss="hinge")  # Adam(2e-4, beta_1=0.5) for both networks
    gan.fit(kgan.data.load_digits(image_size=32), epochs=5)
    images = gan.generate(16, seed=0)  # float32 in [-1, 1], shape [16, 32, 32, 1]
    ```

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
        https://arxiv.org/abs/1406.2661
    """

    NETWORKS = ("generator", "discriminator")
    LOGS = ("d_loss", "g_loss")

    def __init__(self, generator, discriminator, latent_dim=None, seed=None, **kwargs):
        super().__init__(generator=generator, discriminator=discriminator, seed=seed, **kwargs)
        self.latent_dim = network_info.resolve_latent_dim(generator, latent_dim, owner="GAN")
        made = network_info.output_shape(generator)
        taken = network_info.input_shape(discriminator)
        if made is not None and taken is not None:
            if not network_info.shapes_compatible(made, taken):
                raise ValueError(
                    f"The generator makes samples of shape {made}, but the discriminator takes "
                    f"{taken}. Build both networks for the same image size and channel count."
                )
        self.build()

    def build_networks(self):
        if not self.generator.built:
            self.generator(keras.ops.zeros((1, self.latent_dim)))
        if not self.discriminator.built:
            self.discriminator(self.generator(keras.ops.zeros((1, self.latent_dim))))

    # --- the alternating step's parts ------------------------------------------------------------

    def unpack_batch(self, data):
        """The real samples of a batch (`x` of `(x,)`, `(x, y)` or `(x, y, sample_weight)`),
        checked at trace time against the discriminator's input shape."""
        samples, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        samples = tf.convert_to_tensor(samples)
        expected = network_info.input_shape(self.discriminator)
        if expected is not None and not network_info.shapes_compatible(samples.shape[1:], expected):
            raise ValueError(
                f"The data's samples have shape {tuple(samples.shape[1:])}, but the discriminator "
                f"takes {expected}. Load the data at the networks' size (e.g. "
                "kgan.data.load(..., image_size=N, channels=C)) or build the networks for it."
            )
        return samples

    def make_fakes(self, batch, step, stream, layout, training):
        latent = self.draw(layout, (self.latent_dim,), step, stream)
        return self.generator(latent, training=training)

    def discriminator_loss(self, batch, fake, step, stream, layout, training):
        real, fake = self.augmented_pair(batch, fake, stream, training, step, layout)
        real_logits = self.discriminator(real, training=training)
        fake_logits = self.discriminator(fake, training=training)
        self.observe_reals(real_logits, training)
        per_example = self.discriminator_loss_fn(real_logits, fake_logits)
        # Trackers take every example (weighting batches by size, as Keras does for `loss`);
        # their variables sum across replicas, so the logged mean is the global one even when
        # the batch splits unevenly.
        self.trackers["d_loss"].update_state(per_example)
        return per_example

    def generator_loss(self, batch, fake, training):
        per_example = self.adversarial_generator_loss(self.discriminator, batch, fake, training)
        self.trackers["g_loss"].update_state(per_example)
        return per_example

    def critic(self, batch, fake):
        return self.discriminator, batch

    # --- sampling ------------------------------------------------------------------------------

    def sample_latent(self, batch_size, step, stream=0):
        """Latent vectors for a training step: a pure function of `(seed, step, stream)`.

        Args:
            batch_size: Examples in this replica's batch.
            step: Training step (`step_counter` during `fit`).
            stream: Which draw of the step: `i` for the `i`-th discriminator update; the last
                one also feeds the generator update. Defaults to `0`.

        Returns:
            float32 tensor `[batch_size, latent_dim]`.
        """
        return self.draw(noise.batch_layout(batch_size), (self.latent_dim,), step, stream)

    def served_generator(self):
        return served_generator.ServedGenerator(self.sampling_network(), "latent")

    def generate(self, num, seed=None, batch_size=256):
        """Generates `num` samples as a NumPy array (images in `[-1, 1]`).

        The latent vectors come from `numpy.random.default_rng(seed)`, so a seed always gives the
        same latent vectors, and the first `k` of `generate(n, seed)` use the vectors of
        `generate(k, seed)`. Outputs are bit-identical for the same seed and `batch_size`; other
        batch sizes may run other kernels and agree to float round-off.

        Args:
            num: Number of samples.
            seed: Integer seed. Defaults to a random one.
            batch_size: Samples generated per forward pass. Defaults to `256`.

        Returns:
            `np.ndarray` of shape `[num, *generator_output_shape]`, float32.
        """
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
            raise ValueError(f"num must be a positive integer number of samples, got {num!r}.")
        latent = sampling.latent_vectors(num, self.latent_dim, seed)
        return sampling.in_batches(lambda batch: self(batch, training=False), latent, batch_size)

    def get_config(self):
        config = super().get_config()
        config["latent_dim"] = self.latent_dim
        return config
