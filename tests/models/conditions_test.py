"""`kgan.models.conditions`: wrong conditions that always differ, and label checks."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.models import conditions
from kgan.testing import conditional


@pytest.mark.parametrize("num_classes", [2, 3, 10])
def test_wrong_class_ids_always_differ_and_cover_the_other_classes(num_classes):
    labels = np.arange(200) % num_classes
    seen = np.zeros((num_classes, num_classes), bool)
    for seed in range(5):
        for step in range(20):
            wrong = conditions.wrong_labels(
                labels, seed, step, stream=step % 3, num_classes=num_classes
            ).numpy()
            assert wrong.dtype == np.int32
            assert np.all((wrong >= 0) & (wrong < num_classes))
            assert not np.any(wrong == labels), (seed, step)
            seen[labels, wrong] = True
    assert np.array_equal(seen, ~np.eye(num_classes, dtype=bool))  # every other class drawn
    again = conditions.wrong_labels(labels, 4, 19, 1, num_classes=num_classes)
    np.testing.assert_array_equal(again, wrong)  # stateless
    if num_classes > 2:  # with two classes the wrong one is forced
        other_step = conditions.wrong_labels(labels, 4, 18, 1, num_classes=num_classes)
        assert not np.array_equal(other_step, wrong)


@pytest.mark.parametrize("batch_size", [1, 2, 7, 32])
def test_wrong_attribute_vectors_always_differ(batch_size):
    drawn_from_batch = flipped = 0
    for step in range(40):
        # Only 8 possible vectors, so large batches hold many repeats.
        labels = conditional.attribute_vectors(batch_size, 3, seed=step)
        wrong = conditions.wrong_labels(labels, 7, step, condition_dim=3).numpy()
        assert wrong.shape == labels.shape and wrong.dtype == np.float32
        assert np.all(np.any(wrong != labels, axis=1)), step
        for row, right in zip(wrong, labels):
            if any(np.array_equal(row, other) for other in labels):
                drawn_from_batch += 1
            if np.sum(row != right) == 1:
                flipped += 1
            assert np.all((row == 0) | (row == 1))
    if batch_size > 1:
        assert drawn_from_batch > 0
    else:
        assert flipped == 40  # a batch of one has no other vector: one attribute is flipped


def test_labels_come_back_in_the_model_form():
    ids = conditions.check_labels(np.array([[1], [0]], "int64"), 2, num_classes=2)
    assert ids.dtype == tf.int32 and ids.numpy().tolist() == [1, 0]
    vectors = conditions.check_labels(np.eye(3, dtype="float64"), 3, condition_dim=3)
    assert vectors.dtype == tf.float32 and vectors.shape == (3, 3)
    assert conditions.example_labels(4, num_classes=2).shape == (4,)
    assert conditions.example_labels(4, condition_dim=3).shape == (4, 3)


def test_bad_labels_get_clear_errors():
    labels = np.array([0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"one-hot labels\? pass their argmax"):
        conditions.check_labels(np.eye(2, dtype="float32")[labels], 4, num_classes=2)
    with pytest.raises(ValueError, match="Class-id labels must be integers"):
        conditions.check_labels(labels.astype("float32"), 4, num_classes=2)
    with pytest.raises(ValueError, match=r"The batch has 5 images but 4 labels"):
        conditions.check_labels(labels, 5, num_classes=2)
    with pytest.raises(ValueError, match=r"shape \[batch, 3\].*got shape \(4, 4\)"):
        conditions.check_labels(np.zeros((4, 4), "float32"), 4, condition_dim=3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="class ids must be >= 0"):
        conditions.check_labels(np.array([0, -1]), 2, num_classes=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="class ids must be < num_classes=2"):
        conditions.check_labels(np.array([0, 2]), 2, num_classes=2)
    with pytest.raises(ValueError, match=r"Class ids must lie in \[0, 2\)"):
        conditions.check_class_id_range(np.array([0, 2]), 2)
    with pytest.raises(ValueError, match="exactly one of num_classes"):
        conditions.check_form()
    with pytest.raises(ValueError, match="num_classes must be a positive integer"):
        conditions.check_form(num_classes=True)


def test_the_input_pipeline_checks_class_ids():
    points, labels = conditional.toy_points(8)
    dataset = tf.data.Dataset.from_tensor_slices((points, labels * 3)).batch(4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be < num_classes=2"):
        list(conditions.checked_dataset(dataset, 2))
    attributes = tf.data.Dataset.from_tensor_slices((points, np.zeros((8, 3), "float32")))
    assert conditions.checked_dataset(attributes, 2) is attributes  # float labels: left alone
