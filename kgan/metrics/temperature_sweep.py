"""Quality against diversity over sampling temperatures, as every text GAN should be reported.

Caccia et al. ("Language GANs Falling Short", ICLR 2020) showed that a language GAN's better
sample quality at temperature 1 is mostly a lower entropy, which a maximum-likelihood model
reaches too by sampling at a lower temperature; a fair comparison traces each model's whole
quality/diversity curve over temperatures. For one generator this sweeps the temperature and
scores each: on the synthetic oracle, NLL_oracle of samples (quality) beside NLL_test of the
held-out data at that temperature (coverage); on text, BLEU against references (quality) beside
self-BLEU (diversity, lower is more diverse).
"""

import numpy as np

# The functions, not their modules: the package rebinds the modules' names to them.
from kgan.metrics.bleu import bleu
from kgan.metrics.bleu import self_bleu
from kgan.metrics.sequence_nll import sequence_nll
from kgan.networks import sequence_sampling


class _Tempered:
    """`network` with its logits divided by `temperature`: its likelihood at that temperature."""

    def __init__(self, network, temperature):
        self.network, self.temperature = network, float(temperature)
        self.max_length, self.vocab_size = network.max_length, network.vocab_size

    def teacher_inputs(self, tokens):
        return self.network.teacher_inputs(tokens)

    def __call__(self, inputs, training=False):
        return self.network(inputs, training=training) / self.temperature


def temperature_sweep(
    generator,
    temperatures=(0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5),
    oracle=None,
    test_tokens=None,
    references=None,
    num_samples=2000,
    max_order=3,
    pad_token=None,
    seed=0,
):
    """Scores samples of `generator` at each temperature; returns one dict per temperature.

    Args:
        generator: A token generator (`kgan.networks.RecurrentGenerator`, e.g. `model.generator`).
        temperatures: The temperatures. Defaults to eight from 0.5 to 1.5.
        oracle: The synthetic oracle: adds `nll_oracle` of the samples. Defaults to `None`.
        test_tokens: Held-out real ids `[N, T]`: adds `nll_test`, their NLL under the generator
            at that temperature. Defaults to `None`.
        references: Real sequences (lists of tokens): adds `bleu` of the samples against them
            and `self_bleu` of the samples. Defaults to `None`.
        num_samples: Samples per temperature. Defaults to `2000`.
        max_order: Longest n-gram of the BLEU scores. Defaults to `3`.
        pad_token: Padding, left out of the NLLs and stripped before BLEU. Defaults to `None`.
        seed: Seed of the samples (the same at every temperature). Defaults to `0`.

    Returns:
        A list of dicts: `temperature` and the scores asked for.
    """
    rows = []
    for temperature in temperatures:
        samples = sequence_sampling.generate_tokens(
            generator, num_samples, seed=seed, temperature=temperature
        )
        row = {"temperature": float(temperature)}
        if oracle is not None:
            row["nll_oracle"] = sequence_nll(oracle, samples, pad_token)
        if test_tokens is not None:
            row["nll_test"] = sequence_nll(
                _Tempered(generator, temperature), np.asarray(test_tokens), pad_token
            )
        if references is not None:
            texts = [[token for token in row_ if token != pad_token] for row_ in samples]
            row["bleu"] = bleu(texts, references, max_order)
            row["self_bleu"] = self_bleu(texts, max_order)
        rows.append(row)
    return rows
