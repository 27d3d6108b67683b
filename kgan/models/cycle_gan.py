"""`CycleGAN`: unpaired image-to-image translation with two generators and cycle consistency."""

import keras
import tensorflow as tf

from kgan.layers import image_pool
from kgan.losses import adversarial
from kgan.models import adversarial_model
from kgan.models import cycle_consistency
from kgan.models import cycle_gan_checks
from kgan.models import noise
from kgan.models import served_generator
from kgan.models import translation
from kgan.models import updates

DIRECTIONS = ("a2b", "b2a")


def generator_role(direction):
    """The role of the generator translating in `direction` (`"a2b"` or `"b2a"`)."""
    return "generator_ab" if direction == "a2b" else "generator_ba"


# Stream ids of each pool's coin flips and slots (see kgan.models.noise); the discriminators'
# penalty weights are streams PENALTY_STREAM + 0 (A) and + 1 (B).
POOL_STREAMS = (200_000, 200_001)


@keras.saving.register_keras_serializable(package="kgan")
class CycleGAN(adversarial_model.AdversarialModel):
    """Learns to translate between two image domains A and B from unpaired examples.

    Two generators, `G_ab: A -> B` and `G_ba: B -> A`, and two discriminators: `D_a` tells real
    A images from `G_ba(b)`, `D_b` real B images from `G_ab(a)`. The generators jointly minimise
    the adversarial terms plus `cycle_weight` times the cycle-consistency L1 terms (and the
    identity terms), as `kgan.models.cycle_consistency` writes out.

    Each training step follows the authors' code: the forward passes, one update of *both*
    generators on the gradient of the same total `L` (each with its own optimizer; the paper
    uses one optimizer over both, which Adam makes the same since its state is per weight), then
    one update of each discriminator on real images against generated ones drawn from an
    `ImagePool` history of the generator's outputs (the fakes of this step's forward pass,
    taken before the generator update, go into the pools). Every family of
    `kgan.losses.adversarial` works; the paper's is least squares.

    The pools' choices are stateless draws and their contents non-trainable weights, so
    resumes are bit-exact; under `tf.distribute` every replica's pool answers the global batch
    (`ImagePool.query_replicated`), so mirrored training reproduces one device.

    Batches are `(images_a, images_b)` with the same number of images (drawn independently:
    the pairing means nothing), float32 in `[-1, 1]`. `model(images_a)` runs `G_ab`.

    Logs: `g_loss_ab`, `g_loss_ba` (the generators' adversarial terms), `d_loss_a`, `d_loss_b`
    (unweighted), `cycle_loss`, `identity_loss` (both directions summed, unweighted; the latter
    only with `identity_weight > 0`), and with a penalty `gp` or `r1` (both discriminators').

    Args:
        generator_ab: A model from A images to B images, e.g. `kgan.networks.resnet_generator`.
        generator_ba: A model from B images to A images.
        discriminator_a: A model judging A images (input `images`), returning logits
            `[batch, 1]` or a logit map, e.g. `kgan.networks.patchgan_discriminator(
            conditional=False)`.
        discriminator_b: The same for B images.
        pool_size: Generated images kept in each history pool; `0` shows the discriminators
            the latest fakes only. Defaults to `50` (the paper's).
        seed: Integer seed of the step's stateless draws. Defaults to a random one, stored in
            the config.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    model = kgan.CycleGAN(
        generator_ab=kgan.networks.resnet_generator(256),
        generator_ba=kgan.networks.resnet_generator(256),
        discriminator_a=kgan.networks.patchgan_discriminator(256, conditional=False),
        discriminator_b=kgan.networks.patchgan_discriminator(256, conditional=False),
    )
    model.compile()  # Adam(2e-4, beta_1=0.5) x 4, least squares, cycle_weight=10
    model.fit(tf.data.Dataset.zip((horses, zebras)), epochs=200,
              callbacks=[kgan.callbacks.LinearDecay(100, 100)])
    zebras = model.translate(horse_images)  # float32 in [-1, 1]
    horses = model.translate(zebra_images, direction="b2a")
    ```

    Reference:
        Zhu et al., "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
        Networks", ICCV 2017. https://arxiv.org/abs/1703.10593
    """

    NETWORKS = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")
    GENERATORS = ("generator_ab", "generator_ba")
    CRITICS = ("discriminator_a", "discriminator_b")
    LOGS = ("g_loss_ab", "g_loss_ba", "d_loss_a", "d_loss_b", "cycle_loss", "identity_loss")
    COMPILE_SETTINGS = (
        "cycle_weight",
        "identity_weight",
        "adversarial_weight",
        "discriminator_loss_weight",
    )
    DEFAULT_LOSS = "least_squares"
    identity_weight = 0.0

    def __init__(
        self,
        generator_ab,
        generator_ba,
        discriminator_a,
        discriminator_b,
        pool_size=50,
        seed=None,
        **kwargs,
    ):
        networks = {
            "generator_ab": generator_ab,
            "generator_ba": generator_ba,
            "discriminator_a": discriminator_a,
            "discriminator_b": discriminator_b,
        }
        super().__init__(seed=seed, **networks, **kwargs)
        if isinstance(pool_size, bool) or int(pool_size) != pool_size or pool_size < 0:
            raise ValueError(f"pool_size must be an integer >= 0, got {pool_size!r}.")
        self.pool_size = int(pool_size)
        self.latent_dim = None
        self.image_shape_a, self.image_shape_b = cycle_gan_checks.domain_shapes(networks)
        self.pool_a = image_pool.ImagePool(self.pool_size, name="pool_a")
        self.pool_b = image_pool.ImagePool(self.pool_size, name="pool_b")
        self.build()

    def build_networks(self):
        """Builds the networks and both pools.

        The pools' buffers are weights: they must exist before a `.keras` file or a backup
        loads, so they are built here from the domains' image shapes.
        """
        cycle_gan_checks.check_shapes_known(self.image_shape_a, self.image_shape_b)
        images_a = keras.ops.zeros((1, *self.image_shape_a))
        images_b = keras.ops.zeros((1, *self.image_shape_b))
        for network, images in (
            (self.generator_ab, images_a),
            (self.generator_ba, images_b),
            (self.discriminator_a, images_a),
            (self.discriminator_b, images_b),
        ):
            if not network.built:
                network(images)
        self.pool_a.build(images_a.shape)
        self.pool_b.build(images_b.shape)

    def compile(
        self,
        *optimizers,
        loss="least_squares",
        cycle_weight=10.0,
        identity_weight=0.5,
        adversarial_weight=None,
        discriminator_loss_weight=None,
        **kwargs,
    ):
        """Configures training.

        Args:
            *optimizers: The four optimizers, by position or as `generator_ab_optimizer=`,
                `generator_ba_optimizer=`, `discriminator_a_optimizer=` and
                `discriminator_b_optimizer=`. Each defaults to `Adam(2e-4, beta_1=0.5)`, the
                paper's.
            loss: Adversarial loss family (see `kgan.losses.adversarial`). Defaults to
                `"least_squares"`, the paper's.
            cycle_weight: Weight lambda of the cycle-consistency L1 terms. Defaults to `10.0`
                (the paper's).
            identity_weight: Weight of the identity L1 terms *relative to* `cycle_weight` (the
                paper's `0.5 * lambda` is `0.5`); `0` turns them off and skips the two extra
                generator passes. Needs both domains to have the same channel count. Defaults
                to `0.5`.
            adversarial_weight: Factor on each generator's adversarial term, in the authors'
                units. Defaults to `None`: `2.0` for `"least_squares"`, `1.0` otherwise (see
                `kgan.models.cycle_gan_checks.resolve_weights` for why).
            discriminator_loss_weight: Factor on each discriminator's loss when it is
                optimised; the authors' code halves it "to slow down the rate at which D
                learns relative to G" (under Adam the factor changes almost nothing; it sets
                the loss's balance with a penalty). The logged `d_loss_*` are unweighted.
                Defaults to `None`: `1.0` for `"least_squares"`, `0.5` otherwise.
            **kwargs: Passed to `AdversarialModel.compile`: `gradient_penalty_weight`,
                `gradient_penalty_target`, `r1_weight`, `r2_weight` (each on both discriminators),
                `terminate_on_non_finite` and Keras' `steps_per_execution`, `jit_compile`,
                `run_eagerly`, `auto_scale_loss`.
        """
        if kwargs.get("discriminator_steps", 1) != 1:
            raise ValueError(
                "CycleGAN updates each discriminator once per step, after the generators (as "
                "the authors' code does); it takes no discriminator_steps."
            )
        for name, value in (("cycle_weight", cycle_weight), ("identity_weight", identity_weight)):
            if float(value) < 0:
                raise ValueError(f"{name} must be >= 0, got {value}.")
        adversarial_weight, discriminator_loss_weight = cycle_gan_checks.resolve_weights(
            adversarial.canonical_name(loss), adversarial_weight, discriminator_loss_weight
        )
        if float(identity_weight) > 0:
            cycle_gan_checks.check_identity_possible(self.image_shape_a, self.image_shape_b)
        super().compile(*optimizers, loss=loss, **kwargs)
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        self.adversarial_weight = adversarial_weight
        self.discriminator_loss_weight = discriminator_loss_weight

    def logged_names(self):
        names = [name for name in self.LOGS if name != "identity_loss" or self.identity_weight]
        return names + super().logged_names()[len(self.LOGS) :]

    # --- training ------------------------------------------------------------------------------

    def train_step(self, data):
        batch = self.unpack_batch(data)
        layout = noise.batch_layout(tf.shape(batch[0])[0])
        step = self.read_step()
        fakes = self.generator_step(batch, step, layout=layout)
        self.discriminator_step(batch, fakes, step, layout=layout)
        self.advance_step()
        return self.logs()

    def generator_step(self, batch, step=None, stream=0, layout=None):
        """Updates both generators once, each on the gradient of the total generator loss.

        `batch` is `(images_a, images_b)`; `step` and `stream` are unused (nothing is drawn).

        Returns:
            `(fake_a, fake_b)`: `G_ba(images_b)` and `G_ab(images_a)` from the forward pass
            before the update (what the authors' code feeds the discriminators' pools).
        """
        images_a, images_b = self._check_batch(*batch)
        layout = layout or noise.batch_layout(tf.shape(images_a)[0])
        # Persistent: with loss scaling, each generator's optimizer scales the loss its own way.
        with tf.GradientTape(persistent=True) as tape:
            outputs = self.forward(images_a, images_b, training=True)
            losses = self.generator_losses(images_a, images_b, outputs, training=True)
            total = updates.global_mean(losses["total"], layout)
        for name in ("g_loss_ab", "g_loss_ba", "cycle_loss", "identity_loss"):
            if name in losses:
                self.trackers[name].update_state(losses[name])
        self.update(tape, total, "generator_ab", "generator_ba")
        del tape
        return outputs["fake_a"], outputs["fake_b"]

    def discriminator_step(self, batch, fake, step=None, stream=0, layout=None):
        """Updates each discriminator once: real images against pooled generated ones.

        `fake_a` (`G_ba(images_b)`) goes through `pool_a` to `discriminator_a`, `fake_b` through
        `pool_b` to `discriminator_b`; both are treated as constants.

        `batch` is `(images_a, images_b)`, `fake` what `generator_step` returned; `step` seeds
        the pools and penalties (defaults to the current step); `stream` is unused.

        Returns:
            `(d_loss_a, d_loss_b)`, each averaged over the global batch, before the
            `discriminator_loss_weight` factor (and without a penalty).
        """
        layout = layout or noise.batch_layout(tf.shape(batch[0])[0])
        step = self.read_step() if step is None else step
        losses = []
        for index, domain in enumerate("ab"):
            role = f"discriminator_{domain}"
            network = getattr(self, role)
            pool = getattr(self, f"pool_{domain}")
            real = batch[index]
            # Every replica's pool answers the global batch of fakes (see ImagePool).
            pooled = pool.query_replicated(
                tf.stop_gradient(fake[index]),
                noise.step_seed(self.seed, step, POOL_STREAMS[index]),
                layout.offset,
                layout.size,
            )
            with tf.GradientTape() as tape:
                augmented_real, augmented_fake = self.augmented_pair(
                    real, pooled, 5 * index, True, step, layout
                )
                real_logits = network(augmented_real, training=True)
                self.observe_reals(real_logits, True)
                per_example = self.discriminator_loss_fn(
                    real_logits, network(augmented_fake, training=True)
                )
                d_loss = updates.global_mean(per_example, layout)
                total = self.discriminator_loss_weight * d_loss
                penalty = self.penalty(
                    network, tf.cast(real, pooled.dtype), pooled, step, index, layout
                )
                if penalty is not None:
                    total = total + penalty
            self.update(tape, total, role)
            self.trackers[f"d_loss_{domain}"].update_state(per_example)
            losses.append(d_loss)
        return tuple(losses)

    def forward(self, images_a, images_b, training=False):
        """The generators' passes of a step (see `cycle_consistency.forward`)."""
        return cycle_consistency.forward(
            self.generator_ab,
            self.generator_ba,
            images_a,
            images_b,
            self.identity_weight > 0,
            training,
        )

    def generator_losses(self, images_a, images_b, outputs=None, training=False):
        """The generators' per-example losses (see `cycle_consistency.generator_losses`)."""
        if outputs is None:
            outputs = self.forward(images_a, images_b, training=training)
        return cycle_consistency.generator_losses(self, images_a, images_b, outputs, training)

    def test_step(self, data):
        images_a, images_b = self.unpack_batch(data)
        outputs = self.forward(images_a, images_b, training=False)
        losses = self.generator_losses(images_a, images_b, outputs, training=False)
        # No pools here: evaluation must not change the model's state.
        for real, fake, network, name in (
            (images_a, outputs["fake_a"], self.discriminator_a, "d_loss_a"),
            (images_b, outputs["fake_b"], self.discriminator_b, "d_loss_b"),
        ):
            self.trackers[name].update_state(
                self.discriminator_loss_fn(
                    network(real, training=False), network(fake, training=False)
                )
            )
        for name in ("g_loss_ab", "g_loss_ba", "cycle_loss", "identity_loss"):
            if name in losses:
                self.trackers[name].update_state(losses[name])
        return self.logs(penalties=False)

    def unpack_batch(self, data):
        images_a, images_b = translation.unpack_image_pair(
            data,
            "CycleGAN trains on batches of (images_a, images_b) drawn independently from the "
            "two domains",
            "Zip two datasets (tf.data.Dataset.zip((dataset_a, dataset_b))) or use "
            "kgan.data.load_unpaired(a, b).",
        )
        return self._check_batch(images_a, images_b)

    def _check_batch(self, images_a, images_b):
        return cycle_gan_checks.check_batch(
            tf.convert_to_tensor(images_a),
            tf.convert_to_tensor(images_b),
            self.image_shape_a,
            self.image_shape_b,
        )

    # --- inference -----------------------------------------------------------------------------

    def translate(self, images, direction="a2b", batch_size=32, training=False):
        """Translates images from one domain to the other, as a NumPy array.

        Args:
            images: Images `[num, height, width, channels]` in `[-1, 1]` (array-like) of the
                source domain.
            direction: `"a2b"` (run `generator_ab`) or `"b2a"` (run `generator_ba`).
                Defaults to `"a2b"`.
            batch_size: Images per forward pass. Defaults to `32`.
            training: Run the generator in training mode. Defaults to `False`.

        Returns:
            `np.ndarray` of the translated images, float32 in `[-1, 1]`.
        """
        generator = self.served_generator(direction).network
        if training:
            generator = getattr(self, generator_role(direction))
        expected = self.image_shape_a if direction == "a2b" else self.image_shape_b
        return translation.translate_in_batches(
            generator, images, batch_size, training, expected_shape=expected
        )

    def served_generator(self, direction="a2b"):
        """The generator of one direction: `"a2b"` (`generator_ab`) or `"b2a"`."""
        if direction not in DIRECTIONS:
            raise ValueError(
                f"direction must be 'a2b' (generator_ab) or 'b2a' (generator_ba); got "
                f"{direction!r}."
            )
        network = self.sampling_network(generator_role(direction))
        return served_generator.ServedGenerator(network, "images", name=direction)

    def sample_panels(self, images_a, images_b=None, batch_size=32):
        """The panels `kgan.callbacks.SampleGrid` shows for each example, left to right.

        Args:
            images_a: A images `[num, height, width, channels]` in `[-1, 1]`.
            images_b: B images, or `None` to show the A -> B -> A cycle only. With a different
                count than `images_a`, the first `min` of each are shown (one A and one B image
                a row).
            batch_size: Images per forward pass. Defaults to `32`.

        Returns:
            A list of image batches, generated deterministically (`training=False`):
            `[a, G_ab(a), G_ba(G_ab(a))]`, followed with `images_b` by
            `[b, G_ba(b), G_ab(G_ba(b))]`.
        """
        return translation.cycle_panels(self.translate, images_a, images_b, batch_size)

    def generate(self, *args, **kwargs):
        raise TypeError(
            "CycleGAN has no latent noise to sample from: it translates given images. Use "
            "model.translate(images_a) (A -> B), model.translate(images_b, direction='b2a') or "
            "model(images_a)."
        )

    def sample_latent(self, *args, **kwargs):
        raise TypeError("CycleGAN has no latent noise; its generators run on images.")

    def get_config(self):
        config = super().get_config()
        config["pool_size"] = self.pool_size
        return config
