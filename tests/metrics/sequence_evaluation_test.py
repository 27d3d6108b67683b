"""Tests for kgan/metrics/sequence_evaluation.py: the text metrics of a sequence model."""

import numpy as np
import pytest

from kgan import callbacks
from kgan import metrics
from kgan.data import vocabulary as vocabulary_lib
from kgan.metrics import sequence_evaluation
from kgan.models import seq_gan
from kgan.testing import sequences

WORDS = ["the", "cat", "dog", "sat", "ran", "a", "mat", "on"]  # + 4 specials = 12 ids
SENTENCES = ["the cat sat on a", "a dog ran", "the dog sat", "a cat ran on mat"]


def text_model():
    return seq_gan.SeqGAN(
        sequences.tiny_generator(),
        sequences.tiny_discriminator(),
        seed=3,
        vocabulary=vocabulary_lib.Vocabulary(WORDS),
    )


def test_sentences_cut_at_the_end_token_and_drop_padding():
    tokens = np.array([[5, 6, 3, 7, 0, 0], [4, 0, 5, 0, 0, 0], [3, 5, 5, 5, 5, 5]])
    assert sequence_evaluation.sentences(tokens, pad_token=0, end=3) == [[5, 6], [4, 5], []]
    # Fixed-length data (an oracle's): every id counts.
    assert sequence_evaluation.sentences(tokens[:1]) == [[5, 6, 3, 7, 0, 0]]


def test_values_equal_the_metrics_on_the_cut_samples():
    model = text_model()
    model.compile()
    evaluator = sequence_evaluation.SequenceEvaluator(
        ["bleu", "self_bleu", "nll_test"], real_data=SENTENCES, self_bleu_samples=30
    )
    results = evaluator.evaluate(model, num_samples=40, seed=5)

    vocabulary = model.vocabulary
    samples = model.generate(40, seed=5, end_token=vocabulary.end_id)
    hypotheses = sequence_evaluation.sentences(samples, 0, vocabulary.end_id)
    real = vocabulary.encode(SENTENCES, model.max_length)
    references = [[vocabulary.tokens.index(word) for word in s.split()] for s in SENTENCES]
    assert sequence_evaluation.sentences(real, 0, vocabulary.end_id) == references
    for order in (2, 3, 4, 5):
        expected = metrics.bleu(hypotheses, references, order)
        assert results[f"bleu_{order}"] == pytest.approx(expected, abs=1e-12)
        expected = metrics.self_bleu(hypotheses[:30], order)
        assert results[f"self_bleu_{order}"] == pytest.approx(expected, abs=1e-12)
    assert results["nll_test"] == pytest.approx(
        metrics.sequence_nll(model.generator, real, pad_token=0), rel=1e-6
    )
    assert results["num_samples"] == 40
    # The evaluation text is the model's text: decoding the samples gives the same words.
    assert [" ".join(vocabulary.tokens[t] for t in h) for h in hypotheses] == (
        vocabulary.decode(samples)
    )


def test_nll_oracle_scores_the_samples_under_the_oracle():
    model = sequences.tiny_model(seq_gan.SeqGAN)
    model.compile()
    oracle = sequences.tiny_generator()
    evaluator = sequence_evaluation.SequenceEvaluator(
        "nll_oracle, bleu", real_data=(sequences.counting_sequences(32)), oracle=oracle
    )
    results = evaluator.evaluate(model, num_samples=50, seed=1)
    samples = model.generate(50, seed=1)
    assert results["nll_oracle"] == pytest.approx(metrics.sequence_nll(oracle, samples), rel=1e-6)
    assert "nll_test" not in results and "self_bleu_2" not in results
    # One sequence per generator call gives the same samples and the same score.
    single = sequence_evaluation.SequenceEvaluator(
        "nll_oracle", real_data=(sequences.counting_sequences(32)), oracle=oracle, batch_size=1
    )
    assert single.evaluate(model, num_samples=50, seed=1)["nll_oracle"] == pytest.approx(
        results["nll_oracle"], rel=1e-5
    )


def test_training_raises_bleu_and_lowers_nll_test():
    model = sequences.tiny_model(seq_gan.SeqGAN)
    model.compile(pretrain_generator_epochs=30, pretrain_discriminator_epochs=0)
    real = sequences.counting_sequences(64, seed=9)
    evaluator = sequence_evaluation.SequenceEvaluator(["bleu", "nll_test"], real_data=real)
    before = evaluator.evaluate(model, num_samples=200)
    model.fit(sequences.token_dataset(64, batch_size=16), epochs=30, verbose=0)
    after = evaluator.evaluate(model, num_samples=200)
    assert after["bleu_4"] > before["bleu_4"] + 0.2
    assert after["nll_test"] < before["nll_test"] - 0.5


def test_generative_metrics_logs_text_metrics_during_fit():
    model = sequences.tiny_model(seq_gan.SeqGAN)
    model.compile(pretrain_generator_epochs=2, pretrain_discriminator_epochs=0)
    metric = callbacks.GenerativeMetrics(
        ["bleu", "self_bleu", "nll_test"],
        real_data=sequences.token_dataset(32, batch_size=8),
        num_samples=60,
        options={"orders": (2, 4), "self_bleu_samples": 20},
    )
    history = model.fit(sequences.token_dataset(), epochs=2, callbacks=[metric], verbose=0)
    for key in ("bleu_2", "bleu_4", "self_bleu_2", "self_bleu_4", "nll_test"):
        assert len(history.history[key]) == 2 and all(np.isfinite(history.history[key]))
    assert "bleu_3" not in history.history
    assert metric.evaluator.real_tokens.shape == (32, sequences.LENGTH)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="compare with real sequences: pass real_data"):
        sequence_evaluation.SequenceEvaluator(["bleu"])
    with pytest.raises(ValueError, match="under an oracle: pass oracle="):
        sequence_evaluation.SequenceEvaluator(["nll_oracle"])
    with pytest.raises(ValueError, match="`self_bleu_samples` must be an integer >= 2, got 1"):
        sequence_evaluation.SequenceEvaluator(["self_bleu"], self_bleu_samples=1)
    with pytest.raises(ValueError, match="`batch_size` must be an integer >= 1, got 0"):
        sequence_evaluation.SequenceEvaluator(["self_bleu"], batch_size=0)
    with pytest.raises(ValueError, match=r"Unknown sequence metric\(s\) \['fid'\]"):
        sequence_evaluation.SequenceEvaluator(["bleu", "fid"], real_data=SENTENCES)
    with pytest.raises(ValueError, match="score images and .* score sequences"):
        callbacks.GenerativeMetrics(["fid", "bleu"], real_data=SENTENCES)
    model = sequences.tiny_model(seq_gan.SeqGAN)  # no vocabulary: sentences cannot be ids
    evaluator = sequence_evaluation.SequenceEvaluator(["bleu"], real_data=SENTENCES)
    with pytest.raises(ValueError, match="need the model's vocabulary"):
        evaluator.evaluate(model, num_samples=4)
    evaluator = sequence_evaluation.SequenceEvaluator(["bleu"], real_data=np.full((4, 6), 40))
    with pytest.raises(ValueError, match=r"ids from 40 to 40, outside \[0, 12\)"):
        evaluator.evaluate(model, num_samples=4)
