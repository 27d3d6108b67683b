"""`kgan.data.paired`: pairing by name, side-by-side splitting, arrays, and the shared jitter."""

import numpy as np
import pytest
from PIL import Image

from kgan.data import errors
from kgan.data import paired


def pixels(index, height=8, width=8):
    """A uint8 RGB image whose every pixel encodes `index`, and which is not left-right
    symmetric (so a flip shows)."""
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 0] = 10 * index
    image[..., 1] = np.arange(width, dtype=np.uint8) * 20
    image[..., 2] = 255 - 10 * index
    return image


def write(path, image):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path)


def scaled(image):
    return (image.astype("float32") * 2 - 255) / 255


def as_arrays(dataset):
    sources, targets = zip(*[(s.numpy(), t.numpy()) for s, t in dataset])
    return np.concatenate(sources), np.concatenate(targets)


def test_paired_folders_pair_files_by_name(tmp_path):
    # Targets are the sources inverted; names match without the extension and in subfolders.
    names = ["0", "1", "sub/2", "3", "4", "5"]
    for index, name in enumerate(names):
        write(tmp_path / "a" / f"{name}.png", pixels(index))
        extension = "bmp" if index == 3 else "png"
        write(tmp_path / "b" / f"{name}.{extension}", 255 - pixels(index))
    dataset = paired.from_paired_folders(tmp_path / "a", tmp_path / "b", batch_size=3, seed=0)
    source, target = as_arrays(dataset)
    assert source.shape == target.shape == (6, 8, 8, 3) and source.dtype == np.float32
    assert source.min() >= -1 and source.max() <= 1
    # Shuffled, yet each source still sits beside its own target.
    np.testing.assert_allclose(target, -source, atol=1e-6)
    assert len({round(float(value), 4) for value in source[:, 0, 0, 0]}) == 6


def test_unmatched_names_are_listed(tmp_path):
    for name in ("x", "y", "z"):
        write(tmp_path / "a" / f"{name}.png", pixels(1))
    write(tmp_path / "b" / "x.png", pixels(1))
    write(tmp_path / "b" / "w.png", pixels(1))
    with pytest.raises(
        errors.DataError, match=r"without a target .*: y, z;.*without a source.*: w"
    ):
        paired.from_paired_folders(tmp_path / "a", tmp_path / "b", batch_size=1)


def test_an_unreadable_file_drops_its_pair_or_is_refused(tmp_path):
    for index in range(4):
        write(tmp_path / "a" / f"{index}.png", pixels(index))
        write(tmp_path / "b" / f"{index}.png", 255 - pixels(index))
    (tmp_path / "b" / "2.png").write_bytes(b"not a PNG")
    with pytest.warns(UserWarning, match=r"Skipped 1 of 8 files \(each skipped with its pair\)"):
        dataset = paired.from_paired_folders(tmp_path / "a", tmp_path / "b", batch_size=1)
    source, target = as_arrays(dataset)
    assert len(source) == 3  # the pair of the broken target is left out
    np.testing.assert_allclose(target, -source, atol=1e-6)
    for loader in (
        lambda: paired.from_paired_folders(tmp_path / "a", tmp_path / "b", unreadable="error"),
        lambda: paired.from_side_by_side(tmp_path / "b", unreadable="error"),
    ):
        refused = r"1 of \d+ (image )?files .*cannot be read"
        with pytest.raises(errors.DataError, match=refused) as info:
            loader()
        assert "2.png" in str(info.value)


def test_side_by_side_splits_in_the_middle(tmp_path):
    for index in range(4):
        write(tmp_path / f"{index}.png", np.concatenate([pixels(index), 255 - pixels(index)], 1))
    left, right = as_arrays(paired.from_side_by_side(tmp_path, batch_size=4, shuffle=False))
    assert left.shape == right.shape == (4, 8, 8, 3)
    np.testing.assert_allclose(left[1], scaled(pixels(1)), atol=1e-6)
    np.testing.assert_allclose(right, -left, atol=1e-6)
    source, target = as_arrays(
        paired.from_side_by_side(
            tmp_path, image_size=4, source="right", batch_size=4, shuffle=False, channels=1
        )
    )
    assert source.shape == (4, 4, 4, 1)
    np.testing.assert_allclose(source, -target, atol=2e-2)  # resized; gray of inverses


def test_side_by_side_rejects_odd_widths(tmp_path):
    write(tmp_path / "good.png", pixels(0, width=16))
    write(tmp_path / "bad.png", pixels(0, width=15))
    with pytest.raises(errors.DataError, match="odd width: bad.png"):
        paired.from_side_by_side(tmp_path, batch_size=1)
    with pytest.raises(errors.DataError, match="left' or 'right"):
        paired.from_side_by_side(tmp_path, source="top")


def test_paired_arrays_keep_pairs_and_scale_to_unit_range():
    source = np.stack([pixels(index) for index in range(8)])
    dataset = paired.paired_arrays(source, 255 - source, batch_size=4, seed=1)
    out_source, out_target = as_arrays(dataset)
    np.testing.assert_allclose(out_target, -out_source, atol=1e-6)
    assert out_source.min() == -1.0 and out_source.max() == 1.0
    with pytest.raises(errors.DataError, match="8 sources and 7 targets"):
        paired.paired_arrays(source, source[:7])
    with pytest.raises(errors.DataError, match="batch_size=9"):
        paired.paired_arrays(source, source, batch_size=9)


def test_jittered_datasets_are_repeatable_and_new_every_epoch():
    source = np.stack([pixels(index, 16, 16) for index in range(8)])

    def make():
        return paired.paired_arrays(
            source, source, batch_size=4, shuffle=False, seed=5, jitter=True
        )

    dataset = make()
    first, first_target = as_arrays(dataset)
    second, _ = as_arrays(dataset)
    np.testing.assert_array_equal(first, first_target)  # identical pairs stay identical
    assert not np.array_equal(first, second)  # each epoch draws a new jitter
    np.testing.assert_array_equal(as_arrays(make())[0], first)  # the same seed, the same data
    assert first.min() >= -1 and first.max() <= 1
