"""The linear algebra shared by kgan's metrics, in float64 NumPy.

Two families of helpers live here, so each metric file keeps to its own formula:

- Matrix square roots of covariances, for the Fréchet distance: `psd_factor`, `sqrtm_psd` and
  `trace_sqrt_product`, which computes `tr sqrt(S1 S2)` through symmetric eigendecompositions
  instead of a general matrix square root.
- Euclidean distances between feature sets, for precision/recall and density/coverage:
  `distance_blocks` computes them a block of rows at a time so memory stays bounded for tens of
  thousands of samples, and `kth_neighbour_distances` gives each sample's k-nearest-neighbour
  radius.

Everything here is host-side NumPy: the metrics run in callbacks and scripts on features that
are already on the host, where float64 costs nothing noticeable and keeps the results equal to
the reference implementations.
"""

import numpy as np

# Distances are computed in blocks of at most this many entries: 2**22 float64 values are
# 32 MiB, and a block's temporaries (the matrix product, the squared norms added in place, the
# partition copy) stay below about 100 MiB whatever the sample count. For 50,000 reference
# samples a block is 83 rows.
DISTANCE_BLOCK_ENTRIES = 2**22

_EPS = np.finfo(np.float64).eps


def as_features(features, name="features"):
    """Converts a batch of features to a NumPy array `[num_samples, dim]` and checks it.

    Floating point arrays keep their dtype (so float32 features stored by a streaming metric
    take half the memory); anything else becomes float64. Computations cast to float64.

    Args:
        features: Array-like (NumPy array, tensor) of shape `[num_samples, dim]`.
        name: What the array is, for error messages. Defaults to `"features"`.

    Returns:
        A NumPy array of shape `[num_samples, dim]`.

    Raises:
        ValueError: If the array is not 2-D, has no samples or no dimensions, or holds NaN or
            infinite values.
    """
    array = np.asarray(features)
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array [num_samples, dim]; got shape {array.shape}. Flatten "
            "or pool feature maps first."
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} is empty: got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def check_same_dim(real_features, fake_features):
    """Raises a `ValueError` unless both feature arrays have the same feature dimension."""
    if real_features.shape[1] != fake_features.shape[1]:
        raise ValueError(
            "Real and generated features must have the same dimension; got "
            f"{real_features.shape[1]} and {fake_features.shape[1]}. Were they computed by the "
            "same feature extractor?"
        )


def append_batch(batches, features, name):
    """Appends a checked feature batch to a list of earlier ones, which it must match in dim."""
    features = as_features(features, name)
    if batches and features.shape[1] != batches[0].shape[1]:
        raise ValueError(
            f"{name} changed dimension: earlier batches had {batches[0].shape[1]}, this one has "
            f"shape {features.shape}."
        )
    batches.append(features)


# --- matrix square roots -----------------------------------------------------------------------


def _symmetric(matrix, name):
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be a square matrix; got shape {matrix.shape}.")
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    # eigh reads one triangle only; averaging makes the result independent of which one, and
    # of rounding that left the two triangles slightly different.
    return (matrix + matrix.T) / 2


def _rank_tolerance(eigenvalues):
    """Eigenvalues at or below this are rounding noise (NumPy's `matrix_rank` default)."""
    largest = eigenvalues[-1] if eigenvalues.size else 0.0
    return max(largest, 0.0) * eigenvalues.size * _EPS


def _psd_eigh(matrix):
    """Eigenvalues above rounding noise of a symmetric matrix, with their eigenvectors."""
    eigenvalues, eigenvectors = np.linalg.eigh(_symmetric(matrix, "matrix"))
    keep = eigenvalues > _rank_tolerance(eigenvalues)
    return eigenvalues[keep], eigenvectors[:, keep]


def _cholesky_factor(matrix):
    """The Cholesky factor `L` (`L L^T = matrix`) if the matrix is clearly positive definite.

    Returns `None` when the factorisation fails or leaves a pivot `L_ii^2` at rounding level
    (`<= n * eps * max(diag)`): the matrix is then singular for all practical purposes, and only
    the eigendecomposition of `psd_factor` can drop its null space exactly.
    """
    try:
        factor = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return None
    pivots = np.diagonal(factor) ** 2
    if pivots.min() <= matrix.shape[0] * _EPS * np.max(np.diagonal(matrix)):
        return None
    return factor


def psd_factor(matrix):
    """A factor `F` of a positive semi-definite matrix, `F @ F.T == matrix`, of its rank.

    From the eigendecomposition `matrix = V diag(w) V^T`, `F = V_r diag(sqrt(w_r))` keeps only
    the eigenvalues above rounding noise (`w > n * eps * max(w)`, the tolerance of NumPy's
    `matrix_rank`). A covariance of fewer samples than dimensions has many eigenvalues that are
    exactly zero in theory and about `+-eps * max(w)` once computed; dropping them (rather than
    clipping the negative ones to zero) keeps their square roots, about `sqrt(eps)` each, out of
    the result.

    Args:
        matrix: Symmetric positive semi-definite matrix `[n, n]`.

    Returns:
        Array `[n, r]` where `r` is the numerical rank.
    """
    eigenvalues, eigenvectors = _psd_eigh(matrix)
    return eigenvectors * np.sqrt(eigenvalues)


def sqrtm_psd(matrix):
    """The symmetric square root of a positive semi-definite matrix.

    `V diag(sqrt(w)) V^T` from the eigendecomposition `matrix = V diag(w) V^T`, with eigenvalues
    below rounding noise (including slightly negative ones) treated as zero.

    Args:
        matrix: Symmetric positive semi-definite matrix `[n, n]`.

    Returns:
        The symmetric positive semi-definite `A` with `A @ A == matrix`, shape `[n, n]`.

    Example:

    ```python
    root = linalg.sqrtm_psd(covariance)
    np.allclose(root @ root, covariance)  # True
    ```
    """
    eigenvalues, eigenvectors = _psd_eigh(matrix)
    root = (eigenvectors * np.sqrt(eigenvalues)) @ eigenvectors.T
    # The product is symmetric only up to rounding; make it exactly so.
    return (root + root.T) / 2


def trace_sqrt_product(sigma1, sigma2):
    """`tr sqrt(sigma1 @ sigma2)` for two covariance matrices, computed stably.

    The product of two covariances is not symmetric, so the usual tools for it (a general matrix
    square root such as `scipy.linalg.sqrtm`, or eigenvalues of the product) are slow and lose
    accuracy; `eigvalsh` of the product is simply wrong, since it reads one triangle of a matrix
    that is not symmetric. Instead, write `sigma1 = F F^T`. The products `AB` and `BA` of two
    matrices have the same non-zero eigenvalues, so with `A = F` and `B = F^T sigma2`,
    `sigma1 sigma2 = F (F^T sigma2)` shares its non-zero eigenvalues with the symmetric positive
    semi-definite `M = F^T sigma2 F`, and `tr sqrt(sigma1 sigma2) = sum_i sqrt(lambda_i(M))`.
    (This is TF-GAN's `tr sqrt(A sigma2 A)` with `A = sqrtm(sigma1)`: any factor `F` gives the
    same eigenvalues, so the cheapest is taken.)

    `F` is the Cholesky factor of `sigma1`, or of `sigma2` with the roles swapped (the trace is
    symmetric), when one of them is clearly positive definite: `n^3 / 3` flops, so the cost is
    dominated by the eigenvalues of `M` (no eigenvectors are computed). Only when both are
    singular (fewer samples than dimensions on both sides) does `F` come from `psd_factor`, an
    eigendecomposition that drops the null space exactly. Eigenvalues of `M` below rounding
    noise are zeroed too, so singular covariances give the exact trace: against the
    nuclear-norm identity `tr sqrt(S1 S2) = ||X1c X2c^T||_* / sqrt((n1 - 1)(n2 - 1))` for
    centred samples it agrees to 1e-15, where `scipy.linalg.sqrtm` of the product is off by
    1e-8 to 1e-7. See `benchmarks/fid_sqrtm.py` for the speed against `scipy.linalg.sqrtm`.

    Args:
        sigma1: Covariance matrix `[n, n]`.
        sigma2: Covariance matrix `[n, n]`.

    Returns:
        The trace as a Python float.

    Raises:
        ValueError: If the matrices are not square, differ in shape, or are not finite.

    Reference:
        Dowson & Landau, "The Fréchet distance between multivariate normal distributions",
        Journal of Multivariate Analysis 12(3), 1982.
    """
    sigma1 = _symmetric(sigma1, "sigma1")
    sigma2 = _symmetric(sigma2, "sigma2")
    if sigma1.shape != sigma2.shape:
        raise ValueError(
            f"Covariances must have the same shape; got {sigma1.shape} and {sigma2.shape}."
        )
    factor, other = _cholesky_factor(sigma1), sigma2
    if factor is None:
        factor, other = _cholesky_factor(sigma2), sigma1
    if factor is None:
        factor, other = psd_factor(sigma1), sigma2
    middle = factor.T @ other @ factor
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    eigenvalues = np.where(eigenvalues > _rank_tolerance(eigenvalues), eigenvalues, 0.0)
    return float(np.sum(np.sqrt(eigenvalues)))


# --- distances between feature sets ------------------------------------------------------------


def distance_blocks(features, reference, block_entries=None):
    """Euclidean distances from `features` to `reference`, a block of rows at a time.

    Uses `||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y` (one matrix product per block). That
    expansion loses precision when the features sit far from the origin relative to their
    spread, so callers centre both sets on a common point first (distances do not change).

    Args:
        features: Array `[n, d]`.
        reference: Array `[m, d]`.
        block_entries: Largest number of distances held at once. Defaults to
            `DISTANCE_BLOCK_ENTRIES` (2**22, 32 MiB of float64), read at call time.

    Yields:
        `(start, distances)`: the distances `[rows, m]` from `features[start:start + rows]` to
        every row of `reference`.
    """
    features = np.asarray(features, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    reference_norms = np.einsum("ij,ij->i", reference, reference)
    if block_entries is None:
        block_entries = DISTANCE_BLOCK_ENTRIES
    rows = max(1, block_entries // max(1, reference.shape[0]))
    for start in range(0, features.shape[0], rows):
        block = features[start : start + rows]
        distances = block @ reference.T
        distances *= -2.0
        distances += np.einsum("ij,ij->i", block, block)[:, None]
        distances += reference_norms[None, :]
        # Rounding can leave tiny negative squares (a point and itself): clip before the root.
        np.maximum(distances, 0.0, out=distances)
        np.sqrt(distances, out=distances)
        yield start, distances


def kth_neighbour_distances(features, k, block_entries=None):
    """Each sample's distance to its k-th nearest neighbour in the same set, excluding itself.

    A sample is at distance 0 from itself, so this is the `(k + 1)`-th smallest distance in its
    row (index `k` after sorting), as in the prdc package and torch-fidelity. Duplicated samples
    count as neighbours at distance 0, as there.

    Args:
        features: Array `[n, d]`, with `n > k`.
        k: Neighbourhood size, at least 1.
        block_entries: Largest number of distances held at once. Defaults to
            `DISTANCE_BLOCK_ENTRIES`.

    Returns:
        Array `[n]` of radii.
    """
    check_neighbourhood(k, features.shape[0], "features")
    radii = np.empty(features.shape[0])
    for start, distances in distance_blocks(features, features, block_entries):
        radii[start : start + distances.shape[0]] = np.partition(distances, k, axis=1)[:, k]
    return radii


def check_neighbourhood(k, num_samples, name):
    """Raises a `ValueError` unless `1 <= k < num_samples` (a k-th neighbour besides itself)."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}.")
    if k >= num_samples:
        raise ValueError(
            f"k={k} needs more than {k} {name} samples (a k-th neighbour besides the sample "
            f"itself); got {num_samples}."
        )
