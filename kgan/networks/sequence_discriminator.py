"""`SequenceDiscriminator`: SeqGAN's convolutional sequence classifier with a highway layer.

Token embeddings go through 1-D convolutions of many widths (n-gram detectors), each
max-pooled over time, then a highway layer, dropout and one logit. It reads either token ids
`[batch, T]` (SeqGAN, MaliGAN, real data) or token distributions `[batch, T, vocab_size]`:
one-hot rows give exactly the ids' embeddings, and the soft rows of a Gumbel-softmax
generator (RelGAN) give a mixture of embeddings that the generator's gradient flows through.

Reference:
    Yu et al., "SeqGAN: Sequence Generative Adversarial Nets with Policy Gradient", AAAI 2017
    (the discriminator of its appendix, after Kim 2014 and Srivastava et al. 2015).
    https://arxiv.org/abs/1609.05473
"""

import keras
import tensorflow as tf

from kgan.networks import building_blocks

# SeqGAN's widths and filter counts (its synthetic-data discriminator).
SEQGAN_FILTER_SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
SEQGAN_NUM_FILTERS = (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)


@keras.saving.register_keras_serializable(package="kgan")
class SequenceDiscriminator(keras.Model):
    """Embeddings, convolutions of several widths with max-over-time pooling, highway, a logit.

    Args:
        vocab_size: Number of token ids.
        max_length: Length of the sequences it reads.
        embedding_dim: Size of the token embeddings. Defaults to `64` (SeqGAN's).
        filter_sizes: Widths of the convolutions, each at most `max_length`. Defaults to
            SeqGAN's widths up to `max_length`.
        num_filters: Filters of each width (one count for all, or one per width). Defaults to
            SeqGAN's counts.
        dropout: Dropout rate before the logit. Defaults to `0.25` (SeqGAN keeps 0.75).
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    discriminator = kgan.networks.SequenceDiscriminator(vocab_size=5000, max_length=20)
    logits = discriminator(token_ids)   # [batch, 1], raw logits of "real"
    ```
    """

    def __init__(
        self,
        vocab_size,
        max_length,
        embedding_dim=64,
        filter_sizes=None,
        num_filters=None,
        dropout=0.25,
        **kwargs,
    ):
        kwargs.setdefault("name", "sequence_discriminator")
        super().__init__(**kwargs)
        for name, value in (
            ("vocab_size", vocab_size),
            ("max_length", max_length),
            ("embedding_dim", embedding_dim),
        ):
            building_blocks.check_positive_int(name, value)
        if filter_sizes is None:
            pairs = [
                (size, count)
                for size, count in zip(SEQGAN_FILTER_SIZES, SEQGAN_NUM_FILTERS)
                if size <= max_length
            ]
            filter_sizes = [size for size, _ in pairs]
            num_filters = [count for _, count in pairs] if num_filters is None else num_filters
        filter_sizes = [int(size) for size in filter_sizes]
        if num_filters is None:
            num_filters = 100
        if isinstance(num_filters, int):
            num_filters = [num_filters] * len(filter_sizes)
        num_filters = [int(count) for count in num_filters]
        if not filter_sizes or len(num_filters) != len(filter_sizes):
            raise ValueError(
                f"Give one filter count per width: {len(filter_sizes)} filter_sizes, "
                f"{len(num_filters)} num_filters."
            )
        too_wide = [size for size in filter_sizes if not 1 <= size <= max_length]
        if too_wide:
            raise ValueError(
                f"filter_sizes must be between 1 and max_length={max_length}; got {too_wide}."
            )
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
        self.vocab_size = int(vocab_size)
        self.max_length = int(max_length)
        self.embedding_dim = int(embedding_dim)
        self.filter_sizes = filter_sizes
        self.num_filters = num_filters
        self.dropout_rate = float(dropout)
        self.embedding = keras.layers.Embedding(self.vocab_size, self.embedding_dim)
        self.convolutions = [
            keras.layers.Conv1D(count, size, activation="relu", name=f"conv_{size}")
            for size, count in zip(filter_sizes, num_filters)
        ]
        features = sum(num_filters)
        # Highway (Srivastava et al. 2015): a gate mixes a transform of the features with the
        # features themselves, so the classifier can pass n-gram evidence through unchanged.
        self.transform = keras.layers.Dense(features, activation="relu", name="highway_transform")
        self.gate = keras.layers.Dense(features, activation="sigmoid", name="highway_gate")
        self.dropout = keras.layers.Dropout(self.dropout_rate)
        self.to_logit = keras.layers.Dense(1, name="logit")
        self.embedding.build((None, None))
        for convolution in self.convolutions:
            convolution.build((None, self.max_length, self.embedding_dim))
        self.transform.build((None, features))
        self.gate.build((None, features))
        self.to_logit.build((None, features))
        self.built = True

    def embed(self, inputs):
        """Embeddings `[batch, T, embedding_dim]` of ids `[batch, T]` or distributions."""
        if inputs.shape.rank == 3:
            # Distributions over tokens: the expected embedding, differentiable in the weights.
            table = tf.cast(self.embedding.embeddings, self.embedding.compute_dtype)
            return tf.einsum("btv,vd->btd", tf.cast(inputs, table.dtype), table)
        return self.embedding(inputs)

    def features(self, inputs, training=None):
        """The highway features `[batch, sum(num_filters)]` the logit is read from."""
        inputs = tf.convert_to_tensor(inputs)
        if inputs.shape.rank not in (2, 3):
            raise ValueError(
                "The sequence discriminator reads token ids [batch, T] or token distributions "
                f"[batch, T, vocab_size]; got shape {inputs.shape}."
            )
        embedded = self.embed(inputs)
        pooled = [tf.reduce_max(conv(embedded), axis=1) for conv in self.convolutions]
        features = tf.concat(pooled, axis=-1)
        gate = self.gate(features)
        features = gate * self.transform(features) + (1 - gate) * features
        return self.dropout(features, training=training)

    def call(self, inputs, training=None):
        """Logits `[batch, 1]` that each sequence is real."""
        return tf.cast(self.to_logit(self.features(inputs, training=training)), tf.float32)

    def get_config(self):
        config = super().get_config()
        config.update(
            vocab_size=self.vocab_size,
            max_length=self.max_length,
            embedding_dim=self.embedding_dim,
            filter_sizes=self.filter_sizes,
            num_filters=self.num_filters,
            dropout=self.dropout_rate,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("trainable", None)
        config.pop("dtype", None)
        return cls(**config)
