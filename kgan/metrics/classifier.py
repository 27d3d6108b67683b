"""A small image classifier to judge generated samples offline: "classifier IS/FID" and classes.

Inception features need downloaded weights and say little about 32x32 gray digits. A small CNN
trained on the same labelled data as the GAN gives features and logits in the kgan extractor
convention, `{"features": [N, d], "logits": [N, num_classes]}`, for the class statistics of
`kgan.metrics.mode_collapse`, the Inception Score on its logits, or FID on its features.

A classifier trained on real images alone is confident on anything: one called an untrained
generator's grey blobs "8" with 90% mean confidence. So by default it is also taught to answer
non-images with the uniform distribution (outlier exposure, the non-images of
`kgan.metrics.outliers`): its confidence then means "this looks like one of the classes",
which is what judging a generator needs.

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
import warnings

import keras
import numpy as np

from kgan.data import digits
from kgan.metrics import input_checks
from kgan.metrics import outliers as outliers_lib
from kgan.utils import atomic

# Non-image outliers weigh half as much as real images in the loss: the paper's lambda = 0.5.
OUTLIER_WEIGHT = 0.5
# The smallest image side: three 2x poolings must leave at least one pixel.
MIN_IMAGE_SIZE = 8
# `digits_classifier`'s fixed held-out split: the same 25% of the digits whatever the training
# seed, so classifiers (and the models they judge) are compared on the same digits.
DIGITS_TEST_FRACTION = 0.25
DIGITS_SPLIT_SEED = 0
DEFAULT_EPOCHS = 40
# Part of the digits classifier's cache name, with kgan's version: raise it whenever the
# network or its training changes, so no cached classifier of the old kind is reused.
# Revision 2: augmentation moved out of the saved classifier.
CLASSIFIER_REVISION = 2
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
    from bad ones. The model holds no augmentation layer (`train_classifier` puts those in
    front of it while training), so calling it in any mode gives the same, deterministic output.

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
    input_checks.check_num_classes(num_classes)
    layers = keras.layers
    images = keras.Input(input_shape, name="images")
    x = images
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    # float32 from here on, so both outputs are float32 under a mixed precision policy.
    features = layers.GlobalAveragePooling2D(dtype="float32", name="features")(x)
    x = layers.Dropout(0.3)(features)
    logits = layers.Dense(num_classes, dtype="float32", name="logits")(x)
    return keras.Model(images, {"features": features, "logits": logits}, name=name)


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

    Real images are taught with one-hot targets and the outliers of
    `kgan.metrics.outliers.make_outliers` with the uniform distribution; one cross-entropy on
    soft targets covers both, the outliers weighted by `outlier_weight`. Only the logits are
    trained (through a training model sharing the layers); the returned model is not compiled.
    Training starts with `keras.utils.set_random_seed(seed)`, which also reseeds Python, NumPy
    and TensorFlow's global generators.

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
    images = input_checks.check_images(images)
    if num_classes is None:
        num_classes = int(np.max(input_checks.check_labels(labels, len(images)))) + 1
    labels = input_checks.check_labels(labels, len(images), num_classes)
    keras.utils.set_random_seed(seed)
    inputs = images
    targets = np.eye(num_classes, dtype="float32")[labels]
    weights = np.ones(len(images), "float32")
    if outlier_exposure:
        outliers = outliers_lib.make_outliers(images, labels, seed=seed)
        inputs = np.concatenate([images, outliers])
        uniform = np.full((len(outliers), num_classes), 1.0 / num_classes, "float32")
        targets = np.concatenate([targets, uniform])
        weights = np.concatenate([weights, np.full(len(outliers), outlier_weight, "float32")])
    if validation_data is not None:
        val_images, val_labels = validation_data
        val_images = input_checks.check_images(val_images, "validation images")
        val_labels = input_checks.check_labels(val_labels, len(val_images), num_classes)
        validation_data = (val_images, np.eye(num_classes, dtype="float32")[val_labels])
    model = build_classifier(images.shape[1:], num_classes)
    # The training model: augmentation, then the classifier's layers, logits only. Small random
    # shifts (8%) and rotations (0.04 turns) make it judge shapes rather than the exact position
    # every training image shares; generated images drift a little and should not lose
    # confidence for that alone. The pixels shifted in are -1, the blank background of
    # digits-like data. Keras' augmentation layers augment whenever called without
    # `training=False`, so they stay out of the returned judge: a metric calling it plainly
    # would otherwise score randomly shifted images. The judge stays uncompiled.
    trainer_images = keras.Input(images.shape[1:], name="images")
    augmented = keras.layers.RandomTranslation(0.08, 0.08, fill_mode="constant", fill_value=-1.0)(
        trainer_images
    )
    augmented = keras.layers.RandomRotation(0.04, fill_mode="constant", fill_value=-1.0)(augmented)
    trainer = keras.Model(trainer_images, model(augmented)["logits"])
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
    images = input_checks.check_images(images)
    labels = input_checks.check_labels(labels, len(images))
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


def digits_classifier(image_size=32, cache_dir=None, seed=0, epochs=DEFAULT_EPOCHS, verbose=0):
    """A classifier of the bundled digits, trained once and then loaded from a cache.

    Trains `train_classifier` (with outlier exposure) on the 1,348 training digits of
    `digits_split`, measures its accuracy on the 449 held-out ones, and saves it as
    `digits_classifier_{image_size}_seed{seed}_v{kgan version}_r{CLASSIFIER_REVISION}.keras`
    under `cache_dir` (with `_epochs{epochs}` before the version when `epochs` is not 40, and
    the revision raised when the network changes), with a `.json` beside it
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
        verbose: `0` trains silently; `1` or `2` (Keras' progress bar, or a line per epoch)
            also say, before and after training, that it happens once and where the result
            is cached. Nothing is printed when the cached classifier is loaded. Defaults to
            `0`.

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
    stem = (
        f"digits_classifier_{image_size}_seed{seed}{suffix}_v{kgan.__version__}"
        f"_r{CLASSIFIER_REVISION}"
    )
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
    if verbose:
        print(
            f"Training the digits classifier ({image_size}x{image_size}, {epochs} epochs, a line "
            f"per epoch); this happens once, later runs load it from {path}"
        )
    model = train_classifier(
        *train, num_classes=digits.NUM_CLASSES, epochs=epochs, seed=seed, verbose=verbose
    )
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
    atomic.write_json(metadata_path, metadata)
    atomic.write_with(path, model.save)
    model.metadata = metadata
    if verbose:
        print(f"Cached the digits classifier (test accuracy {metadata['test_accuracy']:.3f})")
    return model


# --- helpers -----------------------------------------------------------------------------------


def _read_metadata(path):
    try:
        with open(path) as file:
            return json.load(file)
    except (OSError, ValueError):
        return dict.fromkeys(METADATA_KEYS)
