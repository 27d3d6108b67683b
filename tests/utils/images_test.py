"""Tests for kgan/utils/images.py: uint8 mapping, grid layout, atomic PNG writing."""

import os

import numpy as np
import pytest
from PIL import Image

from kgan.utils import images


def test_to_uint8_endpoints_and_midpoint():
    pixels = images.to_uint8(np.array([-1.0, 0.0, 1.0], dtype="float32"))
    assert pixels.dtype == np.uint8
    np.testing.assert_array_equal(pixels, [0, 128, 255])


def test_to_uint8_clips_and_survives_non_finite_values():
    pixels = images.to_uint8(np.array([-3.0, 2.0, np.nan, np.inf, -np.inf]))
    np.testing.assert_array_equal(pixels, [0, 255, 0, 255, 0])


def test_to_uint8_inverts_the_usual_normalization_exactly():
    # Data pipelines map pixels p to p / 127.5 - 1; every one of the 256 values must come back.
    levels = np.arange(256)
    normalized = (levels / 127.5 - 1.0).astype("float32")
    np.testing.assert_array_equal(images.to_uint8(normalized), levels)


def test_to_uint8_leaves_uint8_unchanged():
    pixels = np.array([[0, 7, 255]], dtype=np.uint8)
    assert images.to_uint8(pixels) is pixels


@pytest.mark.parametrize(
    "num_images, rows, cols, padding, expected_shape",
    [
        (6, 2, 3, 2, (2 * (5 + 2) + 2, 3 * (4 + 2) + 2, 1)),
        (6, 2, None, 0, (10, 12, 1)),
        (6, None, 2, 1, (3 * 6 + 1, 2 * 5 + 1, 1)),
        (10, None, None, 2, (3 * 7 + 2, 4 * 6 + 2, 1)),  # 4 columns (ceil sqrt), then 3 rows
        (1, None, None, 3, (5 + 6, 4 + 6, 1)),
    ],
)
def test_make_grid_shape(num_images, rows, cols, padding, expected_shape):
    batch = np.zeros((num_images, 5, 4, 1), dtype="float32")
    grid = images.make_grid(batch, rows=rows, cols=cols, padding=padding)
    assert grid.shape == expected_shape
    assert grid.dtype == np.uint8


def test_make_grid_places_images_row_by_row_and_fills_the_rest():
    # Image i is filled with the value i; 5 images in a 2x3 grid leave the last cell empty.
    batch = np.stack([np.full((2, 3, 3), i, dtype=np.uint8) for i in range(5)])
    grid = images.make_grid(batch, rows=2, cols=3, padding=1, pad_value=200)
    assert grid.shape == (2 * 3 + 1, 3 * 4 + 1, 3)
    for index in range(6):
        row, col = divmod(index, 3)
        cell = grid[1 + row * 3 : 1 + row * 3 + 2, 1 + col * 4 : 1 + col * 4 + 3]
        np.testing.assert_array_equal(cell, index if index < 5 else 200)
    # The frame and the lines between cells are padding.
    assert np.all(grid[0] == 200) and np.all(grid[:, 0] == 200) and np.all(grid[3] == 200)


@pytest.mark.parametrize(
    "batch, kwargs, message",
    [
        (np.zeros((5, 5, 1)), {}, "rank 4"),
        (np.zeros((2, 5, 5, 2)), {}, "got 2 channels"),
        (np.zeros((7, 5, 5, 3)), {"rows": 2, "cols": 3}, "more than a 2x3 grid"),
        (np.zeros((2, 5, 5, 3)), {"rows": 0}, "`rows` must be a positive integer"),
        (np.zeros((2, 5, 5, 3)), {"padding": -1}, "`padding`"),
        (np.zeros((2, 5, 5, 3)), {"pad_value": 256}, "`pad_value`"),
    ],
)
def test_make_grid_errors(batch, kwargs, message):
    with pytest.raises(ValueError, match=message):
        images.make_grid(batch, **kwargs)


@pytest.mark.parametrize("channels, mode", [(1, "L"), (3, "RGB"), (4, "RGBA")])
def test_save_png_round_trip(tmp_path, channels, mode):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(7, 9, channels), dtype=np.uint8)
    path = tmp_path / "new" / "nested" / "grid.png"

    assert images.save_png(path, image) == str(path)

    with Image.open(path) as loaded:
        assert loaded.format == "PNG"
        assert loaded.mode == mode
        assert loaded.size == (9, 7)  # PIL reports (width, height)
        pixels = np.asarray(loaded)
    np.testing.assert_array_equal(pixels.reshape(image.shape), image)
    assert os.listdir(path.parent) == ["grid.png"]  # no temporary file left behind


def test_save_png_overwrites_and_respects_umask(tmp_path):
    path = tmp_path / "grid.png"
    images.save_png(path, np.zeros((4, 4, 1), dtype=np.uint8))
    old_umask = os.umask(0o022)
    try:
        images.save_png(path, np.full((4, 4, 3), 255, dtype=np.uint8))
    finally:
        os.umask(old_umask)
    with Image.open(path) as loaded:
        assert loaded.mode == "RGB"
    # Readable by others, as an ordinary new file would be (a mkstemp file would be 0o600).
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_save_png_crash_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "grid.png"
    images.save_png(path, np.zeros((4, 4, 1), dtype=np.uint8))
    original = path.read_bytes()

    def crash_midway(self, file, *args, **kwargs):
        file.write(b"\x89PNG partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(Image.Image, "save", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        images.save_png(path, np.full((4, 4, 1), 9, dtype=np.uint8))

    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["grid.png"]


@pytest.mark.parametrize(
    "image, error, message",
    [
        (np.zeros((4, 4, 3), dtype="float32"), TypeError, "must be uint8"),
        (np.zeros((2, 4, 4, 3), dtype=np.uint8), ValueError, "make_grid"),
        (np.zeros((4, 4, 2), dtype=np.uint8), ValueError, r"shape \(4, 4, 2\)"),
    ],
)
def test_save_png_errors(tmp_path, image, error, message):
    with pytest.raises(error, match=message):
        images.save_png(tmp_path / "bad.png", image)
    assert not os.listdir(tmp_path)


def test_from_uint8_is_the_loaders_mapping_and_inverts_to_uint8():
    from kgan.data import pipeline

    pixels = np.arange(256, dtype=np.uint8)
    floats = images.from_uint8(pixels)
    assert floats.dtype == np.float32 and floats[0] == -1.0 and floats[-1] == 1.0
    np.testing.assert_array_equal(floats, pipeline.normalize(pixels, (0, 255)).numpy())
    np.testing.assert_array_equal(images.to_uint8(floats), pixels)


def test_save_gif_writes_every_frame_atomically(tmp_path):
    rng = np.random.default_rng(0)
    grey = [rng.integers(0, 256, (6, 5, 1), dtype=np.uint8) for _ in range(3)]
    path = images.save_gif(tmp_path / "grey.gif", grey, frame_ms=50)
    with Image.open(path) as animation:
        assert animation.n_frames == 3 and animation.info["duration"] == 50
        for index, frame in enumerate(grey):
            animation.seek(index)
            np.testing.assert_array_equal(np.asarray(animation.convert("L")), frame[..., 0])
    colour = [np.full((4, 4, 3), value, np.uint8) for value in (0, 128, 255)]
    with Image.open(images.save_gif(tmp_path / "colour.gif", colour)) as animation:
        animation.seek(1)
        np.testing.assert_array_equal(np.asarray(animation.convert("RGB")), colour[1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["colour.gif", "grey.gif"]


def test_save_gif_refuses_frames_of_different_shapes(tmp_path):
    with pytest.raises(ValueError, match="of one shape"):
        frames = [np.zeros((4, 4), np.uint8), np.zeros((5, 4), np.uint8)]
        images.save_gif(tmp_path / "a.gif", frames)
    assert not list(tmp_path.iterdir())
