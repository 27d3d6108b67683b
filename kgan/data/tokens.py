"""Token-id data for the sequence GANs: arrays or `.npy` files of int ids `[N, T]`, checked."""

import os

import numpy as np
import tensorflow as tf

from kgan.data import errors
from kgan.data import pipeline


def check_token_ids(tokens, vocab_size=None, max_length=None, what="tokens"):
    """`tokens` as an int32 array `[N, T]`, or `DataError` naming what is wrong with it.

    Args:
        tokens: Array-like of integer token ids.
        vocab_size: Ids must be below it. Defaults to `None` (not checked).
        max_length: Sequences must be exactly this long. Defaults to `None` (not checked).
        what: How the message names the data. Defaults to `"tokens"`.
    """
    try:
        array = np.asarray(tokens)
    except ValueError as error:  # ragged nested lists
        raise errors.DataError(
            f"{what} are ragged (sequences of different lengths): pad them to one length "
            "(e.g. with kgan.data.Vocabulary's pad id) first."
        ) from error
    if array.dtype == object:
        raise errors.DataError(
            f"{what} are ragged (sequences of different lengths): pad them to one length first."
        )
    if array.size == 0:
        raise errors.DataError(f"{what} are empty: there are no sequences to train on.")
    if not np.issubdtype(array.dtype, np.integer):
        raise errors.DataError(
            f"{what} must be integer token ids; got dtype {array.dtype}. Map text to ids first."
        )
    if array.ndim != 2:
        raise errors.DataError(
            f"{what} must be a 2-D array [N, T] of ids; got shape {array.shape}."
        )
    if max_length is not None and array.shape[1] != max_length:
        raise errors.DataError(
            f"{what} are sequences of length {array.shape[1]}, but the model takes "
            f"{max_length}: pad or cut them to {max_length}."
        )
    low, high = int(array.min()), int(array.max())
    if low < 0 or (vocab_size is not None and high >= vocab_size):
        limit = f"[0, {vocab_size})" if vocab_size is not None else ">= 0"
        raise errors.DataError(
            f"{what} hold ids from {low} to {high}, outside {limit}: the vocabulary does not "
            "match (pass the vocab_size the ids were made with)."
        )
    return array.astype(np.int32)


def from_token_ids(
    tokens,
    vocab_size=None,
    max_length=None,
    batch_size=64,
    shuffle=True,
    seed=None,
    drop_remainder=True,
):
    """A dataset of token-id batches `[batch, T]` from an array or a `.npy` file.

    Args:
        tokens: An int array `[N, T]` or the path of a `.npy` file holding one.
        vocab_size: Refuse ids at or above it. Defaults to `None`.
        max_length: Refuse sequences of another length. Defaults to `None`.
        batch_size: Sequences per batch. Defaults to `64`.
        shuffle: Shuffle the sequences every epoch. Defaults to `True`.
        seed: Seed of the shuffle. Defaults to `None`.
        drop_remainder: Drop the last, partial batch. Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of int32 batches.

    Raises:
        DataError: for a missing or unreadable file, ragged, empty or non-integer data, ids
            outside the vocabulary or sequences of the wrong length.

    Example:

    ```python
    dataset = kgan.data.from_token_ids("tokens.npy", vocab_size=5000, batch_size=64)
    ```
    """
    what = "tokens"
    if isinstance(tokens, (str, os.PathLike)):
        path, what = os.fspath(tokens), f"the token ids in {os.fspath(tokens)!r}"
        if not os.path.isfile(path):
            raise errors.DataError(f"No token file at {path!r}: give an .npy file of int ids.")
        try:
            tokens = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise errors.DataError(f"Could not read {path!r} as an .npy array: {error}") from None
    array = check_token_ids(tokens, vocab_size, max_length, what)
    if drop_remainder and len(array) < batch_size:
        raise errors.DataError(
            f"batch_size={batch_size} is larger than the {len(array)} sequences; lower it."
        )
    dataset = tf.data.Dataset.from_tensor_slices(array)
    if shuffle:
        dataset = dataset.shuffle(
            min(len(array), pipeline.DEFAULT_SHUFFLE_BUFFER),
            seed=seed,
            reshuffle_each_iteration=True,
        )
    return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
