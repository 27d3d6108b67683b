"""Tests for kgan/data/loading.py: one text spec to a dataset (digits, folder or tfds)."""

import numpy as np
import pytest
import tensorflow_datasets
from PIL import Image

from kgan import data
from kgan.data import errors


def test_digits():
    dataset = data.load("digits", image_size=16, batch_size=32, with_labels=True, seed=1)
    images, labels = dataset.element_spec
    assert images.shape == (32, 16, 16, 1) and labels.dtype == "int32"
    rgb = data.load("digits", image_size=None, batch_size=32, channels=3)
    assert rgb.element_spec.shape == (32, 8, 8, 3)


def test_folder(tmp_path, monkeypatch):
    for index in range(4):
        pixels = np.full([5, 5], index * 60, np.uint8)
        Image.fromarray(pixels).save(tmp_path / f"{index}.png")
    dataset = data.load(str(tmp_path), image_size=8, batch_size=4)
    assert dataset.element_spec.shape == (4, 8, 8, 1)  # gray files, channels=None -> 1
    assert data.load(tmp_path, batch_size=2, channels=3).element_spec.shape == (2, 32, 32, 3)
    monkeypatch.chdir(tmp_path.parent)
    assert data.load(tmp_path.name, image_size=None, batch_size=2).element_spec.shape[1] == 5
    with pytest.raises(errors.DataError, match="carries no labels"):
        data.load(str(tmp_path), with_labels=True)


def test_tfds_name_and_split(monkeypatch):
    # The mock gives every split the same random examples, so the split asked for is checked
    # where it reaches tensorflow-datasets.
    real_load, asked = tensorflow_datasets.load, []

    def recording_load(name, split=None, **kwargs):
        asked.append((name, split))
        return real_load(name, split=split, **kwargs)

    monkeypatch.setattr(tensorflow_datasets, "load", recording_load)
    with tensorflow_datasets.testing.mock_data(num_examples=10):
        dataset = data.load("mnist:test", image_size=16, batch_size=5, with_labels=True)
        images, labels = next(iter(dataset))
        assert images.shape == (5, 16, 16, 1) and labels.shape == (5,)
        partial = data.load("cifar10:train[:50%]", batch_size=5, image_size=None)
        assert partial.element_spec.shape == (5, 32, 32, 3)
        # tfds names are lowercase with underscores; other spellings are accepted.
        assert data.load("Fashion-MNIST", batch_size=5).element_spec.shape == (5, 32, 32, 1)
    assert asked == [
        ("mnist", "test"),
        ("cifar10", "train[:50%]"),
        ("fashion_mnist", "train"),  # the default split
    ]


def test_empty_spec_says_what_to_pass():
    with pytest.raises(errors.DataError, match="spec is empty: name 'digits'"):
        data.load("  ")


@pytest.mark.parametrize(
    "spec, message",
    [
        ("mnst", r"'mnst' is not a tensorflow-datasets name \(close matches: mnist"),
        ("no_such_data", "no folder exists at .*no_such_data; 'no_such_data' is not a tensorf"),
        ("./missing/folder", r"no folder exists at .*missing.folder; .*those look like 'mnist'"),
    ],
)
def test_unknown_specs_name_what_was_tried(spec, message):
    with pytest.raises(errors.DataError, match="Cannot load data from .*it is not 'digits'"):
        data.load(spec)
    with pytest.raises(errors.DataError, match=message):
        data.load(spec)


def test_a_file_is_not_a_folder(tmp_path):
    image = tmp_path / "one.png"
    Image.fromarray(np.zeros([2, 2], np.uint8)).save(image)
    with pytest.raises(errors.DataError, match=r"no folder exists at .*one.png \(that is a file\)"):
        data.load(str(image))


def test_spec_must_be_text():
    with pytest.raises(errors.DataError, match="spec must be a string or path, got int"):
        data.load(3)
