"""The "inception-2015-12-05" TensorFlow graph behind the FID and IS values of GAN papers.

`fid_inception()` returns a `FrozenGraphExtractor`, a Keras layer that runs the frozen GraphDef
(`classify_image_graph_def.pb`, in the `.tgz` at `FID_INCEPTION_URL`) fed as TTUR feeds it
(bioinf-jku/TTUR `fid.py`, the FID authors' code): pixels in [0, 255] at `ExpandDims:0`, the
graph's own resize to 299x299, `pool_3` features (2048) and the logits (1008) of the Inception
Score code of Salimans et al. (openai/improved-gan `inception_score/model.py`). Its FID compares
with TTUR's; `kgan.metrics.feature_extractors` says which other tools' numbers it matches.

The graph was written for TensorFlow 1: a batch fixed to 1, a classifier head behind a reshape
to that batch, and an op (`BatchNormWithGlobalNormalization`) that TF2 functions no longer run.
The helpers below read the graph (from a `.pb` or the archive) and cut and rewrite it into a
TF2 function of any batch size; `FrozenGraphExtractor` documents each quirk.
`kgan.testing.frozen_graph` writes a tiny graph with the same names and quirks, for tests.

Example:

```python
from kgan import metrics
from kgan.metrics import fid_inception

extractor = fid_inception.fid_inception(output="features")  # downloads the graph once
fid = metrics.FrechetDistance(feature_extractor=extractor)
```
"""

import os
import tarfile
import uuid

import keras
import numpy as np
import tensorflow as tf
from google.protobuf import message

from kgan.metrics import input_checks

# TTUR and the papers name the http address; the same file is served over https, and the
# download is a graph that runs here, so it is fetched over https.
FID_INCEPTION_URL = "https://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz"
FID_INCEPTION_GRAPH = "classify_image_graph_def.pb"
# Tensor names in that graph, as TTUR (`fid.py`) and openai/improved-gan read them.
INPUT_TENSOR = "ExpandDims:0"  # float RGB pixels in [0, 255], any size, before the resize
FEATURES_TENSOR = "pool_3:0"  # [N, 1, 1, 2048]
LOGITS_MATMUL = "softmax/logits/MatMul"  # pool_3 (reshaped) times the head's weights
LOGITS_OP = "softmax/logits"  # adds the head's bias (1,008 classes)


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
        # A name of this process's own, so two processes extracting at once do not collide.
        temporary = f"{cached}.tmp-{os.getpid()}-{uuid.uuid4().hex}"
        with open(temporary, "wb") as file:
            file.write(contents)
        os.replace(temporary, cached)
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
        input_checks.check_output(output)
        self.graph_path = None if path is None else os.fspath(path)
        self.selected_output = output
        self.input_range = input_checks.check_input_range(input_range)
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
        self.output_dims = {key: specs[key].shape[-1] for key in input_checks.OUTPUTS}
        self.built = True

    def call(self, images):
        images = keras.ops.convert_to_tensor(images, "float32")
        low, high = self.input_range
        pixels = input_checks.to_rgb((images - low) * (255.0 / (high - low)))
        outputs = self._function[0](pixels)
        if self.selected_output is not None:
            return outputs[self.selected_output]
        return dict(outputs)

    def compute_output_spec(self, images):
        input_checks.check_image_shape(images.shape)
        specs = {
            key: keras.KerasTensor((images.shape[0], self.output_dims[key]), "float32")
            for key in input_checks.OUTPUTS
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
