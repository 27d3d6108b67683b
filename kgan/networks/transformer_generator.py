"""`TransformerGenerator`: an autoregressive token model built from causal self-attention.

A drop-in second generator for the sequence GANs beside `RecurrentGenerator`: the same
attributes (`vocab_size`, `max_length`, `start_token`) and the same two ways of running (the
decoding loop is `AutoregressiveDecoder`'s, shared with it), so `SeqGAN`, `MaliGAN`, `RelGAN`,
the Monte-Carlo rollouts and `generate_tokens` take either.

- teacher forcing, `generator(inputs)`: the real sequence shifted right behind a start token in,
  the logits of every next token out, all positions at once under a causal mask;
- free running, `generator.unroll(choose, rows)`: one token at a time, each step attending to a
  key/value cache of the steps before it, so a step costs one position, not the whole prefix.

The decoding state is a list of tensors whose first axis is the rows, with fixed shapes so a
Python-unrolled loop traces (and compiles under XLA) to one graph, and so a caller may slice,
gather or `tf.where` rows of it like a recurrent state:

    [position int32 [rows],
     keys_0 [rows, max_length, num_heads, head_dim], values_0 [...],   # layer 0
     keys_1, values_1, ...]                                             # one pair per layer

Step `t` writes its key and value at each row's `position` and attends to the cache entries
before and at it; the rest of the cache is masked out, so the step-by-step logits are the
teacher-forced ones. Like `RecurrentGenerator`, the start token is an extra embedding row
(id `vocab_size`) that is never produced.
"""

import math

import keras
import tensorflow as tf

from kgan.networks import autoregressive_decoder
from kgan.networks import building_blocks


@keras.saving.register_keras_serializable(package="kgan")
class TransformerGenerator(autoregressive_decoder.AutoregressiveDecoder, keras.Model):
    """A decoder-only Transformer (pre-LayerNorm blocks) over a vocabulary of tokens.

    Token and learned position embeddings, `num_layers` blocks of causal multi-head
    self-attention and a feed-forward network (each behind a `LayerNormalization`, added back
    to the residual stream), a final `LayerNormalization` and a softmax layer.

    `teacher_inputs`, `step` and `unroll` are `AutoregressiveDecoder`'s, shared with
    `RecurrentGenerator`; this class provides the key/value-cache state they run on
    (`initial_state`, `advance`).

    Args:
        vocab_size: Number of token ids the model produces, `[0, vocab_size)`.
        max_length: Length of the sequences it generates, and the most positions it can
            attend over.
        num_layers: Transformer blocks. Defaults to `2`.
        num_heads: Attention heads per block; must divide `model_dim`. Defaults to `4`.
        model_dim: Width of the embeddings and of the residual stream. Defaults to `64`.
        feedforward_dim: Units of the hidden layer of each feed-forward network. Defaults to
            `256`.
        dropout: Rate of the dropout on the embeddings and on each block's residual branches.
            Defaults to `0.0`: RelGAN and the policy gradients run the generator with
            `training=True`, where dropout would add noise to the very samples being scored.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    generator = kgan.networks.TransformerGenerator(vocab_size=5000, max_length=20)
    inputs = generator.teacher_inputs(real_tokens)   # [batch, 20]: start, y_0 .. y_18
    logits = generator(inputs)                        # [batch, 20, 5000]: p(y_t | y_<t)
    model = kgan.models.SeqGAN(generator, discriminator)
    ```

    Reference:
        Vaswani et al., "Attention Is All You Need", NeurIPS 2017.
        https://arxiv.org/abs/1706.03762
        Radford et al., "Language Models are Unsupervised Multitask Learners", 2019 (the
        pre-LayerNorm decoder).
    """

    def __init__(
        self,
        vocab_size,
        max_length,
        num_layers=2,
        num_heads=4,
        model_dim=64,
        feedforward_dim=256,
        dropout=0.0,
        **kwargs,
    ):
        kwargs.setdefault("name", "transformer_generator")
        super().__init__(**kwargs)
        for name, value in (
            ("vocab_size", vocab_size),
            ("max_length", max_length),
            ("num_layers", num_layers),
            ("num_heads", num_heads),
            ("model_dim", model_dim),
            ("feedforward_dim", feedforward_dim),
        ):
            building_blocks.check_positive_int(name, value)
        if model_dim % num_heads:
            raise ValueError(
                f"model_dim must be a multiple of num_heads; got model_dim={model_dim} and "
                f"num_heads={num_heads}."
            )
        if isinstance(dropout, bool) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be a rate in [0, 1), got {dropout!r}.")
        self.vocab_size = int(vocab_size)
        self.max_length = int(max_length)
        self.num_layers = int(num_layers)
        self.num_heads = int(num_heads)
        self.model_dim = int(model_dim)
        self.feedforward_dim = int(feedforward_dim)
        self.dropout = float(dropout)
        self.head_dim = self.model_dim // self.num_heads
        self.start_token = self.vocab_size

        self.token_embedding = keras.layers.Embedding(
            self.vocab_size + 1, self.model_dim, name="token_embedding"
        )
        self.position_embedding = keras.layers.Embedding(
            self.max_length, self.model_dim, name="position_embedding"
        )
        self.embedding_dropout = keras.layers.Dropout(self.dropout)
        self.attention_norms, self.attentions, self.attention_dropouts = [], [], []
        self.feedforward_norms, self.feedforwards, self.feedforward_dropouts = [], [], []
        for index in range(self.num_layers):
            self.attention_norms.append(
                keras.layers.LayerNormalization(epsilon=1e-5, name=f"attention_norm_{index}")
            )
            # No dropout on the attention probabilities: the layer then runs the fused
            # `dot_product_attention`, the kernel the cached decoding below runs too.
            self.attentions.append(
                keras.layers.MultiHeadAttention(
                    self.num_heads, self.head_dim, name=f"attention_{index}"
                )
            )
            self.attention_dropouts.append(keras.layers.Dropout(self.dropout))
            self.feedforward_norms.append(
                keras.layers.LayerNormalization(epsilon=1e-5, name=f"feedforward_norm_{index}")
            )
            self.feedforwards.append(
                keras.Sequential(
                    [
                        keras.layers.Dense(
                            self.feedforward_dim, activation="gelu", name=f"hidden_{index}"
                        ),
                        keras.layers.Dense(self.model_dim, name=f"output_{index}"),
                    ],
                    name=f"feedforward_{index}",
                )
            )
            self.feedforward_dropouts.append(keras.layers.Dropout(self.dropout))
        self.final_norm = keras.layers.LayerNormalization(epsilon=1e-5, name="final_norm")
        self.to_logits = keras.layers.Dense(self.vocab_size, name="logits")

        # Built now, as `RecurrentGenerator` is: SeqGAN copies the weights into its rollout
        # policy (same class, same config, same weight order) before anything is called.
        sequence = (None, None, self.model_dim)
        self.token_embedding.build((None, None))
        self.position_embedding.build((None,))
        for index in range(self.num_layers):
            self.attention_norms[index].build(sequence)
            self.attentions[index].build(sequence, sequence)
            self.feedforward_norms[index].build(sequence)
            self.feedforwards[index].build(sequence)
        self.final_norm.build(sequence)
        self.to_logits.build((None, self.model_dim))
        self.built = True

    def call(self, inputs, training=None):
        """Logits `[batch, T, vocab_size]` of each next token, given `inputs` `[batch, T]`."""
        inputs = tf.convert_to_tensor(inputs)
        length = inputs.shape[1]
        if length is not None and length > self.max_length:
            raise ValueError(
                f"{self.name} attends over at most max_length={self.max_length} positions; "
                f"got inputs of length {length}."
            )
        positions = self.position_embedding(tf.range(tf.shape(inputs)[1]))
        hidden = self.token_embedding(inputs) + positions[None]
        hidden = self.embedding_dropout(hidden, training=training)
        for index in range(self.num_layers):
            normed = self.attention_norms[index](hidden)
            attended = self.attentions[index](
                normed, normed, use_causal_mask=True, training=training
            )
            hidden = hidden + self.attention_dropouts[index](attended, training=training)
            hidden = hidden + self._feedforward(index, hidden, training)
        return self.output_logits(self.final_norm(hidden))

    def _feedforward(self, index, hidden, training):
        normed = self.feedforward_norms[index](hidden)
        output = self.feedforwards[index](normed, training=training)
        return self.feedforward_dropouts[index](output, training=training)

    def initial_state(self, rows):
        """The state before the first token: position 0 and an empty key/value cache per layer.

        Returns:
            A list: int32 positions `[rows]`, then the keys and values of each layer,
            `[rows, max_length, num_heads, head_dim]` each, zeros.
        """
        dtype = self.attentions[0].compute_dtype
        cache = tf.zeros([rows, self.max_length, self.num_heads, self.head_dim], dtype)
        return [tf.zeros([rows], tf.int32)] + [cache] * (2 * self.num_layers)

    def advance(self, tokens, state, training=None):
        """One decoding step without the softmax layer: `(output, new state)`.

        For a caller that needs the logits of only some rows (Monte-Carlo rollouts compute no
        logits for the tokens they copy from a prefix); `output_logits(output)` gives them.

        Args:
            tokens: int ids `[rows]`, each row's token at its current position.
            state: As returned by `initial_state` or the previous step.
            training: Passed to the layers.

        Returns:
            The final-normed hidden rows `[rows, model_dim]` and the state one position on.
        """
        position, caches = state[0], list(state[1:])
        if len(caches) != 2 * self.num_layers:
            raise ValueError(
                f"{self.name} expects a state of 1 + 2 * num_layers = "
                f"{1 + 2 * self.num_layers} tensors (see initial_state); got {len(state)}."
            )
        position = tf.cast(position, tf.int32)
        # Where each row writes this step's key and value, and which cache entries it reads.
        written = tf.one_hot(position, self.max_length, on_value=True, off_value=False)
        readable = tf.range(self.max_length)[None, :] <= position[:, None]
        hidden = self.token_embedding(tokens) + self.position_embedding(position)
        hidden = self.embedding_dropout(hidden[:, None, :], training=training)  # [rows, 1, d]
        new_caches = []
        for index in range(self.num_layers):
            attention = self.attentions[index]
            normed = self.attention_norms[index](hidden)
            keys, values = (
                tf.where(written[:, :, None, None], dense(normed), cache)
                for dense, cache in (
                    (attention.key_dense, caches[2 * index]),
                    (attention.value_dense, caches[2 * index + 1]),
                )
            )
            new_caches += [keys, values]
            attended = keras.ops.dot_product_attention(
                attention.query_dense(normed),
                keys,
                values,
                mask=readable[:, None, None, :],  # [rows, heads, query, key]
                scale=1.0 / math.sqrt(self.head_dim),
            )
            attended = attention.output_dense(attended)
            hidden = hidden + self.attention_dropouts[index](attended, training=training)
            hidden = hidden + self._feedforward(index, hidden, training)
        output = self.final_norm(hidden)[:, 0, :]
        return output, [position + 1] + new_caches

    def _check_unroll(self, length, prefix, prefix_length):
        """Refuses a `length` outside `[1, max_length]`, and a `prefix` without its lengths."""
        # The position embeddings and the cache hold `max_length` positions; a longer unroll
        # would look up a position that has no embedding and write a key and value that
        # `tf.one_hot` puts nowhere, so it is refused before anything is traced.
        if not 1 <= length <= self.max_length:
            raise ValueError(
                f"length must be in [1, max_length={self.max_length}] (the positions "
                f"{self.name} has embeddings and a cache for); got {length}."
            )
        if prefix is not None and prefix_length is None:
            raise ValueError("unroll() with a prefix needs prefix_length, the tokens per row.")

    def get_config(self):
        config = super().get_config()
        config.update(
            vocab_size=self.vocab_size,
            max_length=self.max_length,
            num_layers=self.num_layers,
            num_heads=self.num_heads,
            model_dim=self.model_dim,
            feedforward_dim=self.feedforward_dim,
            dropout=self.dropout,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("trainable", None)
        config.pop("dtype", None)
        return cls(**config)
