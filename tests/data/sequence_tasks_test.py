import numpy as np
import pytest

from kgan import data


def test_reverse_and_sort_targets():
    sources, targets = data.task_pairs(50, length=7, vocab_size=5, task="reverse", seed=3)
    assert sources.shape == targets.shape == (50, 7) and sources.dtype == np.int32
    np.testing.assert_array_equal(targets, sources[:, ::-1])
    assert sources.min() >= 0 and sources.max() == 4
    sorted_sources, sorted_targets = data.task_pairs(50, 7, 5, task="sort", seed=3)
    np.testing.assert_array_equal(sorted_sources, sources)  # same seed, same sources
    np.testing.assert_array_equal(sorted_targets, np.sort(sources, axis=1))
    other, _ = data.task_pairs(50, 7, 5, seed=4)
    assert not np.array_equal(other, sources)


def test_dataset_batches_full_pairs():
    dataset = data.task_dataset(100, batch_size=32, length=4, vocab_size=6, task="sort")
    batches = list(dataset.as_numpy_iterator())
    assert len(batches) == 3  # 100 // 32, the incomplete batch dropped
    for sources, targets in batches:
        assert sources.shape == targets.shape == (32, 4)
        np.testing.assert_array_equal(targets, np.sort(sources, axis=1))


def test_accuracy_by_hand():
    assert data.task_accuracy([[1, 2], [3, 3]], [[1, 2], [3, 4]]) == (0.5, 0.75)
    with pytest.raises(ValueError, match="differ in shape"):
        data.task_accuracy([[1, 2]], [[1, 2, 3]])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"task": "shuffle"}, "task must be one of"),
        ({"length": 0}, "length must be a positive integer"),
        ({"vocab_size": 2.5}, "vocab_size must be a positive integer"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(data.DataError, match=message):
        data.task_pairs(10, **kwargs)


def test_batch_larger_than_data():
    with pytest.raises(data.DataError, match="larger than the 10 pairs"):
        data.task_dataset(10, batch_size=16)
