"""The classifier helper: output contract, learning the digits, outlier exposure, the cache."""

import os

import keras
import numpy as np
import pytest

import kgan
from kgan.metrics import classifier
from kgan.metrics import outliers

# 300 digits at 16x16 for 12 epochs: about 10 s per classifier on 2 CPU cores. Measured on the
# 449 held-out digits over training seeds 0, 1, 2: accuracy 0.93 / 0.90 / 0.92 (chance 0.1);
# mean entropy on non-digits 1.91 / 2.00 / 2.03 nats with outlier exposure and 1.29 / 1.20 /
# 1.31 without (uniform: log 10 = 2.30), on held-out digits 0.46 / 0.82 / 0.84.
IMAGE_SIZE = 16
NUM_TRAIN = 300
EPOCHS = 12


def mean_entropy(model, images):
    logits = model.predict(images, verbose=0)["logits"].astype(np.float64)
    log_probabilities = logits - logits.max(axis=1, keepdims=True)
    log_probabilities -= np.log(np.exp(log_probabilities).sum(axis=1, keepdims=True))
    return float(np.mean(-np.sum(np.exp(log_probabilities) * log_probabilities, axis=1)))


@pytest.fixture(scope="module")
def split():
    return classifier.digits_split(IMAGE_SIZE)


@pytest.fixture(scope="module")
def trained(split):
    (images, labels), _ = split
    return classifier.train_classifier(images[:NUM_TRAIN], labels[:NUM_TRAIN], epochs=EPOCHS)


def test_outputs_are_a_features_and_logits_dict():
    model = classifier.build_classifier((20, 12, 3), num_classes=4)
    outputs = model(np.zeros((2, 20, 12, 3), "float32"))
    assert sorted(outputs) == ["features", "logits"]
    assert tuple(outputs["features"].shape) == (2, 128)
    assert tuple(outputs["logits"].shape) == (2, 4)
    assert outputs["logits"].dtype == "float32" and outputs["features"].dtype == "float32"


@pytest.mark.slow
def test_learns_the_digits_well_above_chance(trained, split):
    _, (test_images, test_labels) = split
    assert classifier.classification_accuracy(trained, test_images, test_labels) > 0.75


@pytest.mark.slow
def test_outlier_exposure_makes_non_digits_uncertain(trained, split):
    (images, labels), (test_images, test_labels) = split
    non_digits = outliers.make_outliers(test_images, test_labels, seed=5)
    assert non_digits.shape == test_images.shape and np.abs(non_digits).max() <= 1.0
    uncertain = mean_entropy(trained, non_digits)
    assert uncertain > 0.75 * np.log(10)
    assert uncertain > mean_entropy(trained, test_images) + 0.8
    # The same training without outliers is far surer of the same non-digits.
    plain = classifier.train_classifier(
        images[:NUM_TRAIN], labels[:NUM_TRAIN], epochs=EPOCHS, outlier_exposure=False
    )
    assert mean_entropy(plain, non_digits) < uncertain - 0.3


@pytest.mark.slow
def test_digits_classifier_is_cached_per_image_size(tmp_path, monkeypatch):
    model = classifier.digits_classifier(8, cache_dir=str(tmp_path), epochs=1)
    stem = (
        f"digits_classifier_8_seed0_epochs1_v{kgan.__version__}_r{classifier.CLASSIFIER_REVISION}"
    )
    assert sorted(os.listdir(tmp_path)) == [f"{stem}.json", f"{stem}.keras"]
    assert model.metadata["test_examples"] == 449 and 0.0 <= model.metadata["test_accuracy"]
    images = classifier.digits_split(8)[1][0][:5]
    expected = model.predict(images, verbose=0)
    # No augmentation inside the judge: a plain call (training mode unset) is deterministic.
    for key in ("features", "logits"):
        np.testing.assert_allclose(model(images)[key], expected[key], rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(model(images)[key], model(images)[key])

    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr(classifier, "train_classifier", no_training)
    loaded = classifier.digits_classifier(8, cache_dir=str(tmp_path), epochs=1)
    for key in ("features", "logits"):
        np.testing.assert_allclose(loaded.predict(images, verbose=0)[key], expected[key])
    assert loaded.metadata == model.metadata
    with pytest.raises(AssertionError, match="trained again"):
        classifier.digits_classifier(12, cache_dir=str(tmp_path), epochs=1)


@pytest.mark.parametrize(
    "images, labels, match",
    [
        (np.zeros((4, 8, 8)), [0, 1, 0, 1], "4-D array"),
        (np.zeros((4, 8, 8, 1)), [0, 1, 0], "4 images but 3 labels"),
        (np.zeros((4, 8, 8, 1)), [0, 1, 0, 5], r"in \[0, 3\)"),
        (np.zeros((4, 8, 8, 1)), [0, 1, 0, -1], "labels must be in"),
        (np.zeros((4, 8, 8, 1)), [0, 1, 0, 0.5], "integer class ids"),
        (np.full((4, 8, 8, 1), 255.0), [0, 1, 0, 1], r"must be in \[-1, 1\]"),
    ],
)
def test_clear_errors(images, labels, match):
    with pytest.raises(ValueError, match=match):
        classifier.train_classifier(images, labels, num_classes=3, epochs=1)


def test_build_rejects_tiny_images_and_one_class():
    with pytest.raises(ValueError, match="at least 8"):
        classifier.build_classifier((4, 4, 1), 10)
    with pytest.raises(ValueError, match="at least 2 classes"):
        classifier.build_classifier((8, 8, 1), 1)


def test_validation_data_and_callbacks_reach_fit():
    (images, labels), (test_images, test_labels) = classifier.digits_split(8)
    history = keras.callbacks.History()
    classifier.train_classifier(
        images[:32],
        labels[:32],
        num_classes=10,
        epochs=2,
        validation_data=(test_images[:16], test_labels[:16]),
        callbacks=[history],
    )
    assert len(history.history["val_loss"]) == 2
