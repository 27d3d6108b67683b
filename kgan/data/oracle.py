"""SeqGAN's synthetic oracle: a random LSTM whose samples are the data, and who judges samples.

Text has no ground-truth density, so Yu et al. (2017) made one: an LSTM with every parameter
drawn from `N(0, 1)` is the "true" language; its samples are the training set, and the
oracle's negative log-likelihood of a model's samples (NLL_oracle,
`kgan.metrics.sequence_nll`) measures their quality exactly. Its own samples score the floor,
uniform tokens the ceiling. The paper's setting (vocabulary 5,000, embedding and hidden 32,
length 20, 10,000 training sequences) is the default.

Reference:
    Yu et al., "SeqGAN: Sequence Generative Adversarial Nets with Policy Gradient", AAAI 2017,
    Section 5 ("Synthetic Data Experiments"). https://arxiv.org/abs/1609.05473
"""

import numpy as np

from kgan.networks import recurrent_generator
from kgan.networks import sequence_sampling


def make_oracle(vocab_size=5000, max_length=20, embedding_dim=32, hidden_dim=32, seed=0):
    """A `RecurrentGenerator` with every weight drawn from `N(0, 1)` by `default_rng(seed)`.

    Args:
        vocab_size: Tokens of the oracle's language. Defaults to `5000`.
        max_length: Length of its sequences. Defaults to `20`.
        embedding_dim: Size of its embeddings. Defaults to `32`.
        hidden_dim: Units of its LSTM. Defaults to `32`.
        seed: Seed of the weights: the same seed is the same oracle. Defaults to `0`.

    Returns:
        A `kgan.networks.RecurrentGenerator` named `"oracle"`.
    """
    oracle = recurrent_generator.RecurrentGenerator(
        vocab_size, max_length, embedding_dim, hidden_dim, name="oracle"
    )
    rng = np.random.default_rng(seed)
    for weight in oracle.weights:
        weight.assign(rng.standard_normal(weight.shape).astype(np.float32))
    return oracle


def oracle_sequences(oracle, num=10_000, seed=1, batch_size=500):
    """`num` sequences sampled from `oracle` at temperature 1: int32 `[num, max_length]`."""
    return sequence_sampling.generate_tokens(oracle, num, seed=seed, batch_size=batch_size)
