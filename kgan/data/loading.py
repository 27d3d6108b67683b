"""One entry point from a short text spec to a dataset: what `--data` flags and the CLI accept.

`load("digits")` reads the bundled digits, `load("photos/")` an image folder, `load("mnist")` or
`load("cifar10:test")` a tensorflow-datasets split. Scripts can then take the data source as one
string and still get float32 batches in [-1, 1] at the size the model wants.

Example:

```python
import kgan

dataset = kgan.data.load("cifar10:train", image_size=32, batch_size=128)
```
"""

import os
import re

from kgan.data import digits
from kgan.data import errors
from kgan.data import folder
from kgan.data import tfds

# The shape of a tensorflow-datasets name, optionally with a config (`name/config`); a split,
# if any, has already been cut off at the colon.
_TFDS_NAME = re.compile(r"^[a-z][a-z0-9_]*(/[\w.-]+)?$")


def load(
    spec,
    image_size=32,
    batch_size=64,
    channels=None,
    with_labels=False,
    seed=None,
    shuffle=True,
    drop_remainder=True,
    data_dir=None,
    download=True,
):
    """Loads a dataset named by `spec`: `"digits"`, a folder path, or a tensorflow-datasets name.

    `spec` is tried in this order:

    1. `"digits"`: the bundled 8x8 handwritten digits (`kgan.data.load_digits`), offline. (A
       folder called `digits` is reached as `"./digits"`.)
    2. an existing folder: its images (`kgan.data.from_folder`).
    3. `"name"` or `"name:split"`: a tensorflow-datasets split (`kgan.data.from_tfds`), e.g.
       `"mnist"`, `"cifar10:test"`, `"celeb_a:train[:10%]"`; the split defaults to `"train"`.

    Args:
        spec: the data source, as above.
        image_size: int or `(height, width)` to resize to; `None` keeps the source's size.
            Defaults to `32`.
        batch_size: examples per batch. Defaults to `64`.
        channels: 1, 3 or 4 to convert to; `None` keeps the source's (folders: 1 when all images
            are gray, else 3). Defaults to `None`.
        with_labels: yield `(images, labels)` (digits and tensorflow-datasets only). Defaults to
            `False`.
        seed: shuffle seed, for a repeatable order. Defaults to `None`.
        shuffle: reshuffle every epoch. Defaults to `True`.
        drop_remainder: drop the last, partial batch. Defaults to `True`.
        data_dir: tensorflow-datasets data folder. Defaults to `None` (its default).
        download: let tensorflow-datasets download missing data. Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of float32 image batches in [-1, 1], or of `(images, labels)`.

    Example:

    >>> dataset = load("digits", image_size=16, batch_size=32)
    >>> next(iter(dataset)).shape
    TensorShape([32, 16, 16, 1])
    """
    if not isinstance(spec, (str, os.PathLike)):
        raise errors.DataError(f"spec must be a string or path, got {type(spec).__name__}.")
    spec = os.fspath(spec).strip()
    if not spec:
        raise errors.DataError(
            "spec is empty: name 'digits', a folder of images, or a tensorflow-datasets name "
            "such as 'mnist'."
        )
    common = dict(batch_size=batch_size, shuffle=shuffle, seed=seed, drop_remainder=drop_remainder)
    if spec == "digits":
        return digits.load_digits(
            image_size=image_size, with_labels=with_labels, channels=channels or 1, **common
        )

    path = os.path.expanduser(spec)
    if os.path.isdir(path):
        if with_labels:
            raise errors.DataError(
                f"with_labels=True, but an image folder ({spec}) carries no labels."
            )
        return folder.from_folder(path, image_size=image_size, channels=channels, **common)

    name, _, split = spec.partition(":")
    # tensorflow-datasets names are lowercase with underscores; accept "MNIST", "fashion-mnist".
    name = name.lower().replace("-", "_")
    if _TFDS_NAME.match(name) and _is_tfds_name(name):
        return tfds.from_tfds(
            name,
            split=split or "train",
            image_size=image_size,
            with_labels=with_labels,
            data_dir=data_dir,
            download=download,
            channels=channels,
            **common,
        )
    raise errors.DataError(_not_found_message(spec, path, name))


def _is_tfds_name(name):
    try:
        tfds.check_name(name)
    except errors.DataError:
        return False
    return True


def _not_found_message(spec, path, name):
    tried = [
        "it is not 'digits' (the bundled dataset)",
        f"no folder exists at {os.path.abspath(path)}"
        + (" (that is a file)" if os.path.isfile(path) else ""),
    ]
    if _TFDS_NAME.match(name):
        matches = tfds.close_matches(name.split("/")[0])
        hint = f" (close matches: {', '.join(matches)})" if matches else ""
        tried.append(f"{name!r} is not a tensorflow-datasets name{hint}")
    else:
        tried.append(f"{name!r} is not a tensorflow-datasets name (those look like 'mnist')")
    return f"Cannot load data from {spec!r}: " + "; ".join(tried) + "."
