"""`GAN`: an unconditional generative adversarial network trained with `model.fit`."""

import warnings

import keras
import numpy as np
import tensorflow as tf

from kgan.callbacks import generative_metrics
from kgan.callbacks import linear_decay
from kgan.callbacks import terminate_on_non_finite
from kgan.losses import adversarial
from kgan.losses import penalties
from kgan.models import noise

# Callbacks that add keys to the epoch logs, run first by `GAN.fit`. LinearDecay also sets the
# learning rates that a `BackupAndRestore` listed after it saves at the end of an epoch.
_METRIC_CALLBACKS = (generative_metrics.GenerativeMetrics, linear_decay.LinearDecay)

# Stream ids fold into the noise seed so that each random draw of a step is independent. The
# latent noise of discriminator update i is stream i (the last one also feeds the generator
# update); its penalty's interpolation weights are stream _PENALTY_STREAM + i.
_PENALTY_STREAM = 100_000
_EVALUATION_STREAM = -1


@keras.saving.register_keras_serializable(package="kgan")
class GAN(keras.Model):
    """A generator and a discriminator trained against each other with `fit`.

    Each training step updates the discriminator `discriminator_steps` times, then the generator
    once against the *updated* discriminator (the alternating scheme of Goodfellow et al.). The
    generator's forward pass of the last discriminator update is reused for the generator update
    (recorded once on the generator's tape, the discriminator update taken outside the recording),
    which saves a third of the generator's work per step without changing the maths.

    The latent noise is drawn statelessly from `(seed, training step)`, so training is a pure
    function of the data and the seed: `BackupAndRestore` resumes bit-exactly, and under
    `tf.distribute` each replica takes its slice of the same global draw, so N replicas reproduce
    one device. Per-example losses are averaged over the global batch, as
    `tf.nn.compute_average_loss` does.

    `model(z)` runs the generator, so `predict`, callbacks and export all go through it.

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
    gan.compile(loss="hinge")
    gan.fit(kgan.data.load_digits(image_size=32), epochs=5)
    images = gan.generate(16, seed=0)  # float32 in [-1, 1], shape [16, 32, 32, 1]
    ```

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
        https://arxiv.org/abs/1406.2661
    """

    def __init__(self, generator, discriminator, latent_dim=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model) or not isinstance(discriminator, keras.Model):
            raise TypeError(
                "GAN takes a generator and a discriminator that are keras.Model instances; got "
                f"{type(generator).__name__} and {type(discriminator).__name__}."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = _resolve_latent_dim(generator, latent_dim)
        _check_shapes_agree(generator, discriminator)
        self.seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)
        self._build_networks()
        self.generator_optimizer = None
        self.discriminator_optimizer = None
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.gp_tracker = keras.metrics.Mean(name="gp")

    def _build_networks(self):
        """Creates both networks' variables (if needed) and marks the GAN built.

        A built model is what Keras needs to restore weights and optimizer slots on load, and
        what keeps `fit` (and `tf.distribute`) from calling the model on a data batch to build it.
        """
        if not self.generator.built:
            self.generator(keras.ops.zeros((1, self.latent_dim)))
        if not self.discriminator.built:
            self.discriminator(self.generator(keras.ops.zeros((1, self.latent_dim))))
        self.built = True

    def build(self, input_shape=None):
        self._build_networks()

    def call(self, inputs, training=None):
        """Runs the generator on latent vectors `[batch, latent_dim]`."""
        return self.generator(inputs, training=training)

    # --- compile -------------------------------------------------------------------------------

    def compile(
        self,
        generator_optimizer=None,
        discriminator_optimizer=None,
        loss="non_saturating",
        discriminator_steps=1,
        gradient_penalty_weight=0.0,
        gradient_penalty_target=1.0,
        terminate_on_non_finite=True,
        **kwargs,
    ):
        """Configures the GAN for training.

        Args:
            generator_optimizer: Optimizer (instance, name or config) for the generator.
                Defaults to `Adam(2e-4, beta_1=0.5)` (Radford et al. 2016).
            discriminator_optimizer: Optimizer for the discriminator. Same default.
            loss: Adversarial loss family: `"minimax"`, `"non_saturating"`, `"least_squares"`,
                `"wasserstein"` or `"hinge"` (see `kgan.losses.adversarial`).
                Defaults to `"non_saturating"`.
            discriminator_steps: Discriminator updates per generator update (5 for WGAN-GP).
                Each uses the same real batch with fresh noise. Defaults to `1`.
            gradient_penalty_weight: Weight of the WGAN-GP gradient penalty (10 in the paper);
                `0` turns it off. Defaults to `0.0`.
            gradient_penalty_target: Gradient norm the penalty aims at. Defaults to `1.0`.
            terminate_on_non_finite: Stop `fit` with an error naming the loss and step when any
                loss becomes NaN or infinite. Defaults to `True`.
            **kwargs: Passed to `keras.Model.compile`: `steps_per_execution`, `jit_compile`,
                `run_eagerly`, `auto_scale_loss`.
        """
        _reject_single_model_arguments(
            kwargs,
            "GAN.compile does not take `{}`: a GAN has two optimizers (`generator_optimizer=`, "
            "`discriminator_optimizer=`) and an adversarial `loss=` family name.",
        )
        if int(discriminator_steps) < 1:
            raise ValueError(f"discriminator_steps must be >= 1, got {discriminator_steps}.")
        if gradient_penalty_weight < 0:
            raise ValueError(
                f"gradient_penalty_weight must be >= 0, got {gradient_penalty_weight}."
            )
        if gradient_penalty_target <= 0:
            raise ValueError(
                f"gradient_penalty_target must be positive, got {gradient_penalty_target}."
            )
        if gradient_penalty_weight > 0 and _has_batch_normalization(self.discriminator):
            warnings.warn(
                "A gradient penalty is computed per example, but the discriminator has "
                "BatchNormalization layers, which mix the examples of a batch and make the "
                "penalty meaningless (Gulrajani et al. 2017, section 4). Build the critic with "
                "normalization='layer' or None, or use spectral normalization.",
                stacklevel=2,
            )
        self.loss_name = adversarial.canonical_name(loss)
        self.generator_loss_fn, self.discriminator_loss_fn = adversarial.get(self.loss_name)
        self.discriminator_steps = int(discriminator_steps)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.gradient_penalty_target = float(gradient_penalty_target)
        self.terminate_on_non_finite = bool(terminate_on_non_finite)
        auto_scale_loss = kwargs.pop("auto_scale_loss", True)
        if (
            isinstance(generator_optimizer, keras.optimizers.Optimizer)
            and generator_optimizer is discriminator_optimizer
        ):
            raise ValueError(
                "The generator and the discriminator need separate optimizer instances (each "
                "keeps per-variable state); pass two optimizers."
            )
        self.generator_optimizer = _make_optimizer(generator_optimizer, auto_scale_loss)
        self.discriminator_optimizer = _make_optimizer(discriminator_optimizer, auto_scale_loss)
        self._compile_keras_and_build_optimizers(kwargs)

    def _compile_keras_and_build_optimizers(self, kwargs):
        """The end of every kgan `compile`, once the optimizers are set as attributes.

        Runs `keras.Model.compile` with the remaining Keras arguments (`steps_per_execution`,
        `jit_compile`, `run_eagerly`), kept for `get_compile_config`, and builds each optimizer
        of `_optimized_networks()` on its network's weights.
        """
        # `model.optimizer` stays None: there is no single optimizer, and Keras would otherwise
        # finalize it against *all* trainable weights at the end of `fit` (see `fit` below).
        keras.Model.compile(self, optimizer=None, loss=None, auto_scale_loss=False, **kwargs)
        self._keras_compile_kwargs = {
            key: kwargs[key]
            for key in ("steps_per_execution", "jit_compile", "run_eagerly")
            if key in kwargs
        }
        # Build the optimizers now: a `.keras` file's optimizer state only loads into built
        # optimizers (otherwise Keras skips it with a warning and iterations restart at 0).
        for optimizer, network in self._optimized_networks():
            optimizer.build(network.trainable_variables)

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "generator_optimizer": keras.saving.serialize_keras_object(self.generator_optimizer),
            "discriminator_optimizer": keras.saving.serialize_keras_object(
                self.discriminator_optimizer
            ),
            "loss": self.loss_name,
            "discriminator_steps": self.discriminator_steps,
            "gradient_penalty_weight": self.gradient_penalty_weight,
            "gradient_penalty_target": self.gradient_penalty_target,
            "terminate_on_non_finite": self.terminate_on_non_finite,
            **self._keras_compile_kwargs,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("generator_optimizer", "discriminator_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    # --- training ------------------------------------------------------------------------------

    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker]
        if getattr(self, "gradient_penalty_weight", 0.0) > 0:
            trackers.append(self.gp_tracker)
        return trackers

    def train_step(self, data):
        real = self._check_samples(_unpack_samples(data))
        layout = noise.batch_layout(tf.shape(real)[0])
        step = self.generator_optimizer.iterations
        last = self.discriminator_steps - 1
        for index in range(last):
            fake = self.generator(self._draw_latent(layout, step, index), training=True)
            self.discriminator_step(real, fake, step, stream=index, layout=layout)
        latent = self._draw_latent(layout, step, last)
        with tf.GradientTape() as generator_tape:
            fake = self.generator(latent, training=True)
            # The discriminator's update must not be recorded on the generator's tape; the
            # generator's forward pass above is, and serves the generator update below.
            with generator_tape.stop_recording():
                self.discriminator_step(real, fake, step, stream=last, layout=layout)
            g_loss = self._generator_objective(fake, layout)
        self._apply(self.generator_optimizer, generator_tape, g_loss, self.generator)
        return self._logs()

    def discriminator_step(self, real, fake, step, stream=0, layout=None):
        """Updates the discriminator once on a real and a generated batch (same size).

        `fake` is treated as a constant. With a gradient penalty, the interpolation weights are
        drawn statelessly from `(seed, step, stream)`. Note that every extra discriminator step
        (`discriminator_steps > 1`) reuses the step's real batch with fresh noise, where WGAN-GP's
        Algorithm 1 draws a new real batch for each critic update.

        Returns:
            The discriminator's adversarial loss, averaged over the global batch.
        """
        layout = layout or noise.batch_layout(tf.shape(real)[0])
        fake = tf.stop_gradient(fake)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            per_example = self.discriminator_loss_fn(real_logits, fake_logits)
            d_loss = _average(per_example, layout)
            total = d_loss
            if self.gradient_penalty_weight > 0:
                alpha = noise.draw(
                    layout,
                    (),
                    noise.step_seed(self.seed, step, _PENALTY_STREAM + stream),
                    "uniform",
                )
                per_example_gp = penalties.gradient_penalty(
                    self.discriminator, real, fake, self.gradient_penalty_target, alpha=alpha
                )
                total = total + self.gradient_penalty_weight * _average(per_example_gp, layout)
                self.gp_tracker.update_state(per_example_gp)
        self._apply(self.discriminator_optimizer, tape, total, self.discriminator)
        # Trackers take every example (weighting batches by size, as Keras does for `loss`);
        # their variables sum across replicas, so the logged mean is the global one even when
        # the batch splits unevenly.
        self.d_loss_tracker.update_state(per_example)
        return d_loss

    def generator_step(self, latent):
        """Updates the generator once against the current discriminator.

        Returns:
            The generator loss, averaged over the global batch.
        """
        layout = noise.batch_layout(tf.shape(latent)[0])
        with tf.GradientTape() as tape:
            fake = self.generator(latent, training=True)
            g_loss = self._generator_objective(fake, layout)
        self._apply(self.generator_optimizer, tape, g_loss, self.generator)
        return g_loss

    def _generator_objective(self, fake, layout):
        fake_logits = self.discriminator(fake, training=True)
        per_example = self.generator_loss_fn(fake_logits)
        self.g_loss_tracker.update_state(per_example)
        return _average(per_example, layout)

    def _apply(self, optimizer, tape, loss, network):
        variables = network.trainable_variables
        # scale_loss is the identity except for a LossScaleOptimizer (mixed precision), whose
        # apply_gradients unscales again; without it float16 gradients underflow silently. The
        # scaling must be recorded on the tape (re-entered here), or the gradient is None.
        with tape:
            scaled_loss = optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, variables)
        optimizer.apply_gradients(list(zip(gradients, variables)))

    def test_step(self, data):
        real = self._check_samples(_unpack_samples(data))
        # The evaluation stream is never trained on. Its step is the number of examples
        # evaluated so far (the tracker's count, reset by `evaluate`), so each batch gets its own
        # noise and `evaluate` is repeatable.
        examples_so_far = tf.cast(self.d_loss_tracker.count, tf.int64)
        latent = self._draw_latent(
            noise.batch_layout(tf.shape(real)[0]), examples_so_far, _EVALUATION_STREAM
        )
        fake = self.generator(latent, training=False)
        real_logits = self.discriminator(real, training=False)
        fake_logits = self.discriminator(fake, training=False)
        self.d_loss_tracker.update_state(self.discriminator_loss_fn(real_logits, fake_logits))
        self.g_loss_tracker.update_state(self.generator_loss_fn(fake_logits))
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    def _logs(self):
        return {tracker.name: tracker.result() for tracker in self.metrics}

    # --- noise ---------------------------------------------------------------------------------

    def sample_latent(self, batch_size, step, stream=0):
        """Latent vectors for a training step: a pure function of `(seed, step, stream)`.

        Args:
            batch_size: Examples in this replica's batch.
            step: Training step (`generator_optimizer.iterations` during `fit`).
            stream: Which draw of the step: `i` for the `i`-th discriminator update; the last
                one also feeds the generator update. Defaults to `0`.

        Returns:
            float32 tensor `[batch_size, latent_dim]`.
        """
        return self._draw_latent(noise.batch_layout(batch_size), step, stream)

    def _draw_latent(self, layout, step, stream):
        seed = noise.step_seed(self.seed, step, stream)
        return noise.draw(layout, (self.latent_dim,), seed, "normal")

    def _check_samples(self, samples):
        """Fails at trace time, naming both shapes, when data and discriminator disagree."""
        expected = _input_shape(self.discriminator)
        if expected is not None and not _shapes_compatible(samples.shape[1:], expected):
            raise ValueError(
                f"The data's samples have shape {tuple(samples.shape[1:])}, but the discriminator "
                f"takes {expected}. Load the data at the networks' size (e.g. "
                "kgan.data.load(..., image_size=N, channels=C)) or build the networks for it."
            )
        return samples

    def fit(self, *args, **kwargs):
        """Trains the GAN: `keras.Model.fit` plus three GAN-specific guarantees.

        A `TerminateOnNonFinite` callback is added (unless disabled in `compile` or one is
        given), `GenerativeMetrics` and `LinearDecay` callbacks run before the others (so every
        callback sees their `fid`, `kid`, `*_lr` keys in the epoch logs, and `BackupAndRestore`
        saves the learning rates `LinearDecay` set, whatever the list order), and
        optimizers with `use_ema=True` fold their averages into *their own* network when
        training ends (Keras finalizes only `model.optimizer`, which a GAN does not have).
        """
        callbacks_position = 5  # fit(x, y, batch_size, epochs, verbose, callbacks, ...)
        if len(args) > callbacks_position:
            args = list(args)
            kwargs["callbacks"] = args.pop(callbacks_position)
            if len(args) > callbacks_position:
                raise TypeError("Pass fit's arguments after `callbacks` by keyword.")
        callbacks = list(kwargs.get("callbacks") or [])
        # Keras hands one logs dict to the callbacks in list order; metric callbacks go first so
        # that TensorBoard, CSVLogger, EarlyStopping... see their keys wherever they are listed.
        callbacks.sort(key=lambda callback: not isinstance(callback, _METRIC_CALLBACKS))
        if getattr(self, "terminate_on_non_finite", False) and not any(
            isinstance(callback, terminate_on_non_finite.TerminateOnNonFinite)
            for callback in callbacks
        ):
            callbacks.append(terminate_on_non_finite.TerminateOnNonFinite())
        kwargs["callbacks"] = callbacks
        # A tf.data pipeline shuffles itself; Keras would only warn that `shuffle` is ignored.
        x = args[0] if args else kwargs.get("x")
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
        history = super().fit(*args, **kwargs)
        for optimizer, network in self._optimized_networks():
            # A LossScaleOptimizer (mixed precision) reports use_ema=False for its inner one.
            inner = getattr(optimizer, "inner_optimizer", optimizer)
            if inner is not None and inner.use_ema:
                optimizer.finalize_variable_values(network.trainable_variables)
        return history

    def _optimized_networks(self):
        """`(optimizer, network)` pairs: each optimizer with the network it trains.

        `fit` folds each optimizer's EMA (`use_ema=True`) into its own network; objectives with
        more networks (e.g. `CycleGAN`) list theirs.
        """
        return [
            (self.generator_optimizer, self.generator),
            (self.discriminator_optimizer, self.discriminator),
        ]

    # --- sampling ------------------------------------------------------------------------------

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
        latent = np.random.default_rng(seed).standard_normal((int(num), self.latent_dim))
        latent = latent.astype("float32")
        outputs = [
            keras.ops.convert_to_numpy(self(latent[start : start + batch_size], training=False))
            for start in range(0, int(num), batch_size)
        ]
        return np.concatenate(outputs, axis=0).astype("float32")

    # --- serialization -------------------------------------------------------------------------

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def _reject_single_model_arguments(kwargs, message):
    """Raises `ValueError` (`message` formatted with the name) for `keras.Model.compile`'s
    single-model arguments, which a GAN objective cannot use; drops them when `None`."""
    for unsupported in ("optimizer", "loss_weights", "metrics", "weighted_metrics"):
        if kwargs.get(unsupported) is not None:
            raise ValueError(message.format(unsupported))
        kwargs.pop(unsupported, None)


def _resolve_latent_dim(generator, latent_dim):
    """The latent size: given, or read from the generator's single input."""
    input_shape = _input_shape(generator)
    inferred = None
    if input_shape is not None and len(input_shape) == 1 and input_shape[0] is not None:
        inferred = int(input_shape[0])
    if latent_dim is None:
        if inferred is None:
            raise ValueError(
                "Could not read latent_dim from the generator (it needs one input of shape "
                "[batch, latent_dim]); pass latent_dim= to GAN."
            )
        return inferred
    if int(latent_dim) < 1:
        raise ValueError(f"latent_dim must be positive, got {latent_dim}.")
    if inferred is not None and inferred != int(latent_dim):
        raise ValueError(
            f"latent_dim={latent_dim} does not match the generator's input size {inferred}."
        )
    return int(latent_dim)


def _single_shape(tensors_of):
    """The shape, without the batch axis, of a functional network's single input or output.

    `tensors_of` reads `network.inputs` or `network.outputs`; subclassed networks have no
    symbolic tensors, and networks with several have no single shape: both give None.
    """
    try:
        tensors = tensors_of()
        if len(tensors) == 1:
            return tuple(tensors[0].shape[1:])
    except (AttributeError, ValueError):
        pass
    return None


def _input_shape(network):
    return _single_shape(lambda: network.inputs)


def _output_shape(network):
    return _single_shape(lambda: network.outputs)


def _shapes_compatible(actual, expected):
    actual = tuple(actual)
    return len(actual) == len(expected) and all(
        a is None or e is None or a == e for a, e in zip(actual, expected)
    )


def _check_shapes_agree(generator, discriminator):
    made, taken = _output_shape(generator), _input_shape(discriminator)
    if made is not None and taken is not None and not _shapes_compatible(made, taken):
        raise ValueError(
            f"The generator makes samples of shape {made}, but the discriminator takes {taken}. "
            "Build both networks for the same image size and channel count."
        )


def _has_batch_normalization(layer):
    """True if `layer` is, or contains at any depth, a BatchNormalization layer."""
    if isinstance(layer, keras.layers.BatchNormalization):
        return True
    inner = getattr(layer, "layer", None)  # wrappers such as SpectralNormalization
    children = list(getattr(layer, "layers", [])) + ([inner] if inner is not None else [])
    return any(_has_batch_normalization(child) for child in children)


def _average(per_example, layout):
    """Sum over this replica divided by the *global* batch size.

    Keras optimizers sum gradients across replicas, so this gives the gradient of the global mean
    (what `tf.nn.compute_average_loss` does, with the global size counted exactly).
    """
    return tf.reduce_sum(per_example) / tf.cast(layout.global_size, per_example.dtype)


def _make_optimizer(optimizer, auto_scale_loss):
    """The given optimizer, or the DCGAN default; wrapped for loss scaling under mixed_float16."""
    if optimizer is None:
        optimizer = keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
    optimizer = keras.optimizers.get(optimizer)
    policy = keras.config.dtype_policy()
    if (
        auto_scale_loss
        and policy.name == "mixed_float16"
        and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    ):
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def _unpack_samples(data):
    """The samples of a batch: `x` of `(x,)`, `(x, y)` or `(x, y, sample_weight)`."""
    samples, _, _ = keras.utils.unpack_x_y_sample_weight(data)
    return samples
