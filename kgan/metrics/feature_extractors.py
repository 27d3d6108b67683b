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
  samples and the same reference images at the same size.
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
import tarfile

import keras
import numpy as np
import tensorflow as tf
from google.protobuf import message

NAMES = ("inception_v3", "fid_inception", "digits")
OUTPUTS = ("features", "logits")

FID_INCEPTION_URL = "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz"
FID_INCEPTION_GRAPH = "classify_image_graph_def.pb"
# Tensor names in that graph, as TTUR (`fid.py`) and openai/improved-gan read them.
INPUT_TENSOR = "ExpandDims:0"  # float RGB pixels in [0, 255], any size, before the resize
FEATURES_TENSOR = "pool_3:0"  # [N, 1, 1, 2048]
LOGITS_MATMUL = "softmax/logits/MatMul"  # pool_3 (reshaped) times the head's weights
LOGITS_OP = "softmax/logits"  # adds the head's bias (1,008 classes)


def _check_output(output):
    if output is not None and output not in OUTPUTS:
        raise ValueError(f"output must be None, 'features' or 'logits'; got {output!r}.")


def _check_range(input_range):
    low, high = (float(value) for value in input_range)
    if not high > low:
        raise ValueError(f"input_range must be (low, high) with low < high; got {input_range}.")
    return low, high


def _check_image_shape(shape):
    """Raises a clear error unless `shape` is `[batch, height, width, 1 or 3]`."""
    if getattr(shape, "rank", 0) is None:  # unknown rank: checked when run
        return
    shape = tuple(shape)
    if len(shape) != 4:
        raise ValueError(
            f"Expected images of shape [batch, height, width, channels]; got shape {shape}."
        )
    if shape[-1] is not None and shape[-1] not in (1, 3):
        raise ValueError(
            f"Expected images with 1 (grayscale) or 3 (RGB) channels; got shape {shape}."
        )


def _to_rgb(images):
    """Checks images `[batch, height, width, 1 or 3]` and repeats a gray channel three times."""
    _check_image_shape(images.shape)
    channels = images.shape[-1]
    if channels == 1:
        return tf.concat([images, images, images], axis=-1)
    if channels == 3:
        return images
    # The channel count is known only when run (in a function traced with relaxed shapes):
    # check it there, and let broadcasting repeat 1 channel and keep 3.
    channels = tf.shape(images)[-1]
    checks = [
        tf.debugging.assert_rank(images, 4, "Expected images [batch, height, width, channels]."),
        tf.debugging.Assert(
            tf.logical_or(tf.equal(channels, 1), tf.equal(channels, 3)),
            ["Expected images with 1 (grayscale) or 3 (RGB) channels; got shape", tf.shape(images)],
        ),
    ]
    with tf.control_dependencies([check for check in checks if check is not None]):
        return images + tf.zeros((3,), images.dtype)


@keras.saving.register_keras_serializable(package="kgan")
class GrayToRGB(keras.layers.Layer):
    """Repeats a grayscale channel three times; RGB images pass unchanged.

    Images must be `[batch, height, width, 1 or 3]`; any other shape raises an error naming it.
    A `Concatenate` layer could only repeat a channel count fixed when the model is built; this
    layer lets one extractor take gray and RGB images alike.
    """

    def call(self, images):
        return _to_rgb(images)

    def compute_output_shape(self, input_shape):
        _check_image_shape(input_shape)
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
    _check_output(output)
    low, high = _check_range(input_range)
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


def _read_graph_bytes(path):
    """The bytes of the `.pb` at `path`, or of the graph inside the `.tgz`/`.tar` at `path`.

    An archive's graph is extracted once next to it (into a folder named after the archive)
    and read from there afterwards; where that folder is not writable it is read in memory.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No Inception graph at '{path}'. Pass the path of '{FID_INCEPTION_GRAPH}' or of "
            f"the archive holding it, or path=None to download {FID_INCEPTION_URL}."
        )
    if not tarfile.is_tarfile(path):
        with open(path, "rb") as file:
            return file.read()
    with tarfile.open(path) as archive:
        graphs = [m for m in archive.getmembers() if m.isfile() and m.name.endswith(".pb")]
        named = [m for m in graphs if os.path.basename(m.name) == FID_INCEPTION_GRAPH]
        if not named and len(graphs) != 1:
            raise ValueError(
                f"Expected '{FID_INCEPTION_GRAPH}' (or a single .pb file) in '{path}'; found "
                f".pb files {[m.name for m in graphs]}."
            )
        member = (named or graphs)[0]
        folder = os.path.splitext(path)[0].removesuffix(".tar")
        cached = os.path.join(folder, os.path.basename(member.name))
        if os.path.isfile(cached) and os.path.getmtime(cached) >= os.path.getmtime(path):
            with open(cached, "rb") as file:
                return file.read()
        contents = archive.extractfile(member).read()
    try:  # write then rename, so a crash never leaves a truncated cache
        os.makedirs(folder, exist_ok=True)
        with open(cached + ".tmp", "wb") as file:
            file.write(contents)
        os.replace(cached + ".tmp", cached)
    except OSError:
        pass
    return contents


def _elementary_batch_norm(node):
    """Nodes computing what a `BatchNormWithGlobalNormalization` node did, under its name.

    The 2015 graph uses this op, removed at GraphDef version 9. Importing the old graph still
    works, but a TF2 function runs its body at the current version, where the op is gone. Its
    kernel computed `(t - mean) * rsqrt(variance + epsilon) [* gamma] + beta`.
    """
    dtype = node.attr["T"]
    t, mean, variance, beta, gamma = [name for name in node.input if not name.startswith("^")]
    epsilon = tf.compat.v1.NodeDef(name=f"{node.name}/kgan_epsilon", op="Const")
    epsilon.attr["dtype"].type = dtype.type
    value = np.asarray(node.attr["variance_epsilon"].f, tf.as_dtype(dtype.type).as_numpy_dtype)
    epsilon.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value))
    nodes = [epsilon]

    def add(op, name, *inputs):
        nodes.append(tf.compat.v1.NodeDef(name=name, op=op, input=inputs))
        nodes[-1].attr["T"].CopyFrom(dtype)
        return name

    prefix = f"{node.name}/kgan_"
    scale = add("Rsqrt", prefix + "rsqrt", add("AddV2", prefix + "add", variance, epsilon.name))
    if node.attr["scale_after_normalization"].b:
        scale = add("Mul", prefix + "scale", scale, gamma)
    centred = add("Sub", prefix + "sub", t, mean)
    add("AddV2", node.name, add("Mul", prefix + "mul", centred, scale), beta)
    nodes[-1].input.extend(name for name in node.input if name.startswith("^"))
    return nodes


def _tensor_name(name):
    return name if ":" in name else f"{name}:0"


def _node_name(name):
    return name.lstrip("^").split(":")[0]


def _prepare_graph_def(contents, path):
    """Parses the graph and cuts it down to what a TF2 function with any batch size needs.

    Returns:
        `(graph_def, tensors)`: the graph keeps only the ancestors of `pool_3` and of the
        classifier head's weight and bias, down to the input (a placeholder now); `tensors`
        names those three and says whether the head's `MatMul` transposes its weights.
    """
    graph_def = tf.compat.v1.GraphDef()
    try:
        graph_def.ParseFromString(contents)
    except message.DecodeError as error:
        raise ValueError(f"'{path}' does not hold a TensorFlow GraphDef: {error}") from None
    nodes = {node.name: node for node in graph_def.node}
    wanted = (INPUT_TENSOR, FEATURES_TENSOR, f"{LOGITS_MATMUL}:0", f"{LOGITS_OP}:0")
    missing = [tensor for tensor in wanted if _node_name(tensor) not in nodes]
    if missing:
        raise ValueError(
            f"The graph in '{path}' lacks the tensor(s) {missing} read from the "
            f"'inception-2015-12-05' graph ({FID_INCEPTION_URL})."
        )
    # The graph's own head reads `pool_3/_reshape`, a reshape to a fixed batch of 1, so the
    # logits are recomputed from the head's weight and bias, as openai/improved-gan does.
    matmul = nodes[LOGITS_MATMUL]
    bias = [name for name in nodes[LOGITS_OP].input if _node_name(name) != LOGITS_MATMUL]
    tensors = {
        "features": FEATURES_TENSOR,
        "weights": _tensor_name(matmul.input[1]),
        "bias": _tensor_name(bias[0]),
        "transpose_b": matmul.attr["transpose_b"].b,
    }
    # Only the ancestors of those tensors are kept, down to the input: the JPEG decoder in
    # front and the batch-1 head behind would otherwise be inlined wherever the function runs,
    # and shape inference there fails for batches other than 1.
    input_node = _node_name(INPUT_TENSOR)
    kept, pending = set(), [_node_name(tensors[key]) for key in ("features", "weights", "bias")]
    while pending:
        name = pending.pop()
        if name not in kept:
            kept.add(name)
            if name != input_node:
                pending.extend(_node_name(value) for value in nodes[name].input)
    subgraph = tf.compat.v1.GraphDef(versions=graph_def.versions, library=graph_def.library)
    for node in graph_def.node:
        if node.name == input_node:  # fed through input_map, never run
            placeholder = subgraph.node.add(name=input_node, op="Placeholder")
            placeholder.attr["dtype"].type = tf.float32.as_datatype_enum
        elif node.name in kept and node.op == "BatchNormWithGlobalNormalization":
            subgraph.node.extend(_elementary_batch_norm(node))
        elif node.name in kept:
            copy = subgraph.node.add()
            copy.CopyFrom(node)
            # Recorded shapes carry the graph's batch of 1 (TTUR patches them in Python);
            # without them shapes are inferred from the new input. Devices are left to TF.
            copy.attr.pop("_output_shapes", None)
            copy.ClearField("device")
    return subgraph, tensors


def _graph_function(graph_def, tensors, logits_bias):
    """Wraps the graph as a TF2 function: float images `[N, H, W, 3]` in [0, 255] -> dict."""

    def run(images):
        pool, weights, bias = tf.compat.v1.import_graph_def(
            graph_def,
            input_map={INPUT_TENSOR: images},
            return_elements=[tensors["features"], tensors["weights"], tensors["bias"]],
            name="fid_inception",
        )
        features = tf.reshape(pool, [tf.shape(pool)[0], pool.shape[-1] or -1])
        logits = tf.matmul(features, weights, transpose_b=tensors["transpose_b"])
        if logits_bias:
            logits = tf.nn.bias_add(logits, bias)
        return {"features": features, "logits": logits}

    return tf.compat.v1.wrap_function(run, [tf.TensorSpec([None, None, None, 3], tf.float32)])


@keras.saving.register_keras_serializable(package="kgan")
class FrozenGraphExtractor(keras.layers.Layer):
    """The "inception-2015-12-05" TensorFlow graph of FID/IS papers, as a Keras layer.

    Loads the frozen GraphDef (`classify_image_graph_def.pb`, from a `.pb` or the `.tgz`) into
    a TF2 function. The images are mapped from `input_range` to [0, 255], gray ones repeated to
    RGB, and fed at `ExpandDims:0`, as TTUR does: the graph then resizes them to 299x299 itself
    (TensorFlow 1 bilinear, `half_pixel_centers=False`) and scales them by `(x - 128) / 128`.
    Unlike TTUR, generated images are not rounded to integers first.

    Three quirks of the graph are handled. Its input and recorded shapes have a fixed batch of
    1 (TTUR's `_get_inception_layer` patches them): a new input of any batch is mapped in and
    the recorded shapes are dropped. Its classifier head reads a reshape to batch 1: the logits
    are recomputed from the weights of `softmax/logits/MatMul`, as openai/improved-gan does. It
    uses `BatchNormWithGlobalNormalization` (tensorflow/tensorflow#16927 shows its deprecation
    warning for this graph), an op that TF2 functions cannot run any more: it is rewritten as
    elementary ops. The graph's weights are not Keras weights: a saved model stores the path,
    and loading reads the graph again from it.

    Args:
        path: A `.pb` or `.tgz`/`.tar` archive holding the graph. Defaults to `None`: download
            `FID_INCEPTION_URL` once with `keras.utils.get_file` (cached in `~/.keras/kgan`).
        output: `None` for the dict, or `"features"` / `"logits"`. Defaults to `None`.
        input_range: Range `(low, high)` of the input pixels. Defaults to `(-1.0, 1.0)`.
        logits_bias: Add the head's bias to the logits. Defaults to `False`: `pool_3` times the
            head's weights, the logits of the Inception Score code of Salimans et al.
            (openai/improved-gan `inception_score/model.py`, and torch-fidelity's default
            `logits_unbiased`). `True` gives the graph's `softmax/logits`.
        **kwargs: Base layer arguments (`name`, ...).

    Returns (when called): `{"features": [N, 2048], "logits": [N, 1008]}` float32, or one.
    """

    def __init__(
        self, path=None, output=None, input_range=(-1.0, 1.0), logits_bias=False, **kwargs
    ):
        kwargs.setdefault("trainable", False)
        kwargs.setdefault("dtype", "float32")  # the graph is float32 under any policy
        super().__init__(**kwargs)
        _check_output(output)
        self.graph_path = None if path is None else os.fspath(path)
        self.selected_output = output
        self.input_range = _check_range(input_range)
        self.logits_bias = bool(logits_bias)
        source = self.graph_path
        if source is None:
            source = keras.utils.get_file(
                fname=os.path.basename(FID_INCEPTION_URL),
                origin=FID_INCEPTION_URL,
                cache_subdir="kgan",
            )
        graph_def, tensors = _prepare_graph_def(_read_graph_bytes(source), source)
        # Kept in a tuple so Keras and tf.Module tracking leave the function alone.
        self._function = (_graph_function(graph_def, tensors, self.logits_bias),)
        specs = self._function[0].structured_outputs
        self.output_dims = {key: specs[key].shape[-1] for key in OUTPUTS}
        self.built = True

    def call(self, images):
        images = keras.ops.convert_to_tensor(images, "float32")
        low, high = self.input_range
        pixels = _to_rgb((images - low) * (255.0 / (high - low)))
        outputs = self._function[0](pixels)
        if self.selected_output is not None:
            return outputs[self.selected_output]
        return dict(outputs)

    def compute_output_spec(self, images):
        _check_image_shape(images.shape)
        specs = {
            key: keras.KerasTensor((images.shape[0], self.output_dims[key]), "float32")
            for key in OUTPUTS
        }
        return specs if self.selected_output is None else specs[self.selected_output]

    def get_config(self):
        config = super().get_config()
        config.update(
            path=self.graph_path,
            output=self.selected_output,
            input_range=list(self.input_range),
            logits_bias=self.logits_bias,
        )
        return config


def fid_inception(path=None, output=None, input_range=(-1.0, 1.0)):
    """The FID Inception network of papers: pool_3 features (2048) and logits (1008).

    See `FrozenGraphExtractor` for what it runs and which tools' numbers it matches.

    Args:
        path: The graph as `.pb`, or the `inception-2015-12-05.tgz` archive. Defaults to
            `None`: downloaded once from `FID_INCEPTION_URL`.
        output: `None` for the dict, or `"features"` / `"logits"`. Defaults to `None`.
        input_range: Range `(low, high)` of the input pixels. Defaults to `(-1.0, 1.0)`.

    Returns:
        A `FrozenGraphExtractor` layer.

    Example:

    ```python
    extractor = fid_inception(path="inception-2015-12-05.tgz", output="features")
    fid = kgan.metrics.FrechetDistance(feature_extractor=extractor)
    ```

    Reference: Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a
    Local Nash Equilibrium", NeurIPS 2017; Salimans et al., "Improved Techniques for Training
    GANs", NeurIPS 2016.
    """
    return FrozenGraphExtractor(path=path, output=output, input_range=input_range)


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
    _check_output(output)
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
    _check_output(output)
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
