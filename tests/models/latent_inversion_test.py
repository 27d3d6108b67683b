"""`kgan.models.latent_inversion.invert` recovers the latent vectors of a generator's samples."""

import keras
import numpy as np
import pytest

from kgan.models import latent_inversion
from kgan.models import latent_space
from kgan.testing import objectives


@pytest.fixture(scope="module")
def gan():
    keras.utils.set_random_seed(0)
    return objectives.tiny_model("gan")


def own_samples(model, num=6, seed=5, labels=None):
    latents = np.random.default_rng(seed).standard_normal((num, model.latent_dim))
    return latents.astype("float32"), latent_space.generate_from(model, latents, labels)


def test_recovers_the_latent_vectors_of_the_generators_own_samples(gan):
    latents, images = own_samples(gan)
    result = latent_inversion.invert(gan, images, steps=200, restarts=2)
    others = latent_space.generate_from(gan, np.roll(latents, 1, axis=0))
    random_errors = np.mean((others - images) ** 2, axis=(1, 2, 3))
    # The fit is more than ten times nearer than another sample of the generator.
    assert (result["errors"] < 0.1 * random_errors).all(), (result["errors"], random_errors)
    assert np.abs(result["latents"] - latents).mean() < 0.3
    np.testing.assert_allclose(
        result["reconstructions"], latent_space.generate_from(gan, result["latents"]), atol=1e-6
    )
    expected = np.mean((result["reconstructions"] - images) ** 2, axis=(1, 2, 3))
    np.testing.assert_allclose(result["errors"], expected, rtol=1e-6)


def test_more_restarts_keep_the_best_per_image(gan):
    # The first restart starts from the same vectors whatever the count, so more can only help.
    _, images = own_samples(gan)
    one = latent_inversion.invert(gan, images, steps=20, restarts=1)
    three = latent_inversion.invert(gan, images, steps=20, restarts=3)
    assert (three["errors"] <= one["errors"] + 1e-7).all()
    assert (three["errors"] < one["errors"]).any()


def test_batches_do_not_change_the_result(gan):
    _, images = own_samples(gan, num=5)
    whole = latent_inversion.invert(gan, images, steps=30, restarts=1, batch_size=64)
    split = latent_inversion.invert(gan, images, steps=30, restarts=1, batch_size=2)
    np.testing.assert_allclose(split["latents"], whole["latents"], atol=1e-4)


def test_a_conditional_model_holds_the_labels_fixed():
    model = objectives.tiny_model("classes")
    labels = np.array([0, 1, 2, 1])
    _, images = own_samples(model, num=4, labels=labels)
    result = latent_inversion.invert(model, images, labels=labels, steps=150, restarts=2)
    again = latent_space.generate_from(model, result["latents"], labels)
    np.testing.assert_allclose(result["reconstructions"], again, atol=1e-6)
    assert result["errors"].max() < 2e-3, result["errors"]


@pytest.mark.parametrize(
    "images, options, match",
    [
        (np.zeros((2, 8, 8, 1), np.uint8), {}, "uint8"),
        (np.zeros((2, 8, 8, 3), np.float32), {}, r"\[N, 8, 8, 1\]"),
        (np.full((2, 8, 8, 1), 200.0, np.float32), {}, "in \\[-1, 1\\]"),
        (np.full((2, 8, 8, 1), np.nan, np.float32), {}, "finite"),
        (np.zeros((2, 8, 8, 1), np.float32), {"labels": [0, 1]}, "takes no labels"),
        (np.zeros((2, 8, 8, 1), np.float32), {"steps": 0}, "steps must be"),
        (np.zeros((2, 8, 8, 1), np.float32), {"learning_rate": 0}, "learning_rate must be"),
    ],
)
def test_bad_input_names_the_problem(gan, images, options, match):
    with pytest.raises(ValueError, match=match):
        latent_inversion.invert(gan, images, **options)


def test_conditional_model_needs_labels_and_translators_have_no_latent_space():
    with pytest.raises(ValueError, match="pass the images' labels"):
        latent_inversion.invert(objectives.tiny_model("classes"), np.zeros((2, 8, 8, 1)))
    with pytest.raises(ValueError, match="no latent space"):
        latent_inversion.invert(objectives.tiny_model("pix2pix"), np.zeros((2, 8, 8, 1)))
