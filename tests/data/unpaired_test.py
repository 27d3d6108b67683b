"""Tests for kgan/data/unpaired.py: epoch length, independent shuffles, every source kind."""

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets
from PIL import Image

from kgan import data
from kgan.data import errors


def numbered(count, shape=(4, 4, 3)):
    """uint8 images whose every pixel is 10 * their index, so a batch says which images it holds."""
    return (10 * np.arange(count, dtype=np.uint8)).reshape(-1, *[1] * len(shape)) * np.ones(
        shape, np.uint8
    )


def indices(batch):
    """The indices of `numbered` images in a batch, read back from [-1, 1]."""
    return list(np.rint((batch.numpy()[:, 0, 0, 0] + 1) * 127.5 / 10).astype(int))


def epoch(dataset):
    """One epoch's image indices of domains a and b."""
    pairs = [(indices(a), indices(b)) for a, b in dataset]
    return sum((a for a, _ in pairs), []), sum((b for _, b in pairs), [])


def test_epoch_is_the_larger_domain_once_and_the_smaller_repeated():
    dataset = data.load_unpaired(numbered(10), numbered(4, (4, 4)), batch_size=2, seed=0)
    images_a, images_b = dataset.element_spec
    assert images_a.shape == (2, 4, 4, 3) and images_b.shape == (2, 4, 4, 1)  # gray stays gray
    assert images_a.dtype == images_b.dtype == tf.float32
    assert len(dataset) == 5  # known to Keras: max(10, 4) // 2
    for _ in range(2):
        order_a, order_b = epoch(dataset)
        assert sorted(order_a) == list(range(10))
        # The smaller domain is drawn again pass after pass, each pass a full permutation.
        assert sorted(order_b[:4]) == sorted(order_b[4:8]) == list(range(4))
    a, b = next(iter(dataset))
    assert a.numpy().min() >= -1 and b.numpy().max() <= 1


def test_partial_last_batch_is_kept_in_both_domains():
    dataset = data.load_unpaired(numbered(10), numbered(4), batch_size=4, drop_remainder=False)
    assert len(dataset) == 3
    assert [(len(a), len(b)) for a, b in dataset] == [(4, 4), (4, 4), (2, 2)]


def test_orders_are_independent_new_every_epoch_and_repeatable():
    def two_epochs(seed):
        dataset = data.load_unpaired(numbered(12), numbered(12), batch_size=3, seed=seed)
        return epoch(dataset), epoch(dataset)

    (first_a, first_b), (second_a, second_b) = two_epochs(seed=7)
    assert first_a != first_b  # a derived seed per domain: not the same permutation
    assert first_a != second_a and first_b != second_b  # reshuffled every epoch
    assert two_epochs(seed=7) == ((first_a, first_b), (second_a, second_b))
    assert two_epochs(seed=8)[0] != (first_a, first_b)
    unshuffled = data.load_unpaired(numbered(6), numbered(3), batch_size=3, shuffle=False)
    assert epoch(unshuffled) == ([0, 1, 2, 3, 4, 5], [0, 1, 2, 0, 1, 2])


def test_folders_with_different_channels(tmp_path):
    for index in range(5):
        (tmp_path / "gray").mkdir(exist_ok=True)
        Image.fromarray(numbered(5, (8, 8))[index]).save(tmp_path / "gray" / f"{index}.png")
    for index in range(3):
        (tmp_path / "rgb").mkdir(exist_ok=True)
        Image.fromarray(numbered(3, (8, 8, 3))[index]).save(tmp_path / "rgb" / f"{index}.png")
    dataset = data.load_unpaired(tmp_path / "gray", str(tmp_path / "rgb"), batch_size=1, seed=0)
    assert [spec.shape for spec in dataset.element_spec] == [(1, 8, 8, 1), (1, 8, 8, 3)]
    order_gray, order_rgb = epoch(dataset)
    assert sorted(order_gray) == list(range(5)) and set(order_rgb) == {0, 1, 2}
    both_rgb = data.load_unpaired(tmp_path / "gray", tmp_path / "rgb", image_size=4, channels=3)
    assert [spec.shape for spec in both_rgb.element_spec] == [(1, 4, 4, 3), (1, 4, 4, 3)]


def test_tfds_domains_drop_labels():
    with tensorflow_datasets.testing.mock_data(num_examples=6):
        with pytest.raises(errors.DataError, match="Domain 'a': .*differ in size.*image_size"):
            data.load_unpaired("cycle_gan/horse2zebra:trainA", "cycle_gan/horse2zebra:trainB")
        horses = data.load_unpaired(
            "cycle_gan/horse2zebra:trainA", numbered(9, (8, 8)), image_size=16, batch_size=3
        )
        assert [spec.shape for spec in horses.element_spec] == [(3, 16, 16, 3), (3, 16, 16, 1)]
        assert len(horses) == 3 and len(list(horses)) == 3
        digits = data.load_unpaired("mnist:train", "mnist:test", batch_size=2, channels=3)
        images_a, images_b = next(iter(digits))
        assert images_a.shape == images_b.shape == (2, 28, 28, 3)
        # A tfds dataset passed as is: dict examples, batched without a static batch size.
        raw = tensorflow_datasets.load("mnist", split="train").batch(4)
        mixed = data.load_unpaired(raw, "mnist:test", batch_size=2)
        assert len(mixed) == 3 and mixed.element_spec[0].shape == (2, 28, 28, 1)


def test_datasets_single_batched_or_with_labels():
    images = numbered(8).astype(np.float32) / 127.5 - 1  # floats in [-1, 1]
    labelled = tf.data.Dataset.from_tensor_slices((images, np.arange(8)))
    dataset = data.load_unpaired(labelled, tf.data.Dataset.from_tensor_slices(images).batch(4))
    assert len(dataset) == 8
    assert sorted(epoch(dataset)[0]) == sorted(epoch(dataset)[1]) == list(range(8))
    with pytest.raises(errors.DataError, match="Domain 'b': .*assert_cardinality"):
        data.load_unpaired(labelled, labelled.filter(lambda image, label: label > 2))
    with pytest.raises(errors.DataError, match="Domain 'a': .*repeats forever"):
        data.load_unpaired(labelled.repeat(), labelled)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"outside \[-1, 1\]"):
        list(data.load_unpaired(tf.data.Dataset.from_tensor_slices(images * 2), images))


def test_value_range():
    unit = numbered(4).astype(np.float32) / 255  # floats in [0, 1]
    a, b = next(
        iter(data.load_unpaired(unit, numbered(4), batch_size=4, value_range=(0, 1), shuffle=False))
    )
    assert a.numpy().min() == -1 and a.numpy().max() == pytest.approx(-1 + 60 / 255)
    np.testing.assert_allclose(a, b, atol=1e-6)
    with pytest.raises(errors.DataError, match="Domain 'b': .*not in \\[-1, 1\\].*value_range"):
        data.load_unpaired(numbered(4), unit * 255)


def test_errors_name_the_domain():
    with pytest.raises(errors.DataError, match="Domain 'a': the array holds no images"):
        data.load_unpaired(numbered(0), numbered(4))
    with pytest.raises(errors.DataError, match="Domain 'b' holds no images"):
        data.load_unpaired(numbered(4), tf.data.Dataset.from_tensor_slices(numbered(0)))
    with pytest.raises(errors.DataError, match="Domain 'b' holds 3 images, fewer than batch_"):
        data.load_unpaired(numbered(8), numbered(3), batch_size=4)
    with pytest.raises(errors.DataError, match="'a' holds 4x4 .* 'b' 8x8 .*image_size"):
        data.load_unpaired(numbered(4), numbered(4, (8, 8, 3)))
    with pytest.raises(errors.DataError, match="Domain 'a': Cannot load data from 'nowhere/'"):
        data.load_unpaired("nowhere/", numbered(4))
    with pytest.raises(errors.DataError, match="batch_size must be a positive int"):
        data.load_unpaired(numbered(4), numbered(4), batch_size=0)


class _PairCounter(keras.Model):
    """Consumes `(images_a, images_b)` batches as CycleGAN will, and counts them."""

    def __init__(self):
        super().__init__()
        self.pairs = keras.Variable(0.0, trainable=False)

    def train_step(self, batch):
        images_a, images_b = batch
        self.pairs.assign_add(tf.cast(tf.shape(images_a)[0] == tf.shape(images_b)[0], "float32"))
        return {"pairs": self.pairs}


def test_feeds_fit():
    model = _PairCounter()
    model.compile()
    history = model.fit(
        data.load_unpaired(numbered(6), numbered(2), batch_size=2),
        epochs=2,
        verbose=0,
        shuffle=False,
    )
    assert history.history["pairs"] == [3.0, 6.0]
