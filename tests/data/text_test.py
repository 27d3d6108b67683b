"""Tests for kgan/data/text.py: lines, files and tensorflow-datasets text to token batches."""

import numpy as np
import pytest
import tensorflow_datasets

from kgan.data import errors
from kgan.data import text
from kgan.data import vocabulary as vocabulary_lib

LINES = ["The cat sat.", "", "A dog ran!", "   ", "The dog sat.", "A cat ran."]
SENTENCES = [line for line in LINES if line.strip()]


def rows(dataset):
    return np.concatenate([batch.numpy() for batch in dataset])


def test_lines_become_shuffled_batches_of_the_vocabularys_ids():
    dataset, vocabulary = text.from_text_lines(LINES, max_length=5, batch_size=2, seed=0)
    assert vocabulary == vocabulary_lib.Vocabulary.build(SENTENCES)
    assert dataset.element_spec.shape.as_list() == [2, 5]
    assert dataset.element_spec.dtype == "int32"
    # Blank lines are skipped; every sentence is there once an epoch, in some order.
    epoch = rows(dataset)
    expected = vocabulary.encode(SENTENCES, 5)
    assert sorted(map(tuple, epoch)) == sorted(map(tuple, expected))
    assert not np.array_equal(epoch, expected) or not np.array_equal(rows(dataset), epoch)
    unshuffled, _ = text.from_text_lines(LINES, 5, batch_size=4, shuffle=False)
    np.testing.assert_array_equal(rows(unshuffled), expected)  # 4 of 4: no remainder


def test_a_given_vocabulary_is_reused_for_held_out_lines():
    _, vocabulary = text.from_text_lines(SENTENCES, 5, batch_size=2)
    held_out, same = text.from_text_lines(["The bird sat."], 5, batch_size=1, vocabulary=vocabulary)
    assert same is vocabulary
    the, sat = vocabulary.words.index("the") + 4, vocabulary.words.index("sat") + 4
    np.testing.assert_array_equal(rows(held_out), [[the, 1, sat, 3, 0]])


def test_too_long_sentences_error_truncate_or_drop():
    lines = ["one two three four five", "a b", "c d e"]
    with pytest.raises(errors.DataError, match="1 of 3 sentences are longer than max_length=4"):
        text.from_text_lines(lines, 4, batch_size=1)
    cut, vocabulary = text.from_text_lines(
        lines, 4, batch_size=3, too_long="truncate", shuffle=False
    )
    assert vocabulary.decode(rows(cut)) == ["one two three four", "a b", "c d e"]
    kept, vocabulary = text.from_text_lines(lines, 4, batch_size=2, too_long="drop", shuffle=False)
    assert vocabulary.decode(rows(kept)) == ["a b", "c d e"]
    # The dropped sentence's words are not in the vocabulary built from what is kept.
    assert sorted(vocabulary.words) == ["a", "b", "c", "d", "e"]
    with pytest.raises(errors.DataError, match="Every sentence of the lines is longer"):
        text.from_text_lines(lines, 2, batch_size=1, too_long="drop")


def test_line_errors():
    with pytest.raises(errors.DataError, match="the lines hold no sentences: every line is blank"):
        text.from_text_lines(["", " ", "?!"], 5)
    with pytest.raises(errors.DataError, match="batch_size=8 is larger than the 4 sequences"):
        text.from_text_lines(SENTENCES, 5, batch_size=8)
    with pytest.raises(ValueError, match="too_long must be one of"):
        text.from_text_lines(SENTENCES, 5, too_long="skip")


def test_files_and_globs_read_every_line_in_order(tmp_path):
    (tmp_path / "a.txt").write_text("The cat sat.\n\nA dog ran!\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Un café noir.\r\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("The end.", encoding="utf-8")
    dataset, vocabulary = text.from_text_files(
        str(tmp_path / "**" / "*.txt"), 4, batch_size=4, shuffle=False
    )
    assert vocabulary.decode(rows(dataset)) == [
        "the cat sat",
        "a dog ran",
        "un café noir",
        "the end",
    ]
    # A list of paths (and a path object) reads the same.
    listed, _ = text.from_text_files(
        [tmp_path / "a.txt", str(tmp_path / "b.txt"), tmp_path / "sub" / "c.txt"],
        4,
        batch_size=4,
        shuffle=False,
        vocabulary=vocabulary,
    )
    np.testing.assert_array_equal(rows(listed), rows(dataset))


def test_file_errors(tmp_path):
    with pytest.raises(errors.DataError, match="No text file at .*missing.txt"):
        text.from_text_files(tmp_path / "missing.txt", 5)
    with pytest.raises(errors.DataError, match=r"No files match .*\*\.txt"):
        text.from_text_files(str(tmp_path / "*.txt"), 5)
    with pytest.raises(errors.DataError, match=r"is a folder: give its files, e.g. .*\*\.txt"):
        text.from_text_files(tmp_path, 5)
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 noir\n".encode("latin-1"))
    with pytest.raises(errors.DataError, match="latin1.txt' is not UTF-8 text .*byte 3"):
        text.from_text_files(tmp_path / "latin1.txt", 5)
    (tmp_path / "blank.txt").write_text("\n\n", encoding="utf-8")
    with pytest.raises(errors.DataError, match="blank.txt' hold no sentences"):
        text.from_text_files(tmp_path / "blank.txt", 5)
    with pytest.raises(errors.DataError, match="No text files given"):
        text.from_text_files([], 5)


def test_tfds_text_under_mock_data():
    with tensorflow_datasets.testing.mock_data(num_examples=12):
        raw = [
            example["text"].decode("utf-8")
            for example in tensorflow_datasets.load("lm1b", split="train").as_numpy_iterator()
        ]
        dataset, vocabulary = text.from_tfds_text(
            "lm1b", 6, batch_size=4, too_long="truncate", shuffle=False
        )
        with pytest.raises(errors.DataError, match="'lm1b' has no feature 'sentence'.*text"):
            text.from_tfds_text("lm1b", 6, text_key="sentence")
        with pytest.raises(errors.DataError, match="'label' is int64 .*not one string"):
            text.from_tfds_text("imdb_reviews", 6, text_key="label")
    assert vocabulary == vocabulary_lib.Vocabulary.build(raw)
    np.testing.assert_array_equal(rows(dataset), vocabulary.encode(raw, 6, truncate=True))


def test_tfds_text_errors_are_the_image_loaders(tmp_path):
    with pytest.raises(errors.DataError, match="no dataset named 'lm1c'. Close matches: lm1b"):
        text.from_tfds_text("lm1c", 6)
    with pytest.raises(errors.DataError, match="not prepared in .*download=False") as info:
        text.from_tfds_text("lm1b", 6, data_dir=str(tmp_path), download=False)
    assert "kgan.data.from_tfds_text('lm1b', download=True)" in str(info.value)
