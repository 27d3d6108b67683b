"""Tests for kgan/metrics/evaluate_generator.py: one call gives what an `Evaluator` gives, with
every argument reaching it."""

import numpy as np
import pytest

from kgan import metrics
from kgan.metrics import evaluation
from kgan.models import gan as gan_lib
from kgan.testing import extractors
from kgan.testing import networks

OPTIONS = {"kid": {"num_subsets": 3, "subset_size": 16}, "is": {"splits": 2}}


def real_images(num=64):
    return np.random.default_rng(0).uniform(-1, 1, (num, 8, 8, 1)).astype("float32")


class ClassPainter:
    """A stand-in conditional model on 2-d samples: x is `label / 2`, y is noise of the seed."""

    num_classes, condition_dim = 3, None

    def generate(self, labels, seed=None, batch_size=256):
        labels = np.asarray(labels, "float32")
        noise = np.random.default_rng(seed).uniform(-1, 1, len(labels))
        return np.stack([labels / 2, noise], axis=1).astype("float32")


def read_class(samples):
    ids = np.clip(np.rint(np.asarray(samples)[:, 0] * 2).astype(int), 0, 2)
    return {"features": np.asarray(samples), "logits": 10.0 * np.eye(3)[ids]}


def test_equals_an_evaluator_with_the_same_arguments():
    extractor = extractors.tiny_extractor()
    gan = gan_lib.GAN(
        networks.tiny_image_generator(latent_dim=8), networks.tiny_image_discriminator(), seed=0
    )
    arguments = {"extractor": extractor, "batch_size": 16, "num_real": 48, "options": OPTIONS}
    results = metrics.evaluate_generator(
        gan, real_images(), ("fid", "kid", "is"), num_samples=40, seed=3, **arguments
    )
    expected = evaluation.Evaluator(("fid", "kid", "is"), real_data=real_images(), **arguments)
    assert results == expected.evaluate(gan, num_samples=40, seed=3)
    assert results["num_real"] == 48 and results["num_samples"] == 40
    assert results != metrics.evaluate_generator(
        gan, real_images(), ("fid", "kid", "is"), num_samples=40, seed=4, **arguments
    )


def test_conditions_and_their_source_reach_the_evaluator():
    samples = np.random.default_rng(1).uniform(-1, 1, (30, 2)).astype("float32")
    given = metrics.evaluate_generator(
        ClassPainter(), metrics="classes", extractor=read_class, conditions=np.full(12, 1)
    )
    assert given["class_histogram"] == [0.0, 1.0, 0.0] and given["num_samples"] == 12
    from_real = metrics.evaluate_generator(
        ClassPainter(),
        (samples, np.full(30, 2)),
        metrics="classes",
        extractor=read_class,
        num_samples=20,
        condition_source="real",
    )
    assert from_real["class_histogram"] == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="real data carries no labels"):
        metrics.evaluate_generator(
            ClassPainter(), samples, "classes", read_class, num_samples=8, condition_source="real"
        )
