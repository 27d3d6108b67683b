"""Tests for kgan/models/sequence_gan.py: with a `Vocabulary` it trains, saves and writes text."""

import keras
import numpy as np
import pytest

from kgan.data import text
from kgan.data import vocabulary as vocabulary_lib
from kgan.models import rel_gan
from kgan.models import seq_gan
from kgan.testing import sequences

# Eight words: with the four special tokens, the tiny networks' 12 ids.
WORDS = ["the", "cat", "dog", "sat", "ran", "a", "mat", "on"]


def make_model(objective_class=seq_gan.SeqGAN, vocabulary=None, **network_options):
    vocabulary = vocabulary_lib.Vocabulary(WORDS) if vocabulary is None else vocabulary
    return objective_class(
        sequences.tiny_generator(**network_options),
        sequences.tiny_discriminator(**network_options),
        seed=3,
        vocabulary=vocabulary,
    )


@pytest.mark.slow
def test_save_and_load_keep_the_vocabulary_and_its_padding(tmp_path):
    model = make_model()
    model.compile()
    assert model.pad_token == 0  # the vocabulary's pad id, unless told otherwise
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert type(loaded) is seq_gan.SeqGAN
    assert isinstance(loaded.vocabulary, vocabulary_lib.Vocabulary)
    assert loaded.vocabulary == model.vocabulary and loaded.pad_token == 0
    assert loaded.get_config()["vocabulary"]["config"]["words"] == WORDS
    assert loaded.generate_text(6, seed=2) == model.generate_text(6, seed=2)
    model.compile(pad_token=5)
    assert model.pad_token == 5


def test_generate_text_is_the_decoded_ids_of_known_words():
    model = make_model()
    model.compile()
    texts = model.generate_text(20, seed=1, temperature=0.8)
    assert len(texts) == 20 and all(isinstance(line, str) for line in texts)
    known = set(WORDS) | {"[UNK]", "[SOS]"}
    assert set(" ".join(texts).split()) <= known
    assert sum(len(line.split()) for line in texts) > 0
    ids = model.generate(20, seed=1, temperature=0.8, end_token=3)
    assert texts == model.vocabulary.decode(ids)
    # Each line holds the words before the first [EOS], padding left out.
    first = ids[0][: list(ids[0]).index(3)] if 3 in ids[0] else ids[0]
    assert texts[0].split() == [model.vocabulary.tokens[token] for token in first if token]


def test_a_text_dataset_trains_the_model_it_was_built_for():
    lines = ["the cat sat", "a dog ran", "the dog sat on a mat", "a cat ran"] * 4
    dataset, vocabulary = text.from_text_lines(lines, max_length=7, batch_size=8, seed=0)
    model = make_model(rel_gan.RelGAN, vocabulary, vocab_size=len(vocabulary), length=7)
    model.compile(pretrain_generator_epochs=1)
    history = model.fit(dataset, epochs=1, verbose=0)
    assert np.isfinite(history.history["mle_loss"][0]) and model.step == 2


def test_a_vocabulary_of_another_size_is_refused():
    with pytest.raises(ValueError, match="has 9 tokens but SeqGAN's generator has vocab_size=12"):
        make_model(vocabulary=vocabulary_lib.Vocabulary(WORDS[:5]))
    with pytest.raises(TypeError, match="must be a kgan.data.Vocabulary; got list"):
        make_model(vocabulary=WORDS)


def test_generate_text_needs_a_vocabulary():
    model = sequences.tiny_model(seq_gan.SeqGAN)
    model.compile()
    assert model.vocabulary is None and "vocabulary" not in model.get_config()
    with pytest.raises(ValueError, match="has no vocabulary to turn token ids into text"):
        model.generate_text(3)
