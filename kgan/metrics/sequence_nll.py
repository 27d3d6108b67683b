"""Negative log-likelihood of token sequences under a token model: NLL_oracle and NLL_test.

Two numbers every sequence GAN is reported with (Yu et al. 2017; Caccia et al. 2020):

- **NLL_oracle**: the synthetic oracle's NLL of the *model's samples* (`network` = the oracle,
  `tokens` = generated). Low means the samples are likely under the true language: quality.
  A collapsed model that repeats one likely sentence scores well, which is why it is reported
  with NLL_test.
- **NLL_test**: the *model's* NLL of held-out real sequences (`network` = the generator).
  Low means the model covers the data: diversity and coverage. GAN training usually raises it.

Both are nats per token, averaged over every counted token of every sequence (padding left
out), accumulated batch by batch so any number of sequences fits in memory.
"""

import weakref

import numpy as np
import tensorflow as tf

from kgan.losses import sequence as sequence_losses


class SequenceNLL:
    """Streaming mean negative log-likelihood per token of sequences under `network`.

    Args:
        network: A token model whose call on `teacher_inputs(tokens)` gives next-token logits
            (`kgan.networks.RecurrentGenerator`, or an oracle from `kgan.data.make_oracle`).
        pad_token: Id left out of the mean. Defaults to `None` (every token counts).

    Example:

    ```python
    nll = SequenceNLL(oracle)
    nll.update_state(model.generate(10_000, seed=0))
    nll.result()   # NLL_oracle, nats per token
    ```
    """

    def __init__(self, network, pad_token=None):
        self.network = network
        self.pad_token = pad_token
        self._score = _scoring_function(network, pad_token)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, tokens, batch_size=500):
        """Adds int token ids `[N, max_length]`, `batch_size` sequences per forward pass."""
        tokens = np.asarray(tokens, np.int32)
        if tokens.ndim != 2 or tokens.shape[1] != self.network.max_length:
            raise ValueError(
                f"Sequences must be token ids [N, {self.network.max_length}]; got {tokens.shape}."
            )
        if tokens.size and (tokens.min() < 0 or tokens.max() >= self.network.vocab_size):
            raise ValueError(
                f"Token ids must be in [0, {self.network.vocab_size}); got ids from "
                f"{tokens.min()} to {tokens.max()}."
            )
        for start in range(0, len(tokens), batch_size):
            total, count = self._score(tf.constant(tokens[start : start + batch_size]))
            self.total += float(total)
            self.count += float(count)

    def result(self):
        """Mean NLL per counted token (nats); `nan` before any token."""
        return self.total / self.count if self.count else float("nan")


# Traced scoring functions per network and pad token. Every `SequenceNLL` of one network shares
# one function, traced once for any batch size (the batch dimension is `None`), so metrics made
# anew at every evaluation do not trace again (and TensorFlow does not warn of retracing).
_FUNCTIONS = weakref.WeakKeyDictionary()


def _scoring_function(network, pad_token):
    functions = _FUNCTIONS.setdefault(network, {})
    if pad_token not in functions:

        def batch_sums(tokens):
            logits = network(network.teacher_inputs(tokens), training=False)
            mask = sequence_losses.token_mask(tokens, pad_token)
            log_likelihood = sequence_losses.token_log_likelihood(tokens, logits)
            return -tf.reduce_sum(log_likelihood * mask), tf.reduce_sum(mask)

        spec = tf.TensorSpec([None, network.max_length], tf.int32)
        functions[pad_token] = tf.function(batch_sums, input_signature=[spec])
    return functions[pad_token]


def sequence_nll(network, tokens, pad_token=None, batch_size=500):
    """The mean NLL per token (nats) of `tokens` `[N, T]` under `network` (see the module)."""
    metric = SequenceNLL(network, pad_token)
    metric.update_state(tokens, batch_size)
    return metric.result()
