"""Unpaired two-domain data for CycleGAN-style models: `(images_a, images_b)` batches.

An unpaired image-to-image model learns from two sets of images, e.g. horses and zebras, with no
image of one matched to an image of the other. `load_unpaired(a, b)` reads each domain from any
source kgan knows (a `kgan.data.load` spec, a NumPy array or a `tf.data.Dataset`), shuffles
each on its own, and zips them into float32 batches in [-1, 1].

Example:

```python
import kgan

dataset = kgan.data.load_unpaired(
    "cycle_gan/horse2zebra:trainA", "cycle_gan/horse2zebra:trainB", image_size=256
)
```
"""

import math
import os

import numpy as np
import tensorflow as tf

from kgan.data import arrays
from kgan.data import errors
from kgan.data import loading
from kgan.data import pipeline

# Feature that holds the image in a dataset of dicts (tensorflow-datasets' convention).
_IMAGE_KEY = "image"


def load_unpaired(
    a,
    b,
    image_size=None,
    batch_size=1,
    channels=None,
    value_range=None,
    seed=None,
    shuffle=True,
    drop_remainder=True,
    data_dir=None,
    download=True,
):
    """Builds a dataset of `(images_a, images_b)` batches from two unpaired image domains.

    Each domain is shuffled on its own, with a seed derived from `seed` for each, so the two
    orders are unrelated, and reshuffled every epoch: which image of A meets which image of B
    changes from epoch to epoch. An epoch lasts as long as the larger domain, as in the authors'
    code: every image of the larger domain is seen once per epoch, while the smaller domain is
    drawn again, reshuffled, as often as needed (without replacement within each pass, where the
    authors' code draws B at random with replacement). The number of batches is known to Keras,
    so `fit` shows steps.

    Each of `a` and `b` may be:

    - a string or path, read with `kgan.data.load`: `"digits"`, a folder of images, or a
      tensorflow-datasets `"name:split"` such as `"cycle_gan/horse2zebra:trainA"` (labels are
      dropped; those images differ in size in the catalog's spec, so pass `image_size`);
    - a NumPy array of images, `[N, H, W, C]` or `[N, H, W]` (gray), as `kgan.data.from_arrays`
      takes them: `uint8` in 0..255, `uint16` in 0..65535, floats in `value_range`, or floats
      already in [-1, 1];
    - a `tf.data.Dataset` of images, single (`[H, W, C]`) or batched (`[batch, H, W, C]`; it is
      unbatched and batched again with `batch_size`), or of `(images, ...)` tuples or
      `{"image": ...}` dicts, whose other parts are dropped. `uint8` and `uint16` pixels are
      scaled from their full range; float pixels are taken as [-1, 1] unless `value_range` is
      given. Its number of images must be known: tf.data knows it for most pipelines, but not
      after e.g. `filter`, where `.apply(tf.data.experimental.assert_cardinality(n))` tells it.
      A batched dataset whose batch size is not static is counted once, by reading it through.

    Args:
        a: the first domain, as above.
        b: the second domain, as above.
        image_size: int or `(height, width)` to centre-crop and resize both domains to; `None`
            keeps the sources' size, which must then be the same in both. Defaults to `None`.
        batch_size: images per batch, in each domain. The CycleGAN paper trains with 1, at which
            its instance normalization is the paper's; kgan's single-domain loaders default to
            64. Defaults to `1`.
        channels: 1, 3 or 4 to convert both domains to; `None` keeps each domain's own, so A
            can be gray and B RGB. Defaults to `None`.
        value_range: `(low, high)` of the float (or other non-`uint8`/`uint16`) pixels of
            array and dataset domains, mapped to [-1, 1]; needed for pixels outside [-1, 1].
            `uint8` and `uint16` pixels always map from their full range, so a `uint8` domain
            and a float one can be mixed. Defaults to `None`.
        seed: seed of both shuffles, for a repeatable order. Defaults to `None`.
        shuffle: reshuffle both domains every epoch. Defaults to `True`.
        drop_remainder: drop the last, partial batch, so that every batch holds `batch_size`
            images (which `tf.distribute` and a CycleGAN image pool want). Defaults to `True`.
        data_dir: tensorflow-datasets data folder. Defaults to `None` (its default).
        download: let tensorflow-datasets download missing data. Defaults to `True`.

    Returns:
        A `tf.data.Dataset` of `(images_a, images_b)` tuples of float32 batches
        `[batch_size, height, width, channels]` in [-1, 1], `max(len(a), len(b)) // batch_size`
        of them per epoch (rounded up with `drop_remainder=False`).

    Raises:
        DataError: naming the domain (`'a'` or `'b'`), if a domain cannot be read (with
            `kgan.data.load`'s reason), holds no images, or fewer than `batch_size`, or if the
            domains' image sizes differ while `image_size` is `None`.

    Example:

    >>> horses = np.zeros([10, 32, 32, 3], np.uint8)
    >>> zebras = np.zeros([6, 32, 32, 3], np.uint8)
    >>> dataset = load_unpaired(horses, zebras, batch_size=2, seed=0)
    >>> len(dataset)  # the larger domain, once per epoch
    5
    >>> [images.shape for images in next(iter(dataset))]
    [TensorShape([2, 32, 32, 3]), TensorShape([2, 32, 32, 3])]

    Reference:
        [Zhu et al., 2017](https://arxiv.org/abs/1703.10593), "Unpaired Image-to-Image
        Translation using Cycle-Consistent Adversarial Networks".
    """
    pipeline.check_batch_size(batch_size)
    if channels not in (None, 1, 3, 4):
        raise errors.DataError(f"channels must be 1, 3, 4 or None, got {channels!r}.")
    size = pipeline.image_size_pair(image_size)
    common = dict(
        image_size=size,
        channels=channels,
        value_range=value_range,
        shuffle=shuffle,
        data_dir=data_dir,
        download=download,
    )
    domains = {
        role: _domain(source, role, seed=domain_seed, **common)
        for role, source, domain_seed in zip("ab", (a, b), _domain_seeds(seed))
    }
    for role, (_, num_images) in domains.items():
        if num_images < batch_size:
            raise errors.DataError(
                f"Domain {role!r} holds {num_images} images, fewer than batch_size={batch_size}: "
                f"each batch would repeat its images. Pass batch_size <= {num_images}."
            )
    shapes = {role: tuple(images.element_spec.shape) for role, (images, _) in domains.items()}
    if shapes["a"][:2] != shapes["b"][:2]:
        raise errors.DataError(
            f"Domain 'a' holds {shapes['a'][0]}x{shapes['a'][1]} images and domain 'b' "
            f"{shapes['b'][0]}x{shapes['b'][1]} (height x width). Pass image_size=... to resize "
            "both to one size."
        )

    epoch_images = max(num_images for _, num_images in domains.values())
    batches = []
    for images, num_images in domains.values():
        if num_images < epoch_images:
            # Each pass of `repeat` re-iterates the shuffle below it, so every pass over the
            # smaller domain comes in a new order; `take` cuts the stream to the larger domain's
            # length, so that both domains end their epoch together.
            images = images.repeat().take(epoch_images)
        batches.append(images.batch(batch_size, drop_remainder=drop_remainder))
    dataset = tf.data.Dataset.zip(tuple(batches))
    steps = epoch_images // batch_size if drop_remainder else math.ceil(epoch_images / batch_size)
    # Already known through the asserted domain sizes; asserted again so a change in any
    # source's cardinality cannot silently leave `fit` without a step count.
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(steps))
    return dataset.prefetch(tf.data.AUTOTUNE).with_options(pipeline.dataset_options())


def _domain_seeds(seed):
    """Two unrelated shuffle seeds from one, or `(None, None)`.

    Deriving them (rather than using `seed` twice) matters: two domains of the same size
    shuffled with the same seed would come in the same permutation, pairing image `i` of A with
    image `i` of B in every epoch.
    """
    if seed is None:
        return None, None
    spawned = np.random.SeedSequence(seed).spawn(2)
    return tuple(int(sequence.generate_state(1)[0]) for sequence in spawned)


def _domain(source, role, image_size, channels, value_range, seed, shuffle, data_dir, download):
    """Returns `(dataset of single float32 images in [-1, 1], number of images)` of a domain."""
    try:
        if isinstance(source, (str, os.PathLike)):
            images, num_images = _from_spec(
                source, image_size, channels, seed, shuffle, data_dir, download
            )
        else:
            if isinstance(source, tf.data.Dataset):
                images, num_images, source_range = _from_dataset(source, value_range)
            else:
                images, num_images, source_range = _from_array(source, value_range)
            if shuffle:
                buffer = min(num_images, pipeline.DEFAULT_SHUFFLE_BUFFER) or 1
                images = images.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
            images = images.map(
                lambda image: _prepared(image, source_range, image_size, channels),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
    except errors.DataError as error:
        raise errors.DataError(f"Domain {role!r}: {error}") from error
    if num_images == 0:
        raise errors.DataError(f"Domain {role!r} holds no images.")
    shape = images.element_spec.shape
    if not shape.is_fully_defined():
        raise errors.DataError(
            f"Domain {role!r} holds images of different or unknown sizes or channels "
            f"({shape}): pass image_size=... (and channels=...) to convert them to one shape."
        )
    return images, num_images


def _from_spec(spec, image_size, channels, seed, shuffle, data_dir, download):
    # Batches of one are unbatched into a stream of images: `load` validates, shuffles and
    # preprocesses as for any kgan dataset, and its cardinality is then the number of images.
    batched = loading.load(
        spec,
        image_size=image_size,
        batch_size=1,
        channels=channels,
        seed=seed,
        shuffle=shuffle,
        drop_remainder=False,
        data_dir=data_dir,
        download=download,
    )
    num_images = int(batched.cardinality())
    if num_images < 0:
        raise errors.DataError(f"tf.data cannot tell how many images {spec!r} holds.")
    images = batched.unbatch().apply(tf.data.experimental.assert_cardinality(num_images))
    return images, num_images


def _from_array(images, value_range):
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise errors.DataError(
            f"images must have shape [N, H, W, C] or [N, H, W] (gray), got {images.shape}."
        )
    if len(images) == 0:
        raise errors.DataError("the array holds no images.")
    if images.dtype in (np.uint8, np.uint16):
        value_range = (0, np.iinfo(images.dtype).max)
    images, source_range = arrays.check_images(images, value_range)
    return tf.data.Dataset.from_tensor_slices(images), len(images), source_range


def _from_dataset(dataset, value_range):
    """Returns a dataset's single images, their number and their value range (`None`: [-1, 1])."""
    spec = dataset.element_spec
    if isinstance(spec, dict):
        if _IMAGE_KEY not in spec:
            raise errors.DataError(
                f"the dataset yields dicts without an {_IMAGE_KEY!r} key (keys: "
                f"{', '.join(map(str, spec))}); map it to images first."
            )
        dataset, spec = dataset.map(lambda example: example[_IMAGE_KEY]), spec[_IMAGE_KEY]
    elif isinstance(spec, tuple):
        # (images, labels) or similar: the images come first, as in every kgan dataset.
        dataset, spec = dataset.map(lambda images, *rest: images), spec[0]
    if not isinstance(spec, tf.TensorSpec) or spec.shape.rank not in (3, 4):
        raise errors.DataError(
            f"the dataset must yield images [H, W, C] or batches [batch, H, W, C], got {spec}."
        )
    cardinality = int(dataset.cardinality())
    if cardinality == tf.data.INFINITE_CARDINALITY:
        raise errors.DataError("the dataset repeats forever; pass one that ends (no .repeat()).")
    if cardinality == tf.data.UNKNOWN_CARDINALITY:
        raise errors.DataError(
            "tf.data cannot tell how many images the dataset holds (e.g. after filter); "
            "state it with dataset.apply(tf.data.experimental.assert_cardinality(n))."
        )
    num_images = cardinality
    if spec.shape.rank == 4:
        if spec.shape[0] is None:
            num_images = int(dataset.reduce(np.int64(0), lambda n, x: n + tf.shape(x, tf.int64)[0]))
        else:
            num_images = cardinality * spec.shape[0]
        dataset = dataset.unbatch()
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(num_images))
    return dataset, num_images, _dataset_range(spec.dtype, value_range)


def _dataset_range(dtype, value_range):
    if dtype in (tf.uint8, tf.uint16):
        return (0, dtype.max)
    if value_range is not None:
        return tuple(value_range)
    if dtype.is_floating:
        return None
    raise errors.DataError(
        f"the dataset yields {dtype.name} images: pass value_range=(low, high) to say which "
        "values map to -1 and 1."
    )


def _prepared(image, value_range, image_size, channels):
    """Maps one image to float32 [-1, 1] at `image_size` with `channels` channels."""
    if value_range is None:
        image = tf.cast(image, tf.float32)
        # Float images are taken as [-1, 1]; ones in [0, 255] or [0, 1] would train a `tanh`
        # generator against a range it cannot reach, so out-of-range values stop the run.
        check = tf.debugging.assert_less_equal(
            tf.reduce_max(tf.abs(image)),
            1.0,
            message="unpaired: float images outside [-1, 1]; pass value_range=(low, high)",
        )
        with tf.control_dependencies([check]):
            image = tf.identity(image)
    else:
        image = pipeline.normalize(image, value_range)
    image = pipeline.resize(image, image_size)
    return pipeline.convert_channels(image, channels)
