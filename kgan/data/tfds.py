"""Datasets from the tensorflow-datasets catalog: `mnist`, `fashion_mnist`, `cifar10`, `celeb_a`...

`from_tfds` reads one split, keeps the image (and optionally a label) of each example and yields
float32 batches in [-1, 1], like every `kgan.data` source. It checks the name against the catalog
first, so that a typo gets a list of close matches instead of a long list of all datasets, and
turns tensorflow-datasets' bare `AssertionError` for missing data (`download=False`) into a
message that says how to download it. `load_split` is that guarded load alone, which the text
loader (`kgan.data.from_tfds_text`) shares.

tensorflow-datasets is imported only when one of these functions runs: importing it takes seconds,
which `import kgan` should not pay when the data comes from elsewhere.

Example:

```python
from kgan.data import tfds

dataset = tfds.from_tfds("cifar10", image_size=32, batch_size=128)  # [128, 32, 32, 3]
```
"""

import difflib
import functools

import tensorflow as tf

from kgan.data import errors
from kgan.data import pipeline

CATALOG_URL = "https://www.tensorflow.org/datasets/catalog/overview"


@functools.lru_cache(maxsize=1)
def builder_names():
    """Returns the names of the datasets tensorflow-datasets knows, as a tuple (cached)."""
    import tensorflow_datasets

    # Community datasets would need a network request to list.
    return tuple(tensorflow_datasets.list_builders(with_community_datasets=False))


def close_matches(name, limit=5):
    """Returns up to `limit` catalog names that look like `name`, best first."""
    return difflib.get_close_matches(name.lower(), builder_names(), n=limit, cutoff=0.6)


def _download_errors():
    """The exception types tensorflow-datasets lets through when a download fails."""
    import requests
    from tensorflow_datasets.core.download import util as download_util

    return (requests.exceptions.RequestException, download_util.DownloadError)


def _first_line(error, limit=160):
    """The first line of `error`'s message, at most `limit` characters."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_name(name):
    """Raises `DataError` unless `name` (optionally `name/config` or `name:version`) is known.

    Args:
        name: a tensorflow-datasets name such as `"mnist"` or `"cifar10"`.
    """
    base = name.split("/")[0].split(":")[0]
    if base in builder_names():
        return
    matches = close_matches(base)
    hint = f" Close matches: {', '.join(matches)}." if matches else ""
    raise errors.DataError(
        f"tensorflow-datasets has no dataset named {base!r}.{hint} All names: {CATALOG_URL}"
    )


def from_tfds(
    name,
    split="train",
    image_size=None,
    batch_size=64,
    with_labels=False,
    data_dir=None,
    download=True,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    image_key="image",
    label_key="label",
    channels=None,
):
    """Loads one split of a tensorflow-datasets image dataset as float32 batches in [-1, 1].

    Args:
        name: dataset name, e.g. `"mnist"`, `"fashion_mnist"`, `"cifar10"`, `"celeb_a"`.
        split: split to read, in tensorflow-datasets syntax (`"train"`, `"test[:10%]"`...).
            Defaults to `"train"`.
        image_size: int or `(height, width)`; images are centre-cropped to its aspect ratio and
            resized. Needed for datasets whose images differ in size. Defaults to `None` (keep).
        batch_size: examples per batch. Defaults to `64`.
        with_labels: yield `(images, labels)` tuples. Defaults to `False`.
        data_dir: where the prepared data lives; `None` uses tensorflow-datasets' default
            (`$TFDS_DATA_DIR` or `~/tensorflow_datasets`). Defaults to `None`.
        download: download and prepare the data if missing. Defaults to `True`.
        shuffle: shuffle the files and (through a buffer of up to
            `pipeline.DEFAULT_SHUFFLE_BUFFER` examples) the examples. Defaults to `True`.
        seed: seed for both shuffles, for a repeatable order. Defaults to `None`.
        drop_remainder: drop the last, partial batch. Defaults to `True`.
        image_key: the feature holding the image. Defaults to `"image"`.
        label_key: the feature holding the label; nested features are named with "/", e.g.
            `"attributes/Smiling"` for `celeb_a`. Integer and boolean labels become int32.
            Defaults to `"label"`.
        channels: 1, 3 or 4 to convert the images to; `None` keeps the dataset's. Defaults to
            `None`.

    Returns:
        A `tf.data.Dataset` of image batches [batch_size, H, W, C], or of `(images, labels)`.

    Raises:
        DataError: for an unknown name (listing close matches), missing data with
            `download=False` (saying how to download it), a missing feature (listing those
            there are), a batch larger than the split, or a failed download (no connection).

    Example:

    ```python
    dataset = from_tfds("mnist", image_size=32, batch_size=64, with_labels=True)
    ```
    """
    check_name(name)
    size = pipeline.image_size_pair(image_size)
    dataset = load_split(name, split, data_dir, download, shuffle, seed)

    image_spec = feature_spec(dataset.element_spec, image_key, name, "image_key")
    value_range = _value_range(image_spec, name)
    if with_labels:
        feature_spec(dataset.element_spec, label_key, name, "label_key")

    def select(example):
        image = lookup(example, image_key)
        if not with_labels:
            return image
        label = lookup(example, label_key)
        if label.dtype.is_integer or label.dtype.is_bool:
            label = tf.cast(label, tf.int32)
        return image, label

    dataset = dataset.map(select, num_parallel_calls=tf.data.AUTOTUNE)
    preprocess = functools.partial(
        pipeline.preprocess, value_range=value_range, image_size=size, channels=channels
    )
    if image_spec.shape.is_fully_defined():
        example_fn, image_fn = None, preprocess  # whole batches at once, vectorized
    elif size is not None:
        # Images of different sizes cannot be batched before they are resized, one by one.
        example_fn, image_fn = _on_images(preprocess), None
    else:
        raise errors.DataError(
            f"The images of {name!r} differ in size ({image_spec.shape}): pass image_size."
        )

    cardinality = int(dataset.cardinality())
    num_examples = cardinality if cardinality >= 0 else None
    # A bounded buffer: a full shuffle of e.g. CelebA's 162,770 images would need 19 GB.
    shuffle_buffer = min(
        num_examples or pipeline.DEFAULT_SHUFFLE_BUFFER, pipeline.DEFAULT_SHUFFLE_BUFFER
    )
    return pipeline.batch_dataset(
        dataset,
        batch_size=batch_size,
        num_examples=num_examples,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        example_fn=example_fn,
        image_fn=image_fn,
        shuffle_buffer=shuffle_buffer,
        source=f"{name}[{split}]",
    )


def load_split(
    name,
    split,
    data_dir=None,
    download=True,
    shuffle=False,
    seed=None,
    loader="from_tfds",
    alternative="use a folder of images or an .npz file",
):
    """`tensorflow_datasets.load` of one split, its failures turned into one-line messages.

    The loaders of images (`from_tfds`) and of text (`kgan.data.from_tfds_text`) both read
    through it, so a missing package, a failed download and unprepared data read the same.

    Args:
        name: A catalog name (checked by `check_name` first).
        split: The split, in tensorflow-datasets syntax.
        data_dir: Where the prepared data live. Defaults to `None` (tensorflow-datasets').
        download: Download and prepare missing data. Defaults to `True`.
        shuffle: Shuffle the files. Defaults to `False`.
        seed: Seed of the file shuffle. Defaults to `None`.
        loader: The `kgan.data` function the download hint names. Defaults to `"from_tfds"`.
        alternative: What else to use, for the failed-download message. Defaults to a
            folder of images or an .npz file.

    Returns:
        The `tf.data.Dataset` of the split's example dicts.
    """
    import tensorflow_datasets

    check_name(name)
    try:
        return tensorflow_datasets.load(
            name,
            split=split,
            data_dir=data_dir,
            download=download,
            shuffle_files=shuffle,
            read_config=tensorflow_datasets.ReadConfig(shuffle_seed=seed),
        )
    except ModuleNotFoundError as error:
        # tensorflow-datasets 4.9 imports importlib_resources to prepare data but declares it
        # only for Python < 3.9 (tensorflow/datasets#11212), so downloads fail on a clean install.
        if error.name != "importlib_resources":
            raise
        raise ImportError(
            "tensorflow-datasets needs the `importlib_resources` package to download and "
            "prepare data, but does not install it (tensorflow/datasets#11212). Install it with "
            "`pip install importlib_resources`."
        ) from error
    except _download_errors() as error:
        # Without a connection tensorflow-datasets retries for minutes, then raises from deep in
        # requests/urllib3; the user needs to know the download failed and what to do instead.
        raise errors.DataError(
            f"Could not download the tensorflow-datasets dataset {name!r} "
            f"({type(error).__name__}: {_first_line(error)}). Connect to the internet and retry, "
            f"or prepare it where there is a connection (`tfds build {name}`) and pass its "
            f"data_dir, or {alternative} instead."
        ) from error
    except AssertionError as error:
        # tensorflow-datasets reports data that was never prepared with a bare assertion.
        if download:
            raise
        where = data_dir or "the default data_dir ($TFDS_DATA_DIR or ~/tensorflow_datasets)"
        raise errors.DataError(
            f"The tensorflow-datasets dataset {name!r} is not prepared in {where}, and "
            f"download=False. Download it once with download=True (e.g. "
            f"`kgan.data.{loader}({name!r}, download=True)`), or run `tfds build {name}"
            + (f" --data_dir {data_dir}" if data_dir else "")
            + "` where there is internet access and copy that folder here."
        ) from error


def _on_images(fn):
    """Wraps `fn` to apply to the images of an `image` or `(image, label)` example."""

    def apply(image, *rest):
        return (fn(image), *rest) if rest else fn(image)

    return apply


def lookup(example, key):
    """The feature `key` ("a/b" for nested) of an example dict."""
    for part in key.split("/"):
        example = example[part]
    return example


def feature_spec(element_spec, key, name, argument):
    """Returns the `tf.TensorSpec` of `key` ("a/b" for nested), or raises listing the features."""
    spec = element_spec
    for part in key.split("/"):
        if not isinstance(spec, dict) or part not in spec:
            available = ", ".join(
                f"{feature} (nested: '{feature}/...')" if isinstance(value, dict) else feature
                for feature, value in element_spec.items()
            )
            raise errors.DataError(
                f"{name!r} has no feature {key!r}; its features are: {available}. "
                f"Pass {argument}= one of them."
            )
        spec = spec[part]
    if isinstance(spec, dict):
        members = list(spec)
        listed = ", ".join(members[:8]) + (f", ... ({len(members)} in all)" if members[8:] else "")
        raise errors.DataError(
            f"{name!r} feature {key!r} is a group of features ({listed}); pick one with "
            f"{argument}='{key}/<name>'."
        )
    return spec


def _value_range(image_spec, name):
    """The pixel range of an image feature, from its dtype (uint8 -> 0..255)."""
    if image_spec.shape.rank != 3:
        raise errors.DataError(
            f"The image feature of {name!r} has shape {image_spec.shape}; kgan needs "
            f"[height, width, channels] images."
        )
    if image_spec.dtype not in (tf.uint8, tf.uint16):
        raise errors.DataError(
            f"The images of {name!r} are {image_spec.dtype.name}; kgan reads uint8 or uint16 "
            f"images from tensorflow-datasets. Convert them to NumPy and use "
            f"`kgan.data.from_arrays(..., value_range=...)`."
        )
    return (0, image_spec.dtype.max)
