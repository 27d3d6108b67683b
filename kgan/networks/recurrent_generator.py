"""`RecurrentGenerator`: an autoregressive token model (embedding, LSTM or GRU, softmax layer).

The generator of SeqGAN (Yu et al. 2017) and of the maximum-likelihood baseline every text GAN is
measured against. It is used two ways:

- teacher forcing, `generator(inputs)`: the real sequence shifted right behind a start token in,
  the logits of every next token out; one fused recurrent layer (cuDNN on a GPU), what maximum
  likelihood and the likelihood metrics need;
- free running, `generator.unroll(choose, rows)`: one step at a time, each step's token chosen
  from its logits by `choose` and fed back in, what sampling, Monte-Carlo rollouts and the
  Gumbel-softmax relaxation need. Both paths share the same weights (the recurrent layer's
  cell), so they compute the same distribution.

The start token is an extra embedding row (id `vocab_size`) that is never produced, so every one
of the `vocab_size` ids is free for the data (SeqGAN's oracle uses all 5,000).
"""

import keras
import tensorflow as tf

from kgan.networks import autoregressive_decoder
from kgan.networks import building_blocks

CELLS = ("lstm", "gru")


@keras.saving.register_keras_serializable(package="kgan")
class RecurrentGenerator(autoregressive_decoder.AutoregressiveDecoder, keras.Model):
    """An embedding, a recurrent layer and a softmax layer over a vocabulary of tokens.

    `teacher_inputs`, `step` and `unroll` are `AutoregressiveDecoder`'s, shared with
    `TransformerGenerator`; this class provides the recurrent state they run on
    (`initial_state`, `advance`).

    Args:
        vocab_size: Number of token ids the model produces, `[0, vocab_size)`.
        max_length: Length of the sequences it generates.
        embedding_dim: Size of the token embeddings. Defaults to `32` (SeqGAN's).
        hidden_dim: Units of the recurrent layer. Defaults to `32` (SeqGAN's).
        cell: `"lstm"` or `"gru"`. Defaults to `"lstm"`.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    generator = kgan.networks.RecurrentGenerator(vocab_size=5000, max_length=20)
    inputs = generator.teacher_inputs(real_tokens)   # [batch, 20]: start, y_0 .. y_18
    logits = generator(inputs)                        # [batch, 20, 5000]: p(y_t | y_<t)
    ```

    Reference:
        Yu et al., "SeqGAN: Sequence Generative Adversarial Nets with Policy Gradient", AAAI 2017.
        https://arxiv.org/abs/1609.05473
    """

    def __init__(
        self,
        vocab_size,
        max_length,
        embedding_dim=32,
        hidden_dim=32,
        cell="lstm",
        **kwargs,
    ):
        kwargs.setdefault("name", "recurrent_generator")
        super().__init__(**kwargs)
        for name, value in (
            ("vocab_size", vocab_size),
            ("max_length", max_length),
            ("embedding_dim", embedding_dim),
            ("hidden_dim", hidden_dim),
        ):
            building_blocks.check_positive_int(name, value)
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {cell!r}.")
        self.vocab_size = int(vocab_size)
        self.max_length = int(max_length)
        self.embedding_dim = int(embedding_dim)
        self.hidden_dim = int(hidden_dim)
        self.cell_type = cell
        self.start_token = self.vocab_size
        self.embedding = keras.layers.Embedding(self.vocab_size + 1, self.embedding_dim)
        recurrent = keras.layers.LSTM if cell == "lstm" else keras.layers.GRU
        self.recurrent = recurrent(self.hidden_dim, return_sequences=True, name=cell)
        self.to_logits = keras.layers.Dense(self.vocab_size, name="logits")
        self.embedding.build((None, None))
        self.recurrent.build((None, None, self.embedding_dim))
        self.to_logits.build((None, self.hidden_dim))
        self.built = True

    def call(self, inputs, training=None):
        """Logits `[batch, T, vocab_size]` of each next token, given `inputs` `[batch, T]`."""
        hidden = self.recurrent(self.embedding(inputs), training=training)
        return self.output_logits(hidden)

    def initial_state(self, rows):
        """The recurrent state before the first token: zeros, one tensor per state of the cell."""
        zeros = tf.zeros([rows, self.hidden_dim], self.recurrent.compute_dtype)
        return [zeros, zeros] if self.cell_type == "lstm" else [zeros]

    def advance(self, tokens, state, training=None):
        """One step of the recurrence without the softmax layer: `(output, new state)`.

        For a caller that needs the logits of only some rows (Monte-Carlo rollouts compute no
        logits for the tokens they copy from a prefix); `output_logits(output)` gives them.
        """
        output, new_state = self.recurrent.cell(self.embedding(tokens), state, training=training)
        new_state = list(new_state) if isinstance(new_state, (list, tuple)) else [new_state]
        return output, new_state

    def get_config(self):
        config = super().get_config()
        config.update(
            vocab_size=self.vocab_size,
            max_length=self.max_length,
            embedding_dim=self.embedding_dim,
            hidden_dim=self.hidden_dim,
            cell=self.cell_type,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("trainable", None)
        config.pop("dtype", None)
        return cls(**config)
