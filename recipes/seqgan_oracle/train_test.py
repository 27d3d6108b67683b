"""Tests for recipes/seqgan_oracle: oracle data offline, tiny runs of each algorithm, errors."""

import json

import keras
import numpy as np
import pytest

import kgan
from kgan.testing import recipes

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def oracle_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("oracle")
    make_data = recipes.load_recipe(__file__, "make_data.py")
    argv = ["--out", str(out), "--vocab-size", "30", "--length", "6", "--num", "64"]
    assert make_data.main([*argv, "--num-test", "16"]) == 0
    return out


def test_make_data_writes_the_oracle_and_its_sentences(oracle_data):
    train = np.load(oracle_data / "train.npy")
    assert train.shape == (64, 6) and train.dtype == np.int32 and 0 <= train.min() < 30
    assert np.load(oracle_data / "test.npy").shape == (16, 6)
    references = json.loads((oracle_data / "references.json").read_text())
    assert (
        references["oracle_nll_of_its_own_sentences"] < references["oracle_nll_of_uniform_tokens"]
    )
    oracle = keras.saving.load_model(oracle_data / "oracle.keras")
    assert oracle.vocab_size == 30


@pytest.mark.parametrize("algorithm", ["seqgan", "relgan"])
def test_tiny_run_writes_model_and_metrics(oracle_data, tmp_path, algorithm):
    train = recipes.load_recipe(__file__)
    out = tmp_path / algorithm
    argv = [
        "--data", str(oracle_data / "train.npy"), "--vocab-size", "30", "--out", str(out),
        "--algorithm", algorithm, "--mle-epochs", "1", "--pretrain-d-epochs", "1",
        "--adversarial-epochs", "1", "--steps-per-epoch", "2", "--batch-size", "16",
        "--num-rollouts", "2", "--num-samples", "50",
        "--oracle", str(oracle_data / "oracle.keras"), "--test", str(oracle_data / "test.npy"),
    ]  # fmt: skip
    assert train.main(argv) == 0
    model = keras.saving.load_model(out / "model.keras")
    assert type(model).__name__ == {"seqgan": "SeqGAN", "relgan": "RelGAN"}[algorithm]
    assert model.step == 6 and model.phase == 2
    assert isinstance(model, kgan.models.SequenceGAN)
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) == {"nll_oracle", "nll_test"} and all(v > 0 for v in metrics.values())
    tags = recipes.summary_tags(out / "logs" / "train")
    assert {"epoch_mle_loss", "epoch_d_loss", "epoch_g_loss", "epoch_phase"} <= tags


def test_bad_flags_are_one_line(oracle_data, capsys):
    train = recipes.load_recipe(__file__)
    line = recipes.usage_error(train.main, ["--vocab-size", "30"], capsys)
    assert "--data is required" in line
    argv = ["--data", str(oracle_data / "train.npy"), "--vocab-size", "10"]
    line = recipes.data_error(train.main, argv, capsys)  # token ids the vocabulary lacks
    assert "outside [0, 10)" in line
