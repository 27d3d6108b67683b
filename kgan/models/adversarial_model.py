"""`AdversarialModel`: the base every kgan objective stands on.

It owns what all objectives share: named networks with one optimizer each, the training-step
counter, the compile-time settings and their saving, the stateless noise streams, the
alternating update path with its fused generator pass, averaging over the global batch, the
gradient penalties, the logs and `fit`'s guarantees. A concrete objective declares its networks,
how a batch unpacks and its losses (see `kgan.GAN` for the smallest one).

The interface everything outside the models uses (callbacks, metrics, the CLI, export, the test
helpers), so a new objective gets all of them:

| member | what it is |
|---|---|
| `NETWORKS` | the networks' roles, e.g. `("generator", "discriminator")`, each an attribute |
| `network_optimizers` | `{"<role>_optimizer": optimizer}`, one per network (after `compile`) |
| `step` / `step_counter` | training steps run so far (an int) / the int64 variable counting them |
| `served_generator(...)` | a `ServedGenerator`: the network to sample or export, and its inputs |
| `generate(...)` or `translate(...)` | samples as NumPy arrays (each objective's own signature) |
| `state_variables()` | every variable an exact resume restores (weights, counter, optimizers) |
"""

import keras
import numpy as np
import tensorflow as tf

from kgan.losses import adversarial
from kgan.models import alternating
from kgan.models import critic_augmentation
from kgan.models import critic_terms
from kgan.models import data_checks
from kgan.models import fit_guards
from kgan.models import generator_average
from kgan.models import multi_worker
from kgan.models import noise
from kgan.models import saving
from kgan.models import updates

# Logs of the penalties, present when their weight is positive.
PENALTY_LOGS = ("gp", "r1", "r2")
# Settings every objective saves with its compile config (subclasses add `COMPILE_SETTINGS`).
_BASE_SETTINGS = (
    "discriminator_steps",
    "gradient_penalty_weight",
    "gradient_penalty_target",
    "r1_weight",
    "r2_weight",
    "regularization_interval",
    "label_smoothing",
    "terminate_on_non_finite",
)
_KERAS_SETTINGS = ("steps_per_execution", "jit_compile", "run_eagerly")


@keras.saving.register_keras_serializable(package="kgan")
class AdversarialModel(
    alternating.AlternatingSteps,
    critic_terms.CriticTerms,
    critic_augmentation.CriticAugmentation,
    generator_average.GeneratorAverage,
    saving.Saving,
    keras.Model,
):
    """Networks trained against each other with `fit`: the base of every kgan objective.

    A subclass declares:

    - `NETWORKS`: the roles of its networks, which are also its constructor's argument names,
      e.g. `("generator", "discriminator")`. `super().__init__(generator=g, discriminator=d,
      seed=seed)` sets each as an attribute, and `get_config`/`from_config` save them.
    - `LOGS`: the names of its logged losses, e.g. `("d_loss", "g_loss")`; `self.trackers[name]`
      is a `keras.metrics.Mean` for each (and for the penalties' `gp` and `r1`).
    - For the alternating path (a `train_step` of `discriminator_steps` critic updates, then one
      generator update against the updated critic, reusing the last generated batch), five
      methods: `unpack_batch(data)`, `make_fakes(batch, step, stream, layout, training)`,
      `discriminator_loss(batch, fake, step, stream, layout, training)` and
      `generator_loss(batch, fake, training)`, both per example and tracking their own logs,
      and `critic(batch, fake)` (the function and the real samples a penalty is taken on).
      Objectives with another order (e.g. `kgan.CycleGAN`) override `train_step` and call
      `update`, `penalty`, `read_step` and `advance_step`.
    - `served_generator(...)` and `generate`/`translate` for sampling and export.

    Training is a pure function of the data and `seed`: every random draw of a step is
    `noise.draw(..., noise.step_seed(seed, step, stream))` with the step from `step_counter`,
    which is saved with the weights, so `BackupAndRestore` resumes bit-exactly and N replicas
    under `tf.distribute` reproduce one device (each takes its rows of the global draw, and
    losses are averaged over the global batch by `updates.global_mean`).

    With `ema_decay`, every generator (`GENERATORS`) gets an EMA copy `<role>_ema`, updated
    after each step and used for sampling (see `kgan.models.generator_average`).

    Args:
        seed: Integer seed of the step's random draws. Defaults to a random one, stored in the
            config so a saved model resumes with the same noise.
        ema_decay: Keep an exponential moving average of each generator's weights with this
            decay (e.g. `0.999`, StyleGAN's half-life of about 700 steps) and sample from it;
            `None` keeps none. Defaults to `None`.
        ema_ramp_up: Ramp-up ratio of the EMA's half-life: at most `ema_ramp_up` times the
            steps done (StyleGAN2-ADA's `0.05`); `None` for the constant decay. Defaults to
            `None`.
        ema_start_step: The EMA copies the generator up to this step, then averages.
            Defaults to `0`.
        augmentation: A `kgan.layers.AdaptiveAugmentation` (ADA) that augments every image
            the critic scores in training, or `None`. Defaults to `None`.
        **kwargs: The networks, one per role of `NETWORKS` (each a `keras.Model`), then
            `keras.Model` arguments (e.g. `name`).
    """

    NETWORKS = ()
    LOGS = ()
    COMPILE_SETTINGS = ()
    DEFAULT_LOSS = "non_saturating"
    # Roles of the networks a penalty regularises (checked for batch normalization).
    CRITICS = ("discriminator",)
    AUGMENTS_IMAGES = True  # whether the critic scores images (`augmentation` applies)

    # Settings read before `compile` sets them (e.g. by `metrics`).
    discriminator_steps = 1
    discriminator_loss_weight = 1.0
    gradient_penalty_weight = 0.0
    gradient_penalty_target = 1.0
    r1_weight = 0.0
    r2_weight = 0.0
    regularization_interval = 1
    label_smoothing = 0.0
    relativistic = False
    terminate_on_non_finite = True

    def __init__(self, seed=None, ema_decay=None, ema_ramp_up=None, ema_start_step=0,
                 augmentation=None, **kwargs):  # fmt: skip
        owner = type(self).__name__
        if not self.NETWORKS:
            raise TypeError(f"{owner} must declare its networks: NETWORKS = ('generator', ...).")
        missing = [role for role in self.NETWORKS if role not in kwargs]
        if missing:
            raise TypeError(f"{owner} needs the networks {', '.join(missing)}.")
        networks = {role: kwargs.pop(role) for role in self.NETWORKS}
        super().__init__(**kwargs)
        for role, network in networks.items():
            if not isinstance(network, keras.Model):
                raise TypeError(
                    f"{owner} takes keras.Model networks ({', '.join(self.NETWORKS)}); {role} is "
                    f"a {type(network).__name__}."
                )
            setattr(self, role, network)
            setattr(self, f"{role}_optimizer", None)
        self.seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)
        self.ema_decay, self.ema_ramp_up, self.ema_start_step = generator_average.check_settings(
            ema_decay, ema_ramp_up, ema_start_step
        )
        self.augmentation = critic_augmentation.check_augmentation(
            augmentation, owner, self.AUGMENTS_IMAGES
        )
        # Counts train steps; saved with the weights, so resumed noise continues the stream.
        # Like an optimizer's `iterations`, replicas keep the first replica's value.
        self.step_counter = self.add_weight(
            name="step_counter",
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
        )
        self._step_from_optimizer = False
        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in dict.fromkeys(self.LOGS + PENALTY_LOGS)
        }
        self.loss_name = None
        self._keras_compile_kwargs = {}

    # --- networks ------------------------------------------------------------------------------

    def build_networks(self):
        """Creates the networks' variables. Override for networks not built at construction.

        The default checks that every network is built (functional networks are).
        """
        for role in self.NETWORKS:
            if not getattr(self, role).built:
                raise ValueError(
                    f"The {role} of this {type(self).__name__} is not built: give it keras.Input "
                    "layers, or override build_networks() to call it on example inputs."
                )

    def build(self, input_shape=None):
        # A built model is what Keras needs to restore weights and optimizer slots on load, and
        # what keeps `fit` (and `tf.distribute`) from calling the model on a batch to build it.
        self.build_networks()
        self.build_averages()
        self.built = True

    def call(self, inputs, training=None):
        """Runs the generator on `inputs` (its EMA copy when kept, unless `training`)."""
        role = self.generator_roles[0]
        network = getattr(self, role) if training else self.sampling_network(role)
        return network(inputs, training=training)

    # --- compile -------------------------------------------------------------------------------

    @property
    def optimizer_names(self):
        """`["<role>_optimizer", ...]`: the attribute of each network's optimizer."""
        return [f"{role}_optimizer" for role in self.NETWORKS]

    def compile(
        self,
        *optimizers,
        loss=None,
        discriminator_steps=1,
        gradient_penalty_weight=0.0,
        gradient_penalty_target=1.0,
        r1_weight=0.0,
        r2_weight=0.0,
        regularization_interval=1,
        label_smoothing=0.0,
        terminate_on_non_finite=True,
        **kwargs,
    ):
        """Configures training.

        Args:
            *optimizers: One optimizer (instance, name or config) per network, in the order of
                `NETWORKS`; or pass them by keyword as `<role>_optimizer=` (e.g.
                `generator_optimizer=`). Each defaults to `Adam(2e-4, beta_1=0.5)` (Radford et
                al. 2016).
            loss: Adversarial loss family: `"minimax"`, `"non_saturating"`, `"least_squares"`,
                `"wasserstein"`, `"hinge"` or `"relativistic_pairing"` (RpGAN, R3GAN's loss; see
                `kgan.losses.adversarial`). Defaults to the
                objective's `DEFAULT_LOSS`.
            discriminator_steps: Critic updates per generator update (5 for WGAN-GP), each on
                the step's real batch with fresh noise. Defaults to `1`.
            gradient_penalty_weight: Weight of the WGAN-GP penalty (10 in the paper); `0` turns
                it off. Defaults to `0.0`.
            gradient_penalty_target: Gradient norm the penalty aims at. Defaults to `1.0`.
            r1_weight: Weight of the R1 penalty, the mean squared gradient norm of the critic on
                real data (`gamma / 2` in Mescheder et al. 2018 and StyleGAN); `0` turns it off.
                Defaults to `0.0`.
            r2_weight: Weight of the R2 penalty, the same on generated samples (Mescheder et
                al. 2018; R3GAN uses R1 and R2 with equal weights); `0` turns it off. Defaults
                to `0.0`.
            regularization_interval: Take R1 and R2 every this many steps only, weighted this
                many times (StyleGAN2's lazy regularization: 16), which saves most of their
                cost; pair it with `kgan.models.lazy_adam` for the critic. Defaults to `1`.
            label_smoothing: One-sided label smoothing: the discriminator's target on reals is
                `1 - label_smoothing` (Salimans et al. 2016 use 0.1); cross-entropy families
                only. Defaults to `0.0`.
            terminate_on_non_finite: Stop `fit` with an error naming the loss and step when any
                loss becomes NaN or infinite. Defaults to `True`.
            **kwargs: The `<role>_optimizer=` keywords, then `keras.Model.compile`'s
                `steps_per_execution`, `jit_compile`, `run_eagerly` and `auto_scale_loss`.
        """
        owner = type(self).__name__
        names = self.optimizer_names
        given = updates.collect_optimizers(owner, names, optimizers, kwargs)
        if int(discriminator_steps) < 1:
            raise ValueError(f"discriminator_steps must be >= 1, got {discriminator_steps}.")
        critic_terms.check_penalty_settings(
            gradient_penalty_weight,
            gradient_penalty_target,
            r1_weight,
            r2_weight,
            regularization_interval,
        )
        if gradient_penalty_weight > 0 or r1_weight > 0 or r2_weight > 0:
            self._warn_on_batch_normalization()
        self.loss_name = adversarial.canonical_name(self.DEFAULT_LOSS if loss is None else loss)
        self.generator_loss_fn, self.discriminator_loss_fn = adversarial.get(
            self.loss_name, label_smoothing
        )
        self.label_smoothing = float(label_smoothing)
        self.relativistic = adversarial.needs_real_logits(self.loss_name)
        self.discriminator_steps = int(discriminator_steps)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.gradient_penalty_target = float(gradient_penalty_target)
        self.r1_weight = float(r1_weight)
        self.r2_weight = float(r2_weight)
        self.regularization_interval = int(regularization_interval)
        self.terminate_on_non_finite = bool(terminate_on_non_finite)
        auto_scale_loss = kwargs.pop("auto_scale_loss", True)
        for name in names:
            setattr(self, name, updates.make_optimizer(given.get(name), auto_scale_loss))
        if not self.built:
            self.build()
        # `model.optimizer` stays None: there is no single optimizer, and Keras would otherwise
        # finalize it against *all* trainable weights at the end of `fit`.
        keras.Model.compile(self, optimizer=None, loss=None, auto_scale_loss=False, **kwargs)
        self._keras_compile_kwargs = {key: kwargs[key] for key in _KERAS_SETTINGS if key in kwargs}
        # Build the optimizers now: a `.keras` file's optimizer state only loads into built
        # optimizers (otherwise Keras skips it with a warning and iterations restart at 0).
        for optimizer, network in self.optimized_networks():
            optimizer.build(network.trainable_variables)

    def get_compile_config(self):
        if not self.compiled:
            return {}
        config = {
            name: keras.saving.serialize_keras_object(getattr(self, name))
            for name in self.optimizer_names
        }
        config["loss"] = self.loss_name
        for name in (*_BASE_SETTINGS, *self.COMPILE_SETTINGS):
            config[name] = getattr(self, name)
        config.update(self._keras_compile_kwargs)
        return config

    def compile_from_config(self, config):
        config = dict(config)
        for name in self.optimizer_names:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        self.compile(**config)

    # --- the interface -------------------------------------------------------------------------

    @property
    def network_optimizers(self):
        """`{"<role>_optimizer": optimizer}` for every network (`None` before `compile`)."""
        return {name: getattr(self, name) for name in self.optimizer_names}

    def optimized_networks(self):
        """`(optimizer, network)` pairs: each optimizer with the network it trains."""
        return [(getattr(self, f"{role}_optimizer"), getattr(self, role)) for role in self.NETWORKS]

    @property
    def step(self):
        """Training steps run so far (a Python int; read `step_counter` inside a step)."""
        self._restore_step_of_older_file()
        return int(self.step_counter.numpy())

    def state_variables(self):
        """`{path: variable}` of everything an exact resume restores, in a fixed order.

        The weights (networks and their EMA copies under `"<role>/"` and `"<role>_ema/"`, the
        step counter, state such as image pools) and every
        optimizer's variables (iterations, moments), the latter under `"<role>_optimizer/"`.
        Two instances of one objective list the same variables in the same order (their paths
        may differ: Keras makes layer names unique per session).
        """
        # Paths are unique within a network but not across them (a generator and a critic may
        # both have a "block1_conv"), so each network's weights are keyed under its role.
        owners = {}
        for role in self.NETWORKS:
            for variable in getattr(self, role).weights:
                owners.setdefault(id(variable), role)
        if self.has_ema:
            for role in self.generator_roles:
                for variable in self.averaged_network(role).weights:
                    owners.setdefault(id(variable), f"{role}_ema")
        state = {}
        for variable in self.weights:
            owner = owners.get(id(variable))
            state[variable.path if owner is None else f"{owner}/{variable.path}"] = variable
        for name, optimizer in self.network_optimizers.items():
            for variable in [] if optimizer is None else optimizer.variables:
                state[f"{name}/{variable.path}"] = variable
        return state

    def served_generator(self, **options):
        """The `ServedGenerator` that sampling and export use. Objectives override this."""
        raise NotImplementedError(
            f"{type(self).__name__} does not say which network to serve: define "
            "served_generator() returning a kgan.models.ServedGenerator."
        )

    # --- the parts of a step -------------------------------------------------------------------

    def read_step(self):
        """The current step as an int64 tensor (read before `advance_step` in the same step)."""
        return tf.identity(self.step_counter.value)

    def advance_step(self):
        """Counts one training step, updates the EMA generators and ADA's `p` (call once at the
        end of `train_step`, after the generator's update)."""
        self.step_counter.assign_add(1)
        self.update_averages(self.step_counter.value)
        self.adjust_augmentation(self.step_counter.value)

    def draw(self, layout, shape, step, stream, distribution="normal"):
        """This replica's rows of the step's stateless draw `[global batch, *shape]`."""
        return noise.draw(layout, shape, noise.step_seed(self.seed, step, stream), distribution)

    def update(self, tape, loss, *roles):
        """Applies the gradient of `loss` to the networks `roles`, each with its optimizer."""
        updates.apply_gradients(
            tape,
            loss,
            [(getattr(self, f"{role}_optimizer"), getattr(self, role)) for role in roles],
        )

    def logged_names(self):
        """The names of this configuration's logs, in order."""
        active = [name for name, weight in zip(PENALTY_LOGS, self._penalty_weights()) if weight > 0]
        return [*self.LOGS, *active]

    @property
    def metrics(self):
        return [self.trackers[name] for name in self.logged_names()]

    def logs(self, penalties=True):
        """`{name: tracker result}` of every active log, what `train_step` returns.

        `penalties=False` leaves out the penalties' logs, which evaluation does not compute.
        """
        logs = {
            name: self.trackers[name].result()
            for name in self.logged_names()
            if penalties or name not in PENALTY_LOGS
        }
        return {**logs, **self.augmentation_logs()} if penalties else logs

    # --- fit -----------------------------------------------------------------------------------

    def fit(self, *args, **kwargs):
        """`keras.Model.fit` with the guarantees of `kgan.models.fit_guards` (a non-finite
        guard, callbacks that add epoch logs first, `use_ema=True` optimizers folded in) and
        the data checked first (`kgan.models.data_checks`: not empty, images in [-1, 1])."""
        args, kwargs = fit_guards.fit_arguments(args, kwargs, self.terminate_on_non_finite)
        data_checks.check_fit_data(self, args, kwargs)
        self._restore_step_of_older_file()
        if multi_worker.active(self):  # Keras' fit fails there: kgan's own loop
            history = multi_worker.fit(self, args, kwargs)
        else:
            history = super().fit(*args, **kwargs)
        fit_guards.fold_averages(self.optimized_networks())
        return history

    # --- saving --------------------------------------------------------------------------------

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        for role in self.NETWORKS:
            config[role] = keras.saving.serialize_keras_object(getattr(self, role))
        config["seed"] = self.seed
        if self.has_ema:
            config.update(self.ema_config())
        if self.augmentation is not None:
            config["augmentation"] = keras.saving.serialize_keras_object(self.augmentation)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for role in cls.NETWORKS:
            config[role] = keras.saving.deserialize_keras_object(config[role])
        return cls(**config)
