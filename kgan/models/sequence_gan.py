"""`SequenceGAN`: the base of the text objectives (SeqGAN, MaliGAN, RelGAN), all phases in `fit`.

A sequence objective trains a token generator (`kgan.networks.RecurrentGenerator`) against a
sequence discriminator (`kgan.networks.SequenceDiscriminator`) in the phases of
`kgan.models.training_phases`: maximum likelihood with teacher forcing, the discriminator on real
against generated, then the objective's own adversarial step, which a subclass defines as
`adversarial_step(tokens, step, layout)`. The rest (optimizers per network, the step counter and
stateless noise, saving, exact resume, `fit`'s guards) is `AdversarialModel`'s.

Batches are int token ids `[batch, T]` with `T` the generator's `max_length`. A model built with
`vocabulary=` (a `kgan.data.Vocabulary` of `vocab_size` tokens) saves it, pads with its pad id and
writes text (`generate_text`, `kgan sample --out x.txt`).
"""

import keras
import tensorflow as tf

from kgan.data import vocabulary as vocabulary_lib
from kgan.losses import sequence as sequence_losses
from kgan.models import adversarial_model
from kgan.models import noise
from kgan.models import served_generator
from kgan.models import training_phases
from kgan.models import updates
from kgan.networks import sequence_sampling
from kgan.networks import token_sampling

# Stream of the discriminator's fakes in update i: SAMPLE_STREAM + i (the policy's own samples
# use stream 0; rollouts and Gumbel noise use ROLLOUT_STREAM).
SAMPLE_STREAM = 1
ROLLOUT_STREAM = 400_000


class SequenceGAN(adversarial_model.AdversarialModel):
    """Base of the sequence GANs: phases, maximum likelihood, sampling. Not used directly."""

    NETWORKS = ("generator", "discriminator")
    CRITICS = ()
    AUGMENTS_IMAGES = False
    # The logs of each phase (the adversarial phase's are the subclass's `LOGS`).
    PHASE_LOGS = {
        training_phases.MLE: ("mle_loss",),
        training_phases.PRETRAIN_DISCRIMINATOR: ("d_loss",),
    }
    COMPILE_SETTINGS = (
        "pretrain_generator_epochs",
        "pretrain_discriminator_epochs",
        "pad_token",
        "adversarial_learning_rate",
    )

    pretrain_generator_epochs = 0
    pretrain_discriminator_epochs = 0
    pad_token = None
    adversarial_learning_rate = None

    def __init__(self, generator, discriminator, seed=None, vocabulary=None, **kwargs):
        super().__init__(generator=generator, discriminator=discriminator, seed=seed, **kwargs)
        for attribute in ("vocab_size", "max_length", "unroll", "teacher_inputs"):
            if not hasattr(generator, attribute):
                raise TypeError(
                    f"{type(self).__name__}'s generator must be a token generator with "
                    f"`{attribute}` (e.g. kgan.networks.RecurrentGenerator); got "
                    f"{type(generator).__name__}."
                )
        self.vocab_size = generator.vocab_size
        self.max_length = generator.max_length
        for attribute in ("vocab_size", "max_length"):
            theirs = getattr(discriminator, attribute, getattr(self, attribute))
            if theirs != getattr(self, attribute):
                raise ValueError(
                    f"The generator has {attribute}={getattr(self, attribute)} but the "
                    f"discriminator {attribute}={theirs}; build both for the same vocabulary "
                    "and length."
                )
        vocabulary_lib.check_matches(vocabulary, self.vocab_size, type(self).__name__)
        self.vocabulary = vocabulary
        for name in set(self.LOGS) | {"mle_loss", "d_loss"}:
            self.trackers.setdefault(name, keras.metrics.Mean(name=name))
        # The phase the model is in, saved so a resumed `fit` knows what it left.
        self.phase_variable = self.add_weight(
            name="phase",
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
        )
        self._phase = None
        self.create_state()
        self.build()

    def create_state(self):
        """Hook: a subclass's own layers and variables, created before the model is built."""

    def compile(
        self,
        *optimizers,
        pretrain_generator_epochs=0,
        pretrain_discriminator_epochs=0,
        pad_token=None,
        adversarial_learning_rate=None,
        **kwargs,
    ):
        """Configures the phases and the adversarial training.

        Args:
            *optimizers: One per network (generator, discriminator), or as
                `generator_optimizer=`/`discriminator_optimizer=`. Default to SeqGAN's:
                `Adam(1e-2, clipnorm=5)` for the generator and `Adam(1e-4)` for the
                discriminator.
            pretrain_generator_epochs: Epochs of maximum likelihood first. Defaults to `0`.
            pretrain_discriminator_epochs: Then epochs of the discriminator alone, on real
                sequences against the generator's. Defaults to `0`.
            pad_token: Token id of padding, left out of the losses; `None` when every position
                is a token (the synthetic oracle). Defaults to `None` (the vocabulary's pad id
                for a model with a `vocabulary`).
            adversarial_learning_rate: The generator's learning rate from the adversarial
                phase on. Maximum likelihood takes a large rate (1e-2) that policy gradients
                and relaxed samples do not survive: the noisy adversarial gradient at that
                rate undoes the pre-training in a few steps (RelGAN drops to 1e-4). Set once,
                when the phase begins, on the optimizer's own rate (a float, not a schedule),
                so a resumed run keeps it. Defaults to `None` (the optimizer's rate stays).
            **kwargs: `AdversarialModel.compile`'s (`loss` for the discriminator's loss
                family, `discriminator_steps`, ...).
        """
        penalised = ("gradient_penalty_weight", "r1_weight", "r2_weight")
        if any(kwargs.get(name, 0) for name in penalised):
            raise ValueError(
                "Gradient penalties need inputs the critic is differentiable in; token ids are "
                "not. Leave gradient_penalty_weight, r1_weight and r2_weight at 0 for sequence "
                "GANs."
            )
        if not optimizers:
            kwargs.setdefault(
                "generator_optimizer", keras.optimizers.Adam(learning_rate=1e-2, clipnorm=5.0)
            )
            kwargs.setdefault("discriminator_optimizer", keras.optimizers.Adam(learning_rate=1e-4))
        self.pretrain_generator_epochs = training_phases.check_epochs(
            "pretrain_generator_epochs", pretrain_generator_epochs
        )
        self.pretrain_discriminator_epochs = training_phases.check_epochs(
            "pretrain_discriminator_epochs", pretrain_discriminator_epochs
        )
        if pad_token is None and self.vocabulary is not None:
            pad_token = self.vocabulary.pad_id
        if pad_token is not None and not 0 <= int(pad_token) < self.vocab_size:
            raise ValueError(f"pad_token must be a token id in [0, {self.vocab_size}).")
        self.pad_token = None if pad_token is None else int(pad_token)
        if adversarial_learning_rate is not None and not float(adversarial_learning_rate) > 0:
            raise ValueError(
                f"adversarial_learning_rate must be > 0, got {adversarial_learning_rate}."
            )
        self.adversarial_learning_rate = (
            None if adversarial_learning_rate is None else float(adversarial_learning_rate)
        )
        super().compile(*optimizers, **kwargs)

    # --- phases --------------------------------------------------------------------------------

    def phase_of_epoch(self, epoch):
        """The phase (`kgan.models.training_phases`) that `fit` trains in at `epoch`."""
        return training_phases.phase_of_epoch(
            epoch, self.pretrain_generator_epochs, self.pretrain_discriminator_epochs
        )

    @property
    def phase(self):
        """The current phase: 0 maximum likelihood, 1 discriminator pre-training, 2 adversarial."""
        return int(self.phase_variable.numpy()) if self._phase is None else self._phase

    def enter_phase(self, phase):
        """Switches to `phase` (called by `fit` at each epoch's start)."""
        if phase != int(self.phase_variable.numpy()):
            if phase == training_phases.ADVERSARIAL and self.adversarial_learning_rate:
                self._set_adversarial_learning_rate()
            self.on_phase_change(phase)
            self.phase_variable.assign(phase)
        if phase != self._phase:
            self._phase = phase
            self.make_train_function(force=True)

    def _set_adversarial_learning_rate(self):
        try:
            self.generator_optimizer.learning_rate = self.adversarial_learning_rate
        except TypeError as error:  # Keras refuses to overwrite a LearningRateSchedule.
            raise ValueError(
                "adversarial_learning_rate sets the generator optimizer's rate, which is a "
                "schedule here: give the optimizer a float rate, or fold the change into the "
                "schedule."
            ) from error

    def on_phase_change(self, phase):
        """Hook for state a phase starts from (SeqGAN copies its rollout policy here)."""

    def fit(self, *args, **kwargs):
        """`AdversarialModel.fit`, with the phases switched at the epochs `compile` set."""
        callbacks = kwargs.get("callbacks") or []
        kwargs["callbacks"] = [training_phases.PhaseSwitch(), *callbacks]
        return super().fit(*args, **kwargs)

    def logged_names(self):
        names = self.PHASE_LOGS.get(self.phase, self.LOGS)
        return list(names)

    # --- steps ---------------------------------------------------------------------------------

    def unpack_batch(self, data):
        """The token ids of a batch, checked: integers, `[batch, max_length]`, ids in range."""
        tokens, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self.check_ids(tokens, self.vocab_size, self.max_length)

    def check_ids(self, tokens, vocab_size, length, what="Batches", role="max_length"):
        """`tokens` as int32 `[batch, length]`, with clear errors for what a batch must be."""
        tokens = tf.convert_to_tensor(tokens)
        if not tokens.dtype.is_integer:
            raise ValueError(
                f"{type(self).__name__} trains on integer token ids; got {tokens.dtype.name}. "
                "Map text to ids first (kgan.data.Vocabulary)."
            )
        if tokens.shape.rank != 2 or tokens.shape[1] not in (None, length):
            raise ValueError(
                f"{what} must be token ids [batch, {length}] (the generator's {role}); got "
                f"shape {tokens.shape}. Pad or cut the sequences to that length."
            )
        tokens = tf.cast(tokens, tf.int32)
        checks = [
            tf.debugging.assert_non_negative(tokens, message="Token ids must be >= 0."),
            tf.debugging.assert_less(
                tokens, vocab_size, message=f"{what}: token ids must be < vocab_size={vocab_size}."
            ),
        ]
        # Everything downstream reads the ids through this identity, so the checks run before
        # any embedding lookup (otherwise the lookup's own "not in [0, N)" error may win).
        with tf.control_dependencies([check for check in checks if check is not None]):
            return tf.identity(tokens)

    def train_step(self, data):
        tokens = self.unpack_batch(data)
        layout = noise.batch_layout(self.batch_size(tokens))
        step = self.read_step()
        phase = self.phase
        if phase == training_phases.MLE:
            self.maximum_likelihood_step(tokens, layout)
        elif phase == training_phases.PRETRAIN_DISCRIMINATOR:
            self.discriminator_updates(tokens, step, layout)
        else:
            self.adversarial_step(tokens, step, layout)
        self.advance_step()
        logs = self.logs()
        logs["phase"] = tf.cast(self.phase_variable, tf.float32)
        return logs

    def maximum_likelihood_step(self, tokens, layout):
        """One teacher-forced update of the generator on real `tokens`; returns the loss."""
        with tf.GradientTape() as tape:
            per_example = self.likelihood_loss(tokens, training=True)
            loss = updates.global_mean(per_example, layout)
        self.update(tape, loss, "generator")
        return loss

    def likelihood_loss(self, tokens, training=False):
        """Per-example negative log-likelihood per token of real `tokens`, tracked as mle_loss."""
        logits = self.generator(self.generator.teacher_inputs(tokens), training=training)
        per_example = sequence_losses.maximum_likelihood(tokens, logits, self.pad_token)
        self.trackers["mle_loss"].update_state(per_example)
        return per_example

    def adversarial_step(self, tokens, step, layout):
        """The objective's adversarial update. Subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define adversarial_step().")

    def policy_gradient_step(self, fake, advantages, layout, entropy_weight=0.0):
        """One REINFORCE update of the generator on its samples `fake`; returns the loss."""
        with tf.GradientTape() as tape:
            logits = self.generator(self.generator.teacher_inputs(fake), training=True)
            per_example = sequence_losses.policy_gradient(
                fake, logits, advantages, self.pad_token, entropy_weight
            )
            g_loss = updates.global_mean(per_example, layout)
        self.update(tape, g_loss, "generator")
        self.trackers["g_loss"].update_state(per_example)
        return g_loss

    def discriminator_updates(self, tokens, step, layout):
        """`discriminator_steps` updates on the real `tokens` against fresh samples."""
        for stream in range(self.discriminator_steps):
            fake = self.sample_tokens(layout, step, SAMPLE_STREAM + stream)
            self.discriminator_step(tokens, fake, step, stream, layout)

    def sample_tokens(self, layout, step, stream, network=None, state=None):
        """This replica's rows of the step's sampled sequences, int32 `[batch, T]`.

        `state` starts the network (a sequence-to-sequence generator's encoded source).
        """
        network = self.generator if network is None else network
        uniforms = self.draw(layout, (self.max_length,), step, stream, "uniform")
        start = {} if state is None else {"state": state}
        return network.unroll(
            lambda logits, t: token_sampling.choose(logits, uniforms[:, t]),
            layout.size,
            training=False,
            **start,
        )

    # The alternating path's parts that `discriminator_step` uses.

    def discriminator_loss(self, batch, fake, step, stream, layout, training):
        real_logits = self.discriminator(batch, training=training)
        fake_logits = self.discriminator(fake, training=training)
        per_example = self.discriminator_loss_fn(real_logits, fake_logits)
        self.trackers["d_loss"].update_state(per_example)
        return per_example

    def critic(self, batch, fake):
        return self.discriminator, batch

    def test_step(self, data):
        """Scores held-out real sequences: their likelihood (`mle_loss`, NLL_test per token)."""
        tokens = self.unpack_batch(data)
        self.likelihood_loss(tokens, training=False)
        return {"mle_loss": self.trackers["mle_loss"].result()}

    # --- sampling ------------------------------------------------------------------------------

    def served_generator(self):
        """The generator, served as `"tokens"`: uniforms and a temperature in, token ids out.

        Export and `kgan sample` take it from here (see `kgan.models.ServedGenerator`). A
        generator that starts from a source (one with `encode`, sequence-to-sequence) takes
        more than uniforms, so it is not served this way.
        """
        if hasattr(self.generator, "encode"):
            raise ValueError(
                f"{type(self).__name__}'s generator encodes a source sequence first; serving "
                "and export take token generators that sample from uniforms alone."
            )
        return served_generator.ServedGenerator(self.sampling_network(), "tokens")

    def generate(
        self,
        num,
        seed=None,
        temperature=1.0,
        top_k=0,
        top_p=1.0,
        greedy=False,
        end_token=None,
        batch_size=256,
    ):
        """Samples `num` sequences of token ids, `np.ndarray` int32 `[num, max_length]`.

        Args:
            num: Number of sequences.
            seed: Integer seed: the same seed gives the same sequences, and the first `k` of
                `generate(n, seed)` are `generate(k, seed)`. Defaults to a random one.
            temperature: Divides the logits (below 1: likelier, less diverse). Defaults to
                `1.0`.
            top_k: Sample among the `top_k` likeliest tokens only; `0` for all. Defaults to `0`.
            top_p: Sample from the nucleus of mass `top_p`; `1` for all. Defaults to `1.0`.
            greedy: Take the likeliest token every step (no randomness). Defaults to `False`.
            end_token: After this token, positions hold `pad_token` (or the end token itself
                when there is no padding). Defaults to `None` (fixed-length sequences).
            batch_size: Sequences per forward pass. Defaults to `256`.

        Returns:
            int32 `np.ndarray` `[num, max_length]`.
        """
        return sequence_sampling.generate_tokens(
            self.sampling_network(),
            num,
            seed=seed,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            greedy=greedy,
            end_token=end_token,
            pad_token=self.pad_token,
            batch_size=batch_size,
        )

    def generate_text(self, num, seed=0, **decoding):
        """`generate`'s sequences as text, each read up to `[EOS]` by the model's `vocabulary`.

        `**decoding` are `generate`'s (`temperature`, `top_k`, `top_p`, `greedy`,
        `batch_size`). Returns a list of `num` strings.
        """
        return vocabulary_lib.generate_text(self, num, seed, **decoding)

    def get_config(self):
        config = super().get_config()
        if self.vocabulary is not None:
            config["vocabulary"] = keras.saving.serialize_keras_object(self.vocabulary)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("vocabulary") is not None:
            config["vocabulary"] = keras.saving.deserialize_keras_object(config["vocabulary"])
        return super().from_config(config)
