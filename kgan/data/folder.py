"""Datasets from a folder of image files (PNG, JPEG, BMP, GIF), checked before training starts.

`keras.utils.image_dataset_from_directory` reads a folder too, but it yields float32 pixels in
0..255 and aborts in the middle of an epoch when it meets one corrupt file. `from_folder` opens
every file once up front instead: unreadable files are skipped and listed in a warning, images of
different sizes are reported by name before any training step, and the dataset yields float32
images in [-1, 1].

Example:

```python
from kgan.data import folder

dataset = folder.from_folder("faces/", image_size=64, batch_size=128)  # [128, 64, 64, 3]
```
"""

import concurrent.futures
import os
import warnings

import tensorflow as tf
from PIL import Image

from kgan.data import errors
from kgan.data import pipeline

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
# Formats PIL may recognise inside those files that `tf.io.decode_image` can also decode (MPO is
# the multi-picture JPEG that many cameras write).
_DECODABLE_FORMATS = ("PNG", "JPEG", "MPO", "BMP", "GIF")
# PIL modes without colour: a folder of gray images is loaded with one channel when channels=None.
_GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")
# How many skipped files a warning lists by name before summarising the rest.
_MAX_LISTED = 10


def from_folder(
    path,
    image_size=None,
    channels=3,
    batch_size=64,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    recursive=True,
    unreadable="skip",
):
    """Builds a shuffled, batched dataset of the images in a folder.

    Every file is opened and decoded once by PIL before the dataset is built (in threads; about
    0.4 ms for a 218x178 JPEG on two cores), because `verify()` alone misses truncated JPEGs,
    which TensorFlow then fails on mid-epoch. Files that cannot be read are skipped with a
    warning that counts and lists them (or, with `unreadable="error"`, refused). Hidden files
    and folders (names starting with ".") are ignored.

    Args:
        path: folder holding the images.
        image_size: int or `(height, width)`; images are centre-cropped to its aspect ratio and
            resized. `None` keeps the size, which all images must then share. Defaults to `None`.
        channels: 1 (gray), 3 (RGB) or 4 (RGBA), converting as needed (alpha is dropped for 1
            and 3); `None` picks 1 when every image is grayscale, else 3. Defaults to `3`.
        batch_size: images per batch. Defaults to `64`.
        shuffle: reshuffle every epoch. Defaults to `True`.
        seed: shuffle seed, for a repeatable order. Defaults to `None`.
        drop_remainder: drop the last, partial batch. Defaults to `True`.
        recursive: include images in subfolders. Defaults to `True`.
        unreadable: `"skip"` corrupt or unreadable files with a warning, or `"error"` to raise
            a `DataError` naming them. Defaults to `"skip"`.

    Returns:
        A `tf.data.Dataset` of float32 image batches [batch_size, H, W, channels] in [-1, 1].

    Raises:
        DataError: if the folder is missing or holds no readable image, if any is unreadable
            with `unreadable="error"`, if images differ in
            size while `image_size` is `None` (naming two of them), or if `batch_size` exceeds
            the number of images.

    Example:

    ```python
    dataset = from_folder("my_images/", image_size=64, batch_size=32)
    ```
    """
    if channels not in (None, 1, 3, 4):
        raise errors.DataError(f"channels must be 1, 3, 4 or None, got {channels!r}.")
    size = pipeline.image_size_pair(image_size)
    check_unreadable_option(unreadable)
    files = list_image_files(path, recursive=recursive)
    scanned, skipped = scan_images(files)
    if not scanned:
        raise errors.DataError(
            f"None of the {len(files)} image files in {path} could be read:\n"
            + _listing(path, skipped)
        )
    report_unreadable(skipped, len(files), path, unreadable)
    if channels is None:
        channels = 1 if all(gray for _, _, gray in scanned) else 3
    # Without image_size, all files share one size, checked here; they need no resize.
    output_size = size or _common_size(path, scanned)

    def example_fn(file_path):
        image = decode_image(tf.io.read_file(file_path), channels)
        image = pipeline.resize(pipeline.normalize(image, (0, 255)), size)
        return tf.ensure_shape(image, [*output_size, channels])

    paths = [file_path for file_path, _, _ in scanned]
    return pipeline.batch_dataset(
        tf.data.Dataset.from_tensor_slices(paths),
        batch_size=batch_size,
        num_examples=len(paths),
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        example_fn=example_fn,
        source=f"{path} ({len(paths)} images)",
    )


def list_image_files(path, recursive=True):
    """Returns the sorted paths of the image files in `path`, by extension.

    Args:
        path: folder to list.
        recursive: descend into subfolders. Defaults to `True`.

    Returns:
        A sorted list of file paths (sorted, so that a seed gives the same order everywhere).
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise errors.DataError(f"Image folder {path} does not exist.")
    if not os.path.isdir(path):
        raise errors.DataError(f"{path} is a file, not a folder of images.")
    files = []
    for root, folders, names in os.walk(path):
        # Skip hidden folders such as .git or .ipynb_checkpoints (os.walk honours the edit).
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in names:
            if not name.startswith(".") and name.lower().endswith(IMAGE_EXTENSIONS):
                files.append(os.path.join(root, name))
        if not recursive:
            break
    if not files:
        where = " or its subfolders" if recursive else ""
        raise errors.DataError(
            f"No images found in {path}{where}: looked for files ending in "
            f"{', '.join(IMAGE_EXTENSIONS)}."
        )
    return sorted(files)


def scan_images(files):
    """Opens every file with PIL, in threads; returns the readable and the unreadable ones.

    Args:
        files: image file paths.

    Returns:
        A tuple `(scanned, skipped)`: `scanned` lists `(path, (height, width), is_gray)` for
        each readable file, `skipped` lists `(path, reason)` for the others, both in input order.
    """
    # PIL releases the GIL while decoding, so threads scale with the cores.
    with concurrent.futures.ThreadPoolExecutor() as executor:
        results = list(executor.map(_scan_file, files))
    scanned = [result for result in results if len(result) == 3]
    skipped = [result for result in results if len(result) == 2]
    return scanned, skipped


def _scan_file(file_path):
    try:
        with Image.open(file_path) as image:
            image_format, mode, (width, height) = image.format, image.mode, image.size
            image.verify()  # structure and checksums, e.g. a PNG's chunk CRCs
        with Image.open(file_path) as image:
            image.load()  # the pixels themselves: verify() passes truncated JPEGs
            gray = mode in _GRAY_MODES or (mode == "P" and _is_gray_palette(image.getpalette()))
    # A corrupt file can make PIL raise almost anything (OSError, SyntaxError, struct.error,
    # IndexError...); whatever it is, the file is reported and skipped rather than trained on.
    except Exception as error:
        return file_path, f"{type(error).__name__}: {error}"
    if image_format not in _DECODABLE_FORMATS:
        return file_path, f"{image_format} data, which TensorFlow cannot decode"
    return file_path, (height, width), gray


def check_unreadable_option(unreadable):
    """Raises `DataError` unless `unreadable` is `"skip"` or `"error"`."""
    if unreadable not in ("skip", "error"):
        raise errors.DataError(
            f"unreadable must be 'skip' (warn and leave them out) or 'error', got {unreadable!r}."
        )


def report_unreadable(skipped, total, path, unreadable="skip", what="image files"):
    """Warns about (or, with `unreadable="error"`, refuses) the files `scan_images` skipped.

    Args:
        skipped: `(path, reason)` pairs from `scan_images`.
        total: How many files were scanned.
        path: The folder (file names are listed relative to it).
        unreadable: `"skip"` (a `UserWarning`) or `"error"` (a `DataError`).
        what: What the files are, for the message. Defaults to `"image files"`.
    """
    if not skipped:
        return
    listing = _listing(path, skipped)
    if unreadable == "error":
        raise errors.DataError(
            f"{len(skipped)} of {total} {what} in {path} cannot be read (unreadable='error'):\n"
            f"{listing}\nRemove or replace them, or pass unreadable='skip' to leave them out."
        )
    warnings.warn(
        f"Skipped {len(skipped)} of {total} {what} in {path} that could not be read:\n{listing}",
        stacklevel=3,
    )


def _is_gray_palette(palette):
    # GIFs store even gray images as a palette ("P" mode); they are gray if every entry is.
    return palette is not None and all(
        palette[index] == palette[index + 1] == palette[index + 2]
        for index in range(0, len(palette) - 2, 3)
    )


def _listing(path, skipped):
    """One line per skipped file, relative to `path`, with the reason; at most `_MAX_LISTED`."""
    lines = [f"  {os.path.relpath(file_path, path)}: {reason}" for file_path, reason in skipped]
    if len(lines) > _MAX_LISTED:
        lines = lines[:_MAX_LISTED] + [f"  ... and {len(lines) - _MAX_LISTED} more"]
    return "\n".join(lines)


def _common_size(path, scanned):
    """Returns the size all scanned images share, or raises naming two that differ."""
    first_path, first_size, _ = scanned[0]
    for file_path, file_size, _ in scanned[1:]:
        if file_size != first_size:
            raise errors.DataError(
                f"Images in {path} have different sizes, e.g. "
                f"{os.path.relpath(first_path, path)} is {first_size[0]}x{first_size[1]} and "
                f"{os.path.relpath(file_path, path)} is {file_size[0]}x{file_size[1]} "
                f"(height x width). Pass image_size=... to resize them all to one size."
            )
    return first_size


def decode_image(contents, channels):
    """Decodes PNG/JPEG/BMP/GIF bytes to uint8 [H, W, channels] (the first frame of a GIF)."""
    if channels == 3:
        return tf.io.decode_image(contents, channels=3, expand_animations=False)
    # decode_image refuses channels=1 for BMP and GIF, and channels=4 for JPEG and GIF: those
    # decode as RGB and are converted here, in uint8 so that gray stays exact (255 -> 255).
    is_bmp = tf.strings.substr(contents, 0, 2) == "BM"
    is_gif = tf.strings.substr(contents, 0, 3) == "GIF"
    is_png = tf.strings.substr(contents, 1, 3) == "PNG"
    if channels == 1:
        native = tf.logical_not(tf.logical_or(is_bmp, is_gif))
    else:
        native = tf.logical_or(is_png, is_bmp)

    def from_rgb():
        rgb = tf.io.decode_image(contents, channels=3, expand_animations=False)
        if channels == 4:
            return tf.concat([rgb, tf.fill(tf.shape(rgb[..., :1]), tf.constant(255, tf.uint8))], -1)
        gray = tf.image.rgb_to_grayscale(tf.cast(rgb, tf.float32))
        return tf.cast(tf.clip_by_value(tf.round(gray), 0, 255), tf.uint8)

    return tf.cond(
        native,
        lambda: tf.io.decode_image(contents, channels=channels, expand_animations=False),
        from_rgb,
    )
