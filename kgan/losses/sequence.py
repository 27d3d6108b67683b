"""Losses of sequence generators: maximum likelihood, policy gradients, relativistic pairs.

Pure functions of logits, tokens and rewards, per example (the objectives average over the
global batch).

- **Maximum likelihood** (teacher forcing): the cross-entropy of each real next token under the
  generator given the real prefix; minimising it minimises `KL(data || model)`, which rewards
  covering every sentence of the data and is blind to the model's own bad samples (exposure
  bias, the case for the adversarial objectives).
- **REINFORCE** (Williams 1992; SeqGAN): the tokens are sampled, so the discriminator's score
  cannot be differentiated through them; the gradient of the expected reward is instead
  `E[sum_t A_t * grad log p(y_t | y_<t)]`, with `A_t` the reward of token `t` less a baseline.
- **MaliGAN's weights** (Che et al. 2017): with an optimal discriminator `D`,
  `p_data(y) / p_model(y) = D(y) / (1 - D(y)) = exp(logit(y))`, so normalising these ratios over
  the batch gives importance weights that turn samples of the model into a maximum-likelihood
  step towards the data, with lower variance than raw rewards.
- **Relativistic standard loss** (Jolicoeur-Martineau 2019; RelGAN): the critic judges whether a
  real sample is more realistic than a fake one, `sigmoid(D(real) - D(fake))`.
"""

import tensorflow as tf


def token_mask(tokens, pad_token=None):
    """float32 `[batch, T]`: 1 for the tokens that count, 0 for `pad_token` (all 1 if `None`)."""
    if pad_token is None:
        return tf.ones(tf.shape(tokens), tf.float32)
    return tf.cast(tf.not_equal(tokens, pad_token), tf.float32)


def masked_mean(values, mask):
    """Mean of `values` `[batch, T]` over each row's unmasked entries (0 for an empty row)."""
    return tf.reduce_sum(values * mask, axis=1) / tf.maximum(tf.reduce_sum(mask, axis=1), 1.0)


def token_log_likelihood(tokens, logits):
    """`log p(y_t | y_<t)` of every token, float32 `[batch, T]`, from logits `[batch, T, V]`."""
    return -tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(tokens, tf.int32), logits=tf.cast(logits, tf.float32)
    )


def maximum_likelihood(tokens, logits, pad_token=None):
    """Per-example negative log-likelihood per token (nats), padding left out.

    Args:
        tokens: int `[batch, T]`, the real sequences.
        logits: float `[batch, T, V]`, the teacher-forced generator's logits.
        pad_token: Id of padding, or `None` when every position counts. Defaults to `None`.

    Returns:
        float32 `[batch]`.
    """
    mask = token_mask(tokens, pad_token)
    return masked_mean(-token_log_likelihood(tokens, logits), mask)


def entropy(logits):
    """The entropy (nats) of each step's distribution, float32 `[batch, T]`."""
    log_probs = tf.nn.log_softmax(tf.cast(logits, tf.float32), axis=-1)
    return -tf.reduce_sum(tf.exp(log_probs) * log_probs, axis=-1)


def policy_gradient(tokens, logits, advantages, pad_token=None, entropy_weight=0.0):
    """Per-example REINFORCE loss: `-mean_t A_t log p(y_t | y_<t)` (less an entropy bonus).

    Args:
        tokens: int `[batch, T]`, the sampled sequences.
        logits: float `[batch, T, V]`: the generator's logits on those sequences (teacher
            forced on them), the only differentiable input.
        advantages: float `[batch, T]`, each token's reward less its baseline (constants).
        pad_token: Id of padding, left out of the mean. Defaults to `None`.
        entropy_weight: Weight of the mean entropy of the steps' distributions, subtracted so
            that minimising the loss keeps the policy from collapsing early. Defaults to `0.0`.

    Returns:
        float32 `[batch]`.
    """
    mask = token_mask(tokens, pad_token)
    advantages = tf.stop_gradient(tf.cast(advantages, tf.float32))
    loss = masked_mean(-advantages * token_log_likelihood(tokens, logits), mask)
    if entropy_weight:
        loss -= entropy_weight * masked_mean(entropy(logits), mask)
    return loss


def maligan_weights(fake_logits, total_logsumexp, global_size):
    """MaliGAN's normalised importance weights, scaled to mean 1 over the global batch.

    `w_i = exp(l_i) / sum_j exp(l_j)`, the sum over the global batch, times its size, so that
    `w_i - 1` (the advantage with Che et al.'s baseline) averages to zero.

    Args:
        fake_logits: float `[batch]`, the discriminator's logits of the samples.
        total_logsumexp: `log sum_j exp(l_j)` over the global batch (a scalar).
        global_size: Samples in the global batch.

    Returns:
        float32 `[batch]`.
    """
    log_weights = tf.cast(fake_logits, tf.float32) - total_logsumexp
    return tf.exp(log_weights) * tf.cast(global_size, tf.float32)


def relativistic_discriminator(real_logits, fake_logits):
    """Per-pair relativistic standard loss of the critic: `softplus(-(D(real) - D(fake)))`."""
    return tf.nn.softplus(-(_flat(real_logits) - _flat(fake_logits)))


def relativistic_generator(real_logits, fake_logits):
    """Per-pair relativistic standard loss of the generator: `softplus(-(D(fake) - D(real)))`."""
    return tf.nn.softplus(-(_flat(fake_logits) - _flat(real_logits)))


def _flat(logits):
    return tf.reshape(tf.cast(logits, tf.float32), [tf.shape(logits)[0]])
