"""Tests for kgan/networks/source_embedding.py: the source side both seq2seq networks share."""

import numpy as np
import pytest

from kgan.networks import seq2seq_generator
from kgan.networks import sequence_pair_discriminator
from kgan.networks import source_embedding


def test_arguments_come_back_as_python_values():
    checked = source_embedding.check_source_arguments(np.int64(12), 8, 1)
    assert checked == (12, 8, True)
    assert [type(value) for value in checked] == [int, int, bool]


@pytest.mark.parametrize(
    "arguments, name",
    [((0, 8, False), "source_vocab_size"), ((12, True, False), "source_length")],
)
def test_bad_sizes_are_refused_by_name(arguments, name):
    with pytest.raises(ValueError, match=f"`{name}` must be an integer >= 1"):
        source_embedding.check_source_arguments(*arguments)


@pytest.mark.parametrize(
    "network_class",
    [seq2seq_generator.Seq2SeqGenerator, sequence_pair_discriminator.SequencePairDiscriminator],
)
def test_both_networks_refuse_the_same_source_arguments(network_class):
    with pytest.raises(ValueError, match="`source_length` must be an integer >= 1"):
        network_class(source_vocab_size=12, source_length=0, vocab_size=12, max_length=6)


def test_the_embedding_is_built_and_masks_id_zero_only_when_asked():
    source = np.array([[3, 1, 0, 0]])
    for mask_zero, expected in ((False, None), (True, [[True, True, False, False]])):
        embedding = source_embedding.build_source_embedding(12, 4, mask_zero)
        assert embedding.name == "source_embedding" and embedding.built
        embedded, mask = source_embedding.embed_source(embedding, source)
        assert embedded.shape == (1, 4, 4)
        assert (mask if mask is None else mask.numpy().tolist()) == expected


def test_a_pair_splits_and_anything_else_gets_the_usage():
    assert source_embedding.split_source_pair(("source", "output"), "usage") == ("source", "output")
    for inputs in (np.zeros((2, 3)), ["source"], ["a", "b", "c"]):
        with pytest.raises(ValueError, match="^takes a pair$"):
            source_embedding.split_source_pair(inputs, "takes a pair")
