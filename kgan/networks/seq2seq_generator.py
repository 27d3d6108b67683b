"""`Seq2SeqGenerator`: an encoder-decoder token model, the generator of a sequence-to-sequence GAN.

"The generator is the decoder": a recurrent encoder reads the source sequence and its final
state starts the decoder, which is exactly a `RecurrentGenerator` (same teacher forcing, same
step-by-step `unroll`, same start token). Everything that samples from a `RecurrentGenerator`
samples from this one once it is given the encoder's state: `unroll(..., state=encode(source))`.

Without attention the encoder's last state must carry the whole source, which suits short
sources (Sutskever et al. 2014 worked with sentences; kgan's reversal task has 8-12 tokens).
"""

import keras

from kgan.networks import recurrent_generator
from kgan.networks import source_embedding


@keras.saving.register_keras_serializable(package="kgan")
class Seq2SeqGenerator(recurrent_generator.RecurrentGenerator):
    """A recurrent encoder over a source sequence whose last state starts a recurrent decoder.

    Args:
        source_vocab_size: Number of source token ids, `[0, source_vocab_size)`.
        source_length: Length of the source sequences.
        vocab_size: Number of output token ids, `[0, vocab_size)`.
        max_length: Length of the output sequences.
        embedding_dim: Size of the token embeddings (source and output). Defaults to `32`.
        hidden_dim: Units of the encoder and the decoder. Defaults to `64`.
        cell: `"lstm"` or `"gru"`, for both. Defaults to `"lstm"`.
        source_mask_zero: Source id 0 is padding, skipped by the encoder (the PAD of
            `kgan.data.Vocabulary`). Defaults to `False`.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    generator = kgan.networks.Seq2SeqGenerator(
        source_vocab_size=12, source_length=8, vocab_size=12, max_length=8)
    logits = generator([source, generator.teacher_inputs(target)])   # [batch, 8, 12]
    state = generator.encode(source)                                  # starts the decoder
    ```

    Reference:
        Sutskever et al., "Sequence to Sequence Learning with Neural Networks", NeurIPS 2014.
        https://arxiv.org/abs/1409.3215
    """

    def __init__(
        self,
        source_vocab_size,
        source_length,
        vocab_size,
        max_length,
        embedding_dim=32,
        hidden_dim=64,
        cell="lstm",
        source_mask_zero=False,
        **kwargs,
    ):
        kwargs.setdefault("name", "seq2seq_generator")
        super().__init__(
            vocab_size,
            max_length,
            embedding_dim=embedding_dim,
            hidden_dim=hidden_dim,
            cell=cell,
            **kwargs,
        )
        self.source_vocab_size, self.source_length, self.source_mask_zero = (
            source_embedding.check_source_arguments(
                source_vocab_size, source_length, source_mask_zero
            )
        )
        self.source_embedding = source_embedding.build_source_embedding(
            self.source_vocab_size, self.embedding_dim, self.source_mask_zero
        )
        encoder = keras.layers.LSTM if cell == "lstm" else keras.layers.GRU
        self.encoder = encoder(self.hidden_dim, return_state=True, name=f"encoder_{cell}")
        self.encoder.build((None, None, self.embedding_dim))

    def encode(self, source, training=None):
        """The decoder's initial state (a list, like `initial_state`) for `source` `[batch, S]`."""
        embedded, mask = source_embedding.embed_source(self.source_embedding, source)
        _, *state = self.encoder(embedded, mask=mask, training=training)
        return state

    def call(self, inputs, training=None):
        """Logits `[batch, T, vocab_size]` of each next output token given `[source, inputs]`.

        `inputs` is the teacher-forced output, `teacher_inputs(target)`.
        """
        source, decoder_inputs = source_embedding.split_source_pair(
            inputs,
            "Seq2SeqGenerator takes [source, decoder_inputs]: the source ids [batch, S] and "
            "the output shifted behind the start token (teacher_inputs(target)).",
        )
        state = self.encode(source, training=training)
        hidden = self.recurrent(
            self.embedding(decoder_inputs), initial_state=state, training=training
        )
        return self.output_logits(hidden)

    def get_config(self):
        config = super().get_config()
        config.update(
            source_vocab_size=self.source_vocab_size,
            source_length=self.source_length,
            source_mask_zero=self.source_mask_zero,
        )
        return config
