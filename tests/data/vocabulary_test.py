"""Tests for kgan/data/vocabulary.py: ids by hand, Keras' layout and standardization, errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.data import errors
from kgan.data import vocabulary as vocabulary_lib

CORPUS = ["The cat sat on the mat.", "The dog sat!", "A cat, a DOG; a bird"]
# Counts: a 3, the 3, cat 2, dog 2, sat 2, bird 1, mat 1, on 1 (ties alphabetical).
WORDS = ["a", "the", "cat", "dog", "sat", "bird", "mat", "on"]


@pytest.fixture
def vocabulary():
    return vocabulary_lib.Vocabulary.build(CORPUS)


def test_ids_by_hand(vocabulary):
    assert vocabulary.tokens == ["", "[UNK]", "[SOS]", "[EOS]", *WORDS]
    assert len(vocabulary) == vocabulary.size == 12
    assert (vocabulary.pad_id, vocabulary.unk_id, vocabulary.start_id, vocabulary.end_id) == (
        0,
        1,
        2,
        3,
    )
    ids = vocabulary.encode(CORPUS, max_length=8)
    np.testing.assert_array_equal(
        ids,
        [
            [5, 6, 8, 11, 5, 10, 3, 0],  # the cat sat on the mat [EOS] PAD
            [5, 7, 8, 3, 0, 0, 0, 0],
            [4, 6, 4, 7, 4, 9, 3, 0],
        ],
    )
    assert ids.dtype == np.int32


def test_min_frequency_and_max_size():
    frequent = vocabulary_lib.Vocabulary.build(CORPUS, min_frequency=2)
    assert frequent.words == ["a", "the", "cat", "dog", "sat"]
    # "on" and "mat" are now unknown.
    np.testing.assert_array_equal(
        frequent.encode(["the cat sat on the mat"], 8), [[5, 6, 8, 1, 5, 1, 3, 0]]
    )
    assert vocabulary_lib.Vocabulary.build(CORPUS, max_size=6).words == ["a", "the"]
    with pytest.raises(errors.DataError, match="min_frequency=4 leaves no words.*seen 3 times"):
        vocabulary_lib.Vocabulary.build(CORPUS, min_frequency=4)
    with pytest.raises(ValueError, match="max_size counts the 4 special tokens"):
        vocabulary_lib.Vocabulary.build(CORPUS, max_size=4)


def test_round_trip_stops_at_end_and_keeps_unknown(vocabulary):
    sentences = ["the cat sat on the mat", "a bird", "the zebra sat"]
    ids = vocabulary.encode(sentences, max_length=8)
    assert vocabulary.decode(ids) == ["the cat sat on the mat", "a bird", "the [UNK] sat"]
    # Ids after the first [EOS] are not read; padding is dropped wherever it is.
    assert vocabulary.decode([[5, 0, 6, 3, 7, 7], [3, 5, 5, 5, 5, 5]]) == ["the cat", ""]
    assert vocabulary.decode(tf.constant([4, 12 - 1])) == ["a on"]  # one sequence
    with pytest.raises(errors.DataError, match=r"from 0 to 12 are outside .* \[0, 12\)"):
        vocabulary.decode([[0, 12]])


def test_without_end_too_long_and_truncate(vocabulary):
    np.testing.assert_array_equal(vocabulary.encode("a bird", 4, add_end=False), [[4, 9, 0, 0]])
    # Six words and [EOS] need 7 positions.
    with pytest.raises(errors.DataError, match=r"sentence 0 \('The cat sat.*has 7 tokens with"):
        vocabulary.encode(CORPUS, max_length=6)
    np.testing.assert_array_equal(
        vocabulary.encode(CORPUS[:1], 6, add_end=False), [[5, 6, 8, 11, 5, 10]]
    )
    cut = vocabulary.encode(CORPUS, max_length=4, truncate=True)
    np.testing.assert_array_equal(cut, [[5, 6, 8, 11], [5, 7, 8, 3], [4, 6, 4, 7]])
    with pytest.raises(ValueError, match="max_length must be a positive integer"):
        vocabulary.encode(CORPUS, max_length=0)


def test_ids_are_what_keras_layers_make(vocabulary):
    text = ["It's the CAT's mat, isn't it?", "  dog\tsat  on...  "]
    layer = keras.layers.TextVectorization(vocabulary=vocabulary.tokens, ragged=True)
    expected = layer(tf.constant(text)).to_list()
    assert vocabulary.encode_ragged(text).to_list() == expected
    np.testing.assert_array_equal(vocabulary.lengths(text), [len(row) for row in expected])
    # StringLookup with mask_token="" puts every token at the same id.
    lookup = keras.layers.StringLookup(mask_token="", vocabulary=vocabulary.tokens)
    assert lookup.get_vocabulary() == vocabulary.tokens
    np.testing.assert_array_equal(lookup(tf.constant(vocabulary.tokens[2:])), range(2, 12))
    # The words are exactly the tokens an uncapped adapt finds.
    adapted = keras.layers.TextVectorization()
    adapted.adapt(CORPUS)
    assert sorted(adapted.get_vocabulary()[2:]) == sorted(vocabulary.words)


def test_other_settings_split_characters_and_keep_case():
    characters = vocabulary_lib.Vocabulary.build(["abba", "cab"], split="character")
    assert characters.words == ["a", "b", "c"]
    assert characters.decode(characters.encode(["cab"], 5)) == ["cab"]
    cased = vocabulary_lib.Vocabulary.build(["Cat cat CAT cat"], standardize=None)
    assert cased.words == ["cat", "CAT", "Cat"]


def test_config_round_trip_and_keras_serialization(vocabulary):
    config = vocabulary.get_config()
    assert config == {
        "words": WORDS,
        "standardize": "lower_and_strip_punctuation",
        "split": "whitespace",
    }
    assert vocabulary_lib.Vocabulary.from_config(config) == vocabulary
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(vocabulary)
    )
    assert type(restored) is vocabulary_lib.Vocabulary and restored == vocabulary
    np.testing.assert_array_equal(restored.encode(CORPUS, 8), vocabulary.encode(CORPUS, 8))
    assert vocabulary_lib.Vocabulary(WORDS[:2]) != vocabulary


def test_errors_name_the_problem():
    with pytest.raises(errors.DataError, match="The corpus is empty: 2 texts hold no words"):
        vocabulary_lib.Vocabulary.build(["...", " "])
    with pytest.raises(errors.DataError, match="The corpus is empty: 0 texts"):
        vocabulary_lib.Vocabulary.build([])
    with pytest.raises(ValueError, match=r"special tokens \['\[EOS\]'\]"):
        vocabulary_lib.Vocabulary(["a", "[EOS]"])
    with pytest.raises(ValueError, match=r"must be unique; repeated: \['a'\]"):
        vocabulary_lib.Vocabulary(["a", "b", "a"])
    with pytest.raises(ValueError, match="standardize must be one of"):
        vocabulary_lib.Vocabulary(["a"], standardize=str.lower)
    with pytest.raises(errors.DataError, match="Texts must be strings; got a int"):
        vocabulary_lib.Vocabulary(["a"]).encode([3], 4)
