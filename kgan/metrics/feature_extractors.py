"""Feature extractors for the metrics: the networks that map images to features and logits.

An extractor maps a batch of kgan images (float32 `[N, H, W, C]`, in [-1, 1] by default) to
`{"features": [N, d], "logits": [N, k]}` ("logits" absent without a classifier head). Each
factory takes `output=None` (that dict) or `output="features"` / `"logits"` (that tensor
alone, what a metric's `feature_extractor` wants).

Which numbers can be compared with which:

- `fid_inception()` runs the TensorFlow "inception-2015-12-05" graph, the network behind the
  FID and Inception Score values in GAN papers, fed as TTUR feeds it (bioinf-jku/TTUR `fid.py`,
  the FID authors' code), so its FID compares with TTUR's. pytorch-fid, torch-fidelity and
  clean-fid run ports of the same weights; pytorch-fid's README says its values still differ
  slightly from TTUR's (another resize), and clean-fid's default mode resizes differently on
  purpose. Its logits are those of the Inception Score code of Salimans et al.
  (openai/improved-gan `inception_score/model.py`). Comparable also needs the same number of
  samples and the same reference images at the same size. The graph, how it is fed and how
  it is made to run in TF2 are in `kgan.metrics.fid_inception` (`fid_inception` and
  `FrozenGraphExtractor` are importable from here too).
- `inception_v3()` runs `keras.applications.InceptionV3`: other weights (1,000 classes; the
  2015 graph has 1,008) and another resize. Its numbers compare only with numbers from this
  same extractor, never with papers' FID or IS.
- `"digits"` (`kgan.metrics.classifier.digits_classifier`) and `from_model` give "classifier
  FID/IS": useful to compare models trained on the same data, offline, but kgan's own.

Example:

```python
from kgan import metrics
from kgan.metrics import feature_extractors

extractor = feature_extractors.get("fid_inception")  # downloads the graph once
outputs = feature_extractors.extract(extractor, images)  # {"features": ..., "logits": ...}
fid = metrics.FrechetDistance(feature_extractor=feature_extractors.fid_inception(
    output="features"))
```
"""

import collections.abc
import os

import keras
import numpy as np
import tensorflow as tf

from kgan.metrics import input_checks

# The 2015 graph has its own module; its extractor stays importable from here, and saved
# models name it by its registered name, `kgan>FrozenGraphExtractor`, wherever it lives.
from kgan.metrics.fid_inception import FrozenGraphExtractor
from kgan.metrics.fid_inception import fid_inception

NAMES = ("inception_v3", "fid_inception", "digits")
OUTPUTS = input_checks.OUTPUTS


@keras.saving.register_keras_serializable(package="kgan")
class GrayToRGB(keras.layers.Layer):
    """Repeats a grayscale channel three times; RGB images pass unchanged.

    Images must be `[batch, height, width, 1 or 3]`; any other shape raises an error naming it.
    A `Concatenate` layer could only repeat a channel count fixed when the model is built; this
    layer lets one extractor take gray and RGB images alike.
    """

    def call(self, images):
        return input_checks.to_rgb(images)

    def compute_output_shape(self, input_shape):
        input_checks.check_image_shape(input_shape)
        return (*input_shape[:-1], 3)


def inception_v3(output=None, weights="imagenet", input_range=(-1.0, 1.0), name="inception_v3"):
    """InceptionV3 from `keras.applications`: 2048-d pool features and 1,000 ImageNet logits.

    In front of the network: gray images are repeated to RGB, `input_range` is mapped linearly
    to [-1, 1] (what `keras.applications.inception_v3.preprocess_input` gives from [0, 255]),
    and images of any size are resized to 299x299 by `keras.layers.Resizing(299, 299,
    interpolation="bilinear")` (half-pixel centres, no antialiasing, aspect ratio not kept).
    Features are the output of the `avg_pool` layer, logits the final `Dense` before softmax.

    These weights are not the "inception-2015-12-05" graph of published FID/IS values, and
    the resize differs too: the numbers compare only with numbers from this extractor (use
    `fid_inception` for values comparable with papers).

    Args:
        output: `None` for the dict `{"features", "logits"}`, or `"features"` / `"logits"`
            for that tensor alone. Defaults to `None`.
        weights: `"imagenet"` (downloaded once to `~/.keras/models`), `None` (random, for
            tests and benchmarks) or a weights file path. Defaults to `"imagenet"`.
        input_range: Range `(low, high)` of the input pixels. Defaults to `(-1.0, 1.0)`.
        name: Model name. Defaults to `"inception_v3"`.

    Returns:
        A functional `keras.Model` on images `[N, H, W, 1 or 3]`, saveable as `.keras`.

    Example:

    ```python
    extractor = inception_v3(output="features")
    fid = kgan.metrics.FrechetDistance(feature_extractor=extractor)
    ```

    Reference: Szegedy et al., "Rethinking the Inception Architecture for Computer Vision",
    CVPR 2016.
    """
    input_checks.check_output(output)
    low, high = input_checks.check_input_range(input_range)
    network = keras.applications.InceptionV3(
        include_top=True, weights=weights, classifier_activation=None
    )
    heads = keras.Model(
        network.input,
        {"features": network.get_layer("avg_pool").output, "logits": network.output},
        name="inception_v3_heads",
    )
    images = keras.Input(shape=(None, None, None), name="images")
    # y = scale * x + offset maps [low, high] to [-1, 1]; for the default range it is exact.
    scale = 2.0 / (high - low)
    pixels = keras.layers.Rescaling(scale, offset=-1.0 - low * scale, name="rescale")(images)
    pixels = GrayToRGB(name="gray_to_rgb")(pixels)
    pixels = keras.layers.Resizing(299, 299, interpolation="bilinear", name="resize")(pixels)
    outputs = heads(pixels)
    model = keras.Model(images, outputs if output is None else outputs[output], name=name)
    # Frozen, so batch norm always runs in inference mode. Without this a plain call
    # `model(images)` would normalize with batch statistics and overwrite the moving ones:
    # `Resizing.call` defaults to `training=True`, which Keras passes on to later layers.
    model.trainable = False
    return model


def _inputs(model):
    """The model's inputs, a single tensor when there is one (a list makes Keras warn)."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def _select_output(model, output):
    """A functional model with dict outputs, cut down to its `output` tensor."""
    if output is None:
        return model
    outputs = model.output
    if not isinstance(outputs, collections.abc.Mapping) or output not in outputs:
        raise ValueError(f"The model {model.name!r} has no output {output!r}.")
    selected = keras.Model(_inputs(model), outputs[output], name=f"{model.name}_{output}")
    if hasattr(model, "metadata"):
        selected.metadata = model.metadata
    return selected


def _layer_output(model, layer_name):
    try:
        return model.get_layer(layer_name).output
    except ValueError:
        names = [layer.name for layer in model.layers]
        raise ValueError(
            f"The model {model.name!r} has no layer {layer_name!r}. Its layers: {names}."
        ) from None


def from_model(model, features_layer=None, logits_layer=None, output=None):
    """Any Keras model as an extractor, with named layers as features and logits.

    Args:
        model: A functional or built Sequential `keras.Model`, or the path of a `.keras` file
            (loaded with `safe_mode`).
        features_layer: Name of the layer whose output are the features (flattened to
            `[N, d]`). Defaults to `None`: the model's `"features"` output when it returns a
            dict, else the model's output.
        logits_layer: Name of the layer whose output are the logits. Defaults to `None`: the
            model's `"logits"` output when it returns a dict, else no logits.
        output: `None` for the dict, or `"features"` / `"logits"`. Defaults to `None`.

    Returns:
        A functional `keras.Model` with the same inputs.

    Example:

    ```python
    extractor = from_model(classifier, features_layer="penultimate", logits_layer="logits")
    ```
    """
    input_checks.check_output(output)
    if isinstance(model, str | os.PathLike):
        model = keras.saving.load_model(model)
    outputs = model.output
    if isinstance(outputs, collections.abc.Mapping):
        dict_outputs = {key: outputs[key] for key in OUTPUTS if key in outputs}
    else:
        dict_outputs = {"features": outputs}
    if features_layer is not None:
        dict_outputs["features"] = _layer_output(model, features_layer)
    if logits_layer is not None:
        dict_outputs["logits"] = _layer_output(model, logits_layer)
    if "features" not in dict_outputs:
        raise ValueError(f"The model {model.name!r} returns no 'features'; name features_layer.")
    if len(dict_outputs["features"].shape) != 2:
        dict_outputs["features"] = keras.layers.Flatten()(dict_outputs["features"])
    extractor = keras.Model(_inputs(model), dict_outputs, name=f"{model.name}_extractor")
    return _select_output(extractor, output)


def _digits(output=None, **kwargs):
    from kgan.metrics import classifier  # noqa: PLC0415 (trains or loads on first use)

    return _select_output(classifier.digits_classifier(**kwargs), output)


class _SelectedOutput:
    """A callable returning one entry of another callable's dict."""

    def __init__(self, extractor, output):
        self.extractor, self.output = extractor, output

    def __call__(self, images):
        return self.extractor(images)[self.output]


def get(identifier, output=None, **kwargs):
    """Resolves an extractor from a name, a model, a `.keras` path or a callable.

    Args:
        identifier: One of `NAMES` (`"inception_v3"`, `"fid_inception"`, `"digits"`), a Keras
            model (see `from_model`), the path of a `.keras` file, or a callable returning the
            extractor dict.
        output: `None` for the dict, or `"features"` / `"logits"`. Defaults to `None`.
        **kwargs: Passed to the factory (`inception_v3`, `fid_inception`,
            `kgan.metrics.classifier.digits_classifier`, `from_model`).

    Returns:
        The extractor.

    Example:

    ```python
    extractor = get("digits", output="logits")
    ```
    """
    input_checks.check_output(output)
    factories = {"inception_v3": inception_v3, "fid_inception": fid_inception, "digits": _digits}
    if isinstance(identifier, str) and identifier in factories:
        return factories[identifier](output=output, **kwargs)
    if isinstance(identifier, str | os.PathLike) and os.fspath(identifier).endswith(".keras"):
        return from_model(identifier, output=output, **kwargs)
    if isinstance(identifier, keras.Model):
        return from_model(identifier, output=output, **kwargs)
    if isinstance(identifier, FrozenGraphExtractor) and output != identifier.selected_output:
        return FrozenGraphExtractor.from_config({**identifier.get_config(), "output": output})
    if callable(identifier) and not isinstance(identifier, str):
        return identifier if output is None else _SelectedOutput(identifier, output)
    raise ValueError(
        f"Unknown feature extractor {identifier!r}: expected one of {list(NAMES)}, a Keras "
        "model, the path of a .keras file or a callable."
    )


def _image_batches(images_or_dataset, batch_size):
    if isinstance(images_or_dataset, tf.data.Dataset):
        dataset = images_or_dataset.map(lambda *element: element[0])
        if len(dataset.element_spec.shape) == 3:  # single images: batch them
            dataset = dataset.batch(batch_size)
        yield from dataset.as_numpy_iterator()
        return
    images = np.asarray(images_or_dataset)
    for start in range(0, len(images), batch_size):
        yield images[start : start + batch_size]


def run_batch(extractor, images):
    """Runs a resolved extractor on one batch in inference mode; returns a dict of NumPy arrays.

    Keras models run through `predict_on_batch` and Keras layers with `training=False`: called
    plainly, a model whose first layer is `keras.layers.Resizing` (whose `call` defaults to
    `training=True`) would pass training mode on, and batch normalization would normalise with
    the batch's statistics and overwrite its moving averages.

    Args:
        extractor: A resolved extractor (what `get` returns).
        images: One batch of images `[N, H, W, C]`.

    Returns:
        A dict of NumPy arrays (a single-output extractor's result is under `"features"`).
    """
    if isinstance(extractor, keras.Model):
        outputs = extractor.predict_on_batch(images)
    elif isinstance(extractor, keras.layers.Layer):
        outputs = extractor(images, training=False)
    else:
        outputs = extractor(images)
    if not isinstance(outputs, collections.abc.Mapping):
        outputs = {"features": outputs}
    return {key: keras.ops.convert_to_numpy(value) for key, value in outputs.items()}


def extract(extractor, images_or_dataset, batch_size=256):
    """Runs an extractor over images in batches and concatenates the outputs.

    Args:
        extractor: Anything `get` accepts (resolved with `get`).
        images_or_dataset: A NumPy array `[N, H, W, C]`, or a `tf.data.Dataset` of images,
            single or batched, or of `(images, labels)` (the labels are ignored).
        batch_size: Images per batch for arrays and unbatched datasets. Defaults to `256`.

    Returns:
        A dict of NumPy arrays (a single-output extractor's result is under `"features"`).

    Example:

    ```python
    outputs = extract("inception_v3", images)
    outputs["features"].shape  # (N, 2048)
    ```
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive; got {batch_size}.")
    if isinstance(extractor, str | os.PathLike):
        extractor = get(extractor)
    results = collections.defaultdict(list)
    for batch in _image_batches(images_or_dataset, batch_size):
        for key, value in run_batch(extractor, batch).items():
            results[key].append(value)
    if not results:
        raise ValueError("extract got no images.")
    return {key: np.concatenate(values) for key, values in results.items()}
