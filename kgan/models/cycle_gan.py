"""`CycleGAN`: unpaired image-to-image translation with two generators and cycle consistency."""

import keras
import numpy as np
import tensorflow as tf

from kgan.layers import image_pool
from kgan.losses import adversarial
from kgan.losses import penalties
from kgan.losses import reconstruction
from kgan.models import cycle_gan_checks
from kgan.models import gan
from kgan.models import noise
from kgan.models import translation

DIRECTIONS = ("a2b", "b2a")

# Stream ids of the step's stateless draws (see kgan.models.noise): each pool's coin flips and
# slots, and each discriminator's penalty interpolation weights.
_POOL_A_STREAM = 200_000
_POOL_B_STREAM = 200_001
_PENALTY_A_STREAM = gan._PENALTY_STREAM
_PENALTY_B_STREAM = gan._PENALTY_STREAM + 1

# The four optimizers, each with the network it trains (attribute names).
_OPTIMIZED = (
    ("generator_ab_optimizer", "generator_ab"),
    ("generator_ba_optimizer", "generator_ba"),
    ("discriminator_a_optimizer", "discriminator_a"),
    ("discriminator_b_optimizer", "discriminator_b"),
)


@keras.saving.register_keras_serializable(package="kgan")
class CycleGAN(gan.GAN):
    """Learns to translate between two image domains A and B from unpaired examples.

    Two generators, `G_ab: A -> B` and `G_ba: B -> A`, and two discriminators: `D_a` tells real
    A images from `G_ba(b)`, `D_b` real B images from `G_ab(a)`. Nothing pairs an `a` with a
    `b`, so the adversarial terms alone would let `G_ab` map A to *any* B-looking image; the
    cycle-consistency loss asks each translation to be undone by the other generator,
    `G_ba(G_ab(a)) ~ a` and `G_ab(G_ba(b)) ~ b`. The generators jointly minimise

        L = w * (L_adv(G_ab, D_b) + L_adv(G_ba, D_a))
            + lambda * (|G_ba(G_ab(a)) - a|_1 + |G_ab(G_ba(b)) - b|_1)
            + identity_weight * lambda * (|G_ab(b) - b|_1 + |G_ba(a) - a|_1)

    with `lambda = cycle_weight` and `w = adversarial_weight` (2 for kgan's least-squares family,
    whose generator term is half the authors' MSE, so that lambda means what it means in the
    paper). The identity term (section 5.2 of the paper, `0.5 * lambda`)
    keeps colours when a generator is given an image already of its output domain.

    Each training step follows the authors' code: the forward passes, one update of *both*
    generators on the gradient of the same total `L` (each with its own optimizer; the paper
    uses one optimizer over both, which Adam makes the same since its state is per weight), then
    one update of each discriminator on real images against generated ones drawn from an
    `ImagePool` history of the generator's outputs (the fakes of this step's forward pass,
    taken before the generator update, go into the pools). Every family of
    `kgan.losses.adversarial` works; the paper's is least squares.

    All randomness of a step (the pools' choices, a gradient penalty's weights) is drawn
    statelessly from `(seed, step)`, and the pools' contents are non-trainable weights, so
    `.keras` files and `BackupAndRestore` resume bit-exactly. Under `tf.distribute`, each
    replica gathers the global batch of fakes and queries its pool with the same seed (every
    replica's pool makes the same update), then keeps the rows of its own examples; losses are
    averaged over the global batch, so mirrored training reproduces one device.

    Batches are `(images_a, images_b)` with the same number of images (drawn independently:
    the pairing means nothing), float32 in `[-1, 1]`. `model(images_a)` runs `G_ab`.

    Logs: `g_loss_ab` and `g_loss_ba` (the generators' adversarial terms), `d_loss_a` and
    `d_loss_b` (the discriminators' losses, unweighted), `cycle_loss` (both directions' L1,
    summed, unweighted), `identity_loss` (likewise; only with `identity_weight > 0`) and, with a
    gradient penalty, `gp` (the mean of both discriminators' penalties).

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
        # GAN.__init__ expects one generator on latent vectors; the attributes GAN's fit and
        # _apply use are set here instead.
        keras.Model.__init__(self, **kwargs)
        networks = {
            "generator_ab": generator_ab,
            "generator_ba": generator_ba,
            "discriminator_a": discriminator_a,
            "discriminator_b": discriminator_b,
        }
        for role, network in networks.items():
            if not isinstance(network, keras.Model):
                raise TypeError(
                    f"CycleGAN takes four keras.Model networks; {role} is a "
                    f"{type(network).__name__}."
                )
        if isinstance(pool_size, bool) or int(pool_size) != pool_size or pool_size < 0:
            raise ValueError(f"pool_size must be an integer >= 0, got {pool_size!r}.")
        self.generator_ab = generator_ab
        self.generator_ba = generator_ba
        self.discriminator_a = discriminator_a
        self.discriminator_b = discriminator_b
        self.pool_size = int(pool_size)
        self.seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)
        self.latent_dim = None
        self.image_shape_a, self.image_shape_b = cycle_gan_checks.domain_shapes(networks)
        self.pool_a = image_pool.ImagePool(self.pool_size, name="pool_a")
        self.pool_b = image_pool.ImagePool(self.pool_size, name="pool_b")
        self._build_networks()
        for optimizer_name, _ in _OPTIMIZED:
            setattr(self, optimizer_name, None)
        self.identity_weight = 0.0
        self.gradient_penalty_weight = 0.0
        self.trackers = {
            name: keras.metrics.Mean(name=name)
            for name in (
                "g_loss_ab",
                "g_loss_ba",
                "d_loss_a",
                "d_loss_b",
                "cycle_loss",
                "identity_loss",
                "gp",
            )
        }

    def _build_networks(self):
        """Builds the networks and both pools, and marks the model built.

        The pools' buffers are weights: they must exist before a `.keras` file or a backup
        loads, so they are built here from the domains' image shapes.
        """
        for domain, shape in (("A", self.image_shape_a), ("B", self.image_shape_b)):
            if shape is None or None in shape:
                raise ValueError(
                    f"CycleGAN needs the image shape of domain {domain} from its networks (to "
                    f"build the image pools and check the data), but they leave it at {shape}. "
                    "Build the networks for one image size, e.g. "
                    "kgan.networks.resnet_generator(image_size=256)."
                )
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
        self.built = True

    def call(self, inputs, training=None):
        """Runs `generator_ab` on A images (the A -> B translation)."""
        return self.generator_ab(inputs, training=training)

    # --- compile -------------------------------------------------------------------------------

    def compile(
        self,
        generator_ab_optimizer=None,
        generator_ba_optimizer=None,
        discriminator_a_optimizer=None,
        discriminator_b_optimizer=None,
        loss="least_squares",
        cycle_weight=10.0,
        identity_weight=0.5,
        adversarial_weight=None,
        discriminator_loss_weight=None,
        gradient_penalty_weight=0.0,
        gradient_penalty_target=1.0,
        terminate_on_non_finite=True,
        **kwargs,
    ):
        """Configures training.

        Args:
            generator_ab_optimizer: Optimizer (instance, name or config) for `generator_ab`.
                Defaults to `Adam(2e-4, beta_1=0.5)`, the paper's.
            generator_ba_optimizer: Optimizer for `generator_ba`. Same default.
            discriminator_a_optimizer: Optimizer for `discriminator_a`. Same default.
            discriminator_b_optimizer: Optimizer for `discriminator_b`. Same default.
            loss: Adversarial loss family (see `kgan.losses.adversarial`). Defaults to
                `"least_squares"`, the paper's.
            cycle_weight: Weight lambda of the cycle-consistency L1 terms. Defaults to `10.0`
                (the paper's).
            identity_weight: Weight of the identity L1 terms *relative to* `cycle_weight` (the
                paper's `0.5 * lambda` is `0.5`); `0` turns them off and skips the two extra
                generator passes. Needs both domains to have the same channel count. Defaults
                to `0.5`.
            adversarial_weight: Factor on each generator's adversarial term. The balance of
                the adversarial, cycle and identity terms is what `cycle_weight` tunes, so it
                must be measured in the authors' units: their least-squares generator term is
                `MSE(D(G(x)), 1)`, while kgan's least-squares family (Mao et al.) is half of
                that, `0.5 * (D(G(x)) - 1)^2`. Defaults to `None`: `2.0` for
                `"least_squares"` (so that `cycle_weight=10` means the paper's lambda = 10),
                `1.0` for the other families (whose generator terms equal the authors').
            discriminator_loss_weight: Factor on each discriminator's loss when it is
                optimised; the authors' code halves it "to slow down the rate at which D
                learns relative to G". Adam's update does not depend on the gradient's scale (up
                to its epsilon), so under Adam the factor changes almost nothing; under SGD it
                scales the discriminators' learning rate, and it sets the loss's balance with a
                gradient penalty. The logged `d_loss_*` are unweighted. Defaults to `None`:
                `1.0` for `"least_squares"` (kgan's least-squares discriminator loss,
                `0.5 * ((D(real) - 1)^2 + D(fake)^2)`, already is the authors' halved loss),
                `0.5` for the other families.
            gradient_penalty_weight: Weight of a WGAN-GP gradient penalty on each
                discriminator; `0` turns it off. Defaults to `0.0`.
            gradient_penalty_target: Gradient norm the penalty aims at. Defaults to `1.0`.
            terminate_on_non_finite: Stop `fit` with an error when a loss becomes NaN or
                infinite. Defaults to `True`.
            **kwargs: Passed to `keras.Model.compile`: `steps_per_execution`, `jit_compile`,
                `run_eagerly`, `auto_scale_loss`.
        """
        gan._reject_single_model_arguments(
            kwargs,
            "CycleGAN.compile does not take `{}`: a CycleGAN has four optimizers "
            "(`generator_ab_optimizer=`, ..., `discriminator_b_optimizer=`) and an adversarial "
            "`loss=` family name.",
        )
        weights = {
            "cycle_weight": cycle_weight,
            "identity_weight": identity_weight,
            "gradient_penalty_weight": gradient_penalty_weight,
        }
        for name, value in weights.items():
            if float(value) < 0:
                raise ValueError(f"{name} must be >= 0, got {value}.")
        least_squares = adversarial.canonical_name(loss) == "least_squares"
        if adversarial_weight is None:
            adversarial_weight = 2.0 if least_squares else 1.0
        if discriminator_loss_weight is None:
            discriminator_loss_weight = 1.0 if least_squares else 0.5
        if float(adversarial_weight) < 0:
            raise ValueError(f"adversarial_weight must be >= 0, got {adversarial_weight}.")
        if float(discriminator_loss_weight) <= 0 or float(gradient_penalty_target) <= 0:
            raise ValueError(
                "discriminator_loss_weight and gradient_penalty_target must be positive, got "
                f"{discriminator_loss_weight} and {gradient_penalty_target}."
            )
        if float(identity_weight) > 0:
            cycle_gan_checks.check_identity_possible(self.image_shape_a, self.image_shape_b)
        optimizers = {
            "generator_ab_optimizer": generator_ab_optimizer,
            "generator_ba_optimizer": generator_ba_optimizer,
            "discriminator_a_optimizer": discriminator_a_optimizer,
            "discriminator_b_optimizer": discriminator_b_optimizer,
        }
        instances = [o for o in optimizers.values() if isinstance(o, keras.optimizers.Optimizer)]
        if len({id(o) for o in instances}) < len(instances):
            raise ValueError(
                "Each CycleGAN network needs its own optimizer instance (each keeps per-variable "
                "state); pass four different optimizers."
            )
        self.loss_name = adversarial.canonical_name(loss)
        self.generator_loss_fn, self.discriminator_loss_fn = adversarial.get(self.loss_name)
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        self.adversarial_weight = float(adversarial_weight)
        self.discriminator_loss_weight = float(discriminator_loss_weight)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.gradient_penalty_target = float(gradient_penalty_target)
        self.terminate_on_non_finite = bool(terminate_on_non_finite)
        auto_scale_loss = kwargs.pop("auto_scale_loss", True)
        for name, optimizer in optimizers.items():
            setattr(self, name, gan._make_optimizer(optimizer, auto_scale_loss))
        self._compile_keras_and_build_optimizers(kwargs)

    def get_compile_config(self):
        if not self.compiled:
            return {}
        config = {
            name: keras.saving.serialize_keras_object(getattr(self, name)) for name, _ in _OPTIMIZED
        }
        config.update(
            loss=self.loss_name,
            cycle_weight=self.cycle_weight,
            identity_weight=self.identity_weight,
            adversarial_weight=self.adversarial_weight,
            discriminator_loss_weight=self.discriminator_loss_weight,
            gradient_penalty_weight=self.gradient_penalty_weight,
            gradient_penalty_target=self.gradient_penalty_target,
            terminate_on_non_finite=self.terminate_on_non_finite,
            **self._keras_compile_kwargs,
        )
        return config

    def compile_from_config(self, config):
        config = dict(config)
        for name, _ in _OPTIMIZED:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        self.compile(**config)

    def _optimized_networks(self):
        return [
            (getattr(self, optimizer), getattr(self, network)) for optimizer, network in _OPTIMIZED
        ]

    # --- training ------------------------------------------------------------------------------

    @property
    def metrics(self):
        names = ["g_loss_ab", "g_loss_ba", "d_loss_a", "d_loss_b", "cycle_loss"]
        if self.identity_weight > 0:
            names.append("identity_loss")
        if self.gradient_penalty_weight > 0:
            names.append("gp")
        return [self.trackers[name] for name in names]

    def train_step(self, data):
        images_a, images_b = self._unpack(data)
        layout = noise.batch_layout(tf.shape(images_a)[0])
        # The step's draws use the step number from *before* the generator update increments
        # it (read now: stateful ops keep program order in the traced step).
        step = tf.identity(self.generator_ab_optimizer.iterations.value)
        fake_a, fake_b = self.generator_step(images_a, images_b, layout=layout)
        self.discriminator_step(images_a, images_b, fake_a, fake_b, step, layout=layout)
        return self._logs()

    def generator_step(self, images_a, images_b, layout=None):
        """Updates both generators once, each on the gradient of the total generator loss.

        Returns:
            `(fake_a, fake_b)`: `G_ba(images_b)` and `G_ab(images_a)` from the forward pass
            before the update (what the authors' code feeds the discriminators' pools).
        """
        images_a, images_b = self._check_batch(images_a, images_b)
        layout = layout or noise.batch_layout(tf.shape(images_a)[0])
        # Persistent: with loss scaling, each generator's optimizer scales the loss its own way.
        with tf.GradientTape(persistent=True) as tape:
            outputs = self.forward(images_a, images_b, training=True)
            losses = self.generator_losses(images_a, images_b, outputs, training=True)
            total = gan._average(losses["total"], layout)
        for name in ("g_loss_ab", "g_loss_ba", "cycle_loss", "identity_loss"):
            if name in losses:
                self.trackers[name].update_state(losses[name])
        self._apply_jointly(
            tape,
            total,
            [
                (self.generator_ab_optimizer, self.generator_ab),
                (self.generator_ba_optimizer, self.generator_ba),
            ],
        )
        del tape
        return outputs["fake_a"], outputs["fake_b"]

    def discriminator_step(self, images_a, images_b, fake_a, fake_b, step=None, layout=None):
        """Updates each discriminator once: real images against pooled generated ones.

        `fake_a` (`G_ba(images_b)`) goes through `pool_a` to `discriminator_a`, `fake_b` through
        `pool_b` to `discriminator_b`; both are treated as constants.

        Args:
            images_a: Real A images.
            images_b: Real B images.
            fake_a: Generated A images, `G_ba(images_b)`.
            fake_b: Generated B images, `G_ab(images_a)`.
            step: The training step seeding the pools and penalties. Defaults to
                `generator_ab_optimizer.iterations`.
            layout: The batch's `noise.BatchLayout`. Defaults to this batch's.

        Returns:
            `(d_loss_a, d_loss_b)`, each averaged over the global batch, before the
            `discriminator_loss_weight` factor (and without a penalty).
        """
        layout = layout or noise.batch_layout(tf.shape(images_a)[0])
        step = self.generator_ab_optimizer.iterations if step is None else step
        losses = []
        for real, fake, pool, network, optimizer, pool_stream, penalty_stream, tracker in (
            (
                images_a,
                fake_a,
                self.pool_a,
                self.discriminator_a,
                self.discriminator_a_optimizer,
                _POOL_A_STREAM,
                _PENALTY_A_STREAM,
                "d_loss_a",
            ),
            (
                images_b,
                fake_b,
                self.pool_b,
                self.discriminator_b,
                self.discriminator_b_optimizer,
                _POOL_B_STREAM,
                _PENALTY_B_STREAM,
                "d_loss_b",
            ),
        ):
            fake = self._query_pool(pool, tf.stop_gradient(fake), step, pool_stream, layout)
            with tf.GradientTape() as tape:
                per_example = self.discriminator_loss_fn(
                    network(real, training=True), network(fake, training=True)
                )
                d_loss = gan._average(per_example, layout)
                total = self.discriminator_loss_weight * d_loss
                if self.gradient_penalty_weight > 0:
                    alpha = noise.draw(
                        layout, (), noise.step_seed(self.seed, step, penalty_stream), "uniform"
                    )
                    per_example_gp = penalties.gradient_penalty(
                        network,
                        tf.cast(real, fake.dtype),
                        fake,
                        self.gradient_penalty_target,
                        alpha=alpha,
                    )
                    total += self.gradient_penalty_weight * gan._average(per_example_gp, layout)
                    self.trackers["gp"].update_state(per_example_gp)
            self._apply(optimizer, tape, total, network)
            self.trackers[tracker].update_state(per_example)
            losses.append(d_loss)
        return tuple(losses)

    def forward(self, images_a, images_b, training=False):
        """The generators' passes of a step, as a dict of image batches.

        `fake_b = G_ab(a)`, `rec_a = G_ba(fake_b)`, `fake_a = G_ba(b)`, `rec_b = G_ab(fake_a)`,
        and with `identity_weight > 0` also `same_b = G_ab(b)` and `same_a = G_ba(a)`.
        """
        fake_b = self.generator_ab(images_a, training=training)
        fake_a = self.generator_ba(images_b, training=training)
        outputs = {
            "fake_b": fake_b,
            "rec_a": self.generator_ba(fake_b, training=training),
            "fake_a": fake_a,
            "rec_b": self.generator_ab(fake_a, training=training),
        }
        if self.identity_weight > 0:
            outputs["same_b"] = self.generator_ab(images_b, training=training)
            outputs["same_a"] = self.generator_ba(images_a, training=training)
        return outputs

    def generator_losses(self, images_a, images_b, outputs=None, training=False):
        """The generators' per-example losses, without updating anything.

        Args:
            images_a: Real A images.
            images_b: Real B images (as many).
            outputs: The `forward` dict for these images. Defaults to computing it.
            training: Passed to the networks. Defaults to `False`.

        Returns:
            A dict of `[batch]` tensors: `g_loss_ab`, `g_loss_ba` (adversarial terms),
            `cycle_loss` (both L1 terms summed, unweighted), `identity_loss` (likewise, only
            with `identity_weight > 0`) and `total` (what the generators minimise).
        """
        if outputs is None:
            outputs = self.forward(images_a, images_b, training=training)
        g_loss_ab = self.generator_loss_fn(
            self.discriminator_b(outputs["fake_b"], training=training)
        )
        g_loss_ba = self.generator_loss_fn(
            self.discriminator_a(outputs["fake_a"], training=training)
        )
        cycle = reconstruction.l1_loss(images_a, outputs["rec_a"]) + reconstruction.l1_loss(
            images_b, outputs["rec_b"]
        )
        losses = {"g_loss_ab": g_loss_ab, "g_loss_ba": g_loss_ba, "cycle_loss": cycle}
        total = self.adversarial_weight * (g_loss_ab + g_loss_ba) + self.cycle_weight * cycle
        if self.identity_weight > 0:
            identity = reconstruction.l1_loss(images_b, outputs["same_b"]) + reconstruction.l1_loss(
                images_a, outputs["same_a"]
            )
            losses["identity_loss"] = identity
            total += self.identity_weight * self.cycle_weight * identity
        losses["total"] = total
        return losses

    def _apply_jointly(self, tape, loss, pairs):
        """Applies the gradient of one `loss` to several networks, each with its own optimizer.

        One backward pass serves all of them unless an optimizer scales the loss (mixed
        precision), in which case each takes the gradient of its own scaled loss.
        """
        with tape:
            scaled = [optimizer.scale_loss(loss) for optimizer, _ in pairs]
        if all(value is loss for value in scaled):
            variables = [network.trainable_variables for _, network in pairs]
            gradients = tape.gradient(loss, variables)
            for (optimizer, _), grads, variables_ in zip(pairs, gradients, variables):
                optimizer.apply_gradients(list(zip(grads, variables_)))
            return
        for (optimizer, network), scaled_loss in zip(pairs, scaled):
            variables = network.trainable_variables
            gradients = tape.gradient(scaled_loss, variables)
            optimizer.apply_gradients(list(zip(gradients, variables)))

    def _query_pool(self, pool, fake, step, stream, layout):
        """This replica's rows of the pool's answer to the *global* batch of fakes.

        Every replica gathers all replicas' fakes and queries its copy of the pool with the same
        seed, so all copies make the same update (see `ImagePool`).
        """
        seed = noise.step_seed(self.seed, step, stream)
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return pool(fake, seed)
        # all_gather loses the static image shape, which the pool checks at trace time.
        gathered = tf.ensure_shape(context.all_gather(fake, axis=0), [None, *fake.shape[1:]])
        pooled = pool(gathered, seed)
        return pooled[layout.offset : layout.offset + layout.size]

    def test_step(self, data):
        images_a, images_b = self._unpack(data)
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
        return {tracker.name: tracker.result() for tracker in self.metrics if tracker.name != "gp"}

    # --- data ----------------------------------------------------------------------------------

    def _unpack(self, data):
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
        generator = self._generator_for(direction)
        expected = self.image_shape_a if direction == "a2b" else self.image_shape_b
        return translation.translate_in_batches(
            generator, images, batch_size, training, expected_shape=expected
        )

    def _generator_for(self, direction):
        if direction not in DIRECTIONS:
            raise ValueError(
                f"direction must be 'a2b' (generator_ab) or 'b2a' (generator_ba); got "
                f"{direction!r}."
            )
        return self.generator_ab if direction == "a2b" else self.generator_ba

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
        images_a = np.asarray(images_a, dtype="float32")
        if images_b is not None:
            images_b = np.asarray(images_b, dtype="float32")
            rows = min(len(images_a), len(images_b))
            images_a, images_b = images_a[:rows], images_b[:rows]
        fake_b = self.translate(images_a, "a2b", batch_size)
        panels = [images_a, fake_b, self.translate(fake_b, "b2a", batch_size)]
        if images_b is None:
            return panels
        fake_a = self.translate(images_b, "b2a", batch_size)
        return [*panels, images_b, fake_a, self.translate(fake_a, "a2b", batch_size)]

    def generate(self, *args, **kwargs):
        raise TypeError(
            "CycleGAN has no latent noise to sample from: it translates given images. Use "
            "model.translate(images_a) (A -> B), model.translate(images_b, direction='b2a') or "
            "model(images_a)."
        )

    def sample_latent(self, *args, **kwargs):
        raise TypeError("CycleGAN has no latent noise; its generators run on images.")

    # --- serialization -------------------------------------------------------------------------

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        for _, network in _OPTIMIZED:
            config[network] = keras.saving.serialize_keras_object(getattr(self, network))
        config.update(pool_size=self.pool_size, seed=self.seed)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for _, network in _OPTIMIZED:
            config[network] = keras.saving.deserialize_keras_object(config[network])
        return cls(**config)
