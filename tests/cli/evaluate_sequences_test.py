"""Tests for kgan/cli/evaluate_sequences.py: `kgan evaluate` on saved tiny sequence GANs."""

import json
import re

import keras
import numpy as np
import pytest

from kgan import metrics
from kgan.metrics import sequence_evaluation
from kgan.testing import sequences
from kgan.testing.cli import run
from kgan.testing.cli import run_error

WORDS = ["the", "cat", "dog", "sat", "ran", "a", "mat", "on"]  # + 4 specials = 12 ids
SENTENCES = ["the cat sat on a", "a dog ran", "the dog sat", "a cat ran on mat"]
OPTIONS = ["--num", "30", "--seed", "4", "--batch-size", "16"]


@pytest.fixture(scope="module")
def text_model_path(tmp_path_factory):
    model = sequences.tiny_text_model()
    path = tmp_path_factory.mktemp("text") / "model.keras"
    model.save(path)
    return str(path)


@pytest.fixture(scope="module")
def ids_model_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ids")
    return str(sequences.save_tiny_sequence_gan(folder / "model.keras"))


@pytest.mark.slow
def test_text_file_scores_equal_the_evaluator(text_model_path, tmp_path, capsys):
    data = tmp_path / "test.txt"
    data.write_text("\n".join(SENTENCES) + "\n\n")  # a blank line is no sentence
    out = tmp_path / "scores.json"
    argv = ["evaluate", text_model_path, "--data", data, *OPTIONS, "--json", "--out", out]
    printed = json.loads(run(argv, capsys))
    assert json.loads(out.read_text()) == printed
    assert printed["metrics"] == ["bleu", "self_bleu", "nll_test"]  # the sequence default
    evaluator = sequence_evaluation.SequenceEvaluator(
        ["bleu", "self_bleu", "nll_test"], real_data=SENTENCES, batch_size=16
    )
    expected = evaluator.evaluate(keras.saving.load_model(text_model_path), 30, seed=4)
    for key in ("bleu_2", "bleu_5", "self_bleu_3", "nll_test"):
        assert printed[key] == pytest.approx(expected[key], rel=1e-9), key
    assert printed["num_real"] == 4 and printed["num_samples"] == 30
    table = run(["evaluate", text_model_path, "--data", data, *OPTIONS], capsys)
    assert "bleu_4" in table and "nll_test" in table and "extractor" not in table


def test_ids_with_an_oracle(ids_model_path, tmp_path, capsys):
    data = tmp_path / "test.npy"
    np.save(data, sequences.counting_sequences(20))
    oracle = tmp_path / "oracle.keras"
    sequences.tiny_generator().save(oracle)
    argv = ["evaluate", ids_model_path, "--data", data, "--oracle", oracle, *OPTIONS, "--json"]
    printed = json.loads(run([*argv, "--metrics", "nll_oracle,nll_test,bleu"], capsys))
    model = keras.saving.load_model(ids_model_path)
    samples = model.generate(30, seed=4, batch_size=16)
    expected = metrics.sequence_nll(keras.saving.load_model(oracle), samples)
    assert printed["nll_oracle"] == pytest.approx(expected, rel=1e-6)
    assert printed["oracle"] == str(oracle) and "bleu_2" in printed


def test_bad_input_is_one_line(text_model_path, ids_model_path, tmp_path, capsys):
    text = tmp_path / "test.txt"
    text.write_text("a cat\n")
    cases = [
        (ids_model_path, text, [], 1, "is text, but the model has no vocabulary"),
        (text_model_path, tmp_path / "none.npy", [], 1, "no such file"),
        (text_model_path, text, ["--metrics", "fid"], 2, "Unknown sequence metric"),
        (text_model_path, text, ["--metrics", "nll_oracle"], 2, "give --oracle"),
        (text_model_path, text, ["--extractor", "digits"], 2, "need no extractor"),
        (text_model_path, text, ["--oracle", tmp_path / "no.keras"], 1, "--oracle .*no such"),
    ]
    for model, data, extra, code, message in cases:
        got, line = run_error(["evaluate", model, "--data", data, *OPTIONS, *extra], capsys)
        assert got == code, line
        assert re.search(message, line), line
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9\n".encode("latin-1"))
    code, line = run_error(["evaluate", text_model_path, "--data", latin, *OPTIONS], capsys)
    assert code == 1 and "is not UTF-8 text" in line
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.full((3, sequences.LENGTH), 99))
    code, line = run_error(["evaluate", ids_model_path, "--data", wrong, *OPTIONS], capsys)
    assert code == 1 and "outside [0, 12)" in line
