"""Tests for kgan/metrics/evaluation.py: the values of the plain functions, one extractor call
per batch, real features computed once, repeatable seeds and clear errors."""

import json

import numpy as np
import pytest
import tensorflow as tf

from kgan import metrics
from kgan.metrics import evaluation
from kgan.metrics.frechet_distance import FeatureStatistics
from kgan.models import gan as gan_lib
from kgan.testing import extractors
from kgan.testing import networks

BATCH = 16
# Small KID subsets: the default 1000 is more than these tests' samples.
OPTIONS = {"kid": {"num_subsets": 5, "subset_size": 20}, "is": {"splits": 2}}


def real_images(num=64, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (num, 8, 8, 1)).astype("float32")


def tiny_gan():
    return gan_lib.GAN(
        networks.tiny_image_generator(latent_dim=8), networks.tiny_image_discriminator(), seed=0
    )


def test_values_equal_the_functions_on_the_same_features():
    extractor, real, gan = extractors.tiny_extractor(), real_images(), tiny_gan()
    generated = []

    def generate_fn(num, seed):
        generated.append(gan.generate(num, seed=seed))
        return generated[-1]

    evaluator = evaluation.Evaluator(
        ("fid", "kid", "is", "pr", "dc"), extractor, real, batch_size=BATCH, options=OPTIONS
    )
    results = evaluator.evaluate(generate_fn, num_samples=40)

    assert [len(batch) for batch in generated] == [16, 16, 8]
    real_features = extractor.numpy(real)
    fake_features = extractor.numpy(np.concatenate(generated))
    fake_logits = extractor.numpy(np.concatenate(generated), "logits")
    both = real_features, fake_features
    kid = metrics.kernel_distance(*both, **OPTIONS["kid"])
    expected = {
        "fid": metrics.frechet_distance(real_features, fake_features),
        **dict(zip(("kid", "kid_std"), kid)),
        **dict(zip(("is", "is_std"), metrics.inception_score(fake_logits, splits=2))),
        **dict(zip(("precision", "recall"), metrics.precision_recall(*both))),
        **dict(zip(("density", "coverage"), metrics.density_coverage(*both))),
        "num_samples": 40,
        "num_real": 64,
    }
    assert list(results) == list(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(results[key], value, rtol=1e-5, err_msg=key)
    assert all(type(value) in (int, float) for value in results.values())
    json.dumps(results)


def test_one_extractor_call_per_batch_and_real_features_once():
    extractor, gan = extractors.tiny_extractor(), tiny_gan()
    evaluator = evaluation.Evaluator(
        ("fid", "kid", "pr"), extractor, real_images(), batch_size=BATCH, options=OPTIONS
    )
    first = evaluator.evaluate(gan, num_samples=40, seed=1)
    assert extractor.calls == 4 + 3  # 64 real and 40 generated samples in batches of 16
    again = evaluator.evaluate(gan, num_samples=40, seed=1)
    assert extractor.calls == 4 + 3 + 3
    assert again == first
    other = evaluator.evaluate(gan, num_samples=40, seed=2)
    assert other["fid"] != first["fid"]


def test_generator_model_uses_per_batch_seeds():
    gan = tiny_gan()
    evaluator = evaluation.Evaluator(
        ("fid",), extractors.tiny_extractor(), real_images(), batch_size=BATCH
    )
    seeds = np.random.SeedSequence(5).generate_state(3)
    samples = np.concatenate(
        [gan.generate(n, seed=int(s), batch_size=BATCH) for n, s in zip((16, 16, 8), seeds)]
    )
    from_model = evaluator.evaluate(gan, num_samples=40, seed=5)
    assert from_model == evaluator.evaluate(samples)


def test_real_statistics_file_gives_the_same_fid(tmp_path):
    extractor, real = extractors.tiny_extractor(), real_images()
    fake = real_images(48, seed=1) * 0.5
    FeatureStatistics().update(extractor.numpy(real)).save(tmp_path / "real.npz")
    from_data = evaluation.Evaluator(("fid",), extractor, real, batch_size=BATCH)
    from_file = evaluation.Evaluator(("fid",), extractor, real_statistics=tmp_path / "real.npz")
    expected = from_data.evaluate(fake)
    assert expected == {"fid": expected["fid"], "num_samples": 48, "num_real": 64}
    results = from_file.evaluate(fake)
    np.testing.assert_allclose(results["fid"], expected["fid"], rtol=1e-9)
    assert results["num_real"] == 64


def test_features_without_extractor_and_dataset_inputs():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(50, 5)), rng.normal(size=(30, 5)) + 0.5
    labels = np.zeros(50)
    # A repeating dataset of (features, labels) batches: num_real stops it.
    dataset = tf.data.Dataset.from_tensor_slices((real, labels)).batch(8).repeat()
    evaluator = evaluation.Evaluator(("fid", "dc"), None, dataset, num_real=50)
    # Single (unbatched) generated feature vectors are batched by the evaluator.
    results = evaluator.evaluate(tf.data.Dataset.from_tensor_slices(fake), batch_size=7)
    np.testing.assert_allclose(results["fid"], metrics.frechet_distance(real, fake), rtol=1e-9)
    density, coverage = metrics.density_coverage(real, fake)
    assert (results["density"], results["coverage"]) == (density, coverage)
    assert (results["num_samples"], results["num_real"]) == (30, 50)


def test_warns_when_fewer_real_samples_than_asked():
    rng = np.random.default_rng(0)
    evaluator = evaluation.Evaluator(("fid",), None, rng.normal(size=(20, 3)), num_real=100)
    with pytest.warns(UserWarning, match="num_real=100, but real_data holds only 20"):
        results = evaluator.evaluate(rng.normal(size=(10, 3)))
    assert results["num_real"] == 20


def test_real_images_outside_minus_one_to_one_are_refused_or_flagged():
    images = real_images()
    pixels = np.round((images + 1.0) * 127.5)  # the same images as 8-bit values
    evaluator = evaluation.Evaluator(("fid",), extractors.tiny_extractor(), pixels)
    with pytest.raises(ValueError, match=r"values in \[0, 255\].*x / 127.5 - 1"):
        evaluator.prepare()
    evaluator = evaluation.Evaluator(("fid",), extractors.tiny_extractor(), (images + 1) / 2)
    with pytest.warns(UserWarning, match=r"if these are images in \[0, 1\], rescale"):
        evaluator.prepare()
    # Features (no extractor) may take any values.
    evaluation.Evaluator(("fid",), None, pixels.reshape(64, -1)).prepare()


def test_mode_collapse_statistics():
    mode_collapse = pytest.importorskip(
        "kgan.metrics.mode_collapse", reason="kgan/metrics/mode_collapse.py not written yet"
    )
    extractor, real = extractors.tiny_extractor(), real_images()
    fake, conditions = real_images(32, seed=1), np.arange(32) % 3
    evaluator = evaluation.Evaluator(("classes", "copies"), extractor, real, batch_size=BATCH)
    # Generated data with the conditions asked for: "classes" adds condition_accuracy.
    results = evaluator.evaluate((fake, conditions))
    expected = {
        **mode_collapse.class_statistics(
            extractor.numpy(fake, "logits"),
            real_logits=extractor.numpy(real, "logits"),
            conditions=conditions,
        ),
        **mode_collapse.copy_statistics(extractor.numpy(fake), extractor.numpy(real)),
    }
    expected.pop("num_samples", None)
    assert set(results) == set(expected) | {"num_samples", "num_real"}
    for key, value in expected.items():
        np.testing.assert_allclose(results[key], value, rtol=1e-5, err_msg=key)
    assert "condition_accuracy" in results and isinstance(results["class_histogram"], list)
    json.dumps(results)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"metrics": ("fid", "sharpness")}, r"Unknown metric\(s\) \['sharpness'\].*fid: "),
        ({"metrics": "is", "extractor": None}, r"need class logits, but extractor=None"),
        ({"metrics": "fid,kid", "real_data": None}, r"\['kid'\] compare .* only real_statistics"),
        ({"metrics": "fid", "real_data": None, "real_statistics": None}, "neither was given"),
        ({"options": {"kid": {}, "fdi": {}}}, r"options has keys \['fdi'\]"),
    ],
)
def test_rejects_bad_configurations(kwargs, message):
    arguments = {
        "metrics": ("fid", "kid"),
        "extractor": extractors.tiny_extractor(),
        "real_data": real_images(),
        "real_statistics": FeatureStatistics().update(np.eye(5, 4)),
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        evaluation.Evaluator(**arguments)


def test_extractor_without_logits_fails_at_evaluation():
    # Errors of the sample batches themselves are tested in sample_batches_test.py.
    extractor = extractors.tiny_extractor(classes=None)
    no_logits = evaluation.Evaluator(("fid", "is"), extractor, real_images())
    with pytest.raises(ValueError, match=r"\['is'\] need class logits.*tiny_extractor"):
        no_logits.evaluate(real_images(20))


class LabelPainter:
    """A stand-in for a `kgan.ConditionalGAN` on 2-d samples: x is `label / 2` (for attribute
    vectors, their first entry), or 0 with `ignore_labels`; y is noise from the seed."""

    def __init__(self, num_classes=3, condition_dim=None, ignore_labels=False):
        self.num_classes, self.condition_dim = num_classes, condition_dim
        self.ignore_labels = ignore_labels

    def generate(self, labels, seed=None, batch_size=256):
        labels = np.asarray(labels, "float32")
        x = labels / 2 if labels.ndim == 1 else labels[:, 0] / 2
        noise = np.random.default_rng(seed).uniform(-1, 1, len(labels))
        return np.stack([0 * x if self.ignore_labels else x, noise], axis=1).astype("float32")


def read_class(samples):
    """An extractor whose classifier reads the class painted into x: class `round(2 x)`."""
    samples = np.asarray(samples)
    ids = np.clip(np.rint(samples[:, 0] * 2).astype(int), 0, 2)
    return {"features": samples, "logits": 10.0 * np.eye(3)[ids]}


def labelled_real(num=60, label=2):
    samples = np.random.default_rng(0).uniform(-1, 1, (num, 2)).astype("float32")
    return samples, np.full(num, label)


def test_conditional_model_gets_uniform_class_ids_and_condition_accuracy():
    evaluator = evaluation.Evaluator(("classes",), extractor=read_class, batch_size=BATCH)
    results = evaluator.evaluate(LabelPainter(), num_samples=300, seed=2)
    assert results["condition_accuracy"] == 1.0
    np.testing.assert_allclose(results["class_histogram"], [1 / 3] * 3, atol=0.06)
    assert evaluator.evaluate(LabelPainter(), num_samples=300, seed=2) == results
    # A generator that ignores its labels makes class 0 only: right for a third of the asks.
    collapsed = evaluator.evaluate(LabelPainter(ignore_labels=True), num_samples=300, seed=2)
    assert collapsed["class_histogram"] == [1.0, 0.0, 0.0]
    assert collapsed["condition_accuracy"] == pytest.approx(results["class_histogram"][0])


def test_conditions_from_the_real_labels_or_given():
    evaluator = evaluation.Evaluator(
        ("classes",), read_class, labelled_real(label=2), condition_source="real", batch_size=8
    )
    results = evaluator.evaluate(LabelPainter(), num_samples=20)
    assert results["class_histogram"] == [0.0, 0.0, 1.0] and results["condition_accuracy"] == 1.0
    given = evaluator.evaluate(LabelPainter(), conditions=np.full(30, 1))
    assert given["class_histogram"] == [0.0, 1.0, 0.0] and given["num_samples"] == 30


def test_attribute_models_draw_real_label_rows_or_fail_clearly():
    attributes = LabelPainter(num_classes=None, condition_dim=2)
    unlabelled = evaluation.Evaluator(("classes",), read_class, labelled_real()[0])
    with pytest.raises(ValueError, match="real data carries no labels"):
        unlabelled.evaluate(attributes, num_samples=8)
    with pytest.raises(ValueError, match="'uniform' draws class ids"):
        evaluation.Evaluator(("classes",), read_class, condition_source="uniform").evaluate(
            attributes, num_samples=8
        )
    samples, _ = labelled_real(num=10)
    rows = np.array([[2, 0], [0, 1]] * 5, "float32")
    results = evaluation.Evaluator(("classes",), read_class, (samples, rows)).evaluate(
        attributes, num_samples=40
    )
    # Attribute vectors are not the extractor's classes: no condition_accuracy.
    assert "condition_accuracy" not in results
    assert set(np.nonzero(results["class_histogram"])[0]) == {0, 2}
    with pytest.raises(ValueError, match="condition_source must be one of"):
        evaluation.Evaluator(("classes",), read_class, condition_source="given")
