"""`SequencePairDiscriminator`: judges (source, output) pairs of a sequence-to-sequence GAN.

The output sequence is read as `SequenceDiscriminator` reads any sequence (n-gram convolutions,
max-over-time pooling, highway), into features `h`; the source is read by a recurrent encoder
into a vector `c`. The logit is the projection discriminator's (Miyato & Koyama 2018) with the
source in the place of the class:

    logit = w . h + b  +  (W c) . h

The first term scores whether `h` looks like an output at all; the second, an inner product of
the output's features with a learned map of the source, scores whether it is the output of
*this* source. The (real source, other real output) pairs that `Seq2SeqGAN` shows it as fakes
can only be told from real pairs through the second term, which is what makes the generator's
outputs depend on their source.
"""

import keras
import tensorflow as tf

from kgan.networks import building_blocks
from kgan.networks import sequence_discriminator
from kgan.networks import source_embedding


@keras.saving.register_keras_serializable(package="kgan")
class SequencePairDiscriminator(sequence_discriminator.SequenceDiscriminator):
    """A `SequenceDiscriminator` over outputs, conditioned on a source by projection.

    Args:
        source_vocab_size: Number of source token ids.
        source_length: Length of the source sequences.
        vocab_size: Number of output token ids.
        max_length: Length of the output sequences.
        source_hidden_dim: Units of the source's recurrent encoder (a GRU). Defaults to `64`.
        source_mask_zero: Source id 0 is padding, skipped by the encoder. Defaults to `False`.
        **kwargs: `SequenceDiscriminator`'s (`embedding_dim`, `filter_sizes`, `num_filters`,
            `dropout`) and `keras.Model`'s.

    Example:

    ```python
    discriminator = kgan.networks.SequencePairDiscriminator(
        source_vocab_size=12, source_length=8, vocab_size=12, max_length=8,
        num_filters=32)
    logits = discriminator([source, output])   # [batch, 1]; output: ids or distributions
    ```

    Reference:
        Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018.
        https://arxiv.org/abs/1802.05637
    """

    def __init__(
        self,
        source_vocab_size,
        source_length,
        vocab_size,
        max_length,
        source_hidden_dim=64,
        source_mask_zero=False,
        **kwargs,
    ):
        kwargs.setdefault("name", "sequence_pair_discriminator")
        super().__init__(vocab_size, max_length, **kwargs)
        self.source_vocab_size, self.source_length, self.source_mask_zero = (
            source_embedding.check_source_arguments(
                source_vocab_size, source_length, source_mask_zero
            )
        )
        self.source_hidden_dim = building_blocks.check_positive_int(
            "source_hidden_dim", source_hidden_dim
        )
        self.source_embedding = source_embedding.build_source_embedding(
            self.source_vocab_size, self.embedding_dim, self.source_mask_zero
        )
        self.source_encoder = keras.layers.GRU(self.source_hidden_dim, name="source_encoder")
        # No bias: a bias would be a second unconditional term, which w . h already is.
        self.projection = keras.layers.Dense(
            sum(self.num_filters), use_bias=False, name="source_projection"
        )
        self.source_encoder.build((None, None, self.embedding_dim))
        self.projection.build((None, self.source_hidden_dim))

    def encode_source(self, source, training=None):
        """The source's vector `c`, `[batch, source_hidden_dim]`."""
        embedded, mask = source_embedding.embed_source(self.source_embedding, source)
        return self.source_encoder(embedded, mask=mask, training=training)

    def call(self, inputs, training=None):
        """Logits `[batch, 1]` that each `[source, output]` pair is a real pair."""
        source, output = source_embedding.split_source_pair(
            inputs,
            "SequencePairDiscriminator takes [source, output]: source ids [batch, S] and "
            "output ids [batch, T] or distributions [batch, T, vocab_size].",
        )
        features = self.features(output, training=training)
        projected = self.projection(self.encode_source(source, training=training))
        match = tf.reduce_sum(projected * features, axis=-1, keepdims=True)
        return tf.cast(self.to_logit(features) + match, tf.float32)

    def get_config(self):
        config = super().get_config()
        config.update(
            source_vocab_size=self.source_vocab_size,
            source_length=self.source_length,
            source_hidden_dim=self.source_hidden_dim,
            source_mask_zero=self.source_mask_zero,
        )
        return config
