"""Tests for kgan/data/errors.py: one error type, catchable as ValueError."""

import numpy as np
import pytest

from kgan import data
from kgan.data import errors


def test_data_error_is_a_value_error_and_exported():
    assert issubclass(errors.DataError, ValueError)
    assert data.DataError is errors.DataError


@pytest.mark.parametrize(
    "make_dataset",
    [
        lambda tmp_path: data.load_digits(batch_size=0),
        lambda tmp_path: data.from_arrays(np.zeros([3])),
        lambda tmp_path: data.from_folder(tmp_path / "missing"),
        lambda tmp_path: data.load("not_a_dataset_name"),
        lambda tmp_path: data.from_text_files(tmp_path / "missing.txt", max_length=8),
    ],
)
def test_every_loader_raises_it(tmp_path, make_dataset):
    with pytest.raises(ValueError) as info:
        make_dataset(tmp_path)
    assert type(info.value) is errors.DataError


def test_public_api():
    assert sorted(data.__all__) == [
        "DataError",
        "Vocabulary",
        "check_token_ids",
        "digits_arrays",
        "from_arrays",
        "from_folder",
        "from_paired_folders",
        "from_side_by_side",
        "from_text_files",
        "from_text_lines",
        "from_tfds",
        "from_tfds_text",
        "from_token_ids",
        "load",
        "load_digits",
        "load_unpaired",
        "make_oracle",
        "oracle_sequences",
        "paired_arrays",
        "python_docs_sentences",
        "random_jitter",
        "task_accuracy",
        "task_dataset",
        "task_pairs",
    ]
    for name in data.__all__:
        assert getattr(data, name).__doc__, name
