"""The shared linear algebra against SciPy, exact identities and brute-force distances."""

import numpy as np
import pytest
import scipy.linalg

from kgan.metrics import linalg


def sample_covariance(num_samples, dim, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    samples = rng.normal(size=(num_samples, dim)) @ mixing * scale + rng.normal(size=dim)
    return samples, np.cov(samples, rowvar=False)


def exact_trace_sqrt(samples1, samples2):
    """tr sqrt(S1 S2) = ||X1c X2c^T||_* / sqrt((n1 - 1)(n2 - 1)) for centred samples X1c, X2c.

    S1 S2 = X1c^T X1c X2c^T X2c / c^2 has the non-zero eigenvalues of M M^T / c^2 with
    M = X1c X2c^T, whose square roots are M's singular values: an SVD of a small matrix, exact
    to rounding even when both covariances are singular.
    """
    centred1 = samples1 - samples1.mean(axis=0)
    centred2 = samples2 - samples2.mean(axis=0)
    singular_values = np.linalg.svd(centred1 @ centred2.T, compute_uv=False)
    return singular_values.sum() / np.sqrt((len(samples1) - 1) * (len(samples2) - 1))


def test_sqrtm_psd_matches_scipy_and_squares_back():
    _, covariance = sample_covariance(200, 16, seed=0)
    root = linalg.sqrtm_psd(covariance)
    np.testing.assert_allclose(root, scipy.linalg.sqrtm(covariance).real, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(root @ root, covariance, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(root, root.T)


def test_sqrtm_psd_and_factor_of_a_singular_matrix_with_rounding_noise():
    samples, covariance = sample_covariance(5, 12, seed=1)  # rank 4
    covariance -= 1e-17 * np.eye(12)  # tiny negative eigenvalues, as rounding leaves them
    factor = linalg.psd_factor(covariance)
    assert factor.shape == (12, 4)
    np.testing.assert_allclose(factor @ factor.T, covariance, atol=1e-12)
    root = linalg.sqrtm_psd(covariance)
    assert np.all(np.isfinite(root))
    np.testing.assert_allclose(root @ root, covariance, atol=1e-12)


def test_trace_sqrt_product_matches_scipy_sqrtm_of_the_product():
    _, sigma1 = sample_covariance(400, 32, seed=2)
    _, sigma2 = sample_covariance(300, 32, seed=3, scale=2.0)
    expected = np.trace(scipy.linalg.sqrtm(sigma1 @ sigma2)).real
    np.testing.assert_allclose(linalg.trace_sqrt_product(sigma1, sigma2), expected, rtol=1e-10)
    np.testing.assert_allclose(linalg.trace_sqrt_product(sigma2, sigma1), expected, rtol=1e-10)


# Both covariances singular (the eigendecomposition path), or one of them (Cholesky of the
# other, either way round).
@pytest.mark.parametrize("num1, num2", [(10, 40), (20, 25), (30, 200), (200, 30)])
def test_trace_sqrt_product_is_exact_for_fewer_samples_than_dimensions(num1, num2):
    samples1, sigma1 = sample_covariance(num1, 64, seed=4)
    samples2, sigma2 = sample_covariance(num2, 64, seed=5, scale=3.0)
    expected = exact_trace_sqrt(samples1, samples2)
    np.testing.assert_allclose(linalg.trace_sqrt_product(sigma1, sigma2), expected, rtol=1e-12)
    # SciPy's general square root of the singular product agrees only to about 1e-8 here.
    scipy_value = np.trace(scipy.linalg.sqrtm(sigma1 @ sigma2)).real
    np.testing.assert_allclose(scipy_value, expected, rtol=1e-6)


def test_trace_sqrt_product_edge_cases_and_errors():
    assert linalg.trace_sqrt_product(np.zeros((3, 3)), np.eye(3)) == 0.0
    np.testing.assert_allclose(linalg.trace_sqrt_product(np.eye(3) * 4, np.eye(3)), 6.0)
    with pytest.raises(ValueError, match="same shape"):
        linalg.trace_sqrt_product(np.eye(3), np.eye(4))
    with pytest.raises(ValueError, match="square"):
        linalg.trace_sqrt_product(np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        linalg.trace_sqrt_product(np.full((2, 2), np.nan), np.eye(2))


def test_distance_blocks_and_radii_match_brute_force_loops():
    rng = np.random.default_rng(6)
    features, reference = rng.normal(size=(23, 5)), rng.normal(size=(17, 5)) + 100.0
    expected = np.array([[np.linalg.norm(x - y) for y in reference] for x in features])
    # 40 entries per block: two rows of 17 at a time, so the last block is partial.
    blocks = list(linalg.distance_blocks(features, reference, block_entries=40))
    assert [start for start, _ in blocks] == list(range(0, 23, 2))
    np.testing.assert_allclose(np.concatenate([d for _, d in blocks]), expected, rtol=1e-9)

    k = 3
    radii = linalg.kth_neighbour_distances(features, k, block_entries=40)
    for i, x in enumerate(features):
        others = sorted(np.linalg.norm(x - y) for j, y in enumerate(features) if j != i)
        np.testing.assert_allclose(radii[i], others[k - 1], rtol=1e-9)


def test_checks_of_features_and_neighbourhoods():
    assert linalg.as_features([[1, 2], [3, 4]]).dtype == np.float64
    assert linalg.as_features(np.ones((2, 3), "float32")).dtype == np.float32
    with pytest.raises(ValueError, match="2-D"):
        linalg.as_features(np.ones(4))
    with pytest.raises(ValueError, match="empty"):
        linalg.as_features(np.ones((0, 4)))
    with pytest.raises(ValueError, match="NaN"):
        linalg.as_features([[np.inf, 1.0]])
    with pytest.raises(ValueError, match="same dimension"):
        linalg.check_same_dim(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="more than 3"):
        linalg.check_neighbourhood(3, 3, "real")
    with pytest.raises(ValueError, match="positive integer"):
        linalg.check_neighbourhood(0, 10, "real")
    batches = []
    linalg.append_batch(batches, np.ones((2, 3)), "real features")
    with pytest.raises(ValueError, match="changed dimension"):
        linalg.append_batch(batches, np.ones((2, 4)), "real features")
