"""`Pix2Pix`: image-to-image translation with a conditional GAN and an L1 term."""

import keras
import numpy as np
import tensorflow as tf

from kgan.losses import reconstruction
from kgan.models import adversarial_model
from kgan.models import critic_augmentation
from kgan.models import network_info
from kgan.models import served_generator
from kgan.models import translation


@keras.saving.register_keras_serializable(package="kgan")
class Pix2Pix(adversarial_model.AdversarialModel):
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
    else is `kgan.models.AdversarialModel`'s: two optimizers, any loss family,
    `discriminator_steps`, the gradient penalty (interpolating between the real and the fake
    *target* with the source held fixed), `fit` (non-finite losses stop training), the
    global-batch averaging under `tf.distribute`, and saving with both optimizers' state.

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

    NETWORKS = ("generator", "discriminator")
    LOGS = ("d_loss", "g_loss", "l1_loss")
    COMPILE_SETTINGS = ("l1_weight", "discriminator_loss_weight", "adversarial_weight")

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(generator=generator, discriminator=discriminator, seed=seed, **kwargs)
        self.latent_dim = None
        self._source_shape = network_info.input_shape(generator)
        self._discriminator_names = network_info.input_names(discriminator)
        self._check_networks()
        self.build()

    def _check_networks(self):
        if self._discriminator_names is not None and len(self._discriminator_names) != 2:
            raise ValueError(
                "The Pix2Pix discriminator takes two inputs, [source, images]; this one takes "
                f"{len(self._discriminator_names)} ({self._discriminator_names})."
            )
        taken = _discriminator_input_shapes(self.discriminator, self._discriminator_names)
        made = network_info.output_shape(self.generator)
        if taken is None:
            return
        if self._source_shape is not None and not network_info.shapes_compatible(
            self._source_shape, taken["source"]
        ):
            raise ValueError(
                f"The generator takes sources of shape {self._source_shape}, but the "
                f"discriminator's source input has shape {taken['source']}."
            )
        if made is not None and not network_info.shapes_compatible(made, taken["images"]):
            raise ValueError(
                f"The generator makes images of shape {made}, but the discriminator's images "
                f"input has shape {taken['images']}. Build both networks for the same target "
                "size and channel count."
            )

    def build_networks(self):
        if self._source_shape is None or None in self._source_shape:
            return  # a subclassed or size-agnostic generator: built by its first batch instead
        source = keras.ops.zeros((1, *self._source_shape))
        fake = self.generator(source)
        if not self.discriminator.built:
            self._discriminate(source, fake)

    def compile(
        self,
        *args,
        l1_weight=100.0,
        discriminator_loss_weight=0.5,
        adversarial_weight=1.0,
        **kwargs,
    ):
        """Configures training: `AdversarialModel.compile`'s arguments plus the Pix2Pix weights.

        Args:
            *args: Passed to `AdversarialModel.compile`: `generator_optimizer` and
                `discriminator_optimizer` (both default to `Adam(2e-4, beta_1=0.5)`, the
                paper's), `loss` (any family; defaults to `"non_saturating"`, the paper's),
                `discriminator_steps`, penalties, `terminate_on_non_finite`.
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
            **kwargs: Passed to `AdversarialModel.compile`.
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

    # --- the alternating step's parts: batches are (source, target) ------------------------------

    def unpack_batch(self, data):
        source, target = translation.unpack_image_pair(
            data,
            "Pix2Pix trains on batches of (source, target) pairs",
            "Build the dataset of pairs, e.g. with kgan.data.paired_arrays, from_paired_folders "
            "or from_side_by_side.",
        )
        return self._check_pair(source, target)

    def make_fakes(self, batch, step, stream, layout, training):
        source, target = batch
        fake = self.generator(source, training=training)
        if not fake.shape[1:].is_compatible_with(target.shape[1:]):
            raise ValueError(
                f"The generator makes images of shape {tuple(fake.shape[1:])} from the sources, "
                f"but the targets have shape {tuple(target.shape[1:])}. Build the generator for "
                "the targets' size and channel count, or load the data at the networks' size."
            )
        return fake

    def discriminator_loss(self, batch, fake, step, stream, layout, training):
        source, target = batch
        base = critic_augmentation.AUGMENT_STREAM + 2 * stream
        real_logits = self._discriminate(source, target, training, (base, step, layout))
        fake_logits = self._discriminate(source, fake, training, (base + 1, step, layout))
        self.observe_reals(real_logits, training)
        per_example = self.discriminator_loss_fn(real_logits, fake_logits)
        self.trackers["d_loss"].update_state(per_example)
        return per_example

    def generator_loss(self, batch, fake, training):
        source, target = batch
        losses = self.generator_losses(source, target, fake, training=training)
        self.trackers["g_loss"].update_state(losses["g_loss"])
        self.trackers["l1_loss"].update_state(losses["l1_loss"])
        return losses["total"]

    def critic(self, batch, fake):
        """The target given the source: penalties interpolate targets, the source held fixed."""
        source, target = batch
        scorer = lambda images, training=True: self._discriminate(source, images, training)  # noqa: E731
        return scorer, tf.cast(target, fake.dtype)

    def generator_losses(self, source, target, fake, training=False):
        """The generator's per-example losses for given fakes, without updating anything.

        Returns:
            A dict of `[batch]` tensors: `g_loss` (adversarial), `l1_loss` (unweighted) and
            `total` (`adversarial_weight * g_loss + l1_weight * l1_loss`, what the generator
            minimises).
        """
        # The scorer augments each (source, images) pair itself, both with one transformation.
        draw = (critic_augmentation.GENERATOR_STREAM, None, None)
        scorer = lambda images, training=False: self._discriminate(source, images, training, draw)  # noqa: E731
        adversarial = self.adversarial_generator_loss(
            scorer, tf.cast(target, fake.dtype), fake, training, augment_stream=None
        )
        l1 = reconstruction.l1_loss(target, fake)
        total = self.adversarial_weight * adversarial + self.l1_weight * l1
        return {"g_loss": adversarial, "l1_loss": l1, "total": total}

    def _discriminate(self, source, images, training=False, augment=None):
        # Keras refuses a dict that mixes tensors and NumPy arrays.
        source, images = tf.convert_to_tensor(source), tf.convert_to_tensor(images)
        if augment is not None and self.augmentation is not None and training:
            # The critic judges the pair: source and images take the same transformation
            # (`augment` is the draw's `(stream, step, layout)`), stacked on the channels.
            source = tf.cast(source, images.dtype)
            channels = source.shape[-1]
            stream, step, layout = augment
            pair = self.augmented(tf.concat([source, images], -1), stream, True, step, layout)
            source, images = pair[..., :channels], pair[..., channels:]
        if self._discriminator_names is not None and set(self._discriminator_names) == {
            "source",
            "images",
        }:
            return self.discriminator({"source": source, "images": images}, training=training)
        return self.discriminator([source, images], training=training)

    def _check_pair(self, source, target):
        source = tf.convert_to_tensor(source)
        target = tf.convert_to_tensor(target)
        if source.shape.rank != 4 or target.shape.rank != 4:
            raise ValueError(
                "Pix2Pix takes image batches [batch, height, width, channels]; got source "
                f"{source.shape} and target {target.shape}."
            )
        if self._source_shape is not None and not network_info.shapes_compatible(
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
        network = self.generator if training else self.sampling_network()
        return translation.translate_in_batches(
            network, images, batch_size, training, expected_shape=self._source_shape
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

    def served_generator(self):
        return served_generator.ServedGenerator(self.sampling_network(), "images")

    def generate(self, *args, **kwargs):
        raise TypeError(
            "Pix2Pix has no latent noise to sample from: it translates given sources. Use "
            "model.translate(source_images) or model(source_images)."
        )

    def sample_latent(self, *args, **kwargs):
        raise TypeError("Pix2Pix has no latent noise; its generator runs on source images.")


def _discriminator_input_shapes(discriminator, names):
    """`{"source": shape, "images": shape}` of a functional discriminator, else None."""
    if names is None or len(names) != 2:
        return None
    shapes = [tuple(tensor.shape[1:]) for tensor in discriminator.inputs]
    if set(names) == {"source", "images"}:
        return dict(zip(names, shapes))
    return {"source": shapes[0], "images": shapes[1]}
