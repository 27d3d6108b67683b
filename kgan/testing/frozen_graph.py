"""A tiny stand-in for the TensorFlow "inception-2015-12-05" frozen graph, for offline tests.

The real `classify_image_graph_def.pb` (a large download) is what FID and Inception Score
numbers in papers come from. This module writes a graph of under a hundred weights with the same
tensor names and the same quirks that `kgan.metrics.fid_inception.fid_inception` has to
handle, so its loading code can be tested without the download:

- a JPEG front end (`DecodeJpeg/contents` -> `DecodeJpeg` -> `Cast`) whose `ExpandDims:0` output,
  float pixels in [0, 255], has the static batch size 1;
- the graph's own resize (`ResizeBilinear`, TensorFlow 1's `align_corners=False`,
  `half_pixel_centers=False`) and scaling `(x - 128) / 128` (`Sub`, `Mul`);
- the deprecated `BatchNormWithGlobalNormalization` op, legal only because the GraphDef's
  producer version is older than 9 (as in the real file);
- `pool_3:0` of shape `[1, 1, 1, dim]`, reshaped to a fixed `[1, dim]` by `pool_3/_reshape` in
  front of the classifier head `softmax/logits/MatMul` -> `softmax/logits` (bias) -> `softmax`;
- recorded `_output_shapes` attributes with that batch size 1.

`reference_outputs` computes the same network in NumPy for images already at the graph's
resize size (where the resize is the identity).

Example:

```python
graph = frozen_graph.write_inception_like_graph(tmp_path)
extractor = fid_inception.fid_inception(path=graph.tgz_path)
expected = frozen_graph.reference_outputs(graph, images_0_255)
```
"""

import dataclasses
import os
import tarfile

import numpy as np
import tensorflow as tf

GRAPH_FILENAME = "classify_image_graph_def.pb"


@dataclasses.dataclass
class InceptionLikeGraph:
    """Paths to the written graph (`.pb` and `.tgz`) and the weights inside it."""

    pb_path: str
    tgz_path: str
    image_size: int
    kernel: np.ndarray
    batch_norm: dict
    softmax_weights: np.ndarray
    softmax_biases: np.ndarray


def _graph_def(image_size, kernel, batch_norm, softmax_weights, softmax_biases):
    """Builds the GraphDef: TensorFlow ops, then the old batch norm op edited in by hand."""
    dim = kernel.shape[-1]
    graph = tf.Graph()
    with graph.as_default():
        contents = tf.compat.v1.placeholder(tf.string, shape=[], name="DecodeJpeg/contents")
        decoded = tf.io.decode_jpeg(contents, channels=3, name="DecodeJpeg")
        pixels = tf.cast(decoded, tf.float32, name="Cast")
        batch = tf.expand_dims(pixels, 0, name="ExpandDims")  # static shape [1, ?, ?, 3]
        resized = tf.compat.v1.image.resize_bilinear(
            batch, [image_size, image_size], name="ResizeBilinear"
        )
        centred = tf.subtract(resized, 128.0, name="Sub")
        scaled = tf.multiply(centred, 1.0 / 128.0, name="Mul")
        conv = tf.nn.conv2d(scaled, tf.constant(kernel), 1, "VALID", name="conv/Conv2D")
        # Stand-in node, turned into BatchNormWithGlobalNormalization below: TensorFlow 2
        # refuses to create that op in a new graph.
        normalized = tf.identity(conv, name="conv/batchnorm")
        for key in ("mean", "variance", "beta", "gamma"):
            tf.constant(batch_norm[key], name=f"conv/batchnorm/{key}")
        activations = tf.nn.relu(normalized, name="conv/Relu")
        pool = tf.nn.avg_pool2d(activations, image_size, 1, "VALID", name="pool_3")
        flat = tf.reshape(pool, [1, dim], name="pool_3/_reshape")  # the fixed batch of 1
        weights = tf.constant(softmax_weights, name="softmax/weights")
        biases = tf.constant(softmax_biases, name="softmax/biases")
        matmul = tf.matmul(flat, weights, name="head/MatMul")
        logits = tf.nn.bias_add(matmul, biases, name="head/logits")
        tf.nn.softmax(logits, name="head/softmax")
    graph_def = graph.as_graph_def(add_shapes=True)
    # The real graph names its head `softmax/logits/MatMul`, `softmax/logits` and `softmax`;
    # TensorFlow would uniquify such nested names, so they are renamed in the proto.
    renames = {
        "head/MatMul": "softmax/logits/MatMul",
        "head/logits": "softmax/logits",
        "head/softmax": "softmax",
    }
    for node in graph_def.node:
        node.name = renames.get(node.name, node.name)
        node.input[:] = [renames.get(name, name) for name in node.input]
        if node.name == "conv/batchnorm":
            node.op = "BatchNormWithGlobalNormalization"
            node.input[:] = ["conv/Conv2D"] + [
                f"conv/batchnorm/{key}" for key in ("mean", "variance", "beta", "gamma")
            ]
            node.attr["variance_epsilon"].f = batch_norm["epsilon"]
            node.attr["scale_after_normalization"].b = True
    graph_def.versions.producer = 8  # before the batch norm op's deprecation (version 9)
    return graph_def


def write_inception_like_graph(directory, image_size=8, dim=6, num_classes=5, seed=0):
    """Writes the tiny graph as `classify_image_graph_def.pb` and inside a `.tgz`.

    Args:
        directory: Folder to write to (created if needed).
        image_size: Size the graph resizes its input to. Defaults to `8`.
        dim: Size of `pool_3` (2048 in the real graph). Defaults to `6`.
        num_classes: Size of the logits (1008 in the real graph). Defaults to `5`.
        seed: Seed of the random weights. Defaults to `0`.

    Returns:
        An `InceptionLikeGraph` with both paths and the weights.
    """
    rng = np.random.default_rng(seed)
    kernel = rng.normal(size=(1, 1, 3, dim)).astype(np.float32)
    batch_norm = {
        "mean": rng.normal(size=dim).astype(np.float32),
        "variance": rng.uniform(0.5, 2.0, size=dim).astype(np.float32),
        "beta": rng.normal(size=dim).astype(np.float32),
        "gamma": rng.uniform(0.5, 2.0, size=dim).astype(np.float32),
        "epsilon": 1e-3,
    }
    softmax_weights = rng.normal(size=(dim, num_classes)).astype(np.float32)
    softmax_biases = rng.normal(size=num_classes).astype(np.float32)
    graph_def = _graph_def(image_size, kernel, batch_norm, softmax_weights, softmax_biases)

    os.makedirs(directory, exist_ok=True)
    pb_path = os.path.join(directory, GRAPH_FILENAME)
    with open(pb_path, "wb") as file:
        file.write(graph_def.SerializeToString())
    # The real archive holds the graph at its top level (TTUR extracts it by that name), next
    # to other files.
    labels_path = os.path.join(directory, "imagenet_synset_to_human_label_map.txt")
    with open(labels_path, "w") as file:
        file.write("n00000000\tnothing\n")
    tgz_path = os.path.join(directory, "inception-2015-12-05.tgz")
    with tarfile.open(tgz_path, "w:gz") as archive:
        archive.add(labels_path, arcname=os.path.basename(labels_path))
        archive.add(pb_path, arcname=GRAPH_FILENAME)
    return InceptionLikeGraph(
        pb_path, tgz_path, image_size, kernel, batch_norm, softmax_weights, softmax_biases
    )


def reference_outputs(graph, images):
    """The graph's features and logits in NumPy, for images `[N, size, size, 3]` in [0, 255].

    Returns:
        `{"features": [N, dim], "logits": [N, num_classes], "logits_unbiased": ...}`, the last
        without the head's bias (what the Inception Score code of Salimans et al. uses).
    """
    images = np.asarray(images, np.float64)
    if images.shape[1:3] != (graph.image_size, graph.image_size):
        raise ValueError("reference_outputs needs images at the graph's resize size.")
    scaled = (images - 128.0) / 128.0
    conv = scaled @ graph.kernel[0, 0].astype(np.float64)
    norm = graph.batch_norm
    normalized = (conv - norm["mean"]) / np.sqrt(norm["variance"] + norm["epsilon"])
    normalized = normalized * norm["gamma"] + norm["beta"]
    features = np.maximum(normalized, 0.0).mean(axis=(1, 2))
    unbiased = features @ graph.softmax_weights.astype(np.float64)
    return {
        "features": features,
        "logits": unbiased + graph.softmax_biases,
        "logits_unbiased": unbiased,
    }
