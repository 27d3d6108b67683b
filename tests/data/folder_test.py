"""Tests for kgan/data/folder.py: image folders, with corrupt files and size checks."""

import os

import numpy as np
import pytest
from PIL import Image

from kgan.data import errors
from kgan.data import folder


def write_image(path, pixels, image_format=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(np.asarray(pixels, np.uint8)).save(path, image_format)
    return path


@pytest.fixture
def image_folder(tmp_path):
    """Six 6x8 RGB PNGs (one in a subfolder, the first black and white), plus a text file."""
    for index in range(5):
        write_image(tmp_path / f"image{index}.png", np.random.randint(0, 256, [6, 8, 3]))
    write_image(tmp_path / "nested" / "image5.png", np.random.randint(0, 256, [6, 8, 3]))
    write_image(tmp_path / "image0.png", np.tile([[[0]], [[255]]], [3, 8, 3]))
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def test_shapes_dtype_and_exact_range(image_folder):
    dataset = folder.from_folder(image_folder, batch_size=6, shuffle=False)
    batch = next(iter(dataset)).numpy()
    assert batch.shape == (6, 6, 8, 3) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch[0, 0::2], -1.0)  # black pixel -> -1
    np.testing.assert_array_equal(batch[0, 1::2], 1.0)  # white pixel -> 1
    pixels = np.asarray(Image.open(image_folder / "image1.png"), np.float32)
    # No resampling: each pixel is exactly (2x - 255) / 255, correctly rounded.
    np.testing.assert_array_equal(batch[1], (2 * pixels - 255) / np.float32(255))


def test_recursive_and_resize(image_folder):
    assert len(folder.list_image_files(image_folder)) == 6
    assert len(folder.list_image_files(image_folder, recursive=False)) == 5
    dataset = folder.from_folder(image_folder, image_size=4, batch_size=5, recursive=False)
    assert dataset.element_spec.shape == (5, 4, 4, 3)


def test_same_seed_same_order(image_folder):
    def run(seed):
        return np.stack(
            [batch.numpy() for batch in folder.from_folder(image_folder, batch_size=2, seed=seed)]
        )

    np.testing.assert_array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))


@pytest.mark.parametrize("image_format, suffix", [("PNG", "png"), ("BMP", "bmp"), ("GIF", "gif")])
def test_channels_conversion_keeps_gray_exact(tmp_path, image_format, suffix):
    gray = np.tile([[0, 255]], [4, 2])
    write_image(tmp_path / f"gray.{suffix}", gray, image_format)
    write_image(tmp_path / "photo.jpg", np.full([4, 4, 3], 255))
    for channels, shape in [(1, (4, 4, 1)), (3, (4, 4, 3)), (4, (4, 4, 4))]:
        dataset = folder.from_folder(tmp_path, channels=channels, batch_size=2, shuffle=False)
        gray_image, photo = next(iter(dataset)).numpy()
        assert gray_image.shape == shape
        np.testing.assert_array_equal(gray_image[..., 0], gray / 127.5 - 1.0)
        assert photo.min() > 0.95  # JPEG is lossy; alpha, if added, is opaque
    # channels=None keeps one channel only if every image is gray.
    assert folder.from_folder(tmp_path, channels=None, batch_size=2).element_spec.shape[-1] == 3
    os.remove(tmp_path / "photo.jpg")
    assert folder.from_folder(tmp_path, channels=None, batch_size=1).element_spec.shape[-1] == 1


def test_corrupt_files_are_skipped_with_a_warning(image_folder):
    (image_folder / "broken.png").write_bytes(b"these bytes are not a PNG")
    jpeg = write_image(image_folder / "whole.jpg", np.random.randint(0, 256, [6, 8, 3]))
    contents = jpeg.read_bytes()
    (image_folder / "truncated.jpg").write_bytes(contents[: len(contents) // 2])
    (image_folder / ".hidden.png").write_bytes(b"ignored: hidden")
    with pytest.warns(UserWarning, match="Skipped 2 of 9 image files") as record:
        dataset = folder.from_folder(image_folder, batch_size=7)
    message = str(record[0].message)
    assert "broken.png" in message and "truncated.jpg" in message
    batches = list(dataset)  # reading every file must not fail mid-epoch
    assert len(batches) == 1 and batches[0].shape == (7, 6, 8, 3)


def test_unreadable_error_refuses_and_names_the_files(image_folder):
    (image_folder / "broken.png").write_bytes(b"these bytes are not a PNG")
    with pytest.raises(errors.DataError, match=r"1 of 7 image files .* cannot be read") as info:
        folder.from_folder(image_folder, batch_size=2, unreadable="error")
    assert "broken.png" in str(info.value) and "unreadable='skip'" in str(info.value)
    with pytest.raises(errors.DataError, match="'skip' .* or 'error', got 'ignore'"):
        folder.from_folder(image_folder, unreadable="ignore")


def test_mixed_sizes_name_two_files(image_folder):
    write_image(image_folder / "zz_big.png", np.zeros([10, 12, 3]))
    with pytest.raises(
        errors.DataError, match=r"image0.png is 6x8 and zz_big.png is 10x12"
    ) as info:
        folder.from_folder(image_folder)
    assert "Pass image_size=" in str(info.value)
    assert folder.from_folder(image_folder, image_size=5, batch_size=7).element_spec.shape[1] == 5


def test_errors(tmp_path):
    with pytest.raises(errors.DataError, match="does not exist"):
        folder.from_folder(tmp_path / "missing")
    (tmp_path / "readme.txt").write_text("no images here")
    with pytest.raises(errors.DataError, match="No images found in .* or its subfolders"):
        folder.from_folder(tmp_path)
    with pytest.raises(errors.DataError, match="is a file, not a folder"):
        folder.from_folder(tmp_path / "readme.txt")
    (tmp_path / "bad.png").write_bytes(b"nope")
    with pytest.raises(errors.DataError, match="None of the 1 image files .* could be read"):
        folder.from_folder(tmp_path)
    write_image(tmp_path / "good.png", np.zeros([2, 2]))
    with pytest.warns(UserWarning), pytest.raises(errors.DataError, match="batch_size=2 is larger"):
        folder.from_folder(tmp_path, batch_size=2)
    with pytest.raises(errors.DataError, match="channels must be 1, 3, 4 or None, got 2"):
        folder.from_folder(tmp_path, channels=2)
