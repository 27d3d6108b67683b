"""The reference implementations of FID, transcribed to NumPy and SciPy.

kgan's Fréchet distance must equal what the implementations that papers quote compute on the
same features. Those live in PyTorch or TensorFlow 1 code that the tests cannot install, so each
is written again here from its formula and the algorithm of its code: the same statistics, the
same matrix square root, in the same order. Nothing here calls kgan, and nothing is shared with
`kgan.metrics`, so an agreement is evidence rather than a tautology. The other metrics'
references are in `kgan.testing.reference_metrics`.

What each function follows (repository, file, function):

- `pytorch_fid`: mseitzer/pytorch-fid, `src/pytorch_fid/fid_score.py`,
  `calculate_activation_statistics` and `calculate_frechet_distance`.
- `torch_fidelity_fid`: toshas/torch-fidelity, `torch_fidelity/metric_fid.py`,
  `fid_statistics_to_metric` (eigenvalues of the product; not one of the issue's references).
- `tfgan_fid`: tensorflow/gan, `tensorflow_gan/python/eval/classifier_metrics.py`,
  `frechet_classifier_distance_from_activations` and `trace_sqrt_product`.
- `exact_fid`: no library; the nuclear-norm identity for `tr sqrt(S1 S2)`, exact whatever the
  sample counts (the ground truth when covariances are singular).

Precision follows each reference: pytorch-fid's statistics and TF-GAN's FID cast to float64, and
so do these. SciPy is needed (kgan's `test` extra).
"""

import warnings

import numpy as np
import scipy.linalg

# --- FID: pytorch-fid ----------------------------------------------------------------------------


def pytorch_fid_statistics(features):
    """Mean and covariance as pytorch-fid computes them: `np.mean` and `np.cov` (unbiased).

    Follows mseitzer/pytorch-fid, `src/pytorch_fid/fid_score.py`,
    `calculate_activation_statistics` (its activations are a float64 array).
    """
    features = np.asarray(features, dtype=np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def pytorch_fid_from_statistics(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid's Fréchet distance: `scipy.linalg.sqrtm` of the (non-symmetric) product.

    Follows mseitzer/pytorch-fid, `src/pytorch_fid/fid_score.py`, `calculate_frechet_distance`:
    the square root of `sigma1 @ sigma2` by `scipy.linalg.sqrtm`; if it has non-finite entries
    (a singular product), `eps * I` is added to both covariances and the root taken again
    (pytorch-fid prints a message; this warns with a `RuntimeWarning`); a complex root is
    accepted when its diagonal's imaginary parts are within 1e-3 of 0 (else `ValueError`) and
    its real part kept. The traces of the covariances themselves are used, without the offset.

    Returns:
        The squared Fréchet distance as a Python float (not clipped at 0, as there).
    """
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    sigma1, sigma2 = np.atleast_2d(sigma1), np.atleast_2d(sigma2)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError("The two means, and the two covariances, must have the same shapes.")
    root = scipy.linalg.sqrtm(sigma1 @ sigma2)
    if not np.all(np.isfinite(root)):
        warnings.warn(
            f"The product of the covariances is singular: adding {eps} to their diagonals, as "
            "pytorch-fid does.",
            RuntimeWarning,
            stacklevel=2,
        )
        shift = eps * np.eye(sigma1.shape[0])
        root = scipy.linalg.sqrtm((sigma1 + shift) @ (sigma2 + shift))
    if np.iscomplexobj(root):
        if not np.allclose(np.diagonal(root).imag, 0.0, atol=1e-3):
            raise ValueError(f"Imaginary component {np.max(np.abs(root.imag))}")
        root = root.real
    difference = mu1 - mu2
    return float(
        difference @ difference + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(root)
    )


def pytorch_fid(real_features, fake_features):
    """pytorch-fid's FID of two feature arrays `[n, d]` (statistics, then the distance)."""
    return pytorch_fid_from_statistics(
        *pytorch_fid_statistics(real_features), *pytorch_fid_statistics(fake_features)
    )


# --- FID: torch-fidelity -------------------------------------------------------------------------


def torch_fidelity_fid(real_features, fake_features):
    """torch-fidelity's FID: the trace of the root from the eigenvalues of the product.

    Follows toshas/torch-fidelity, `torch_fidelity/metric_fid.py`, `fid_features_to_statistics`
    and `fid_statistics_to_metric`: `np.mean` and `np.cov` of the features (in the features'
    dtype for the mean; `np.cov` works in float64), then `tr sqrt(S1 S2)` as the sum of the
    real parts of the complex square roots of `np.linalg.eigvals(S1 @ S2)` (no symmetric form,
    no offset).
    """
    real, fake = np.asarray(real_features), np.asarray(fake_features)
    mu1, mu2 = real.mean(axis=0), fake.mean(axis=0)
    sigma1, sigma2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    eigenvalues = np.linalg.eigvals(sigma1 @ sigma2).astype(np.complex128)
    trace_sqrt = np.sum(np.sqrt(eigenvalues).real)
    difference = mu1 - mu2
    return float(difference @ difference + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt)


# --- FID: TF-GAN ---------------------------------------------------------------------------------


def _tfgan_symmetric_sqrt(matrix, eps=1e-10):
    """TF-GAN's `_symmetric_matrix_square_root`: `U diag(s') V^T` from the SVD `U diag(s) V^T`.

    Singular values below `eps` are kept as they are instead of being square-rooted (the root
    is unstable near 0). Returns the left factor scaled by `s'` and `V^T`, whose product is the
    root.
    """
    left, singular_values, right_transposed = np.linalg.svd(matrix)
    rooted = np.where(singular_values < eps, singular_values, np.sqrt(singular_values))
    return left * rooted, right_transposed


def tfgan_trace_sqrt_product(sigma, sigma_v):
    """TF-GAN's `tr sqrt(sigma sigma_v)` as `tr sqrt(A sigma_v A)` with `A = sqrt(sigma)`.

    Follows tensorflow/gan, `tensorflow_gan/python/eval/classifier_metrics.py`,
    `trace_sqrt_product`: `A` and the final root both from `_tfgan_symmetric_sqrt` (SVDs). The
    trace of `(U diag(s')) V^T` is taken without forming the product.
    """
    scaled_left, right_transposed = _tfgan_symmetric_sqrt(sigma)
    sqrt_sigma = scaled_left @ right_transposed
    middle = sqrt_sigma @ (sigma_v @ sqrt_sigma)
    scaled_left, right_transposed = _tfgan_symmetric_sqrt(middle)
    return float(np.einsum("ij,ji->", scaled_left, right_transposed))


def tfgan_fid(real_features, fake_features):
    """TF-GAN's FID of two feature arrays `[n, d]`, in float64.

    Follows tensorflow/gan, `tensorflow_gan/python/eval/classifier_metrics.py`,
    `frechet_classifier_distance_from_activations`: activations cast to float64, covariances
    `X_c^T X_c / (n - 1)` of the centred activations, `tr(sigma + sigma_w) - 2 tr sqrt(...)`
    from `tfgan_trace_sqrt_product`, plus the summed squared difference of the means.
    """
    real = np.asarray(real_features, dtype=np.float64)
    fake = np.asarray(fake_features, dtype=np.float64)
    mean_real, mean_fake = real.mean(axis=0), fake.mean(axis=0)
    centred_real, centred_fake = real - mean_real, fake - mean_fake
    sigma = centred_real.T @ centred_real / (real.shape[0] - 1)
    sigma_w = centred_fake.T @ centred_fake / (fake.shape[0] - 1)
    trace = np.trace(sigma + sigma_w) - 2.0 * tfgan_trace_sqrt_product(sigma, sigma_w)
    return float(trace + np.sum((mean_real - mean_fake) ** 2))


def exact_trace_sqrt_product(real_features, fake_features):
    """`tr sqrt(S1 S2)` of two sample covariances, exactly, whatever the sample counts.

    With centred samples `X1c [n1, d]`, `X2c [n2, d]`, `S1 S2` has the non-zero eigenvalues of
    `X2c^T X2c X1c^T X1c / c` = those of `(X1c X2c^T)(X1c X2c^T)^T / c`, `c = (n1-1)(n2-1)`; so
    the trace of the root is the sum of the singular values of `X1c X2c^T` over `sqrt(c)`: a
    ground truth (one SVD of an `n1 x n2` matrix) where covariances are singular (`n <= d`).
    """
    real = np.asarray(real_features, dtype=np.float64)
    fake = np.asarray(fake_features, dtype=np.float64)
    real_centred, fake_centred = real - real.mean(axis=0), fake - fake.mean(axis=0)
    singular_values = np.linalg.svd(real_centred @ fake_centred.T, compute_uv=False)
    return float(singular_values.sum() / np.sqrt((len(real) - 1) * (len(fake) - 1)))


def exact_fid(real_features, fake_features):
    """The FID with `exact_trace_sqrt_product`: the ground truth for fewer samples than dims."""
    real = np.asarray(real_features, dtype=np.float64)
    fake = np.asarray(fake_features, dtype=np.float64)
    difference = real.mean(axis=0) - fake.mean(axis=0)
    # tr(S) of a sample covariance is the summed squared centred entries over n - 1.
    trace_real = np.sum((real - real.mean(axis=0)) ** 2) / (len(real) - 1)
    trace_fake = np.sum((fake - fake.mean(axis=0)) ** 2) / (len(fake) - 1)
    trace_sqrt = exact_trace_sqrt_product(real, fake)
    return float(difference @ difference + trace_real + trace_fake - 2.0 * trace_sqrt)
