"""The source side of a sequence-to-sequence network: its arguments, inputs, embedding, mask.

`Seq2SeqGenerator` (whose encoder starts the decoder) and `SequencePairDiscriminator` (whose
encoder conditions the logit) read a source sequence the same way: token ids
`[0, source_vocab_size)` of length `source_length`, embedded by a layer named
`source_embedding`, with id 0 skipped as padding when `source_mask_zero` (the PAD of
`kgan.data.Vocabulary`), and both are called on a `[source, other]` pair. These functions are
that shared reading, so both networks check the same arguments and inputs alike and mask the
same ids.

The embedding stays an attribute of each network, not a layer of its own around it: a saved
`.keras` file records the weights under the network's attribute `source_embedding`, and a
wrapping layer would move them.

Example:

```python
vocab_size, length, mask_zero = source_embedding.check_source_arguments(12, 8, True)
embedding = source_embedding.build_source_embedding(vocab_size, 32, mask_zero)
embedded, mask = source_embedding.embed_source(embedding, source)  # [batch, 8, 32], [batch, 8]
```
"""

import keras
import tensorflow as tf

from kgan.networks import building_blocks


def check_source_arguments(source_vocab_size, source_length, source_mask_zero):
    """Checks a network's source arguments; raises `ValueError` for a bad size.

    Args:
        source_vocab_size: Number of source token ids, an integer >= 1.
        source_length: Length of the source sequences, an integer >= 1.
        source_mask_zero: Whether source id 0 is padding.

    Returns:
        `(source_vocab_size, source_length, source_mask_zero)` as `(int, int, bool)`.
    """
    building_blocks.check_positive_int("source_vocab_size", source_vocab_size)
    building_blocks.check_positive_int("source_length", source_length)
    return int(source_vocab_size), int(source_length), bool(source_mask_zero)


def build_source_embedding(source_vocab_size, embedding_dim, mask_zero):
    """A built `keras.layers.Embedding` of the source ids, named `"source_embedding"`.

    Args:
        source_vocab_size: Number of source token ids.
        embedding_dim: Size of the embeddings.
        mask_zero: Whether id 0 is padding (its positions masked out of the encoder).

    Returns:
        The layer, built for `[batch, source_length]` ids of any length.
    """
    embedding = keras.layers.Embedding(
        source_vocab_size, embedding_dim, mask_zero=mask_zero, name="source_embedding"
    )
    # Built now, as the networks' other layers are, so that the weights exist before the first
    # call (weights are copied and loaded into networks that have never run).
    embedding.build((None, None))
    return embedding


def embed_source(embedding, source):
    """`(embedded [batch, S, embedding_dim], mask [batch, S] or None)` of `source` ids.

    Args:
        embedding: The layer from `build_source_embedding`.
        source: int ids `[batch, S]`.

    Returns:
        The embedded source, and the mask to give its encoder: `None` unless the layer masks
        id 0.
    """
    source = tf.convert_to_tensor(source)
    embedded = embedding(source)
    mask = embedding.compute_mask(source) if embedding.mask_zero else None
    return embedded, mask


def split_source_pair(inputs, usage):
    """`(source, other)` of a network's `[source, other]` inputs, or `ValueError(usage)`.

    Args:
        inputs: What the network was called on: a list or tuple of two tensors.
        usage: The message for anything else, saying what the network takes.

    Returns:
        The two items, the source ids first.
    """
    # A single tensor of shape [2, ...] would unpack too, into two wrong halves: refuse it.
    if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
        raise ValueError(usage)
    source, other = inputs
    return source, other
