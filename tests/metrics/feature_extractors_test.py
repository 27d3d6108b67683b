"""Tests for kgan/metrics/feature_extractors.py: InceptionV3's preprocessing, models as
extractors, `get` and `extract`. The FID graph's own tests are in fid_inception_test.py."""

import sys
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan import metrics
from kgan.metrics import feature_extractors
from kgan.testing import frozen_graph


def uniform_images(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape).astype(np.float32)


def tiny_classifier(image_size=8, channels=1, dict_outputs=False):
    images = keras.Input((image_size, image_size, channels), name="images")
    maps = keras.layers.Conv2D(4, 3, strides=2, activation="relu", name="maps")(images)
    hidden = keras.layers.Flatten(name="flat")(maps)
    features = keras.layers.Dense(6, activation="relu", name="penultimate")(hidden)
    logits = keras.layers.Dense(3, name="logits")(features)
    outputs = {"features": features, "logits": logits} if dict_outputs else logits
    return keras.Model(images, outputs, name="tiny_classifier")


# --- inception_v3 (keras.applications, random weights) -----------------------------------------


@pytest.fixture(scope="module")
def inception():
    keras.utils.set_random_seed(0)
    return feature_extractors.inception_v3(weights=None)


@pytest.mark.slow
def test_inception_v3_equals_the_network_on_hand_preprocessed_images(inception):
    network = inception.get_layer("inception_v3_heads")  # the InceptionV3 inside, same weights
    for images in (uniform_images((2, 32, 32, 1), seed=1), uniform_images((2, 75, 75, 3), 2)):
        outputs = inception(images)
        assert outputs["features"].shape == (2, 2048) and outputs["logits"].shape == (2, 1000)
        rgb = np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images
        expected = network(tf.image.resize(rgb, (299, 299), method="bilinear"))
        for key in ("features", "logits"):
            np.testing.assert_allclose(outputs[key], expected[key], rtol=1e-5, atol=1e-5)


@pytest.mark.slow
def test_inception_v3_output_and_input_range_feed_a_metric(inception):
    logits_only = feature_extractors.inception_v3(
        output="logits", weights=None, input_range=(0.0, 255.0)
    )
    logits_only.set_weights(inception.get_weights())
    images = uniform_images((4, 16, 16, 3), seed=3)
    pixels = (images + 1.0) * 127.5
    logits = logits_only(pixels)
    np.testing.assert_allclose(logits, inception(images)["logits"], rtol=1e-4, atol=1e-4)
    # The Inception Score rather than FID: a 2048-d FID takes ~10 s on two cores.
    inception_score = metrics.InceptionScore(feature_extractor=logits_only, splits=2)
    inception_score.update_state(fake=pixels)
    expected = metrics.inception_score(keras.ops.convert_to_numpy(logits), splits=2)
    np.testing.assert_allclose(inception_score.result()["is"], expected[0], rtol=1e-6)


@pytest.mark.slow
def test_inception_v3_saves_and_loads_as_keras(inception, tmp_path):
    path = str(tmp_path / "inception.keras")
    inception.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode: no Lambda layers inside
    images = uniform_images((1, 20, 20, 1), seed=4)
    expected, actual = inception(images), loaded(images)
    for key in ("features", "logits"):
        np.testing.assert_allclose(actual[key], expected[key], rtol=1e-6, atol=1e-6)


def test_inception_v3_rejects_bad_images(inception):
    with pytest.raises(ValueError, match=r"shape \(2, 32, 32\)"):
        inception(np.zeros((2, 32, 32), np.float32))
    with pytest.raises(ValueError, match=r"1 \(grayscale\) or 3 \(RGB\) channels.*\(2, 8, 8, 2\)"):
        inception(np.zeros((2, 8, 8, 2), np.float32))


# --- models, get and extract ---------------------------------------------------------------------


@pytest.fixture
def graph(tmp_path):
    return frozen_graph.write_inception_like_graph(str(tmp_path / "graph"))


def test_from_model_uses_named_layers_and_lists_them_when_wrong(tmp_path):
    model = tiny_classifier()
    images = uniform_images((3, 8, 8, 1), seed=9)
    extractor = feature_extractors.from_model(model, "penultimate", "logits")
    outputs = extractor(images)
    np.testing.assert_allclose(outputs["logits"], model(images), rtol=1e-6)
    assert outputs["features"].shape == (3, 6)
    maps = feature_extractors.from_model(model, features_layer="maps", output="features")
    assert maps(images).shape == (3, 3 * 3 * 4)  # feature maps are flattened
    with pytest.raises(ValueError, match=r"no layer 'penultimat'.*'penultimate'"):
        feature_extractors.from_model(model, features_layer="penultimat")
    path = str(tmp_path / "classifier.keras")
    tiny_classifier(dict_outputs=True).save(path)
    loaded = feature_extractors.get(path, output="logits")
    assert loaded(images).shape == (3, 3)


def test_get_resolves_names_models_and_callables(graph, monkeypatch):
    assert feature_extractors.NAMES == ("inception_v3", "fid_inception", "digits")
    monkeypatch.setattr(feature_extractors, "inception_v3", lambda **kwargs: kwargs)
    assert feature_extractors.get("inception_v3", "features", weights=None) == {
        "output": "features",
        "weights": None,
    }
    model = tiny_classifier(dict_outputs=True)
    images = uniform_images((2, 8, 8, 1), seed=10)
    logits = feature_extractors.get(model, output="logits")(images)
    np.testing.assert_allclose(logits, model(images)["logits"], rtol=1e-6)

    def function(batch):
        return {"features": batch[:, 0, 0, :], "logits": batch[:, 1, 1, :]}

    assert feature_extractors.get(function) is function
    np.testing.assert_array_equal(
        feature_extractors.get(function, "logits")(images), images[:, 1, 1]
    )
    layer = feature_extractors.fid_inception(path=graph.pb_path)
    assert feature_extractors.get(layer, output="features")(images).shape == (2, 6)
    with pytest.raises(ValueError, match=r"Unknown feature extractor 'nope'.*'digits'"):
        feature_extractors.get("nope")


def test_get_digits_calls_the_classifier_helper(monkeypatch):
    calls = []

    def fake_digits_classifier(**kwargs):
        calls.append(kwargs)
        return tiny_classifier(dict_outputs=True)

    try:
        from kgan.metrics import classifier
    except ImportError:  # not written yet: stand in for the module
        classifier = types.ModuleType("kgan.metrics.classifier")
        monkeypatch.setitem(sys.modules, "kgan.metrics.classifier", classifier)
        monkeypatch.setattr(metrics, "classifier", classifier, raising=False)
    monkeypatch.setattr(classifier, "digits_classifier", fake_digits_classifier, raising=False)
    extractor = feature_extractors.get("digits", output="logits", image_size=8)
    assert calls == [{"image_size": 8}]
    assert extractor(uniform_images((2, 8, 8, 1))).shape == (2, 3)


def test_extract_batches_arrays_and_datasets():
    model = tiny_classifier(dict_outputs=True)
    images = uniform_images((10, 8, 8, 1), seed=11)
    labels = np.arange(10)
    expected = {key: keras.ops.convert_to_numpy(value) for key, value in model(images).items()}
    sources = (
        images,
        tf.data.Dataset.from_tensor_slices((images, labels)),  # unbatched, labels ignored
        tf.data.Dataset.from_tensor_slices(images).batch(3),  # already batched
    )
    for source in sources:
        outputs = feature_extractors.extract(model, source, batch_size=4)
        for key in ("features", "logits"):
            np.testing.assert_allclose(outputs[key], expected[key], rtol=1e-5, atol=1e-6)
    single = feature_extractors.extract(lambda batch: batch[:, 0, 0, :], images, batch_size=3)
    np.testing.assert_array_equal(single["features"], images[:, 0, 0, :])
