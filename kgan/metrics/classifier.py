"""A small image classifier to judge generated samples offline: "classifier IS/FID" and classes.

Inception features need downloaded weights and say little about 32x32 gray digits. A small CNN
trained on the same labelled data as the GAN gives features and logits in the kgan extractor
convention, `{"features": [N, d], "logits": [N, num_classes]}`, for the class statistics of
`kgan.metrics.mode_collapse`, the Inception Score on its logits, or FID on its features.

A classifier trained on real images alone is confident on anything: one called an untrained
generator's grey blobs "8" with 90% mean confidence. So by default it is also taught to answer
non-images with the uniform distribution (outlier exposure): its confidence then means "this
looks like one of the classes", which is what judging a generator needs.

`digits_classifier()` trains one on the bundled digits once and caches it as a `.keras` file, so
`--extractor digits` works offline and in seconds after the first call.

Example:

```python
from kgan.metrics import classifier

model = classifier.digits_classifier(image_size=32)
outputs = model.predict(samples)  # {"features": [N, 128], "logits": [N, 10]}
model.metadata["test_accuracy"]  # accuracy on 449 held-out real digits
```

Reference:
    Hendrycks et al., "Deep Anomaly Detection with Outlier Exposure", ICLR 2019.
    https://arxiv.org/abs/1812.04606
"""

import json
import os
import uuid
import warnings

import keras
import numpy as np

from kgan.data import digits

# Non-image outliers weigh half as much as real images in the loss: the paper's lambda = 0.5.
OUTLIER_WEIGHT = 0.5
# The smallest image side: three 2x poolings must leave at least one pixel.
MIN_IMAGE_SIZE = 8
# `digits_classifier`'s fixed held-out split: the same 25% of the digits whatever the training
# seed, so classifiers (and the models they judge) are compared on the same digits.
DIGITS_TEST_FRACTION = 0.25
DIGITS_SPLIT_SEED = 0
DEFAULT_EPOCHS = 40
# What `digits_classifier` records beside its cache.
METADATA_KEYS = (
    "test_accuracy",
    "train_examples",
    "test_examples",
    "epochs",
    "seed",
    "image_size",
    "kgan_version",
)


def build_classifier(input_shape, num_classes, name="classifier"):
    """Builds a small CNN from images in [-1, 1] to `{"features", "logits"}`.

    Two 3x3 convolutions per resolution (32, 64, 128 filters, each followed by 2x max pooling),
    global average pooling, dropout 0.3 and a dense layer. With one convolution per resolution
    the digits classifier (trained with outliers) was confident (>= 0.9) on only 88% of held-out
    real digits, against 97% with two: a judge that doubts real images cannot tell good samples
    from bad ones. Small random shifts (8%) and rotations (0.04 turns) while training make it
    judge shapes rather than the exact position every training image shares; generated images
    drift a little and should not lose confidence for that alone. The pixels shifted in are -1,
    the blank background of digits-like data.

    Args:
        input_shape: `(height, width, channels)`, height and width at least 8.
        num_classes: Number of classes, at least 2.
        name: Model name. Defaults to `"classifier"`.

    Returns:
        An untrained functional `keras.Model` whose output is the dict `{"features": [N, 128],
        "logits": [N, num_classes]}`, both float32 (also under mixed precision). `features` is
        the global average pool, before the dropout; the layers are named `"features"` and
        `"logits"` too.

    Example:

    ```python
    model = build_classifier((32, 32, 1), num_classes=10)
    model(images)["logits"].shape  # (N, 10)
    ```
    """
    input_shape = tuple(int(size) for size in input_shape)
    if len(input_shape) != 3 or min(input_shape[:2]) < MIN_IMAGE_SIZE or input_shape[2] < 1:
        raise ValueError(
            f"input_shape must be (height, width, channels) with height and width at least "
            f"{MIN_IMAGE_SIZE}; got {input_shape}."
        )
    _check_num_classes(num_classes)
    layers = keras.layers
    images = keras.Input(input_shape, name="images")
    x = layers.RandomTranslation(0.08, 0.08, fill_mode="constant", fill_value=-1.0)(images)
    x = layers.RandomRotation(0.04, fill_mode="constant", fill_value=-1.0)(x)
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    # float32 from here on, so both outputs are float32 under a mixed precision policy.
    features = layers.GlobalAveragePooling2D(dtype="float32", name="features")(x)
    x = layers.Dropout(0.3)(features)
    logits = layers.Dense(num_classes, dtype="float32", name="logits")(x)
    return keras.Model(images, {"features": features, "logits": logits}, name=name)


def make_outliers(images, labels, seed=0):
    """Images that are *not* of any class, one per input image, for outlier exposure.

    Four kinds, in turn, each keeping some statistic of the real images but not their shape:

    - the pixels of an image shuffled (same intensities, no strokes);
    - its patches shuffled: a 4x4 grid of square patches of side `min(height, width) // 4`
      (8x8 at 32x32; pixels past the grid, when the size is not a multiple of 4, stay put), so
      real stroke pieces in the wrong layout;
    - the average of two images of different classes: halfway between two classes, where a
      generator that mixes modes puts its samples (an overlay by maximum was tried too, but it
      also draws plausible digits, e.g. 1 over 7, and taught the classifier to doubt real ones);
    - smooth random blobs (uniform noise upsampled bicubically from 4x4 or 8x8, like an
      untrained generator's output).

    Args:
        images: float32 array `[N, height, width, channels]` in [-1, 1].
        labels: integer class ids `[N]`.
        seed: Seed of the shuffles, pairings and noise. Defaults to `0`.

    Returns:
        float32 array of the same shape as `images`, in [-1, 1].

    Example:

    ```python
    outliers = make_outliers(images, labels)
    classifier.predict(outliers)  # near-uniform predictions after outlier exposure
    ```

    Reference:
        Hendrycks et al., "Deep Anomaly Detection with Outlier Exposure", ICLR 2019.
        https://arxiv.org/abs/1812.04606
    """
    images = _check_images(images)
    labels = _check_labels(labels, len(images))
    rng = np.random.default_rng(seed)
    num, height, width, channels = images.shape
    patch = max(1, min(height, width) // 4)
    rows, columns = height // patch, width // patch
    kinds = np.arange(num) % 4
    outliers = images.copy()
    for index in np.flatnonzero(kinds == 0):
        pixels = images[index].reshape(-1, channels)
        outliers[index] = pixels[rng.permutation(len(pixels))].reshape(height, width, channels)
    for index in np.flatnonzero(kinds == 1):
        grid = images[index, : rows * patch, : columns * patch]
        pieces = grid.reshape(rows, patch, columns, patch, channels).transpose(0, 2, 1, 3, 4)
        pieces = pieces.reshape(-1, patch, patch, channels)[rng.permutation(rows * columns)]
        pieces = pieces.reshape(rows, columns, patch, patch, channels).transpose(0, 2, 1, 3, 4)
        outliers[index, : rows * patch, : columns * patch] = pieces.reshape(grid.shape)
    for index in np.flatnonzero(kinds == 2):
        others = np.flatnonzero(labels != labels[index])
        if len(others) == 0:  # one class only: any other image
            others = np.delete(np.arange(num), index) if num > 1 else np.array([index])
        outliers[index] = 0.5 * (images[index] + images[rng.choice(others)])
    blob_indices = np.flatnonzero(kinds == 3)
    blob_sizes = rng.choice([4, 8], size=len(blob_indices))
    for size in (4, 8):
        chosen = blob_indices[blob_sizes == size]
        if len(chosen):
            noise = rng.uniform(-1.0, 1.0, (len(chosen), size, size, channels)).astype("float32")
            blobs = keras.ops.image.resize(noise, (height, width), interpolation="bicubic")
            outliers[chosen] = np.clip(keras.ops.convert_to_numpy(blobs), -1.0, 1.0)
    return outliers


def train_classifier(
    images,
    labels,
    num_classes=None,
    epochs=DEFAULT_EPOCHS,
    batch_size=64,
    outlier_exposure=True,
    outlier_weight=OUTLIER_WEIGHT,
    seed=0,
    validation_data=None,
    callbacks=None,
    verbose=0,
):
    """Trains `build_classifier` on labelled images, with outlier exposure by default.

    Real images are taught with one-hot targets and the outliers of `make_outliers` with the
    uniform distribution; one cross-entropy on soft targets covers both, the outliers weighted
    by `outlier_weight`. Only the logits are trained (through a training model sharing the
    layers); the returned model is not compiled. Training starts with
    `keras.utils.set_random_seed(seed)`, which also reseeds Python, NumPy and TensorFlow's
    global generators.

    Args:
        images: float32 array `[N, height, width, channels]` in [-1, 1].
        labels: integer class ids `[N]` in `[0, num_classes)`.
        num_classes: Number of classes. Defaults to `None`: `max(labels) + 1`.
        epochs: Training epochs. Defaults to `40`.
        batch_size: Batch size. Defaults to `64`.
        outlier_exposure: Also train on non-images with uniform targets. Defaults to `True`.
        outlier_weight: Loss weight of an outlier relative to a real image. Defaults to `0.5`.
        seed: Seed of the weights, augmentation, outliers and shuffling. Defaults to `0`.
        validation_data: Optional `(images, labels)` of real held-out images: their
            cross-entropy is logged as `val_loss` every epoch (for `verbose` or `callbacks`).
            Defaults to `None`.
        callbacks: Keras callbacks for `fit`, e.g. `EarlyStopping("val_loss")`. Defaults to
            `None`.
        verbose: `fit` verbosity. Defaults to `0`.

    Returns:
        The trained `keras.Model` with outputs `{"features", "logits"}`.

    Example:

    ```python
    images, labels = kgan.data.digits_arrays(image_size=32)
    model = train_classifier(images, labels, epochs=40)
    classification_accuracy(model, test_images, test_labels)
    ```

    Reference:
        Hendrycks et al., "Deep Anomaly Detection with Outlier Exposure", ICLR 2019.
        https://arxiv.org/abs/1812.04606
    """
    images = _check_images(images)
    if num_classes is None:
        num_classes = int(np.max(_check_labels(labels, len(images)))) + 1
    labels = _check_labels(labels, len(images), num_classes)
    keras.utils.set_random_seed(seed)
    inputs = images
    targets = np.eye(num_classes, dtype="float32")[labels]
    weights = np.ones(len(images), "float32")
    if outlier_exposure:
        outliers = make_outliers(images, labels, seed=seed)
        inputs = np.concatenate([images, outliers])
        uniform = np.full((len(outliers), num_classes), 1.0 / num_classes, "float32")
        targets = np.concatenate([targets, uniform])
        weights = np.concatenate([weights, np.full(len(outliers), outlier_weight, "float32")])
    if validation_data is not None:
        val_images, val_labels = validation_data
        val_images = _check_images(val_images, "validation images")
        val_labels = _check_labels(val_labels, len(val_images), num_classes)
        validation_data = (val_images, np.eye(num_classes, dtype="float32")[val_labels])
    model = build_classifier(images.shape[1:], num_classes)
    # A single-output model over the same layers: `fit` sees only the logits, and the returned
    # dict-output model stays uncompiled (it is a judge, not something to train further).
    trainer = keras.Model(model.inputs, model.output["logits"])
    trainer.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    )
    trainer.fit(
        inputs,
        targets,
        sample_weight=weights,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=validation_data,
        callbacks=callbacks,
        shuffle=True,
        verbose=verbose,
    )
    return model


def classification_accuracy(model, images, labels, batch_size=256):
    """Share of `images` whose highest logit is their label, as a Python float.

    Args:
        model: A classifier with outputs `{"logits": ...}` (or the logits alone).
        images: Array `[N, height, width, channels]`.
        labels: integer class ids `[N]`.
        batch_size: Prediction batch size. Defaults to `256`.

    Returns:
        The accuracy in [0, 1].
    """
    images = _check_images(images)
    labels = _check_labels(labels, len(images))
    outputs = model.predict(images, batch_size=batch_size, verbose=0)
    logits = outputs["logits"] if isinstance(outputs, dict) else outputs
    return float(np.mean(np.argmax(logits, axis=-1) == labels))


def digits_split(image_size=32):
    """The bundled digits split into a fixed 75% for training and 25% held out.

    Args:
        image_size: int or `(height, width)`, as for `kgan.data.digits_arrays`. Defaults to
            `32`.

    Returns:
        `((train_images, train_labels), (test_images, test_labels))`: 1,348 and 449 digits.
    """
    images, labels = digits.digits_arrays(image_size)
    order = np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(images))
    num_test = int(round(len(images) * DIGITS_TEST_FRACTION))
    test, train = order[:num_test], order[num_test:]
    return (images[train], labels[train]), (images[test], labels[test])


def digits_classifier(image_size=32, cache_dir=None, seed=0, epochs=DEFAULT_EPOCHS):
    """A classifier of the bundled digits, trained once and then loaded from a cache.

    Trains `train_classifier` (with outlier exposure) on the 1,348 training digits of
    `digits_split`, measures its accuracy on the 449 held-out ones, and saves it as
    `digits_classifier_{image_size}_seed{seed}_v{kgan version}.keras` under `cache_dir` (with
    `_epochs{epochs}` before the version when `epochs` is not 40), with a `.json` beside it
    holding the accuracy. Both are written to a temporary file first and renamed, so a crash
    or a second process never leaves a half-written file. Later calls load the file (with
    Keras' `safe_mode`); a file that fails to load is retrained, with a warning. Works offline.
    40 epochs take a few minutes on a CPU.

    Args:
        image_size: Side of the square input images. Defaults to `32`.
        cache_dir: Directory of the cache. Defaults to `None`: `~/.keras/kgan` (or
            `$KERAS_HOME/kgan`, like Keras' own downloads).
        seed: Training seed (the split does not depend on it). Defaults to `0`.
        epochs: Training epochs. Defaults to `40`.

    Returns:
        A `keras.Model` from `[N, image_size, image_size, 1]` images in [-1, 1] to
        `{"features": [N, 128], "logits": [N, 10]}`. Its `metadata` attribute is the dict in the
        `.json` file: `test_accuracy`, `train_examples`, `test_examples`, `epochs`, `seed`,
        `image_size`, `kgan_version` (`None` values if that file is missing).

    Example:

    ```python
    model = digits_classifier(image_size=32)
    model.metadata["test_accuracy"]  # 0.996 with the defaults
    ```
    """
    import kgan  # the package's version is set after its submodules are imported

    if isinstance(image_size, bool) or not isinstance(image_size, int | np.integer):
        raise ValueError(f"image_size must be an int; got {image_size!r}.")
    image_size = int(image_size)
    if image_size < MIN_IMAGE_SIZE:
        raise ValueError(f"image_size must be at least {MIN_IMAGE_SIZE}; got {image_size}.")
    if cache_dir is None:
        # Where Keras caches its own downloads (`keras.utils.get_file`).
        cache_dir = os.path.join(os.environ.get("KERAS_HOME", os.path.join("~", ".keras")), "kgan")
    directory = os.path.expanduser(cache_dir)
    suffix = "" if epochs == DEFAULT_EPOCHS else f"_epochs{epochs}"
    stem = f"digits_classifier_{image_size}_seed{seed}{suffix}_v{kgan.__version__}"
    path = os.path.join(directory, stem + ".keras")
    metadata_path = os.path.join(directory, stem + ".json")
    if os.path.exists(path):
        try:
            model = keras.saving.load_model(path)
        except Exception as error:  # any unreadable cache is rebuilt, not fatal
            warnings.warn(
                f"Could not load the cached digits classifier {path} ({error}); retraining it.",
                stacklevel=2,
            )
        else:
            model.metadata = _read_metadata(metadata_path)
            return model
    train, test = digits_split(image_size)
    model = train_classifier(*train, num_classes=digits.NUM_CLASSES, epochs=epochs, seed=seed)
    metadata = {
        "test_accuracy": classification_accuracy(model, *test),
        "train_examples": int(len(train[0])),
        "test_examples": int(len(test[0])),
        "epochs": int(epochs),
        "seed": int(seed),
        "image_size": image_size,
        "kgan_version": kgan.__version__,
    }
    os.makedirs(directory, exist_ok=True)
    # The metadata first: whoever finds the model finds its metadata too (a crash in between
    # leaves only the `.json`, and the next call trains and writes both again).
    _write_atomically(metadata_path, lambda temporary: _dump_json(metadata, temporary))
    _write_atomically(path, model.save)
    model.metadata = metadata
    return model


# --- helpers -----------------------------------------------------------------------------------


def _write_atomically(path, write):
    """Calls `write(temporary_path)` in the same directory, then renames it to `path`."""
    root, extension = os.path.splitext(path)
    # Same directory (so the rename is atomic) and same extension (`save` insists on .keras).
    temporary = f"{root}.tmp-{uuid.uuid4().hex}{extension}"
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _dump_json(value, path):
    with open(path, "w") as file:
        json.dump(value, file, indent=2)
        file.write("\n")


def _read_metadata(path):
    try:
        with open(path) as file:
            return json.load(file)
    except (OSError, ValueError):
        return dict.fromkeys(METADATA_KEYS)


def _check_num_classes(num_classes):
    if isinstance(num_classes, bool) or not isinstance(num_classes, int | np.integer):
        raise ValueError(f"num_classes must be an int; got {num_classes!r}.")
    if num_classes < 2:
        raise ValueError(f"A classifier needs at least 2 classes; got num_classes={num_classes}.")


def _check_images(images, name="images"):
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            f"{name} must be a 4-D array [N, height, width, channels]; got shape {images.shape}."
        )
    if len(images) == 0:
        raise ValueError(f"{name} is empty: got shape {images.shape}.")
    images = images.astype("float32", copy=False)
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{name} contain NaN or infinite values.")
    low, high = float(images.min()), float(images.max())
    # A little slack for rounding (e.g. resizing); images in 0..1 or 0..255 fail here.
    if low < -1.01 or high > 1.01:
        raise ValueError(
            f"{name} must be in [-1, 1], kgan's image range; got values in [{low}, {high}]. "
            "Rescale them, e.g. x / 127.5 - 1 for 0..255."
        )
    return images


def _check_labels(labels, num_images, num_classes=None):
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(
            f"labels must be a 1-D array of integer class ids; got shape {labels.shape}."
        )
    if len(labels) != num_images:
        raise ValueError(f"Got {num_images} images but {len(labels)} labels.")
    if not np.issubdtype(labels.dtype, np.integer):
        if not np.issubdtype(labels.dtype, np.floating) or np.any(labels != np.round(labels)):
            raise ValueError(f"labels must be integer class ids; got dtype {labels.dtype}.")
    labels = labels.astype(np.int64)
    if num_classes is not None:
        _check_num_classes(num_classes)
    if labels.min() < 0 or (num_classes is not None and labels.max() >= num_classes):
        raise ValueError(
            f"labels must be in [0, {num_classes if num_classes is not None else 'num_classes'}); "
            f"got values in [{labels.min()}, {labels.max()}]."
        )
    return labels
