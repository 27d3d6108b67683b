"""Paired datasets for image-to-image translation: `(source, target)` batches in [-1, 1].

Three sources of pairs, each returning a shuffled, batched, prefetched `tf.data.Dataset` of
`(source, target)` float32 batches [batch, height, width, channels] in [-1, 1], as `Pix2Pix`
takes them:

- `from_paired_folders(source_dir, target_dir)`: two folders whose files match by name.
- `from_side_by_side(folder)`: the common pix2pix format, each file holding both images side by
  side ("A|B").
- `paired_arrays(source, target)`: NumPy arrays.

With `jitter=True` each pair gets the paper's random jitter (`kgan.data.jitter.random_jitter`),
applied to both images identically so they stay aligned.

Example:

```python
from kgan.data import paired

dataset = paired.from_side_by_side("facades/train", image_size=256, source="right",
                                   batch_size=1, jitter=True, seed=0)
```

Reference:
    Isola et al., "Image-to-Image Translation with Conditional Adversarial Networks", CVPR 2017.
    https://arxiv.org/abs/1611.07004
"""

import os

import numpy as np
import tensorflow as tf

from kgan.data import arrays
from kgan.data import errors
from kgan.data import folder
from kgan.data import pipeline
from kgan.data.jitter import random_jitter

# How many unmatched or odd files an error lists by name before summarising the rest.
_MAX_LISTED = 10


def paired_arrays(
    source,
    target,
    batch_size=64,
    value_range=None,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    jitter=False,
):
    """Builds a dataset of `(source, target)` batches from two NumPy arrays of images.

    Args:
        source: Source images `[N, H, W, C]` or `[N, H, W]` (gray): `uint8` in 0..255, floats in
            `value_range`, or floats already in [-1, 1] (as `kgan.data.from_arrays` takes).
        target: Target images, the same number `N`, same conventions.
        batch_size: Pairs per batch. Defaults to `64`.
        value_range: `(low, high)` of float inputs, mapped to [-1, 1]. Defaults to `None`.
        shuffle: Reshuffle the pairs every epoch (a pair stays together). Defaults to `True`.
        seed: Seed of the shuffle and the jitter. Defaults to `None`.
        drop_remainder: Drop the last, partial batch. Defaults to `True`.
        jitter: Apply `random_jitter` to each pair (source and target must then have the same
            height and width). Defaults to `False`.

    Returns:
        A `tf.data.Dataset` of `(source, target)` float32 batches in [-1, 1].
    """
    source, source_range = _checked_array(source, value_range, "source")
    target, target_range = _checked_array(target, value_range, "target")
    if len(source) != len(target):
        raise errors.DataError(
            f"paired_arrays needs one target per source: got {len(source)} sources and "
            f"{len(target)} targets."
        )
    if jitter:
        _check_same_size(source.shape[1:3], target.shape[1:3])

    def load(source_image, target_image):
        return _normalized(source_image, source_range), _normalized(target_image, target_range)

    return _batched(
        tf.data.Dataset.from_tensor_slices((source, target)),
        load,
        len(source),
        batch_size,
        shuffle,
        seed,
        drop_remainder,
        jitter,
        f"the {len(source)} pairs of arrays given",
    )


def from_paired_folders(
    source_dir,
    target_dir,
    image_size=None,
    channels=3,
    target_channels=None,
    batch_size=64,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    jitter=False,
    unreadable="skip",
):
    """Builds a dataset of `(source, target)` batches from two folders of matching files.

    A source and a target pair up when their paths relative to their folders match without the
    extension (`a/001.png` pairs with `a/001.jpg`). Every file must have its match: otherwise a
    `DataError` lists the unmatched names. Unreadable files are skipped with their pair, with a
    warning, as `kgan.data.from_folder` does.

    Args:
        source_dir: Folder of source images.
        target_dir: Folder of target images.
        image_size: int or `(height, width)` to centre-crop and resize both to; `None` keeps the
            sizes (all sources share one, all targets one). Defaults to `None`.
        channels: 1, 3 or 4 channels for the sources. Defaults to `3`.
        target_channels: Channels for the targets. Defaults to `channels`.
        batch_size: Pairs per batch. Defaults to `64`.
        shuffle: Reshuffle the pairs every epoch. Defaults to `True`.
        seed: Seed of the shuffle and the jitter. Defaults to `None`.
        drop_remainder: Drop the last, partial batch. Defaults to `True`.
        jitter: Apply `random_jitter` to each pair. Defaults to `False`.
        unreadable: `"skip"` corrupt files (with their pairs) with a warning, or `"error"`.
            Defaults to `"skip"`.

    Returns:
        A `tf.data.Dataset` of `(source, target)` float32 batches in [-1, 1].

    Raises:
        DataError: if a folder is missing or empty, files do not match, images differ in size
            while `image_size` is `None`, or `batch_size` exceeds the number of pairs.
    """
    target_channels = channels if target_channels is None else target_channels
    _check_channels(channels, target_channels)
    folder.check_unreadable_option(unreadable)
    size = pipeline.image_size_pair(image_size)
    sources = _by_name(source_dir)
    targets = _by_name(target_dir)
    missing_targets = sorted(set(sources) - set(targets))
    missing_sources = sorted(set(targets) - set(sources))
    if missing_targets or missing_sources:
        lines = []
        if missing_targets:
            lines.append(f"sources without a target in {target_dir}: {_names(missing_targets)}")
        if missing_sources:
            lines.append(f"targets without a source in {source_dir}: {_names(missing_sources)}")
        raise errors.DataError(
            "Source and target files pair up by name (path without the extension), but "
            + "; ".join(lines)
            + "."
        )
    names = sorted(sources)
    scanned, skipped = folder.scan_images(
        [sources[name] for name in names] + [targets[name] for name in names]
    )
    # Named apart from the `unreadable` option, which report_unreadable reads next.
    unreadable_paths = {file_path for file_path, _ in skipped}
    if len(unreadable_paths) == 2 * len(names):
        raise errors.DataError(f"None of the images in {source_dir} and {target_dir} can be read.")
    folder.report_unreadable(
        skipped, 2 * len(names), os.path.commonpath([source_dir, target_dir]), unreadable,
        what="files (each skipped with its pair)",
    )  # fmt: skip
    sizes = {file_path: file_size for file_path, file_size, _ in scanned}
    names = [
        name
        for name in names
        if sources[name] not in unreadable_paths and targets[name] not in unreadable_paths
    ]
    source_paths = [sources[name] for name in names]
    target_paths = [targets[name] for name in names]
    source_size = size or _common_size(source_dir, source_paths, sizes)
    target_size = size or _common_size(target_dir, target_paths, sizes)
    if jitter:
        _check_same_size(source_size, target_size)

    def load(source_path, target_path):
        return (
            _read(source_path, channels, size, source_size),
            _read(target_path, target_channels, size, target_size),
        )

    return _batched(
        tf.data.Dataset.from_tensor_slices((source_paths, target_paths)),
        load,
        len(names),
        batch_size,
        shuffle,
        seed,
        drop_remainder,
        jitter,
        f"{source_dir} and {target_dir} ({len(names)} pairs)",
    )


def from_side_by_side(
    path,
    image_size=None,
    source="left",
    channels=3,
    batch_size=64,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    jitter=False,
    recursive=True,
    unreadable="skip",
):
    """Builds a dataset of `(source, target)` batches from files that hold both side by side.

    The format of the pix2pix datasets (facades, maps, edges2shoes, ...): each file is the two
    images of a pair next to each other, `A|B`, split in the middle of its width.

    Args:
        path: Folder of side-by-side images.
        image_size: int or `(height, width)` to centre-crop and resize each half to; `None`
            keeps the halves' size (all files must then share one). Defaults to `None`.
        source: Which half is the source, `"left"` or `"right"`; the other is the target.
            (facades and maps have the photo on the left; to translate labels to photos, pass
            `"right"`.) Defaults to `"left"`.
        channels: 1, 3 or 4. Defaults to `3`.
        batch_size: Pairs per batch. Defaults to `64`.
        shuffle: Reshuffle the pairs every epoch. Defaults to `True`.
        seed: Seed of the shuffle and the jitter. Defaults to `None`.
        drop_remainder: Drop the last, partial batch. Defaults to `True`.
        jitter: Apply `random_jitter` to each pair. Defaults to `False`.
        unreadable: `"skip"` corrupt files (with their pairs) with a warning, or `"error"`.
            Defaults to `"skip"`.
        recursive: Include images in subfolders. Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of `(source, target)` float32 batches in [-1, 1].

    Raises:
        DataError: if the folder is missing or holds no readable image, a file's width is odd
            (listing such files), sizes differ while `image_size` is `None`, or `batch_size`
            exceeds the number of files.
    """
    if source not in ("left", "right"):
        raise errors.DataError(f"source must be 'left' or 'right', got {source!r}.")
    _check_channels(channels, channels)
    folder.check_unreadable_option(unreadable)
    size = pipeline.image_size_pair(image_size)
    files = folder.list_image_files(path, recursive=recursive)
    scanned, skipped = folder.scan_images(files)
    if not scanned:
        raise errors.DataError(f"None of the {len(files)} image files in {path} can be read.")
    folder.report_unreadable(skipped, len(files), path, unreadable)
    odd = [file_path for file_path, (_, width), _ in scanned if width % 2]
    if odd:
        raise errors.DataError(
            f"Side-by-side images are split in the middle of their width, but {len(odd)} files "
            f"in {path} have an odd width: "
            + _names([os.path.relpath(file_path, path) for file_path in odd])
            + ". Are they side-by-side pairs? (Use from_paired_folders for two folders.)"
        )
    paths = [file_path for file_path, _, _ in scanned]
    sizes = {file_path: (height, width // 2) for file_path, (height, width), _ in scanned}
    half_size = size or _common_size(path, paths, sizes)
    source_first = source == "left"

    def load(file_path):
        image = folder.decode_image(tf.io.read_file(file_path), channels)
        half = tf.shape(image)[1] // 2
        left, right = image[:, :half], image[:, half:]
        first, second = (left, right) if source_first else (right, left)
        return _prepared(first, channels, size, half_size), _prepared(
            second, channels, size, half_size
        )

    return _batched(
        tf.data.Dataset.from_tensor_slices(paths),
        load,
        len(paths),
        batch_size,
        shuffle,
        seed,
        drop_remainder,
        jitter,
        f"{path} ({len(paths)} pairs)",
    )


# --- shared ------------------------------------------------------------------------------------


def _batched(
    dataset, load, num_examples, batch_size, shuffle, seed, drop_remainder, jitter, source
):
    """Shuffles, loads (and jitters), batches and prefetches a dataset of pair references.

    The jitter's stateless seeds come from `tf.data.Dataset.random(seed)`, zipped beside the
    pairs and re-drawn every epoch: with a seed, epoch `e`'s jitter is a pure function of
    `(seed, e)`, so two runs see the same augmented batches, and each epoch sees new ones.
    """
    if jitter:
        randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        dataset = tf.data.Dataset.zip(dataset, randoms)

        def example_fn(reference, random):
            # `reference` is a (source, target) tuple, or one side-by-side file's path.
            pair = load(*reference) if isinstance(reference, tuple) else load(reference)
            return random_jitter(*pair, seed=tf.stack([random, tf.constant(0, tf.int64)]))

    else:

        def example_fn(*reference):
            return load(*reference)

    return pipeline.batch_dataset(
        dataset,
        batch_size=batch_size,
        num_examples=num_examples,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        example_fn=example_fn,
        source=source,
    )


def _checked_array(images, value_range, role):
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise errors.DataError(
            f"{role} images must have shape [N, H, W, C] or [N, H, W], got {images.shape}."
        )
    return arrays.check_images(images, value_range)


def _normalized(images, value_range):
    if value_range is None:
        return tf.cast(images, tf.float32)
    return pipeline.normalize(images, value_range)


def _read(file_path, channels, size, output_size):
    image = folder.decode_image(tf.io.read_file(file_path), channels)
    return _prepared(image, channels, size, output_size)


def _prepared(image, channels, size, output_size):
    image = pipeline.resize(pipeline.normalize(image, (0, 255)), size)
    return tf.ensure_shape(image, [*output_size, channels])


def _by_name(path):
    """`{relative path without extension: file path}` of a folder's images."""
    files = {}
    for file_path in folder.list_image_files(path):
        name = os.path.splitext(os.path.relpath(file_path, path))[0]
        if name in files:
            raise errors.DataError(
                f"{path} holds two images named {name!r} ({os.path.basename(files[name])} and "
                f"{os.path.basename(file_path)}): pairs are matched by name, so each must be "
                "unique."
            )
        files[name] = file_path
    return files


def _names(names):
    listed = ", ".join(names[:_MAX_LISTED])
    if len(names) > _MAX_LISTED:
        listed += f" ... and {len(names) - _MAX_LISTED} more"
    return listed


def _common_size(path, paths, sizes):
    first = paths[0]
    for file_path in paths[1:]:
        if sizes[file_path] != sizes[first]:
            raise errors.DataError(
                f"Images in {path} have different sizes, e.g. {os.path.basename(first)} gives "
                f"{sizes[first][0]}x{sizes[first][1]} and {os.path.basename(file_path)} "
                f"{sizes[file_path][0]}x{sizes[file_path][1]} (height x width). Pass "
                "image_size=... to resize them all to one size."
            )
    return sizes[first]


def _check_same_size(source_size, target_size):
    if tuple(source_size) != tuple(target_size):
        raise errors.DataError(
            f"jitter crops and flips a source and its target together, so they need the same "
            f"size; got {tuple(source_size)} and {tuple(target_size)} (height x width). Pass "
            "image_size=... to load both at one size."
        )


def _check_channels(channels, target_channels):
    for value in (channels, target_channels):
        if value not in (1, 3, 4):
            raise errors.DataError(f"channels must be 1, 3 or 4, got {value!r}.")
