"""Tests for kgan/data/corpus.py: Python's documentation as a small offline English corpus."""

import collections

import pytest

from kgan.data import corpus
from kgan.data import text


@pytest.fixture(scope="module")
def sentences():
    return corpus.python_docs_sentences()


@pytest.mark.slow
def test_thousands_of_unique_ascii_prose_sentences(sentences):
    assert len(sentences) > 5000
    assert len(set(sentences)) == len(sentences)
    counts = collections.Counter(len(sentence.split()) for sentence in sentences)
    assert min(counts) == 5 and max(counts) == 20
    for sentence in sentences:
        assert sentence.isascii() and sentence[0].isupper() and sentence[-1] in ".?", sentence
        assert not any(mark in sentence for mark in ("()", "_", "*", "=", ">>>", "--")), sentence
    # Real English: the commonest words are English function words.
    words = collections.Counter(word.lower() for s in sentences for word in s.split())
    assert {"the", "a", "of", "is", "to"} <= {word for word, _ in words.most_common(10)}


def test_deterministic_and_filtered_by_length(sentences):
    assert corpus.python_docs_sentences() == sentences
    short = corpus.python_docs_sentences(min_words=3, max_words=8)
    assert all(3 <= len(sentence.split()) <= 8 for sentence in short)
    assert set(s for s in sentences if len(s.split()) <= 8) <= set(short)
    topics = corpus.python_docs_sentences(sources="topics")
    docstrings = corpus.python_docs_sentences(sources=("docstrings",))
    assert 500 < len(topics) < len(docstrings)
    assert set(topics) | set(docstrings) == set(sentences)


def test_sentences_of_keeps_prose_and_leaves_out_code():
    help_text = (
        'The "if" statement\n'
        "******************\n\n"
        "The *if* statement is used for\n"
        "   conditional execution.  Call len() to count.\n\n"
        '   if_stmt ::= "if" expression ":" suite\n\n'
        ">>> print(1)\n1\n\n"
        "A TypeError is raised here.  It\u2019s a rule \u2014 always.\n"
    )
    assert corpus.sentences_of(help_text) == [
        "The if statement is used for conditional execution.",
        "It's a rule - always.",
    ]


def test_bad_arguments():
    with pytest.raises(ValueError, match="min_words <= max_words"):
        corpus.python_docs_sentences(min_words=9, max_words=3)
    with pytest.raises(ValueError, match="sources must be some of"):
        corpus.python_docs_sentences(sources="manual")


def test_it_feeds_the_text_loader(sentences):
    dataset, vocabulary = text.from_text_lines(sentences, max_length=21, batch_size=64)
    assert dataset.element_spec.shape.as_list() == [64, 21]
    assert 3000 < len(vocabulary) < 20000
    assert vocabulary.words[0] == "the"
