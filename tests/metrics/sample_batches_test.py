"""Tests for kgan/metrics/sample_batches.py: batch sizes and caps on arrays and datasets, single
samples batched, repeating datasets refused without a cap, per-batch generator seeds that are
deterministic and prefix-stable, and clear errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.metrics import sample_batches


def read(batches):
    """The `(samples, extra)` batches as NumPy arrays (`extra` stays `None` when absent)."""
    return [
        (np.asarray(samples), None if extra is None else np.asarray(extra))
        for samples, extra in batches
    ]


def sizes(batches):
    return [len(samples) for samples, _ in batches]


class RecordingGenerator:
    """A stand-in for a kgan model: `generate` records its arguments; sample i of a batch is
    `seed + i`, so the samples say which seed made them."""

    def __init__(self):
        self.calls = []

    def generate(self, num, seed=None, batch_size=None):
        self.calls.append((num, seed, batch_size))
        return (seed + np.arange(num, dtype=np.float64))[:, None]


def test_split():
    samples, labels = np.zeros((2, 3)), np.ones(2)
    assert sample_batches.split(samples) == (samples, None)
    assert sample_batches.split((samples,)) == (samples, None)
    assert sample_batches.split((samples, labels)) == (samples, labels)


def test_arrays_are_cut_into_batches_up_to_the_cap():
    samples, labels = np.arange(10.0)[:, None], np.arange(10) * 10
    assert sizes(read(sample_batches.batches(samples, 4))) == [4, 4, 2]
    capped = read(sample_batches.batches((samples, labels), 4, limit=7))
    assert sizes(capped) == [4, 3]
    np.testing.assert_array_equal(np.concatenate([s for s, _ in capped]), samples[:7])
    np.testing.assert_array_equal(np.concatenate([e for _, e in capped]), labels[:7])
    assert all(extra is None for _, extra in read(sample_batches.batches(samples, 4)))
    assert sizes(read(sample_batches.batches(samples, 4, limit=100))) == [4, 4, 2]


def test_datasets_are_read_as_batched_and_capped():
    samples, labels = np.arange(10.0)[:, None], np.arange(10)
    dataset = tf.data.Dataset.from_tensor_slices((samples, labels)).batch(3)
    # A batched dataset keeps its own batch size; the cap cuts the batch that reaches it.
    capped = read(sample_batches.batches(dataset, 4, limit=7, name="real_data"))
    assert sizes(capped) == [3, 3, 1]
    np.testing.assert_array_equal(np.concatenate([e for _, e in capped]), labels[:7])
    # A cap stops a repeating dataset.
    endless = read(sample_batches.batches(dataset.repeat(), 4, limit=25))
    assert sizes(endless) == [3, 3, 3, 1] * 2 + [3, 2]
    np.testing.assert_array_equal(np.concatenate([s for s, _ in endless])[20:], samples[:5])


def test_single_images_and_feature_vectors_are_batched():
    images = np.random.default_rng(0).uniform(-1, 1, (10, 4, 4, 1)).astype("float32")
    single_images = tf.data.Dataset.from_tensor_slices(images)
    batches = read(sample_batches.batches(single_images, 4))
    assert sizes(batches) == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([s for s, _ in batches]), images)
    vectors = tf.data.Dataset.from_tensor_slices((images.reshape(10, 16), np.arange(10)))
    assert sizes(read(sample_batches.batches(vectors, 3, limit=8))) == [3, 3, 2]


def test_repeating_dataset_without_a_cap_and_dicts_are_refused():
    endless = tf.data.Dataset.from_tensors(np.eye(4)).repeat()
    with pytest.raises(ValueError, match=r"real_data is a repeating \(infinite\).*num_real"):
        next(sample_batches.batches(endless, 4, name="real_data"))
    dicts = tf.data.Dataset.from_tensors({"images": np.eye(4)})
    with pytest.raises(ValueError, match="yields dicts"):
        next(sample_batches.batches(dicts, 4))
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        next(sample_batches.batches(np.eye(4), 0))


def test_generator_batches_get_their_seeds_from_one_seed():
    generator = RecordingGenerator()
    batches = read(sample_batches.generated_batches(generator, 40, seed=5, batch_size=16))
    seeds = np.random.SeedSequence(5).generate_state(3)
    assert generator.calls == [(16, seeds[0], 16), (16, seeds[1], 16), (8, seeds[2], 16)]
    assert all(type(seed) is int for _, seed, _ in generator.calls)
    assert sizes(batches) == [16, 16, 8] and all(extra is None for _, extra in batches)
    # Deterministic, and prefix-stable: a larger evaluation starts with the same full batches
    # and gives its third batch the same seed (16 samples there, 8 here).
    again = read(sample_batches.generated_batches(generator, 40, seed=5, batch_size=16))
    for (samples, _), (repeated, _) in zip(batches, again, strict=True):
        np.testing.assert_array_equal(repeated, samples)
    del generator.calls[:]
    larger = read(sample_batches.generated_batches(generator, 72, seed=5, batch_size=16))
    assert sizes(larger) == [16, 16, 16, 16, 8]
    assert [seed for _, seed, _ in generator.calls[:3]] == list(seeds)
    for (samples, _), (first, _) in zip(batches[:2], larger, strict=False):
        np.testing.assert_array_equal(first, samples)
    other = read(sample_batches.generated_batches(generator, 40, seed=6, batch_size=16))
    assert not np.array_equal(other[0][0], batches[0][0])


def test_generate_fn_with_conditions_and_generated_data():
    def generate_fn(num, seed):
        return np.full((num, 2), seed % 7), np.arange(num) % 3

    batches = read(sample_batches.generated_batches(generate_fn, 5, seed=1, batch_size=2))
    assert sizes(batches) == [2, 2, 1]
    np.testing.assert_array_equal(np.concatenate([c for _, c in batches]), [0, 1, 0, 1, 0])
    # Data already generated is read like any data: num_samples caps it.
    samples, conditions = np.arange(9.0)[:, None], np.arange(9)
    data = read(sample_batches.generated_batches((samples, conditions), 5, batch_size=2))
    assert sizes(data) == [2, 2, 1]
    np.testing.assert_array_equal(np.concatenate([c for _, c in data]), conditions[:5])
    assert sizes(read(sample_batches.generated_batches(samples, batch_size=4))) == [4, 4, 1]


def test_generator_errors():
    with pytest.raises(ValueError, match="num_samples is needed"):
        next(sample_batches.generated_batches(lambda num, seed: np.eye(4)[:num]))
    with pytest.raises(ValueError, match="Sequential has no `generate"):
        next(sample_batches.generated_batches(keras.Sequential([keras.layers.Dense(4)]), 4))
    with pytest.raises(ValueError, match="asked for 4 samples and returned 3"):
        next(sample_batches.generated_batches(lambda num, seed: np.eye(3), 4, batch_size=4))
    with pytest.raises(ValueError, match="num_samples must be a positive integer, got 0"):
        next(sample_batches.generated_batches(np.eye(4), num_samples=0))
    endless = tf.data.Dataset.from_tensors(np.eye(4)).repeat()
    with pytest.raises(ValueError, match="The generated samples is a repeating"):
        next(sample_batches.generated_batches(endless))


class ConditionalGenerator:
    """A stand-in for a `kgan.ConditionalGAN`: `generate(labels, seed=...)` records its calls;
    sample i is `[label_i, seed]`, so the samples say which condition and seed made them."""

    def __init__(self, num_classes=3, condition_dim=None):
        self.num_classes, self.condition_dim = num_classes, condition_dim
        self.calls = []

    def generate(self, labels, seed=None, batch_size=256):
        self.calls.append((np.array(labels), seed, batch_size))
        first = labels if labels.ndim == 1 else labels.sum(axis=1)
        return np.stack([first, np.full(len(labels), seed)], axis=1).astype("float32")


def test_conditional_class_ids_are_uniform_per_batch_seed_and_yielded():
    generator = ConditionalGenerator(num_classes=3)
    first = read(sample_batches.generated_batches(generator, 600, seed=4, batch_size=256))
    again = read(sample_batches.generated_batches(generator, 600, seed=4, batch_size=256))
    seeds = np.random.SeedSequence(4).generate_state(3)
    for (samples, conditions), (samples_again, _), call, seed in zip(
        first, again, generator.calls, seeds, strict=False
    ):
        np.testing.assert_array_equal(samples, samples_again)
        np.testing.assert_array_equal(conditions, call[0])  # the ids generated for
        np.testing.assert_array_equal(samples[:, 0], conditions)
        assert call[1] == seed and call[2] == 256 and conditions.dtype == np.int32
    ids = np.concatenate([conditions for _, conditions in first])
    assert sizes(first) == [256, 256, 88] and set(ids) == {0, 1, 2}
    assert abs(np.mean(ids == 2) - 1 / 3) < 0.06


def test_explicit_conditions_give_sample_i_for_row_i():
    generator = ConditionalGenerator(num_classes=3)
    labels = np.array([2, 0, 1, 1, 2])
    batches = read(sample_batches.generated_batches(generator, batch_size=2, conditions=labels))
    assert sizes(batches) == [2, 2, 1]  # num_samples defaults to the rows given
    np.testing.assert_array_equal(np.concatenate([c for _, c in batches]), labels)
    with pytest.raises(ValueError, match="3 label rows, but num_samples is 5"):
        list(sample_batches.generated_batches(generator, 5, conditions=labels[:3]))
    with pytest.raises(ValueError, match=r"Class ids must lie in \[0, 3\)"):
        list(sample_batches.generated_batches(generator, conditions=np.array([0, 3])))


def test_attribute_conditions_need_rows_and_are_not_yielded_as_classes():
    generator = ConditionalGenerator(num_classes=None, condition_dim=2)
    with pytest.raises(ValueError, match="attribute vectors .* no uniform default"):
        list(sample_batches.generated_batches(generator, 4))
    pool = np.array([[0, 1], [1, 1]], "float32")
    draw = sample_batches.rows_of(pool)
    batches = read(sample_batches.generated_batches(generator, 40, seed=1, conditions=draw))
    assert all(conditions is None for _, conditions in batches)
    drawn = np.concatenate([call[0] for call in generator.calls])
    assert drawn.shape == (40, 2) and {tuple(row) for row in drawn} == {(0, 1), (1, 1)}
    with pytest.raises(ValueError, match=r"shape \[n, 2\]"):
        list(sample_batches.generated_batches(generator, conditions=np.zeros((3, 5))))


def test_conditions_for_an_unconditional_generator_are_refused():
    with pytest.raises(ValueError, match="not conditional"):
        list(sample_batches.generated_batches(RecordingGenerator(), 4, conditions=np.zeros(4)))
