"""Tests for kgan/callbacks/grid_panels.py: reading fixed examples and laying out panel rows."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.callbacks import grid_panels


def test_interleave_puts_each_examples_panels_on_one_row():
    # Panel p of example r is filled with the value r * 10 + p, mapped to pixels exactly.
    panels = [
        np.stack([np.full((2, 2, 1), r * 10 + p, np.uint8) for r in range(3)]) for p in range(3)
    ]
    cells = grid_panels.interleave_panels(panels)
    assert cells.shape == (9, 2, 2, 1)
    assert [int(cell[0, 0, 0]) for cell in cells] == [0, 1, 2, 10, 11, 12, 20, 21, 22]


def test_interleave_repeats_gray_panels_beside_colour_ones_and_converts_floats():
    gray = np.zeros((2, 4, 4, 1), np.float32)  # 0.0 -> pixel 128
    colour = np.ones((2, 4, 4, 3), np.float32)  # 1.0 -> pixel 255
    cells = grid_panels.interleave_panels([gray, colour])
    assert cells.shape == (4, 4, 4, 3) and cells.dtype == np.uint8
    assert (cells[0] == 128).all() and (cells[1] == 255).all()


@pytest.mark.parametrize(
    "panels, message",
    [
        ([np.zeros((2, 4, 4, 1)), np.zeros((2, 5, 4, 1))], "one image size"),
        ([np.zeros((2, 4, 4, 1)), np.zeros((3, 4, 4, 1))], "one image per example"),
        ([np.zeros((2, 4, 4, 4)), np.zeros((2, 4, 4, 3))], "RGBA"),
        ([np.zeros((2, 4, 4, 2))], "channels"),
    ],
)
def test_interleave_errors(panels, message):
    with pytest.raises(ValueError, match=message):
        grid_panels.interleave_panels(panels)


def test_read_examples_from_arrays_keeps_the_first_num_and_maps_uint8():
    sources = np.arange(5 * 2 * 2 * 1, dtype=np.uint8).reshape(5, 2, 2, 1)
    targets = np.zeros((5, 2, 2, 3), np.float32)
    read = grid_panels.read_examples((sources, targets), 3)
    assert [array.shape for array in read] == [(3, 2, 2, 1), (3, 2, 2, 3)]
    np.testing.assert_allclose(read[0], sources[:3] / 127.5 - 1.0, atol=1e-6)
    (only,) = grid_panels.read_examples(targets, 8)  # a bare array: sources only, all 5
    assert only.shape == (5, 2, 2, 3)


def test_read_examples_from_a_dataset_reads_only_the_batches_it_needs():
    sources = np.random.default_rng(0).uniform(-1, 1, (10, 2, 2, 1)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices((sources, -sources)).batch(4)
    read_sources, read_targets = grid_panels.read_examples(dataset, 6)
    np.testing.assert_array_equal(read_sources, sources[:6])
    np.testing.assert_array_equal(read_targets, -sources[:6])


@pytest.mark.parametrize(
    "examples, message",
    [
        (None, "pass `examples`"),
        ((np.zeros((2, 4, 4)),), r"\[N, H, W, C\]"),
        ((np.zeros((2, 4, 4, 1)), np.zeros((3, 4, 4, 1))), "same, non-zero number"),
        (tf.data.Dataset.from_tensor_slices(np.zeros((0, 2, 2, 1))).batch(2), "empty dataset"),
    ],
)
def test_read_examples_errors(examples, message):
    with pytest.raises(ValueError, match=message):
        grid_panels.read_examples(examples, 4, "Pix2Pix")
