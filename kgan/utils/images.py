"""Turn generator outputs into viewable pictures: uint8 conversion, image grids, PNG files.

kgan's generators emit float32 images in [-1, 1] (the range a `tanh` output layer gives). These
helpers convert such batches to 8-bit pixels, tile a batch into one picture, and write it as a PNG
(or frames as an animated GIF) without ever leaving a half-written file behind.
"""

import math

import numpy as np
from PIL import Image

from kgan.utils import atomic

# Channel counts an image may have: grayscale, RGB, RGBA. PNG and `tf.summary.image` take all three.
SUPPORTED_CHANNELS = (1, 3, 4)


def to_uint8(images):
    """Maps images from [-1, 1] floats to uint8 pixels in [0, 255].

    A value `x` becomes `floor((x + 1) * 127.5 + 0.5)`, i.e. `(x + 1) * 127.5` rounded half up,
    then clipped to [0, 255]. So -1 maps to 0, 1 maps to 255 and 0 (which lands exactly on 127.5)
    maps to 128. Values outside [-1, 1] are clipped rather than wrapped around, so an overshooting
    generator shows saturated pixels instead of noise. NaN becomes 0 and +/-inf become 255 / 0, so
    a diverged generator still produces a (black) picture instead of an undefined cast.

    Arrays that already are `uint8` are returned unchanged; the conversion is element-wise, so any
    shape is accepted.

    Args:
        images: array-like (NumPy array, tensor, nested lists) of floats in [-1, 1], or a `uint8`
            array.

    Returns:
        A `uint8` NumPy array of the same shape (`from_uint8` is its inverse on uint8 pixels).

    Example:

    >>> to_uint8(np.array([-1.0, 0.0, 1.0]))
    array([  0, 128, 255], dtype=uint8)
    """
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    if not (np.issubdtype(images.dtype, np.floating) or np.issubdtype(images.dtype, np.integer)):
        raise TypeError(f"`images` must hold numbers, got dtype {images.dtype}.")
    # float64 keeps the rounding exact for every float32 input (127.5 * x has no error there).
    images = np.nan_to_num(images.astype(np.float64), nan=-1.0, posinf=1.0, neginf=-1.0)
    # Half-up rounding (not NumPy's half-to-even) gives the documented 0 -> 128 independent of the
    # float's parity, and keeps the mapping monotonic.
    pixels = np.floor((images + 1.0) * 127.5 + 0.5)
    return np.clip(pixels, 0, 255).astype(np.uint8)


def from_uint8(pixels):
    """Maps uint8 pixels (or any integer values in [0, 255]) to float32 in [-1, 1].

    Computed as `(2x - 255) / 255`, the formula of `kgan.data.pipeline.normalize` for
    `value_range=(0, 255)`, so images read by the command line or a callback equal those the
    data loaders feed training. Every pixel survives the round trip through `to_uint8`.

    Example:

    >>> from_uint8(np.array([0, 128, 255], np.uint8))
    array([-1.        ,  0.00392157,  1.        ], dtype=float32)
    """
    return (2.0 * np.asarray(pixels, np.float32) - 255.0) / 255.0


def check_image_batch(images, name="images"):
    """Raises `ValueError` unless `images` is shaped like an image batch `[N, H, W, C]`.

    Args:
        images: a NumPy array (or anything with `.shape`).
        name: what to call the array in error messages. Defaults to `"images"`.

    Returns:
        The shape as a tuple `(N, H, W, C)`.
    """
    shape = tuple(images.shape)
    if len(shape) != 4:
        raise ValueError(
            f"{name} must be a batch of images of shape [N, H, W, C] (rank 4), but got rank "
            f"{len(shape)} with shape {shape}."
        )
    if shape[-1] not in SUPPORTED_CHANNELS:
        raise ValueError(
            f"{name} must have 1 (grayscale), 3 (RGB) or 4 (RGBA) channels in the last axis, but "
            f"got {shape[-1]} channels (shape {shape})."
        )
    return shape


def grid_shape(num_images, rows=None, cols=None):
    """Picks `(rows, cols)` for a grid of `num_images` cells.

    With neither given the grid is as square as possible, wider than tall. With one given the other
    is the smallest that fits all images.

    Args:
        num_images: how many images the grid must hold.
        rows: number of rows, or `None` to derive it. Defaults to `None`.
        cols: number of columns, or `None` to derive it. Defaults to `None`.

    Returns:
        A tuple `(rows, cols)` with `rows * cols >= num_images`.
    """
    for label, value in (("rows", rows), ("cols", cols)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
            raise ValueError(f"`{label}` must be a positive integer or None, got {value!r}.")
    if rows is None and cols is None:
        cols = max(1, math.ceil(math.sqrt(num_images)))
    if rows is None:
        rows = max(1, math.ceil(num_images / cols))
    elif cols is None:
        cols = max(1, math.ceil(num_images / rows))
    if num_images > rows * cols:
        raise ValueError(
            f"Got {num_images} images, more than a {rows}x{cols} grid holds ({rows * cols} cells)."
        )
    return int(rows), int(cols)


def make_grid(images, rows=None, cols=None, padding=2, pad_value=255):
    """Tiles a batch of images into one picture, row by row.

    Images fill the grid left to right, top to bottom; cells left over when `len(images) <
    rows * cols` are filled with `pad_value`. `padding` pixels separate neighbouring cells and also
    frame the whole grid, so the result is
    `[rows * (H + padding) + padding, cols * (W + padding) + padding, C]`.

    Args:
        images: a batch `[N, H, W, C]` of floats in [-1, 1] (converted with `to_uint8`) or of
            `uint8` pixels; `C` is 1, 3 or 4.
        rows: number of grid rows, or `None` to derive it from `N` and `cols`. Defaults to `None`.
        cols: number of grid columns, or `None` to derive it from `N` and `rows`. Defaults to
            `None`.
        padding: width in pixels of the lines between and around cells. Defaults to `2`.
        pad_value: pixel value (0-255, in the output's uint8 units) of padding and empty cells.
            White shows up against both the black backgrounds of digit datasets and photographs.
            Defaults to `255`.

    Returns:
        One `uint8` NumPy array of shape `[H', W', C]`.

    Example:

    >>> images = np.zeros((6, 28, 28, 1), dtype="float32")
    >>> make_grid(images, rows=2, padding=2).shape
    (62, 92, 1)
    """
    images = to_uint8(images)
    num_images, height, width, channels = check_image_batch(images)
    rows, cols = grid_shape(num_images, rows, cols)
    if not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"`padding` must be a non-negative integer, got {padding!r}.")
    if not 0 <= pad_value <= 255:
        raise ValueError(f"`pad_value` must lie in [0, 255] (uint8 units), got {pad_value!r}.")

    grid = np.full(
        (rows * (height + padding) + padding, cols * (width + padding) + padding, channels),
        pad_value,
        dtype=np.uint8,
    )
    for index in range(num_images):
        row, col = divmod(index, cols)
        top = padding + row * (height + padding)
        left = padding + col * (width + padding)
        grid[top : top + height, left : left + width] = images[index]
    return grid


def save_png(path, image):
    """Writes one image to a PNG file, atomically.

    The PNG is written to a temporary file in the destination folder and then moved over `path`
    with `os.replace`, which is atomic on POSIX and Windows: a reader, or a run that crashes
    mid-write, sees either the old file or the complete new one, never a truncated PNG (see
    `kgan.utils.atomic`; a failed write raises its `WriteError`). Missing parent folders are
    created.

    Args:
        path: destination file path (`str` or `os.PathLike`).
        image: a `uint8` array `[H, W, C]` with `C` = 1 (saved as grayscale), 3 (RGB) or 4 (RGBA),
            or `[H, W]` (grayscale). Convert generator output with `to_uint8` first.

    Returns:
        The path written, as a `str`.

    Example:

    >>> grid = make_grid(generator(z, training=False))
    >>> save_png("samples/epoch_0001.png", grid)
    'samples/epoch_0001.png'
    """
    pil_image = _pil_image(image)
    return atomic.write_file(path, lambda file: pil_image.save(file, format="PNG"))


def save_gif(path, frames, frame_ms=120, loop=True):
    """Writes frames as an animated GIF, atomically (as `save_png`).

    Args:
        path: destination file path.
        frames: a sequence of `uint8` images of one shape, each as `save_png` takes it (e.g.
            `make_grid` of each step of an interpolation).
        frame_ms: how long each frame shows, in milliseconds. Defaults to `120`.
        loop: play forever (else once). Defaults to `True`.

    Returns:
        The path written, as a `str`.
    """
    frames = [np.asarray(frame) for frame in frames]
    if not frames or any(frame.shape != frames[0].shape for frame in frames):
        raise ValueError(
            "`frames` must be one or more images of one shape, got shapes "
            f"{[frame.shape for frame in frames]}."
        )
    pictures = [_pil_image(frame) for frame in frames]
    if pictures[0].mode != "L":
        # GIF holds 256 colours: one adaptive palette per frame.
        pictures = [picture.convert("RGB").quantize(256) for picture in pictures]
    options = {"loop": 0} if loop else {}

    def write(file):
        pictures[0].save(
            file,
            format="GIF",
            save_all=True,
            append_images=pictures[1:],
            duration=int(frame_ms),
            **options,
        )

    return atomic.write_file(path, write)


def _pil_image(image):
    """A PIL image of one `uint8` image `[H, W]` or `[H, W, C]`, checked."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TypeError(
            f"`image` must be uint8 pixels, got dtype {image.dtype}. Convert images in [-1, 1] "
            "with `to_uint8` (or `make_grid`) first."
        )
    if image.ndim == 3 and image.shape[-1] in SUPPORTED_CHANNELS:
        # PIL wants grayscale as a 2-D array ("L" mode), not [H, W, 1].
        return Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
    if image.ndim == 2:
        return Image.fromarray(image)
    raise ValueError(
        f"`image` must have shape [H, W] or [H, W, C] with C in {SUPPORTED_CHANNELS}, got "
        f"shape {image.shape}. To save a batch, tile it with `make_grid` first."
    )
