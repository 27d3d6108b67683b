"""`ConditionalGAN`: a GAN whose samples follow a given class or attribute vector."""

import keras
import numpy as np
import tensorflow as tf

from kgan.models import adversarial_model
from kgan.models import conditions
from kgan.models import critic_augmentation
from kgan.models import network_info
from kgan.models import noise
from kgan.models import sampling
from kgan.models import served_generator

CONDITIONINGS = ("concat", "projection", "acgan")


@keras.saving.register_keras_serializable(package="kgan")
class ConditionalGAN(adversarial_model.AdversarialModel):
    """A GAN whose generator and discriminator both see a condition: class ids or attributes.

    Batches are `(images, labels)`. `labels` are either int class ids, shape `[batch]` (or
    `[batch, 1]`), with `num_classes=`, or attribute vectors (multi-hot float), shape
    `[batch, condition_dim]`, with `condition_dim=`. The generator is a model on `[z, labels]`
    (inputs named `"z"` and `"labels"`); fakes are generated for the batch's own labels.

    The discriminator depends on `conditioning`:

    - `"concat"` and `"projection"`: a model on `[images, labels]` returning logits. The two
      differ only inside the network (see `kgan.networks.conditional_discriminators`); training
      is the same.
      Training is **matching-aware** (GAN-CLS, Reed et al. 2016): besides (real, right) pairs,
      scored real, and (fake, right) pairs, scored fake, the discriminator sees (real, wrong)
      pairs, also scored fake, so it must judge whether an image matches its condition and not
      only whether it looks real. With `D(r, f)` the loss family's per-example discriminator loss,
      the discriminator minimises

          d_loss = (D(real_right, fake_right) + w * D(real_right, real_wrong)) / (1 + w)

      with `w = mismatch_weight`. Every loss family is a sum of a real term and a fake term,
      so this is `real + (fake + w * mismatch) / (1 + w)`: `w = 1` (the default) is exactly
      Algorithm 1 of Reed et al., where the discriminator maximises
      `log s_r + (log(1 - s_w) + log(1 - s_f)) / 2`, and `w = 0` is the plain conditional GAN
      (Mirza & Osindero 2014). `mismatch_loss` logs
      `D(real_right, real_wrong)`: the family's discriminator loss on telling right pairs from
      wrong ones. The generator's loss is the family's generator loss on (fake, right).
    - `"acgan"`: a model on `images` alone returning `(logits, class_logits)` (Odena et al.
      2017). The discriminator adds `classification_weight` times the classification loss on real
      and on fake images (softmax cross-entropy for class ids, the mean sigmoid cross-entropy
      over attributes for vectors), logged as `class_loss`; the generator adds the same weight
      times the classification loss of its fakes. A discriminator that does not see the labels
      cannot be shown wrong pairs, so there is no mismatch term.

    Wrong conditions always differ from the right ones: another class, or another example's
    attribute vector (one attribute flipped where that equals the right one). They are stateless
    draws, like the latent noise, so resumed training is exact, and N replicas draw what one
    device does (see `kgan.models.conditions.wrong_labels`).

    With a gradient penalty (`gradient_penalty_weight > 0`) the interpolates lie between
    (real, right) and (fake, right), the condition held fixed: the critic is made 1-Lipschitz in
    the image for each condition.

    `model((z, labels))` runs the generator; `generate(labels, seed=...)` makes one sample per
    label row.

    Args:
        generator: A model on `[z, labels]` returning samples.
        discriminator: A model on `[images, labels]` returning logits, or for `"acgan"` a model
            on `images` returning `[logits, class_logits]` (see
            `kgan.networks.conditional_discriminator`).
        num_classes: Number of classes, for int class-id labels. Defaults to `None`.
        condition_dim: Length of the attribute vectors, for multi-hot float labels. Defaults to
            `None`. Pass exactly one of `num_classes` and `condition_dim`.
        latent_dim: Size of the latent vector. Defaults to the size of the generator's `z`.
        conditioning: How the discriminator is conditioned: `"concat"`, `"projection"` or
            `"acgan"`. Defaults to `"concat"`.
        seed: Integer seed of the training noise. Defaults to a random one.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    generator = kgan.networks.conditional_dcgan_generator(64, 32, 1, num_classes=10)
    discriminator = kgan.networks.conditional_discriminator(
        kgan.networks.dcgan_features(image_size=32, channels=1), num_classes=10,
        conditioning="projection",
    )
    model = kgan.ConditionalGAN(generator, discriminator, num_classes=10,
                                conditioning="projection")
    model.compile(loss="hinge")
    model.fit(kgan.data.load_digits(image_size=32, with_labels=True), epochs=5)
    sevens = model.generate(np.full(16, 7), seed=0)  # [16, 32, 32, 1] in [-1, 1]
    ```

    Reference:
        Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014.
        https://arxiv.org/abs/1411.1784;
        Reed et al., "Generative Adversarial Text to Image Synthesis", ICML 2016.
        https://arxiv.org/abs/1605.05396;
        Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018.
        https://arxiv.org/abs/1802.05637;
        Odena et al., "Conditional Image Synthesis with Auxiliary Classifier GANs", ICML 2017.
        https://arxiv.org/abs/1610.09585
    """

    NETWORKS = ("generator", "discriminator")
    LOGS = ("d_loss", "g_loss", "mismatch_loss", "class_loss")
    COMPILE_SETTINGS = ("mismatch_weight", "classification_weight")
    mismatch_weight = 0.0
    classification_weight = 0.0

    def __init__(
        self,
        generator,
        discriminator,
        num_classes=None,
        condition_dim=None,
        latent_dim=None,
        conditioning="concat",
        seed=None,
        **kwargs,
    ):
        super().__init__(generator=generator, discriminator=discriminator, seed=seed, **kwargs)
        num_classes, condition_dim = conditions.check_form(num_classes, condition_dim)
        if conditioning not in CONDITIONINGS:
            raise ValueError(f"conditioning must be one of {CONDITIONINGS}, got {conditioning!r}.")
        self.num_classes = num_classes
        self.condition_dim = condition_dim
        self.conditioning = conditioning
        conditions.check_generator(generator, num_classes, condition_dim)
        conditions.check_discriminator(discriminator, conditioning)
        self.latent_dim = network_info.resolve_latent_dim(
            generator, latent_dim, first_of_several=True, owner="ConditionalGAN"
        )
        self.build()

    def build_networks(self):
        labels = conditions.example_labels(1, self.num_classes, self.condition_dim)
        fake = self.generator([keras.ops.zeros((1, self.latent_dim)), labels])
        if not self.discriminator.built:
            self.discriminator(self._discriminator_inputs(fake, labels))

    def call(self, inputs, training=None):
        """Runs the generator on `(z, labels)` (a tuple, list, or dict with those keys)."""
        if isinstance(inputs, dict):
            latent, labels = inputs["z"], inputs["labels"]
        else:
            try:
                latent, labels = inputs
            except (TypeError, ValueError):
                raise ValueError(
                    "A ConditionalGAN is called on (z, labels): latent vectors [batch, "
                    f"latent_dim] and their conditions; got {inputs!r}."
                ) from None
        latent = tf.convert_to_tensor(latent)
        labels = self._check_labels(labels, tf.shape(latent)[0])
        network = self.generator if training else self.sampling_network()
        return network([latent, labels], training=training)

    def compile(self, *args, mismatch_weight=None, classification_weight=1.0, **kwargs):
        """Configures training: `AdversarialModel.compile`'s arguments plus the conditional terms.

        Args:
            *args: Passed to `AdversarialModel.compile`: the optimizers
                (`generator_optimizer`, `discriminator_optimizer`), `loss`,
                `discriminator_steps`, penalties, ...
            mismatch_weight: Weight `w` of the (real, wrong condition) pairs in the
                discriminator's fake side (see the class docstring); `0` turns them off.
                Defaults to `1.0` (Reed et al.) for `"concat"` and `"projection"`, `0` for
                `"acgan"` (which cannot use them).
            classification_weight: `"acgan"` only: weight of the auxiliary classification loss
                for both networks. Defaults to `1.0` (Odena et al.).
            **kwargs: Passed to `AdversarialModel.compile`.
        """
        mismatch_weight, classification_weight = conditions.check_weights(
            self.conditioning, self.num_classes, mismatch_weight, classification_weight
        )
        super().compile(*args, **kwargs)
        self.mismatch_weight = mismatch_weight
        self.classification_weight = classification_weight

    def logged_names(self):
        names = ["d_loss", "g_loss"]
        if self.mismatch_weight > 0:
            names.append("mismatch_loss")
        if self.conditioning == "acgan" and self.classification_weight > 0:
            names.append("class_loss")
        return names + super().logged_names()[len(self.LOGS) :]

    def fit(self, *args, **kwargs):
        """Trains the model: `AdversarialModel.fit`, with class ids checked in the pipeline.

        The step checks class ids too, but XLA (`jit_compile=True`, the default on GPU) compiles
        assertions away, and an out-of-range id then silently embeds as zeros. So the ids of a
        `tf.data.Dataset` of `(images, labels)` are also checked by a `map` outside the step, and
        NumPy `y` before training starts (see `kgan.models.conditions`).
        """
        args = list(args)
        if self.num_classes is not None:
            if args:
                args[0] = conditions.checked_dataset(args[0], self.num_classes)
            elif "x" in kwargs:
                kwargs["x"] = conditions.checked_dataset(kwargs["x"], self.num_classes)
            y = args[1] if len(args) > 1 else kwargs.get("y")
            if isinstance(y, np.ndarray):
                conditions.check_class_id_range(y, self.num_classes)
        return super().fit(*args, **kwargs)

    # --- the alternating step's parts: batches are (images, labels) ------------------------------

    def unpack_batch(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is None:
            raise ValueError(
                "A ConditionalGAN trains on batches of (images, labels); this batch has no "
                "labels. Build the dataset of (images, labels) pairs (e.g. "
                "kgan.data.load_digits(..., with_labels=True))."
            )
        images = tf.convert_to_tensor(images)
        taken = (
            self.discriminator.inputs[0].shape[1:]
            if network_info.is_functional(self.discriminator)
            else None
        )
        if taken is not None and not network_info.shapes_compatible(images.shape[1:], taken):
            raise ValueError(
                f"The data's images have shape {tuple(images.shape[1:])}, but the discriminator "
                f"takes {tuple(taken)}. Load the data at the networks' size or build the "
                "networks for it."
            )
        return images, self._check_labels(labels, tf.shape(images)[0])

    def make_fakes(self, batch, step, stream, layout, training):
        _, labels = batch
        latent = self.draw(layout, (self.latent_dim,), step, stream)
        return self.generator([latent, labels], training=training)

    def discriminator_loss(self, batch, fake, step, stream, layout, training):
        images, labels = batch
        wrong = None
        if self.mismatch_weight > 0:
            wrong = conditions.draw_wrong_labels(
                labels, layout, self.seed, step, stream, self.num_classes, self.condition_dim
            )
        images, fake = self.augmented_pair(images, fake, stream, training, step, layout)
        per_example, mismatch, class_loss = self._discriminator_losses(
            images, fake, labels, wrong, training
        )
        self.trackers["d_loss"].update_state(per_example)
        if mismatch is not None:
            self.trackers["mismatch_loss"].update_state(mismatch)
        if class_loss is not None:
            self.trackers["class_loss"].update_state(class_loss)
        return per_example

    def generator_loss(self, batch, fake, training):
        images, labels = batch
        if self.conditioning == "acgan":
            stream = critic_augmentation.GENERATOR_STREAM
            fake = self.augmented(fake, stream, training)
            fake_logits, fake_class_logits = self.discriminator(fake, training=training)
            if self.relativistic:
                images = self.augmented(images, stream + 1, training)
                real_logits = self.discriminator(images, training=training)[0]
                per_example = self.generator_loss_fn(fake_logits, real_logits)
            else:
                per_example = self.generator_loss_fn(fake_logits)
            if self.classification_weight > 0:
                per_example = per_example + self.classification_weight * (
                    self._classification_loss(fake_class_logits, labels)
                )
        else:
            scorer, real = self.critic(batch, fake)
            per_example = self.adversarial_generator_loss(scorer, real, fake, training)
        self.trackers["g_loss"].update_state(per_example)
        return per_example

    def critic(self, batch, fake):
        """`images -> logits` with the condition held fixed: the penalties make the critic
        smooth in the image for each condition."""
        images, labels = batch
        if self.conditioning == "acgan":
            return (lambda x, training=True: self.discriminator(x, training=training)[0]), images
        scorer = lambda x, training=True: self.discriminator([x, labels], training=training)  # noqa: E731
        return scorer, images

    # --- losses --------------------------------------------------------------------------------

    def discriminator_losses(self, real, fake, labels, wrong_labels=None, training=False):
        """The discriminator's per-example losses on a batch, without updating anything.

        Args:
            real: Real images.
            fake: Generated images for `labels`.
            labels: The right conditions.
            wrong_labels: Mismatched conditions for the real images (needed when
                `mismatch_weight > 0`). Defaults to `None`.
            training: Passed to the discriminator. Defaults to `False`.

        Returns:
            A dict with `d_loss` (what the discriminator minimises, penalties aside) and,
            when they apply, `mismatch_loss` and `class_loss`; each of shape `[batch]`.
        """
        labels = self._check_labels(labels, tf.shape(real)[0])
        if wrong_labels is not None:
            wrong_labels = self._check_labels(wrong_labels, tf.shape(real)[0])
        per_example, mismatch, class_loss = self._discriminator_losses(
            real, fake, labels, wrong_labels, training
        )
        losses = {"d_loss": per_example}
        if mismatch is not None:
            losses["mismatch_loss"] = mismatch
        if class_loss is not None:
            losses["class_loss"] = class_loss
        return losses

    def _discriminator_losses(self, real, fake, labels, wrong, training):
        if self.conditioning == "acgan":
            real_logits, real_class_logits = self.discriminator(real, training=training)
            fake_logits, fake_class_logits = self.discriminator(fake, training=training)
            self.observe_reals(real_logits, training)
            per_example = self.discriminator_loss_fn(real_logits, fake_logits)
            class_loss = None
            if self.classification_weight > 0:
                class_loss = self._classification_loss(
                    real_class_logits, labels
                ) + self._classification_loss(fake_class_logits, labels)
                per_example = per_example + self.classification_weight * class_loss
            return per_example, None, class_loss
        real_logits = self.discriminator([real, labels], training=training)
        fake_logits = self.discriminator([fake, labels], training=training)
        self.observe_reals(real_logits, training)
        per_example = self.discriminator_loss_fn(real_logits, fake_logits)
        if self.mismatch_weight == 0:
            return per_example, None, None
        if wrong is None:
            raise ValueError("mismatch_weight > 0 needs wrong labels for the real images.")
        wrong_logits = self.discriminator([real, wrong], training=training)
        mismatch = self.discriminator_loss_fn(real_logits, wrong_logits)
        weight = self.mismatch_weight
        return (per_example + weight * mismatch) / (1.0 + weight), mismatch, None

    def _classification_loss(self, class_logits, labels):
        return conditions.classification_loss(class_logits, labels, self.num_classes)

    def _discriminator_inputs(self, images, labels):
        return images if self.conditioning == "acgan" else [images, labels]

    # --- conditions and sampling ---------------------------------------------------------------

    def wrong_labels(self, labels, step, stream=0):
        """The mismatched conditions a training step draws for `labels`.

        `kgan.models.conditions.wrong_labels` with this model's seed and label form: a pure
        function of `(seed, step, stream)` and `labels` whose every row differs from `labels`.
        """
        return conditions.wrong_labels(
            labels, self.seed, step, stream, self.num_classes, self.condition_dim
        )

    def _check_labels(self, labels, batch_size):
        return conditions.check_labels(labels, batch_size, self.num_classes, self.condition_dim)

    def sample_latent(self, batch_size, step, stream=0):
        """Latent vectors for a training step, as `kgan.GAN.sample_latent` draws them."""
        return self.draw(noise.batch_layout(batch_size), (self.latent_dim,), step, stream)

    def served_generator(self):
        network = self.sampling_network()
        if self.num_classes is not None:
            return served_generator.ServedGenerator(network, "classes", self.num_classes)
        return served_generator.ServedGenerator(network, "attributes", self.condition_dim)

    def generate(self, labels, seed=None, batch_size=256):
        """Generates one sample per label row, as a NumPy array (images in `[-1, 1]`).

        The latent vectors come from `numpy.random.default_rng(seed)` (row `i` gets the `i`-th
        vector), so the same labels and seed give the same samples, and rows with equal labels
        differ only through their noise.

        Args:
            labels: Class ids `[num]` or attribute vectors `[num, condition_dim]` (array-like).
            seed: Integer seed. Defaults to a random one.
            batch_size: Samples per forward pass. Defaults to `256`.

        Returns:
            `np.ndarray` of shape `[num, *generator_output_shape]`, float32.
        """
        labels = np.asarray(labels)
        if labels.ndim == 0 or labels.shape[0] == 0:
            raise ValueError(
                f"generate takes one label row per sample (a non-empty array); got {labels!r}."
            )
        if self.num_classes is not None:
            conditions.check_class_id_range(labels, self.num_classes)
        latent = sampling.latent_vectors(labels.shape[0], self.latent_dim, seed)
        return sampling.in_batches(
            lambda batch: self(batch, training=False), (latent, labels), batch_size
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            latent_dim=self.latent_dim,
            num_classes=self.num_classes,
            condition_dim=self.condition_dim,
            conditioning=self.conditioning,
        )
        return config
