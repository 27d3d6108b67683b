"""Tests for kgan/data/tokens.py: token-id datasets and the errors for bad ids."""

import numpy as np
import pytest

from kgan.data import errors
from kgan.data import tokens


def test_array_and_npy_give_the_same_batches(tmp_path):
    ids = np.arange(40, dtype=np.int64).reshape(10, 4) % 7
    np.save(tmp_path / "ids.npy", ids)
    from_array = list(tokens.from_token_ids(ids, vocab_size=7, batch_size=4, shuffle=False))
    from_file = list(tokens.from_token_ids(tmp_path / "ids.npy", batch_size=4, shuffle=False))
    assert len(from_array) == 2 and from_array[0].dtype.name == "int32"
    for a, b in zip(from_array, from_file):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(from_array[1].numpy(), ids[4:8])
    shuffled = np.concatenate([b.numpy() for b in tokens.from_token_ids(ids, batch_size=5, seed=1)])
    assert sorted(map(tuple, shuffled)) == sorted(map(tuple, ids))


@pytest.mark.parametrize(
    "data, options, message",
    [
        ([[1, 2], [3]], {}, "ragged"),
        (np.zeros((0, 4), np.int32), {}, "empty"),
        (np.zeros((4, 4), np.float32), {}, "must be integer token ids"),
        (np.zeros(4, np.int32), {}, r"2-D array \[N, T\]"),
        (np.full((4, 4), 9), {"vocab_size": 9}, r"ids from 9 to 9, outside \[0, 9\)"),
        (np.full((4, 4), -1), {}, "outside >= 0"),
        (np.zeros((4, 5), np.int32), {"max_length": 4}, "length 5, but the model takes 4"),
        (np.zeros((4, 4), np.int32), {"batch_size": 8}, "larger than the 4 sequences"),
    ],
)
def test_bad_data_is_a_clear_error(data, options, message):
    with pytest.raises(errors.DataError, match=message):
        tokens.from_token_ids(data, **options)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(errors.DataError, match="No token file"):
        tokens.from_token_ids(tmp_path / "missing.npy")
    (tmp_path / "bad.npy").write_text("not numpy")
    with pytest.raises(errors.DataError, match="Could not read"):
        tokens.from_token_ids(tmp_path / "bad.npy")
