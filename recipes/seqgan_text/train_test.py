"""Tests for recipes/seqgan_text: a tiny run on sentences the test writes, and bad flags."""

import json

import keras
import numpy as np
import pytest

from kgan.testing import recipes

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

WORDS = ["the", "cat", "dog", "sat", "ran", "on", "a", "mat", "big", "small"]


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    """200 distinct sentences of 3-6 of ten words, one per line."""
    rng = np.random.default_rng(0)
    sentences = set()
    while len(sentences) < 200:
        sentences.add(" ".join(rng.choice(WORDS, rng.integers(3, 7))))
    path = tmp_path_factory.mktemp("text") / "sentences.txt"
    path.write_text("\n".join(sorted(sentences)) + "\n")
    return path


@pytest.mark.parametrize("algorithm", ["relgan", "seqgan"])
def test_tiny_run_writes_model_samples_and_scores(text_file, tmp_path, algorithm):
    train = recipes.load_recipe(__file__)
    out = tmp_path / algorithm
    argv = [
        "--text", str(text_file), "--max-words", "6", "--min-count", "1", "--num-test", "20",
        "--out", str(out), "--algorithm", algorithm, "--mle-epochs", "2",
        "--pretrain-d-epochs", "1", "--adversarial-epochs", "1", "--steps-per-epoch", "2",
        "--batch-size", "16", "--num-rollouts", "2", "--embedding-dim", "8",
        "--hidden-dim", "16", "--num-samples", "30", "--metrics-every", "2",
    ]  # fmt: skip
    assert train.main(argv) == 0
    model = keras.saving.load_model(out / "model.keras")
    assert model.step == 8 and model.phase == 2
    assert set(model.vocabulary.words) == set(WORDS)  # --min-count 1: every training word
    samples = (out / "samples.txt").read_text().splitlines()
    assert len(samples) == 30 and samples == model.generate_text(30, seed=0)
    # Words, and the special tokens an untrained model may still sample before [EOS].
    assert set(" ".join(samples).split()) <= set(WORDS) | {"[UNK]", "[SOS]"}
    test = (out / "test.txt").read_text().splitlines()
    assert len(test) == 20 and set(test) <= set(text_file.read_text().splitlines())
    metrics = json.loads((out / "metrics.json").read_text())
    for row in ("samples", "validation_sentences"):
        assert {"bleu_2", "bleu_5", "self_bleu_4"} <= set(metrics[row])
        assert all(0 <= metrics[row][f"bleu_{n}"] <= 1 for n in (2, 3, 4, 5))
    assert metrics["samples"]["nll_test"] > 0
    tags = recipes.summary_tags(out / "logs" / "train")
    assert {"epoch_mle_loss", "epoch_bleu_4", "epoch_self_bleu_4", "epoch_nll_test"} <= tags


def test_bad_flags_are_one_line(text_file, capsys):
    train = recipes.load_recipe(__file__)
    argv = ["--text", str(text_file), "--max-words", "6", "--num-test", "100"]
    line = recipes.usage_error(train.main, argv, capsys)
    assert "200 distinct sentences" in line and "lower --num-test" in line
    line = recipes.data_error(train.main, ["--text", str(text_file) + ".missing"], capsys)
    assert "No text file at" in line
    line = recipes.usage_error(train.main, ["--adversarial-learning-rate", "0"], capsys)
    assert "--adversarial-learning-rate must be positive" in line
