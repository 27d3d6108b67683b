"""`Pix2Pix`: image-to-image translation with a conditional GAN and an L1 term."""

import keras
import numpy as np
import tensorflow as tf

from kgan.losses import penalties
from kgan.losses import reconstruction
from kgan.models import gan
from kgan.models import noise
from kgan.models import translation


@keras.saving.register_keras_serializable(package="kgan")
class Pix2Pix(gan.GAN):
    """Learns to translate a source image into its target image from `(source, target)` pairs.

    The generator maps `source` to an image of the target's shape (typically a U-Net). The
    discriminator is conditioned on the source: it sees `(source, target)` pairs, scored real,
    and `(source, G(source))` pairs, scored fake, and returns a logit map (a PatchGAN judges
    each patch; every family of `kgan.losses.adversarial` averages a map elementwise). The
    generator minimises the family's generator loss plus `l1_weight` times the L1 distance to
    the target:

        G* = arg min_G max_D  L_cGAN(G, D) + lambda * E[||y - G(x)||_1]

    There is no latent vector: as in the paper, the only noise is the generator's dropout, so
    `model(source)` runs the generator and each training step needs just the batch. Everything
    else is `kgan.GAN`'s: two optimizers, any loss family, `discriminator_steps`, the gradient
    penalty (interpolating between the real and the fake *target* with the source held fixed),
    `fit` (non-finite losses stop training), the global-batch averaging under `tf.distribute`,
    and saving with both optimizers' state.

    The step's only randomness is the generator's dropout, drawn by Keras' seeded generators,
    which are not saved: training is repeatable from `keras.utils.set_random_seed`, but a
    `BackupAndRestore` resume is bit-exact only for a generator without dropout. NumPy pairs
    train as `model.fit(source, target)`.

    Logs: `d_loss` (the family's discriminator loss, unweighted), `g_loss` (the generator's
    adversarial loss alone) and `l1_loss` (unweighted), plus `gp` with a penalty. The generator
    minimises `adversarial_weight * g_loss + l1_weight * l1_loss` (`adversarial_weight` is 1
    unless set to 0 for the L1-only baseline).

    Args:
        generator: A model on `source` images (input named `"source"`) returning images shaped
            like the targets, e.g. `kgan.networks.unet_generator`.
        discriminator: A model on `[source, images]` (inputs named `"source"` and `"images"`,
            matched by name; in that order if unnamed) returning logits `[batch, 1]` or a logit
            map `[batch, h, w, 1]`.
        seed: Integer seed of the gradient penalty's stateless draws. Defaults to a random one.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    model = kgan.Pix2Pix(
        generator=kgan.networks.unet_generator(256, input_channels=3, output_channels=3),
        discriminator=kgan.networks.patchgan_discriminator(256, source_channels=3,
                                                            target_channels=3),
    )
    model.compile()  # Adam(2e-4, beta_1=0.5) for both, non-saturating loss, l1_weight=100
    dataset = kgan.data.from_side_by_side("facades/train", image_size=256, source="right",
                                          batch_size=1, jitter=True, seed=0)
    model.fit(dataset, epochs=200)
    translated = model.translate(source_images)  # float32 in [-1, 1]
    ```

    Reference:
        Isola et al., "Image-to-Image Translation with Conditional Adversarial Networks",
        CVPR 2017. https://arxiv.org/abs/1611.07004
    """

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        # GAN.__init__ would read a latent size from the generator, which has none here; the
        # attributes GAN's compile, fit and saving use are set below instead.
        keras.Model.__init__(self, **kwargs)
        if not isinstance(generator, keras.Model) or not isinstance(discriminator, keras.Model):
            raise TypeError(
                "Pix2Pix takes a generator and a discriminator that are keras.Model instances; "
                f"got {type(generator).__name__} and {type(discriminator).__name__}."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = None
        self.seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)
        self._source_shape = gan._input_shape(generator)
        self._discriminator_names = _input_names(discriminator)
        self._check_networks()
        self._build_networks()
        self.generator_optimizer = None
        self.discriminator_optimizer = None
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.l1_loss_tracker = keras.metrics.Mean(name="l1_loss")
        self.gp_tracker = keras.metrics.Mean(name="gp")

    def _check_networks(self):
        if self._discriminator_names is not None and len(self._discriminator_names) != 2:
            raise ValueError(
                "The Pix2Pix discriminator takes two inputs, [source, images]; this one takes "
                f"{len(self._discriminator_names)} ({self._discriminator_names})."
            )
        taken = _discriminator_input_shapes(self.discriminator, self._discriminator_names)
        made = gan._output_shape(self.generator)
        if taken is None:
            return
        if self._source_shape is not None and not gan._shapes_compatible(
            self._source_shape, taken["source"]
        ):
            raise ValueError(
                f"The generator takes sources of shape {self._source_shape}, but the "
                f"discriminator's source input has shape {taken['source']}."
            )
        if made is not None and not gan._shapes_compatible(made, taken["images"]):
            raise ValueError(
                f"The generator makes images of shape {made}, but the discriminator's images "
                f"input has shape {taken['images']}. Build both networks for the same target "
                "size and channel count."
            )

    def _build_networks(self):
        if self._source_shape is None or None in self._source_shape:
            # A subclassed or size-agnostic generator: built by its first batch instead.
            self.built = True
            return
        source = keras.ops.zeros((1, *self._source_shape))
        fake = self.generator(source)
        if not self.discriminator.built:
            self._discriminate(source, fake)
        self.built = True

    def call(self, inputs, training=None):
        """Runs the generator on `source` images."""
        return self.generator(inputs, training=training)

    # --- compile -------------------------------------------------------------------------------

    def compile(
        self,
        *args,
        l1_weight=100.0,
        discriminator_loss_weight=0.5,
        adversarial_weight=1.0,
        **kwargs,
    ):
        """Configures training: `GAN.compile`'s arguments plus the Pix2Pix weights.

        Args:
            *args: Passed to `GAN.compile`: `generator_optimizer` and `discriminator_optimizer`
                (both default to `Adam(2e-4, beta_1=0.5)`, the paper's), `loss` (any family;
                defaults to `"non_saturating"`, the paper's), `discriminator_steps`, gradient
                penalty, `terminate_on_non_finite`.
            l1_weight: Weight lambda of the L1 term in the generator's objective; `0` trains a
                plain conditional GAN. Defaults to `100.0` (the paper's).
            discriminator_loss_weight: Factor on the discriminator's loss when it is optimised.
                The paper divides it by 2 "to slow down the rate at which D learns relative to
                G"; the default follows it. Note that Adam's update does not depend on the
                scale of the gradient (up to its epsilon), so under Adam the factor changes
                almost nothing; under SGD it halves the discriminator's learning rate. The
                logged `d_loss` is the unweighted loss. Defaults to `0.5`.
            adversarial_weight: Factor on the adversarial term in the generator's objective;
                `0` trains the generator on L1 alone (the paper's "L1 only" baseline, with the
                same network and data), while the discriminator still trains beside it, so
                `d_loss` shows how easily L1's outputs are told apart. Defaults to `1.0`.
            **kwargs: Passed to `GAN.compile`.
        """
        l1_weight = float(l1_weight)
        discriminator_loss_weight = float(discriminator_loss_weight)
        adversarial_weight = float(adversarial_weight)
        if l1_weight < 0 or adversarial_weight < 0:
            raise ValueError(
                "l1_weight and adversarial_weight must be >= 0, got "
                f"{l1_weight} and {adversarial_weight}."
            )
        if l1_weight == 0 and adversarial_weight == 0:
            raise ValueError(
                "l1_weight and adversarial_weight are both 0: the generator would not learn."
            )
        if discriminator_loss_weight <= 0:
            raise ValueError(
                f"discriminator_loss_weight must be positive, got {discriminator_loss_weight}."
            )
        super().compile(*args, **kwargs)
        self.l1_weight = l1_weight
        self.discriminator_loss_weight = discriminator_loss_weight
        self.adversarial_weight = adversarial_weight

    def get_compile_config(self):
        config = super().get_compile_config()
        if config:
            config["l1_weight"] = self.l1_weight
            config["discriminator_loss_weight"] = self.discriminator_loss_weight
            config["adversarial_weight"] = self.adversarial_weight
        return config

    # --- training ------------------------------------------------------------------------------

    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker, self.l1_loss_tracker]
        if getattr(self, "gradient_penalty_weight", 0.0) > 0:
            trackers.append(self.gp_tracker)
        return trackers

    def train_step(self, data):
        source, target = self._unpack(data)
        layout = noise.batch_layout(tf.shape(source)[0])
        step = self.generator_optimizer.iterations
        last = self.discriminator_steps - 1
        for index in range(last):
            fake = self._translate(source, target, training=True)
            self.discriminator_step(source, target, fake, step, stream=index, layout=layout)
        # As in GAN.train_step: the generator's forward pass is recorded once and serves its
        # update; the discriminator's update in between is kept off the generator's tape.
        with tf.GradientTape() as generator_tape:
            fake = self._translate(source, target, training=True)
            with generator_tape.stop_recording():
                self.discriminator_step(source, target, fake, step, stream=last, layout=layout)
            total = self._generator_objective(source, target, fake, layout, training=True)
        self._apply(self.generator_optimizer, generator_tape, total, self.generator)
        return self._logs()

    def discriminator_step(self, source, target, fake, step=None, stream=0, layout=None):
        """Updates the discriminator once: `(source, target)` is real, `(source, fake)` fake.

        `fake` is treated as a constant. With a gradient penalty, the interpolation weights are
        drawn statelessly from `(seed, step, stream)`.

        Returns:
            The family's discriminator loss, averaged over the global batch, before the
            `discriminator_loss_weight` factor (and without the penalty).
        """
        layout = layout or noise.batch_layout(tf.shape(source)[0])
        step = self.generator_optimizer.iterations if step is None else step
        fake = tf.stop_gradient(fake)
        with tf.GradientTape() as tape:
            real_logits = self._discriminate(source, target, training=True)
            fake_logits = self._discriminate(source, fake, training=True)
            per_example = self.discriminator_loss_fn(real_logits, fake_logits)
            d_loss = gan._average(per_example, layout)
            total = self.discriminator_loss_weight * d_loss
            if self.gradient_penalty_weight > 0:
                alpha = noise.draw(
                    layout,
                    (),
                    noise.step_seed(self.seed, step, gan._PENALTY_STREAM + stream),
                    "uniform",
                )
                per_example_gp = penalties.gradient_penalty(
                    lambda images, training=True: self._discriminate(source, images, training),
                    tf.cast(target, fake.dtype),
                    fake,
                    self.gradient_penalty_target,
                    alpha=alpha,
                )
                total = total + self.gradient_penalty_weight * gan._average(per_example_gp, layout)
                self.gp_tracker.update_state(per_example_gp)
        self._apply(self.discriminator_optimizer, tape, total, self.discriminator)
        self.d_loss_tracker.update_state(per_example)
        return d_loss

    def generator_step(self, source, target):
        """Updates the generator once against the current discriminator.

        Returns:
            The generator's total loss `adversarial_weight * g_loss + l1_weight * l1_loss`,
            averaged over the global batch.
        """
        source, target = self._check_pair(source, target)
        layout = noise.batch_layout(tf.shape(source)[0])
        with tf.GradientTape() as tape:
            fake = self._translate(source, target, training=True)
            total = self._generator_objective(source, target, fake, layout, training=True)
        self._apply(self.generator_optimizer, tape, total, self.generator)
        return total

    def generator_losses(self, source, target, fake, training=False):
        """The generator's per-example losses for given fakes, without updating anything.

        Returns:
            A dict of `[batch]` tensors: `g_loss` (adversarial), `l1_loss` (unweighted) and
            `total` (`adversarial_weight * g_loss + l1_weight * l1_loss`, what the generator
            minimises).
        """
        adversarial = self.generator_loss_fn(self._discriminate(source, fake, training=training))
        l1 = reconstruction.l1_loss(target, fake)
        total = self.adversarial_weight * adversarial + self.l1_weight * l1
        return {"g_loss": adversarial, "l1_loss": l1, "total": total}

    def _generator_objective(self, source, target, fake, layout, training):
        losses = self.generator_losses(source, target, fake, training=training)
        self.g_loss_tracker.update_state(losses["g_loss"])
        self.l1_loss_tracker.update_state(losses["l1_loss"])
        return gan._average(losses["total"], layout)

    def test_step(self, data):
        source, target = self._unpack(data)
        fake = self._translate(source, target, training=False)
        real_logits = self._discriminate(source, target, training=False)
        fake_logits = self._discriminate(source, fake, training=False)
        self.d_loss_tracker.update_state(self.discriminator_loss_fn(real_logits, fake_logits))
        self.g_loss_tracker.update_state(self.generator_loss_fn(fake_logits))
        self.l1_loss_tracker.update_state(reconstruction.l1_loss(target, fake))
        return {
            tracker.name: tracker.result()
            for tracker in (self.d_loss_tracker, self.g_loss_tracker, self.l1_loss_tracker)
        }

    # --- networks ------------------------------------------------------------------------------

    def _discriminate(self, source, images, training=False):
        # Keras refuses a dict that mixes tensors and NumPy arrays.
        source, images = tf.convert_to_tensor(source), tf.convert_to_tensor(images)
        if self._discriminator_names is not None and set(self._discriminator_names) == {
            "source",
            "images",
        }:
            return self.discriminator({"source": source, "images": images}, training=training)
        return self.discriminator([source, images], training=training)

    def _translate(self, source, target, training):
        """`G(source)`, checked (at trace time) to have the target's shape."""
        fake = self.generator(source, training=training)
        if not fake.shape[1:].is_compatible_with(target.shape[1:]):
            raise ValueError(
                f"The generator makes images of shape {tuple(fake.shape[1:])} from the sources, "
                f"but the targets have shape {tuple(target.shape[1:])}. Build the generator for "
                "the targets' size and channel count, or load the data at the networks' size."
            )
        return fake

    def _unpack(self, data):
        source, target = translation.unpack_image_pair(
            data,
            "Pix2Pix trains on batches of (source, target) pairs",
            "Build the dataset of pairs, e.g. with kgan.data.paired_arrays, from_paired_folders "
            "or from_side_by_side.",
        )
        return self._check_pair(source, target)

    def _check_pair(self, source, target):
        source = tf.convert_to_tensor(source)
        target = tf.convert_to_tensor(target)
        if source.shape.rank != 4 or target.shape.rank != 4:
            raise ValueError(
                "Pix2Pix takes image batches [batch, height, width, channels]; got source "
                f"{source.shape} and target {target.shape}."
            )
        if self._source_shape is not None and not gan._shapes_compatible(
            source.shape[1:], self._source_shape
        ):
            raise ValueError(
                f"The sources have shape {tuple(source.shape[1:])}, but the generator takes "
                f"{self._source_shape}. Load the data at the networks' size."
            )
        translation.check_same_count(
            source,
            target,
            "A batch holds {} sources but {} targets; each source needs its target.",
            "A batch holds different numbers of sources and targets.",
        )
        return source, target

    # --- inference -----------------------------------------------------------------------------

    def translate(self, images, batch_size=32, training=False):
        """Translates source images, as a NumPy array.

        Args:
            images: Source images `[num, height, width, channels]` in `[-1, 1]` (array-like).
            batch_size: Images per forward pass. Defaults to `32`.
            training: Run the generator in training mode. The paper keeps dropout on at test
                time (and batch normalization on the test batch's statistics); pass `True` for
                that. Defaults to `False` (deterministic).

        Returns:
            `np.ndarray` of the translated images, float32 in `[-1, 1]`.
        """
        return translation.translate_in_batches(
            self.generator, images, batch_size, training, expected_shape=self._source_shape
        )

    def sample_panels(self, source, target=None, batch_size=32):
        """The panels `kgan.callbacks.SampleGrid` shows for each example, left to right.

        Args:
            source: Source images `[num, height, width, channels]` in `[-1, 1]`.
            target: Their true targets, or `None` to show source | generated only.
            batch_size: Images per forward pass. Defaults to `32`.

        Returns:
            A list of image batches: `[source, generated, target]` (without `target` when it is
            `None`), generated deterministically (`training=False`).
        """
        panels = [np.asarray(source), self.translate(source, batch_size=batch_size)]
        return panels if target is None else [*panels, np.asarray(target)]

    def generate(self, *args, **kwargs):
        raise TypeError(
            "Pix2Pix has no latent noise to sample from: it translates given sources. Use "
            "model.translate(source_images) or model(source_images)."
        )

    def sample_latent(self, *args, **kwargs):
        raise TypeError("Pix2Pix has no latent noise; its generator runs on source images.")

    # --- serialization -------------------------------------------------------------------------

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "seed": self.seed,
        }


def _input_names(network):
    """The names of a functional network's inputs, or None when it has no symbolic inputs."""
    try:
        return [tensor.name for tensor in network.inputs]
    except (AttributeError, ValueError, TypeError):
        return None


def _discriminator_input_shapes(discriminator, names):
    """`{"source": shape, "images": shape}` of a functional discriminator, else None."""
    if names is None or len(names) != 2:
        return None
    shapes = [tuple(tensor.shape[1:]) for tensor in discriminator.inputs]
    if set(names) == {"source", "images"}:
        return dict(zip(names, shapes))
    return {"source": shapes[0], "images": shapes[1]}
