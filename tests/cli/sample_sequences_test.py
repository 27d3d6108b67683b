"""Tests for kgan/cli/sample_sequences.py: `kgan sample` and `kgan export` on a sequence GAN."""

import keras
import numpy as np
import pytest

from kgan import cli
from kgan.testing import sequences
from kgan.testing.cli import run
from kgan.testing.cli import run_error

NUM, LENGTH, VOCAB = 7, sequences.LENGTH, sequences.VOCAB_SIZE


@pytest.fixture(scope="module")
def seq_gan(tmp_path_factory):
    """`(path of a saved tiny SeqGAN, the model loaded back, its export folder)`."""
    from kgan import export

    folder = tmp_path_factory.mktemp("seq_gan")
    path = str(sequences.save_tiny_sequence_gan(folder / "model.keras"))
    model = keras.saving.load_model(path)
    export.export_generator(
        model, folder / "exported", format=["saved_model", "tflite"], verbose=False
    )
    return path, model, folder / "exported"


@pytest.mark.slow
@pytest.mark.parametrize(
    "options, decoding",
    [
        ([], {}),
        (["--temperature", "0.7", "--top-k", "4", "--top-p", "0.9"], {"temperature": 0.7}),
        (["--greedy"], {"greedy": True}),
    ],
)
def test_npy_holds_generate_of_the_seed(seq_gan, tmp_path, capsys, options, decoding):
    path, model, _ = seq_gan
    out = tmp_path / "tokens.npy"
    argv = ["sample", path, "--num", NUM, "--seed", 5, *options, "--out", out]
    assert f"Wrote {NUM} sequences of {LENGTH} token ids" in run(argv, capsys)
    tokens = np.load(out)
    assert tokens.dtype == np.int32 and tokens.shape == (NUM, LENGTH)
    assert 0 <= tokens.min() and tokens.max() < VOCAB
    if "--top-k" in options:
        decoding.update(top_k=4, top_p=0.9)
    np.testing.assert_array_equal(tokens, model.generate(NUM, seed=5, **decoding))


def test_txt_holds_one_sequence_per_line(seq_gan, tmp_path, capsys):
    path, model, _ = seq_gan
    out = tmp_path / "tokens.txt"
    run(["sample", path, "--num", 3, "--seed", 1, "--out", out], capsys)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == [" ".join(map(str, row)) for row in model.generate(3, seed=1)]


def test_txt_holds_words_for_a_model_with_a_vocabulary(tmp_path, capsys):
    words = sequences.WORDS
    model = sequences.tiny_text_model()
    model.save(tmp_path / "model.keras")
    out = tmp_path / "words.txt"
    argv = ["sample", tmp_path / "model.keras", "--num", NUM, "--seed", 1, "--out", out]
    assert f"Wrote {NUM} sequences as text to" in run(argv, capsys)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == model.generate_text(NUM, seed=1)
    written = " ".join(lines).split()
    assert written and set(written) <= {*words, "[UNK]", "[SOS]"}
    # The ids of the same sentences: padding after [EOS], as the text ends there.
    ids_out = tmp_path / "ids.npy"
    run(["sample", tmp_path / "model.keras", "--num", 40, "--seed", 1, "--out", ids_out], capsys)
    ids = np.load(ids_out)
    np.testing.assert_array_equal(ids, model.generate(40, seed=1, end_token=3))
    ends_before = np.cumsum(ids == 3, axis=1) - (ids == 3)  # [EOS]s strictly before each id
    assert (ids == 3).any() and (ids[ends_before > 0] == 0).all()
    assert model.vocabulary.decode(ids) == model.generate_text(40, seed=1)


@pytest.mark.parametrize("artefact", ["saved_model", "generator.tflite"])
def test_an_exported_model_samples_the_keras_models_tokens(seq_gan, tmp_path, capsys, artefact):
    _, model, folder = seq_gan
    out = tmp_path / "tokens.npy"
    argv = ["sample", folder / artefact, "--num", NUM, "--seed", 2, "--temperature", 1.3]
    run([*argv, "--batch-size", 3, "--out", out], capsys)
    np.testing.assert_array_equal(np.load(out), model.generate(NUM, seed=2, temperature=1.3))


@pytest.mark.slow
def test_an_exported_model_with_a_vocabulary_writes_the_keras_models_text(tmp_path, capsys):
    model = sequences.tiny_text_model()
    model.save(tmp_path / "model.keras")
    argv = ["export", tmp_path / "model.keras", "--format", "saved_model,tflite"]
    run([*argv, "--out", tmp_path / "e"], capsys)
    assert (tmp_path / "e" / "generator.tflite.vocabulary.json").is_file()
    for artefact in ("saved_model", "generator.tflite"):
        out = tmp_path / f"{artefact}.txt"
        argv = ["sample", tmp_path / "e" / artefact, "--num", NUM, "--seed", 1, "--out", out]
        assert f"Wrote {NUM} sequences as text to" in run(argv, capsys)
        assert out.read_text(encoding="utf-8").splitlines() == model.generate_text(NUM, seed=1)
        ids = tmp_path / f"{artefact}.npy"
        run(["sample", tmp_path / "e" / artefact, "--num", 40, "--seed", 1, "--out", ids], capsys)
        np.testing.assert_array_equal(np.load(ids), model.generate(40, seed=1, end_token=3))
    # A damaged vocabulary file is a one-line error naming it, not a traceback or ids.
    (tmp_path / "e" / "saved_model.vocabulary.json").write_text("{", encoding="utf-8")
    argv = ["sample", tmp_path / "e" / "saved_model", "--out", tmp_path / "x.txt"]
    code, line = run_error(argv, capsys)
    assert code == 1 and "saved_model.vocabulary.json is not a vocabulary" in line
    assert not (tmp_path / "x.txt").exists()


@pytest.mark.slow
def test_export_prints_token_parity(seq_gan, tmp_path, capsys):
    path, _, _ = seq_gan
    argv = ["export", path, "--format", "saved_model", "--top-k", "3", "--out", tmp_path / "e"]
    printed = run(argv, capsys)
    assert "tokens 100.00% identical" in printed and "Exported 1 artefacts" in printed
    argv = ["export", path, "--min-token-match", "1.5", "--out", tmp_path / "f"]
    code, line = run_error(argv, capsys)
    assert code == cli.RUN_ERROR and "of tokens identical < 150.00%" in line
    assert not (tmp_path / "f").exists()


@pytest.mark.parametrize(
    "model, extra, code, message",
    [
        ("keras", ["--out", "a.png"], cli.USAGE_ERROR, "makes token ids, not images"),
        ("keras", ["--temperature", "0", "--out", "a.npy"], cli.USAGE_ERROR, "must be > 0"),
        ("keras", ["--top-p", "1.5", "--out", "a.npy"], cli.USAGE_ERROR, "--top-p must be in"),
        ("keras", ["--top-k", "-1", "--out", "a.npy"], cli.USAGE_ERROR, "--top-k must be >= 0"),
        ("keras", ["--labels", "0,1", "--out", "a.npy"], cli.USAGE_ERROR, "takes none"),
        ("exported", ["--top-k", "3", "--out", "a.npy"], cli.USAGE_ERROR, "exported with"),
        ("image", ["--temperature", "0.5", "--out", "a.npy"], cli.USAGE_ERROR, "makes images"),
        ("image", ["--out", "a.txt"], cli.USAGE_ERROR, "for sequence models"),
    ],
)
def test_usage_errors(seq_gan, model_path, tmp_path, capsys, model, extra, code, message):
    path = {"keras": seq_gan[0], "exported": seq_gan[2] / "saved_model", "image": model_path}
    extra = [str(tmp_path / item) if item.startswith("a.") else item for item in extra]
    got, line = run_error(["sample", path[model], *extra], capsys)
    assert got == code and message in line, line
