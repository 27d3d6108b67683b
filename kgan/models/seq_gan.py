"""`SeqGAN`: a token generator trained by policy gradient against a sequence discriminator."""

import keras
import tensorflow as tf

from kgan.models import rollouts
from kgan.models import sequence_gan
from kgan.models import training_phases
from kgan.models import updates

BASELINES = ("none", "mean")


@keras.saving.register_keras_serializable(package="kgan")
class SeqGAN(sequence_gan.SequenceGAN):
    """SeqGAN: REINFORCE with Monte-Carlo rollout rewards, all phases in one `fit`.

    Sampling tokens blocks the gradient from the discriminator to the generator, so SeqGAN
    treats the generator as a policy and the discriminator's probability that a sequence is real
    as its reward. Each adversarial step:

    1. samples a batch of sequences from the generator;
    2. rewards every token by `num_rollouts` Monte-Carlo completions of its prefix by a *rollout
       policy*, a copy of the generator that trails it (`rollout_update_rate`), scored by the
       discriminator (`kgan.models.rollouts`);
    3. takes a REINFORCE step of the generator on those rewards less a baseline
       (`kgan.losses.sequence.policy_gradient`), then blends the generator into the rollout
       policy;
    4. updates the discriminator `discriminator_steps` times on the real batch against fresh
       samples (SeqGAN's paper runs many more discriminator than generator updates).

    Before that, `compile(pretrain_generator_epochs=..., pretrain_discriminator_epochs=...)`
    runs maximum likelihood and discriminator pre-training as the first epochs of `fit`
    (`kgan.models.training_phases`).

    Logs: `mle_loss` (phase 0), `d_loss` (phases 1 and 2), `g_loss` and `reward` (the mean
    reward of the sampled tokens, phase 2) and `phase`.

    Args:
        generator: A token generator, e.g. `kgan.networks.RecurrentGenerator`.
        discriminator: A sequence classifier returning logits `[batch, 1]`, e.g.
            `kgan.networks.SequenceDiscriminator`.
        seed: Integer seed of the sampling noise. Defaults to a random one.
        vocabulary: A `kgan.data.Vocabulary` of the generator's `vocab_size` tokens, saved with
            the model: `generate_text` and `kgan sample` then write words, and its pad id is
            the padding. Defaults to `None` (bare token ids).
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    model = kgan.models.SeqGAN(
        kgan.networks.RecurrentGenerator(vocab_size=5000, max_length=20),
        kgan.networks.SequenceDiscriminator(vocab_size=5000, max_length=20),
    )
    model.compile(pretrain_generator_epochs=80, pretrain_discriminator_epochs=10, num_rollouts=16)
    model.fit(token_dataset, epochs=120)
    tokens = model.generate(100, seed=0)   # int32 [100, 20]
    ```

    Reference:
        Yu et al., "SeqGAN: Sequence Generative Adversarial Nets with Policy Gradient", AAAI 2017.
        https://arxiv.org/abs/1609.05473
    """

    LOGS = ("d_loss", "g_loss", "reward")
    COMPILE_SETTINGS = (
        *sequence_gan.SequenceGAN.COMPILE_SETTINGS,
        "num_rollouts",
        "rollout_update_rate",
        "baseline",
        "entropy_weight",
    )

    num_rollouts = 16
    rollout_update_rate = 0.8
    baseline = "mean"
    entropy_weight = 0.0

    def create_state(self):
        generator = self.generator
        # The delayed rollout policy: the generator's architecture, its own (untrained) weights.
        self.rollout_policy = generator.__class__.from_config(
            {**generator.get_config(), "name": "rollout_policy"}
        )
        self.rollout_policy.trainable = False
        for target, source in zip(self.rollout_policy.weights, generator.weights):
            target.assign(source)

    def compile(
        self,
        *optimizers,
        num_rollouts=16,
        rollout_update_rate=0.8,
        baseline="mean",
        entropy_weight=0.0,
        **kwargs,
    ):
        """Configures training; `SequenceGAN.compile`'s arguments, and:

        Args:
            num_rollouts: Monte-Carlo completions per prefix (`N`, 16 in SeqGAN). Defaults to `16`.
            rollout_update_rate: How much of the rollout policy is kept at each blend with the
                generator (SeqGAN's 0.8); `0` makes it the generator. Defaults to `0.8`.
            baseline: `"mean"` subtracts each position's mean reward over the global batch (a
                baseline lowers the gradient's variance without biasing it); `"none"` uses raw
                rewards as the paper does. Defaults to `"mean"`.
            entropy_weight: Weight of an entropy bonus against early collapse. Defaults to `0`.
        """
        if isinstance(num_rollouts, bool) or not isinstance(num_rollouts, int) or num_rollouts < 1:
            raise ValueError(f"num_rollouts must be a positive integer, got {num_rollouts!r}.")
        if not 0 <= rollout_update_rate < 1:
            raise ValueError(f"rollout_update_rate must be in [0, 1), got {rollout_update_rate}.")
        if baseline not in BASELINES:
            raise ValueError(f"baseline must be one of {BASELINES}, got {baseline!r}.")
        if entropy_weight < 0:
            raise ValueError(f"entropy_weight must be >= 0, got {entropy_weight}.")
        self.num_rollouts = int(num_rollouts)
        self.rollout_update_rate = float(rollout_update_rate)
        self.baseline = baseline
        self.entropy_weight = float(entropy_weight)
        super().compile(*optimizers, **kwargs)

    def on_phase_change(self, phase):
        if phase == training_phases.ADVERSARIAL:
            # SeqGAN's rollout policy starts as the pre-trained generator.
            rollouts.blend_into(self.rollout_policy, self.generator, 0.0)

    def token_rewards(self, fake, step, layout):
        """Rewards `[batch, T]` of the sampled `fake` tokens (constants)."""
        length = self.max_length
        uniforms = self.draw(
            layout,
            (length - 1, self.num_rollouts, length),
            step,
            sequence_gan.ROLLOUT_STREAM,
            "uniform",
        )
        # Drawn per example (so replicas take their own rows of the global draw), then put in
        # the rollouts' prefix-length-major row order.
        uniforms = tf.reshape(tf.transpose(uniforms, [1, 0, 2, 3]), [-1, length])
        return rollouts.monte_carlo_rewards(
            self.rollout_policy, self.discriminator, fake, uniforms, self.num_rollouts
        )

    def advantages(self, rewards, layout):
        """Rewards less the baseline: each position's mean over the global batch, or nothing."""
        if self.baseline == "none":
            return rewards
        mean = updates.replica_sum(tf.reduce_sum(rewards, axis=0)) / tf.cast(
            layout.global_size, tf.float32
        )
        return rewards - mean[None, :]

    def adversarial_step(self, tokens, step, layout):
        fake = self.sample_tokens(layout, step, 0)
        rewards = self.token_rewards(fake, step, layout)
        self.policy_gradient_step(
            fake, self.advantages(rewards, layout), layout, self.entropy_weight
        )
        self.trackers["reward"].update_state(tf.reduce_mean(rewards, axis=1))
        rollouts.blend_into(self.rollout_policy, self.generator, self.rollout_update_rate)
        self.discriminator_updates(tokens, step, layout)
