"""Tests for kgan/export/vocabulary_file.py: the vocabulary written beside an exported model."""

import json

import pytest

from kgan import export
from kgan.data import vocabulary as vocabulary_lib
from kgan.export import vocabulary_file
from kgan.models import seq_gan
from kgan.testing import sequences

WORDS = list(sequences.WORDS)


def _model(vocabulary=True):
    if vocabulary:
        return sequences.tiny_text_model()
    model = sequences.tiny_model(seq_gan.SeqGAN)
    model.compile()
    return model


def test_round_trip_and_token_table(tmp_path):
    model = _model()
    path = vocabulary_file.write(tmp_path / "generator.tflite", model)
    assert path == f"{tmp_path}/generator.tflite.vocabulary.json"
    vocabulary, pad_token = vocabulary_file.read(tmp_path / "generator.tflite")
    assert vocabulary == model.vocabulary and pad_token == model.pad_token == 0
    with open(path, encoding="utf-8") as file:
        content = json.load(file)
    # Decodable without kgan: id i is tokens[i].
    assert content["tokens"] == [*vocabulary_lib.SPECIAL_TOKENS, *WORDS]
    assert content["end_token"] == 3
    # A SavedModel folder given with a trailing slash names the same file.
    assert vocabulary_file.path_for(f"{tmp_path}/saved_model/") == vocabulary_file.path_for(
        tmp_path / "saved_model"
    )


@pytest.mark.slow
def test_an_ids_only_export_removes_a_stale_vocabulary(tmp_path):
    export.export_generator(_model(), tmp_path, verbose=False)
    stale = tmp_path / "saved_model.vocabulary.json"
    assert stale.is_file()
    export.export_generator(_model(vocabulary=False), tmp_path, verbose=False)
    assert not stale.exists()
    assert vocabulary_file.read(tmp_path / "saved_model") == (None, None)


@pytest.mark.parametrize(
    "content", ["{", '{"format": "other/1"}', '{"format": "kgan.vocabulary/1"}']
)
def test_a_damaged_file_is_a_clear_error(tmp_path, content):
    (tmp_path / "saved_model.vocabulary.json").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="is not a vocabulary written by kgan export.*again"):
        vocabulary_file.read(tmp_path / "saved_model")
