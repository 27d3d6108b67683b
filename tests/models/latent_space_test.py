"""Tests for kgan/models/latent_space.py: truncation, lerp/slerp paths, samples of given vectors."""

import numpy as np
import pytest
from scipy import stats

from kgan.models import gan as gan_lib
from kgan.models import latent_space
from kgan.models import sampling
from kgan.testing import conditional
from kgan.testing import networks


def test_truncation_bounds_every_component_and_is_reproducible():
    z = latent_space.truncated_latents(4000, 16, threshold=0.7, seed=3)
    assert z.dtype == np.float32 and z.shape == (4000, 16)
    assert np.abs(z).max() <= 0.7
    np.testing.assert_array_equal(z, latent_space.truncated_latents(4000, 16, 0.7, seed=3))
    # The truncated normal's variance (scipy): 0.1526 at 0.7, against 1 untruncated.
    assert z.var() == pytest.approx(stats.truncnorm(-0.7, 0.7).var(), rel=0.02)
    assert abs(z.mean()) < 0.01
    # A huge threshold truncates nothing: the plain seeded prior.
    np.testing.assert_array_equal(
        latent_space.truncated_latents(8, 16, 100.0, seed=5), sampling.latent_vectors(8, 16, 5)
    )


def test_truncation_takes_numpy_numbers():
    z = latent_space.truncated_latents(3, 4, np.float32(0.5), seed=0)
    assert np.abs(z).max() <= 0.5


@pytest.mark.parametrize("threshold", [0, -1.0, True, "0.5", float("nan"), float("inf")])
def test_truncation_refuses_bad_thresholds(threshold):
    with pytest.raises(ValueError, match="threshold must be a positive number"):
        latent_space.truncated_latents(2, 4, threshold)


def test_lerp_is_the_straight_line():
    a, b = np.array([1.0, 0.0, 2.0]), np.array([3.0, 4.0, 0.0])
    path = latent_space.interpolate(a, b, 5, method="lerp")
    assert path.shape == (5, 3) and path.dtype == np.float32
    np.testing.assert_allclose(path[[0, 2, 4]], [a, (a + b) / 2, b], atol=1e-6)


def test_slerp_follows_the_great_circle():
    # Orthogonal unit vectors: the path is the quarter circle, every point of norm 1.
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    path = latent_space.interpolate(a, b, 3)
    np.testing.assert_allclose(path, [[1, 0], [np.sqrt(0.5), np.sqrt(0.5)], [0, 1]], atol=1e-6)
    # Gaussian vectors in 128 dimensions: lerp's midpoint shrinks to ~1/sqrt(2) of the norm,
    # slerp's keeps it (equal norms are kept exactly; these differ by a few percent).
    z = sampling.latent_vectors(2, 128, seed=0)
    middle = latent_space.interpolate(z[0], z[1], 3)[1]
    straight = latent_space.interpolate(z[0], z[1], 3, method="lerp")[1]
    norms = np.linalg.norm(z, axis=1)
    assert norms.min() * 0.99 < np.linalg.norm(middle) < norms.max() * 1.01
    assert np.linalg.norm(straight) < 0.8 * norms.min()
    # Parallel vectors fall back to the line (no division by sin 0); opposite ones have no
    # single great circle, and the line would pass through the origin: refused.
    np.testing.assert_allclose(latent_space.interpolate(a, 2 * a, 3)[1], 1.5 * a, atol=1e-6)
    with pytest.raises(ValueError, match="opposite latent vectors is not defined"):
        latent_space.interpolate(z[0], -z[0], 3)
    assert latent_space.interpolate(z[0], -z[0], 3, method="lerp")[1] == pytest.approx(0)


def test_batches_of_paths_and_bad_input():
    z = sampling.latent_vectors(6, 8, seed=1)
    paths = latent_space.interpolate(z[:3], z[3:], 4)
    assert paths.shape == (3, 4, 8)
    np.testing.assert_allclose(paths[1], latent_space.interpolate(z[1], z[4], 4), atol=1e-6)
    with pytest.raises(ValueError, match="same shape; got"):
        latent_space.interpolate(z[0], z[1:3], 4)
    with pytest.raises(ValueError, match="steps must be an integer >= 2"):
        latent_space.interpolate(z[0], z[1], 1)
    with pytest.raises(ValueError, match="method must be one of"):
        latent_space.interpolate(z[0], z[1], 3, method="cubic")


def test_generate_from_equals_generate_for_the_same_vectors():
    gan = gan_lib.GAN(
        networks.tiny_image_generator(latent_dim=8), networks.tiny_image_discriminator(), seed=0
    )
    gan.compile()
    expected = gan.generate(5, seed=2)
    given = latent_space.generate_from(gan, sampling.latent_vectors(5, 8, 2), batch_size=2)
    np.testing.assert_allclose(given, expected, atol=1e-6)
    paths = latent_space.interpolate(sampling.latent_vectors(2, 8, 0), np.zeros((2, 8)), 3)
    assert latent_space.generate_from(gan, paths).shape == (6, *expected.shape[1:])
    with pytest.raises(ValueError, match=r"latents must be vectors \[num, latent_dim=8\]"):
        latent_space.generate_from(gan, np.zeros((3, 7)))
    with pytest.raises(ValueError, match="takes no labels"):
        latent_space.generate_from(gan, np.zeros((3, 8)), labels=[0, 1, 2])


def test_generate_from_a_conditional_model_truncated_per_class():
    model = conditional.tiny_image_conditional_gan(num_classes=3)
    labels = np.array([0, 1, 2, 2])
    expected = model.generate(labels, seed=4)
    given = latent_space.generate_from(
        model, sampling.latent_vectors(4, model.latent_dim, 4), labels
    )
    np.testing.assert_allclose(given, expected, atol=1e-6)
    z = latent_space.truncated_latents(4, model.latent_dim, 0.5, seed=0)
    assert latent_space.generate_from(model, z, labels).shape == expected.shape
    with pytest.raises(ValueError, match="is conditional: pass labels"):
        latent_space.generate_from(model, z)
    with pytest.raises(ValueError, match="one row per latent vector: 3 labels for 4"):
        latent_space.generate_from(model, z, labels[:3])
    with pytest.raises(ValueError, match=r"Class ids must lie in \[0, 3\)"):
        latent_space.generate_from(model, z, [0, 1, 2, 7])
