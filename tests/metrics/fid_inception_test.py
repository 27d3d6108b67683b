"""Tests for kgan/metrics/fid_inception.py: the FID graph loader on a tiny stand-in of the real
graph (checked against NumPy and against the original graph run in a TF1 session, as TTUR runs
it), its errors, its download and its saved configs."""

import os
import tarfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan import metrics
from kgan.metrics import feature_extractors
from kgan.metrics import fid_inception
from kgan.testing import frozen_graph


def uniform_images(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape).astype(np.float32)


@pytest.fixture
def graph(tmp_path):
    return frozen_graph.write_inception_like_graph(str(tmp_path / "graph"))


def session_outputs(graph, images):
    """The original graph in a TF1 session, fed one image at a time at 'ExpandDims:0'."""
    graph_def = tf.compat.v1.GraphDef()
    with open(graph.pb_path, "rb") as file:
        graph_def.ParseFromString(file.read())
    with tf.Graph().as_default() as session_graph:
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=session_graph) as session:
        fetches = ["pool_3:0", "softmax/logits:0"]
        with pytest.raises(ValueError, match="Cannot feed value of shape"):  # batch fixed to 1
            session.run(fetches, {"ExpandDims:0": images[:2]})
        runs = [session.run(fetches, {"ExpandDims:0": image[None]}) for image in images]
    return np.concatenate([pool.reshape(1, -1) for pool, _ in runs]), np.concatenate(
        [logits for _, logits in runs]
    )


def test_fid_inception_computes_the_graph_network_from_pb_and_tgz(graph):
    images = uniform_images((3, 8, 8, 3), seed=5)  # at the graph's resize size: resize is exact
    expected = frozen_graph.reference_outputs(graph, (images + 1.0) * 127.5)
    for path in (graph.pb_path, graph.tgz_path):
        outputs = fid_inception.fid_inception(path=path)(images)
        np.testing.assert_allclose(outputs["features"], expected["features"], rtol=1e-5)
        np.testing.assert_allclose(outputs["logits"], expected["logits_unbiased"], rtol=1e-5)
    cached = os.path.join(os.path.dirname(graph.tgz_path), "inception-2015-12-05")
    assert os.listdir(cached) == [frozen_graph.GRAPH_FILENAME]
    logits = fid_inception.fid_inception(path=graph.pb_path, output="logits")(images)
    np.testing.assert_allclose(logits, expected["logits_unbiased"], rtol=1e-5)
    biased = fid_inception.FrozenGraphExtractor(graph.pb_path, logits_bias=True)(images)
    np.testing.assert_allclose(biased["logits"], expected["logits"], rtol=1e-5)


def test_fid_inception_equals_the_original_graph_in_a_tf1_session(graph):
    # Other sizes go through the graph's own TF1 resize; gray images are repeated to RGB.
    for images in (uniform_images((3, 13, 9, 1), seed=6), uniform_images((2, 5, 5, 3), seed=7)):
        rgb = np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images
        features, logits = session_outputs(graph, (rgb + 1.0) * 127.5)
        extractor = fid_inception.FrozenGraphExtractor(graph.tgz_path, logits_bias=True)
        outputs = extractor(images)
        np.testing.assert_allclose(outputs["features"], features, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(outputs["logits"], logits, rtol=1e-5, atol=1e-6)


def test_fid_inception_feeds_metrics_and_survives_their_config(graph):
    images = uniform_images((6, 8, 8, 3), seed=8)
    extractor = fid_inception.fid_inception(path=graph.pb_path, output="features")
    fid = metrics.FrechetDistance(feature_extractor=extractor)
    fid.update_state(real=images[:3], fake=images[3:])
    # The same metric rebuilt from its config reloads the graph from the stored path.
    rebuilt = metrics.FrechetDistance.from_config(fid.get_config())
    rebuilt.update_state(real=images[:3], fake=images[3:])
    features = frozen_graph.reference_outputs(graph, (images + 1.0) * 127.5)["features"]
    with pytest.warns(UserWarning):  # 3 samples of 6-d features: singular covariances
        expected = metrics.frechet_distance(features[:3], features[3:])
        np.testing.assert_allclose([fid.result(), rebuilt.result()], expected, rtol=1e-4)
    # Inside a traced function, with batches other than the graph's fixed 1.
    traced = tf.function(extractor, reduce_retracing=True)
    for batch in (images[:2], images[:5], images[:1, :5, :7], images[:2, ..., :1]):
        assert traced(batch).shape == (len(batch), 6)
    # Traced with the channel count unknown, a wrong one is caught when run.
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"1 \(grayscale\) or 3 \(RGB\)"):
        traced(images[:2, ..., :2])


def test_fid_inception_errors_name_the_problem(graph, tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pb"):
        fid_inception.fid_inception(path=str(tmp_path / "missing.pb"))
    not_a_graph = tmp_path / "not_a_graph.pb"
    not_a_graph.write_bytes(b"\xff\xff not a protobuf")
    with pytest.raises(ValueError, match="does not hold a TensorFlow GraphDef"):
        fid_inception.fid_inception(path=str(not_a_graph))
    with tf.Graph().as_default() as other:
        tf.compat.v1.placeholder(tf.float32, [1, None, None, 3], name="ExpandDims")
    lacking = tmp_path / "lacking.pb"
    lacking.write_bytes(other.as_graph_def().SerializeToString())
    with pytest.raises(ValueError, match=r"lacks the tensor\(s\) \['pool_3:0', 'softmax/logits"):
        fid_inception.fid_inception(path=str(lacking))
    empty_archive = tmp_path / "empty.tgz"
    with tarfile.open(empty_archive, "w:gz"):
        pass
    with pytest.raises(ValueError, match="classify_image_graph_def.pb"):
        fid_inception.fid_inception(path=str(empty_archive))


def test_fid_inception_without_path_downloads_the_public_archive(graph, monkeypatch):
    calls = []

    def fake_get_file(**kwargs):
        calls.append(kwargs)
        return graph.tgz_path

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    extractor = feature_extractors.get("fid_inception", output="logits")
    assert calls == [
        {
            "fname": "inception-2015-12-05.tgz",
            "origin": "https://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz",
            "cache_subdir": "kgan",
        }
    ]
    assert extractor.get_config()["path"] is None
    assert extractor(uniform_images((2, 8, 8, 1))).shape == (2, 5)


def test_configs_saved_before_the_module_split_still_load(graph):
    # The class moved here from feature_extractors: files saved before name that module, and
    # Keras finds the class by its registered name.
    layer = fid_inception.fid_inception(path=graph.pb_path, output="features")
    config = keras.saving.serialize_keras_object(layer)
    assert config["registered_name"] == "kgan>FrozenGraphExtractor"
    config["module"] = "kgan.metrics.feature_extractors"
    loaded = keras.saving.deserialize_keras_object(config)
    assert type(loaded) is fid_inception.FrozenGraphExtractor
    assert feature_extractors.FrozenGraphExtractor is fid_inception.FrozenGraphExtractor
    assert feature_extractors.fid_inception is fid_inception.fid_inception
    images = uniform_images((2, 8, 8, 3), seed=9)
    np.testing.assert_array_equal(loaded(images), layer(images))
