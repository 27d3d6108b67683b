"""Tests for kgan/losses/sequence.py against hand-computed values."""

import numpy as np
import pytest

from kgan.losses import sequence

# Two steps over a vocabulary of 2: p = softmax([0, log 3]) = (1/4, 3/4) at every step.
LOGITS = np.tile(np.array([0.0, np.log(3.0)], np.float32), (2, 2, 1))
TOKENS = np.array([[1, 0], [1, 1]], np.int32)


def test_maximum_likelihood_is_the_mean_token_nll():
    expected = [(-np.log(0.75) - np.log(0.25)) / 2, -np.log(0.75)]
    np.testing.assert_allclose(sequence.maximum_likelihood(TOKENS, LOGITS), expected, rtol=1e-6)


def test_padding_is_left_out():
    # Token 0 as padding: row 0 keeps only its first token; a row of padding only scores 0.
    tokens = np.array([[1, 0], [0, 0]], np.int32)
    np.testing.assert_allclose(
        sequence.maximum_likelihood(tokens, LOGITS, pad_token=0), [-np.log(0.75), 0.0], rtol=1e-6
    )


def test_policy_gradient_weights_each_log_probability_by_its_advantage():
    advantages = np.array([[1.0, -2.0], [0.5, 0.0]], np.float32)
    expected = [
        -(1.0 * np.log(0.75) - 2.0 * np.log(0.25)) / 2,
        -(0.5 * np.log(0.75)) / 2,
    ]
    np.testing.assert_allclose(
        sequence.policy_gradient(TOKENS, LOGITS, advantages), expected, rtol=1e-6
    )
    entropy = -(0.25 * np.log(0.25) + 0.75 * np.log(0.75))
    np.testing.assert_allclose(
        sequence.policy_gradient(TOKENS, LOGITS, advantages, entropy_weight=0.1),
        np.array(expected) - 0.1 * entropy,
        rtol=1e-6,
    )


def test_maligan_weights_are_normalised_odds():
    logits = np.array([0.0, np.log(3.0)], np.float32)  # D/(1-D) = exp(logit): odds 1 and 3
    total = np.log(1.0 + 3.0)
    np.testing.assert_allclose(sequence.maligan_weights(logits, total, 2), [0.5, 1.5], rtol=1e-6)


@pytest.mark.parametrize("real, fake", [(2.0, 0.5), (-1.0, 1.0)])
def test_relativistic_losses(real, fake):
    real_logits = np.array([[real]], np.float32)
    fake_logits = np.array([[fake]], np.float32)
    np.testing.assert_allclose(
        sequence.relativistic_discriminator(real_logits, fake_logits),
        [np.log1p(np.exp(-(real - fake)))],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        sequence.relativistic_generator(real_logits, fake_logits),
        [np.log1p(np.exp(-(fake - real)))],
        rtol=1e-6,
    )
