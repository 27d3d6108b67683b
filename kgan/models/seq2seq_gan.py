"""`Seq2SeqGAN`: a conditional sequence GAN whose generator is an encoder-decoder.

The generator is the decoder of a sequence-to-sequence model (`kgan.networks.Seq2SeqGenerator`),
started from its encoder's reading of a source sequence; the discriminator judges
(source, output) pairs (`kgan.networks.SequencePairDiscriminator`). Training is matching-aware
exactly as `ConditionalGAN`'s: besides (source, real output) pairs, scored real, and
(source, generated output) pairs, scored fake, the discriminator is shown (source, another
example's real output) pairs, also scored fake, so it must judge whether an output belongs to
its source and not only whether it looks like an output (Reed et al. 2016). The generator
learns through the Gumbel-softmax relaxation of `RelGAN`, which `Seq2SeqGAN` extends.
"""

import keras
import tensorflow as tf

from kgan.data import vocabulary as vocabulary_lib
from kgan.losses import sequence as sequence_losses
from kgan.models import conditions
from kgan.models import rel_gan
from kgan.models import sequence_gan
from kgan.models import training_phases
from kgan.models import updates
from kgan.networks import sequence_sampling


@keras.saving.register_keras_serializable(package="kgan")
class Seq2SeqGAN(rel_gan.RelGAN):
    """Sequence-to-sequence GAN: outputs for sources, judged in (source, output) pairs.

    Batches are `(source, target)` pairs of token ids, `[batch, source_length]` and
    `[batch, max_length]`. The phases are `SequenceGAN`'s:

    1. maximum likelihood: the decoder teacher-forced on the target, given the source;
    2. the discriminator alone, with the compile-time loss family `D(r, f)` (per example):

           d_loss = (D(real, fake) + w * D(real, mismatched)) / (1 + w)

       where `real` is (source, target), `fake` (source, sampled output) and `mismatched`
       (source, the target of another example of the global batch), `w = mismatch_weight`;
    3. adversarial: the same with the relativistic standard loss of `RelGAN` in place of
       `D(r, f)`, and the generator's Gumbel-softmax outputs (inverse temperature annealed as
       in `RelGAN`) in place of sampled ones; the generator minimises the relativistic
       generator loss of (source, real) against (source, relaxed output).

    `mismatch_loss` logs the discriminator's loss on telling (source, target) from
    (source, other target): near `log 2 = 0.69` while it cannot, falling as it learns which
    outputs go with which source. Two examples can have the same target (a repeated sentence);
    their "mismatched" pair is then a right one, which a small share of the batch tolerates.

    Logs: `mle_loss` (phase 0), `d_loss` and `mismatch_loss` (phases 1, 2), `g_loss` and
    `beta` (phase 2), `phase`.

    Args:
        generator: A sequence-to-sequence token generator with `encode` (e.g.
            `kgan.networks.Seq2SeqGenerator`).
        discriminator: A model on `[source, output]` (ids or distributions) returning logits,
            e.g. `kgan.networks.SequencePairDiscriminator`.
        seed: Integer seed of the sampling, Gumbel and mismatch draws. Defaults to a random one.
        vocabulary: A `kgan.data.Vocabulary` of the target side's `vocab_size` tokens, saved with
            the model: `generate_text` and `kgan sample` then write words, and its pad id is
            the padding. Defaults to `None` (bare token ids).
        source_vocabulary: A `kgan.data.Vocabulary` of the source side's `source_vocab_size`
            tokens, saved with the model; with both vocabularies `translate_text` maps
            sentences to sentences. Defaults to `None`.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    model = kgan.models.Seq2SeqGAN(generator, discriminator, seed=0)
    model.compile(pretrain_generator_epochs=20, pretrain_discriminator_epochs=2)
    model.fit(pairs_dataset, epochs=30)        # batches: (source ids, target ids)
    outputs = model.generate(sources, greedy=True)
    ```

    Reference:
        Reed et al., "Generative Adversarial Text to Image Synthesis", ICML 2016 (the
        matching-aware discriminator); Nie et al., "RelGAN", ICLR 2019; Sutskever et al.,
        "Sequence to Sequence Learning with Neural Networks", NeurIPS 2014.
    """

    LOGS = ("d_loss", "g_loss", "mismatch_loss", "beta")
    PHASE_LOGS = {
        training_phases.MLE: ("mle_loss",),
        training_phases.PRETRAIN_DISCRIMINATOR: ("d_loss", "mismatch_loss"),
    }
    COMPILE_SETTINGS = (*rel_gan.RelGAN.COMPILE_SETTINGS, "mismatch_weight")

    mismatch_weight = 1.0

    def __init__(self, generator, discriminator, seed=None, source_vocabulary=None, **kwargs):
        for network, role in ((generator, "generator"), (discriminator, "discriminator")):
            for attribute in ("source_vocab_size", "source_length"):
                if not hasattr(network, attribute):
                    raise TypeError(
                        f"Seq2SeqGAN's {role} must read a source sequence and say its "
                        f"`{attribute}` (e.g. kgan.networks.Seq2SeqGenerator and "
                        f"SequencePairDiscriminator); got {type(network).__name__}."
                    )
        if not hasattr(generator, "encode"):
            raise TypeError("Seq2SeqGAN's generator must have `encode(source)`.")
        for attribute in ("source_vocab_size", "source_length"):
            if getattr(generator, attribute) != getattr(discriminator, attribute):
                raise ValueError(
                    f"The generator has {attribute}={getattr(generator, attribute)} but the "
                    f"discriminator {attribute}={getattr(discriminator, attribute)}; build both "
                    "for the same source vocabulary and length."
                )
        self.source_vocab_size = generator.source_vocab_size
        self.source_length = generator.source_length
        vocabulary_lib.check_matches(
            source_vocabulary,
            self.source_vocab_size,
            "Seq2SeqGAN",
            label="source_vocabulary",
            attribute="source_vocab_size",
        )
        self.source_vocabulary = source_vocabulary
        super().__init__(generator, discriminator, seed=seed, **kwargs)

    def compile(self, *optimizers, mismatch_weight=1.0, **kwargs):
        """Configures training; `RelGAN.compile`'s arguments, and:

        Args:
            mismatch_weight: Weight `w` of the (source, other target) pairs in the
                discriminator's loss; `0` for a plain conditional discriminator. Defaults to
                `1.0` (Reed et al.).
        """
        if not mismatch_weight >= 0:
            raise ValueError(f"mismatch_weight must be >= 0, got {mismatch_weight}.")
        self.mismatch_weight = float(mismatch_weight)
        super().compile(*optimizers, **kwargs)

    def logged_names(self):
        names = super().logged_names()
        return [name for name in names if name != "mismatch_loss" or self.mismatch_weight > 0]

    def unpack_batch(self, data):
        """`(source, target)` token ids of a batch, each checked like `SequenceGAN`'s."""
        source, target, _ = keras.utils.unpack_x_y_sample_weight(data)
        if target is None:
            raise ValueError(
                "Seq2SeqGAN trains on (source, target) pairs of token ids; the batches have no "
                "target. Give the dataset (source, target) elements."
            )
        source = self.check_ids(
            source, self.source_vocab_size, self.source_length, "Sources", "source_length"
        )
        return source, self.check_ids(target, self.vocab_size, self.max_length, "Targets")

    def likelihood_loss(self, batch, training=False):
        source, target = batch
        teacher = self.generator.teacher_inputs(target)
        logits = self.generator([source, teacher], training=training)
        per_example = sequence_losses.maximum_likelihood(target, logits, self.pad_token)
        self.trackers["mle_loss"].update_state(per_example)
        return per_example

    def discriminator_updates(self, batch, step, layout):
        state = self.generator.encode(batch[0], training=False)
        for stream in range(self.discriminator_steps):
            fake = self.sample_tokens(
                layout, step, sequence_gan.SAMPLE_STREAM + stream, state=state
            )
            self.discriminator_step(batch, fake, step, stream, layout)

    def _mismatched(self, target, layout, step, stream):
        return conditions.draw_other_rows(target, layout, self.seed, step, stream)

    def discriminator_loss(self, batch, fake, step, stream, layout, training):
        source, target = batch
        real_logits = self.discriminator([source, target], training=training)
        fake_logits = self.discriminator([source, fake], training=training)
        per_example = self.discriminator_loss_fn(real_logits, fake_logits)
        if self.mismatch_weight > 0:
            wrong = self._mismatched(target, layout, step, stream)
            wrong_logits = self.discriminator([source, wrong], training=training)
            mismatch = self.discriminator_loss_fn(real_logits, wrong_logits)
            self.trackers["mismatch_loss"].update_state(mismatch)
            per_example = (per_example + self.mismatch_weight * mismatch) / (
                1.0 + self.mismatch_weight
            )
        self.trackers["d_loss"].update_state(per_example)
        return per_example

    def adversarial_step(self, batch, step, layout):
        source, target = batch
        beta = rel_gan.inverse_temperature(
            step - self.adversarial_start,
            self.max_inverse_temperature,
            self.annealing_steps,
            self.temperature_schedule,
        )
        real = tf.one_hot(target, self.vocab_size)
        with tf.GradientTape() as tape:
            state = self.generator.encode(source, training=True)
            fake = self.relaxed_samples(layout, step, 0, beta, state=state)
            per_example = sequence_losses.relativistic_generator(
                self.discriminator([source, real], training=True),
                self.discriminator([source, fake], training=True),
            )
            g_loss = updates.global_mean(per_example, layout)
        self.update(tape, g_loss, "generator")
        self.trackers["g_loss"].update_state(per_example)
        state = tf.nest.map_structure(tf.stop_gradient, state)
        w = self.mismatch_weight
        for stream in range(self.discriminator_steps):
            fake = tf.stop_gradient(self.relaxed_samples(layout, step, 1 + stream, beta, state))
            wrong = tf.one_hot(self._mismatched(target, layout, step, stream), self.vocab_size)
            with tf.GradientTape() as tape:
                real_logits = self.discriminator([source, real], training=True)
                per_example = sequence_losses.relativistic_discriminator(
                    real_logits, self.discriminator([source, fake], training=True)
                )
                if w > 0:
                    mismatch = sequence_losses.relativistic_discriminator(
                        real_logits, self.discriminator([source, wrong], training=True)
                    )
                    self.trackers["mismatch_loss"].update_state(mismatch)
                    per_example = (per_example + w * mismatch) / (1.0 + w)
                d_loss = updates.global_mean(per_example, layout)
            self.update(tape, d_loss, "discriminator")
            self.trackers["d_loss"].update_state(per_example)
        self.trackers["beta"].update_state(beta)

    def generate(self, sources, seed=None, batch_size=256, **decoding):
        """One output for each source, int32 `np.ndarray` `[len(sources), max_length]`.

        Args:
            sources: Source token ids `[N, source_length]`.
            seed: Integer seed (the same seed and sources give the same outputs). Defaults to
                a random one.
            batch_size: Sequences per forward pass. Defaults to `256`.
            **decoding: `temperature`, `top_k`, `top_p`, `greedy`, `end_token`, as in
                `SequenceGAN.generate`.

        Returns:
            int32 `np.ndarray` `[N, max_length]`.
        """
        sources = tf.convert_to_tensor(sources)
        sources = self.check_ids(
            sources, self.source_vocab_size, self.source_length, "Sources", "source_length"
        ).numpy()
        return sequence_sampling.generate_tokens(
            self.sampling_network(),
            len(sources),
            seed=seed,
            pad_token=self.pad_token,
            batch_size=batch_size,
            sources=sources,
            **decoding,
        )

    def translate_text(self, texts, seed=0, **decoding):
        """The output sentence for each source sentence of `texts`, as a list of strings.

        The sources are encoded by `source_vocabulary` (ending with `[EOS]`), generated from
        with `**decoding` (`temperature`, `top_k`, `top_p`, `greedy`, `batch_size`), and read
        by `vocabulary` up to `[EOS]`.

        Raises:
            ValueError: for a model without both vocabularies, or a sentence longer than
                `source_length` tokens.
        """
        if self.source_vocabulary is None or self.vocabulary is None:
            raise ValueError(
                "translate_text needs the model's source_vocabulary and vocabulary: build "
                "Seq2SeqGAN(..., vocabulary=..., source_vocabulary=...), or call generate() "
                "with source ids."
            )
        sources = self.source_vocabulary.encode(vocabulary_lib.as_texts(texts), self.source_length)
        decoding.setdefault("end_token", self.vocabulary.end_id)
        return self.vocabulary.decode(self.generate(sources, seed=seed, **decoding))

    def get_config(self):
        config = super().get_config()
        if self.source_vocabulary is not None:
            config["source_vocabulary"] = keras.saving.serialize_keras_object(
                self.source_vocabulary
            )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("source_vocabulary") is not None:
            config["source_vocabulary"] = keras.saving.deserialize_keras_object(
                config["source_vocabulary"]
            )
        return super().from_config(config)
