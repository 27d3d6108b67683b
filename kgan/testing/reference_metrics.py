"""The reference implementations of the generative metrics, transcribed to NumPy and SciPy.

kgan's metrics must equal what the implementations that papers quote compute on the same
features. Those live in PyTorch or TensorFlow 1 code that the tests cannot install, so each is
written again here, function by function, from its paper's formula and the algorithm of its
code: the same statistics, the same matrix square root, the same subset draws, splits,
neighbour radii and comparisons (`<` or `<=`), in the same order. Nothing here calls kgan, and
nothing is shared with `kgan.metrics`, so an agreement is evidence rather than a tautology.

FID's references are in `kgan.testing.reference_fid`. What each function here follows
(repository, file, function):

- `tfgan_kid`: tensorflow/gan, `tensorflow_gan/python/eval/classifier_metrics.py`,
  `kernel_classifier_distance_and_std_from_activations` (a block estimator, not
  torch-fidelity's random subsets).
- `tfgan_inception_score`: the same file, `classifier_score_from_logits` (one split).
- `torch_fidelity_kid`: toshas/torch-fidelity, `torch_fidelity/metric_kid.py`,
  `kid_features_to_metric`, `polynomial_mmd`, `polynomial_kernel` and `mmd2`.
- `torch_fidelity_inception_score`: toshas/torch-fidelity, `torch_fidelity/metric_isc.py`,
  `isc_features_to_metric`.
- `improved_precision_recall`: kynkaat/improved-precision-and-recall-metric,
  `precision_recall.py` (`ManifoldEstimator`), and toshas/torch-fidelity,
  `torch_fidelity/metric_prc.py` (`calculate_precision_recall_full`).
- `prdc`: clovaai/generative-evaluation-prdc, `prdc/prdc.py`, `compute_prdc`.

Precision follows each reference: a reference that casts to float64 (TF-GAN's and torch-fidelity's
IS) does so here; one that computes in its features' dtype (torch-fidelity's and TF-GAN's KID)
does that here too, so float32 features give their float32
rounding. The distance-based ones use exact differences (`scipy.spatial.distance.cdist`) in
float64 where the originals use float32 or the `||x||^2 + ||y||^2 - 2 x.y` expansion: the same
definition, rounded better.

These are for tests and benchmarks: they favour a plain transcription over speed or memory
(`prdc` and `improved_precision_recall` hold full distance matrices, as prdc does: 200 MB for
5,000 samples). SciPy is needed (kgan's `test` extra).
"""

import numpy as np
import scipy.linalg
import scipy.spatial.distance
import scipy.special

# --- KID -----------------------------------------------------------------------------------------


def polynomial_kernel(x, y, degree=3, gamma=None, coef0=1.0):
    """`(gamma x.y + coef0)^degree` between rows, `gamma = 1 / d` by default, in `x`'s dtype.

    torch-fidelity's (`torch_fidelity/metric_kid.py`, `polynomial_kernel`) and Binkowski et
    al.'s kernel; KID uses the defaults, `(x.y / d + 1)^3`.
    """
    if gamma is None:
        gamma = 1.0 / x.shape[1]
    return (np.matmul(x, y.T) * gamma + coef0) ** degree


def torch_fidelity_mmd2(k_xx, k_xy, k_yy, estimator="unbiased"):
    """MMD^2 from the three kernel matrices of two samples of `m` each, as torch-fidelity.

    Follows toshas/torch-fidelity, `torch_fidelity/metric_kid.py`, `mmd2` (after Binkowski et
    al.'s MMD-GAN code). With `S_xx`, `S_yy` the sums of `K_XX`, `K_YY` without their
    diagonals and `S_xy` the full sum of `K_XY`:

    - `"biased"`: `(S_xx + tr K_XX + S_yy + tr K_YY - 2 S_xy) / m^2`;
    - `"unbiased"` (KID's): `(S_xx + S_yy) / (m (m - 1)) - 2 S_xy / m^2`;
    - `"u-statistic"`: `(S_xx + S_yy - 2 (S_xy - tr K_XY)) / (m (m - 1))`.
    """
    if estimator not in ("biased", "unbiased", "u-statistic"):
        raise ValueError(f"Unknown estimator {estimator!r}.")
    m = k_xx.shape[0]
    if k_xx.shape != (m, m) or k_xy.shape != (m, m) or k_yy.shape != (m, m):
        raise ValueError("The kernel matrices must all be [m, m].")
    diagonal_x, diagonal_y = np.diagonal(k_xx), np.diagonal(k_yy)
    # Row sums without the diagonal, then their totals: the order of torch-fidelity's sums.
    off_diagonal_x = (k_xx.sum(axis=1) - diagonal_x).sum()
    off_diagonal_y = (k_yy.sum(axis=1) - diagonal_y).sum()
    cross = k_xy.sum(axis=0).sum()
    if estimator == "biased":
        total_x = off_diagonal_x + diagonal_x.sum()
        total_y = off_diagonal_y + diagonal_y.sum()
        return (total_x + total_y - 2 * cross) / (m * m)
    value = (off_diagonal_x + off_diagonal_y) / (m * (m - 1))
    if estimator == "unbiased":
        return value - 2 * cross / (m * m)
    return value - 2 * (cross - np.trace(k_xy)) / (m * (m - 1))


def torch_fidelity_polynomial_mmd(real_features, fake_features, degree=3, gamma=None, coef0=1.0):
    """torch-fidelity's unbiased MMD^2 of two equal-size samples under `polynomial_kernel`.

    Follows toshas/torch-fidelity, `torch_fidelity/metric_kid.py`, `polynomial_mmd`: the
    kernel matrices `K_XX`, `K_YY`, `K_XY`, then `torch_fidelity_mmd2`. In the features' dtype.
    """
    k_xx = polynomial_kernel(real_features, real_features, degree, gamma, coef0)
    k_yy = polynomial_kernel(fake_features, fake_features, degree, gamma, coef0)
    k_xy = polynomial_kernel(real_features, fake_features, degree, gamma, coef0)
    return torch_fidelity_mmd2(k_xx, k_xy, k_yy)


def torch_fidelity_kid(
    real_features,
    fake_features,
    num_subsets=100,
    subset_size=1000,
    seed=2020,
    degree=3,
    gamma=None,
    coef0=1.0,
):
    """torch-fidelity's KID: mean and std of the unbiased MMD^2 over random subsets.

    Follows toshas/torch-fidelity, `torch_fidelity/metric_kid.py`, `kid_features_to_metric`
    (defaults from `torch_fidelity/defaults.py`: 100 subsets of 1,000, seed 2020): one
    `np.random.RandomState(seed)`; for each subset, `subset_size` real indices, then
    `subset_size` generated ones, each drawn by `choice(..., replace=False)`;
    `torch_fidelity_polynomial_mmd` of the subsets, in the features' own dtype (torch-fidelity
    hands its float32 features to NumPy as they are); `np.mean` and `np.std` (ddof 0).

    Returns:
        `(mean, std)`, Python floats.
    """
    real = np.asarray(real_features)
    fake = np.asarray(fake_features)
    if real.shape[0] < subset_size or fake.shape[0] < subset_size:
        raise ValueError(
            f"subset_size={subset_size} exceeds a sample count ({real.shape[0]}, "
            f"{fake.shape[0]}); torch-fidelity refuses this too."
        )
    rng = np.random.RandomState(seed)
    estimates = np.zeros(num_subsets)
    for index in range(num_subsets):
        real_subset = real[rng.choice(real.shape[0], subset_size, replace=False)]
        fake_subset = fake[rng.choice(fake.shape[0], subset_size, replace=False)]
        estimates[index] = torch_fidelity_polynomial_mmd(
            real_subset, fake_subset, degree, gamma, coef0
        )
    return float(np.mean(estimates)), float(np.std(estimates))


def tfgan_kid(real_features, fake_features, max_block_size=1024):
    """TF-GAN's KID: a block estimator over contiguous blocks, with a standard error.

    Follows tensorflow/gan, `tensorflow_gan/python/eval/classifier_metrics.py`,
    `kernel_classifier_distance_and_std_from_activations`. This is *not* torch-fidelity's
    estimator: no random subsets; the samples, in their given order, are cut into
    `ceil(max(n_r, n_g) / max_block_size)` contiguous blocks per side (sizes differing by at
    most one, the larger ones last), each real block paired with the generated block of the
    same index, and each pair's unbiased MMD^2 (cross term over `m n`, within terms over
    `m (m - 1)` and `n (n - 1)`) averaged. The second value is the standard error of that
    mean, `sqrt(var_ddof1 / blocks)` (NaN for one block), not the spread of the estimates.
    Computed in the features' dtype, as TF-GAN does by default.

    Returns:
        `(mean, standard_error)`, Python floats.
    """
    real = np.asarray(real_features)
    fake = np.asarray(fake_features)
    num_blocks = -(-max(real.shape[0], fake.shape[0]) // max_block_size)

    def boundaries(count):
        base, plus_one = count // num_blocks, count % num_blocks
        sizes = [base] * (num_blocks - plus_one) + [base + 1] * plus_one
        return np.concatenate([[0], np.cumsum(sizes)])

    real_bounds, fake_bounds = boundaries(real.shape[0]), boundaries(fake.shape[0])
    dim = real.dtype.type(real.shape[1])

    def kernel(a, b):  # TF-GAN divides by the dimension (cast to the dtype), then adds 1
        return (np.matmul(a, b.T) / dim + 1) ** 3

    estimates = []
    for index in range(num_blocks):
        r = real[real_bounds[index] : real_bounds[index + 1]]
        g = fake[fake_bounds[index] : fake_bounds[index + 1]]
        m, n = r.shape[0], g.shape[0]
        k_rr, k_rg, k_gg = kernel(r, r), kernel(r, g), kernel(g, g)
        estimates.append(
            -2 * k_rg.mean()
            + (k_rr.sum() - np.trace(k_rr)) / (m * (m - 1))
            + (k_gg.sum() - np.trace(k_gg)) / (n * (n - 1))
        )
    estimates = np.asarray(estimates)
    mean = estimates.mean()
    if num_blocks <= 1:
        return float(mean), float("nan")
    variance = np.sum((estimates - mean) ** 2) / (num_blocks - 1)
    return float(mean), float(np.sqrt(variance / num_blocks))


# --- Inception Score -----------------------------------------------------------------------------


def _split_score(probabilities, log_probabilities):
    """`exp(mean_x KL(p(y|x) || p(y)))` with `p(y)` the mean of the rows given."""
    marginal = probabilities.mean(axis=0, keepdims=True)
    kl = np.sum(probabilities * (log_probabilities - np.log(marginal)), axis=1)
    return float(np.exp(kl.mean()))


def torch_fidelity_inception_score(logits, splits=10, shuffle=True, seed=2020):
    """torch-fidelity's Inception Score: mean and std over contiguous splits.

    Follows toshas/torch-fidelity, `torch_fidelity/metric_isc.py`, `isc_features_to_metric`
    (defaults: 10 splits, shuffled with seed 2020): the rows optionally permuted by
    `np.random.RandomState(seed).permutation`, cast to float64, softmax and log-softmax of
    the logits; split `i` is rows `i * n // splits` to `(i + 1) * n // splits`; per split
    `exp(mean(sum(p * (log p - log mean(p)))))`; `np.mean` and `np.std` (ddof 0).

    Returns:
        `(mean, std)`, Python floats.
    """
    logits = np.asarray(logits)
    n = logits.shape[0]
    if shuffle:
        logits = logits[np.random.RandomState(seed).permutation(n)]
    logits = logits.astype(np.float64)
    probabilities = scipy.special.softmax(logits, axis=1)
    log_probabilities = scipy.special.log_softmax(logits, axis=1)
    scores = []
    for i in range(splits):
        rows = slice(i * n // splits, (i + 1) * n // splits)
        scores.append(_split_score(probabilities[rows], log_probabilities[rows]))
    return float(np.mean(scores)), float(np.std(scores))


def tfgan_inception_score(logits):
    """TF-GAN's classifier score from logits: one split over all samples, in float64.

    Follows tensorflow/gan, `tensorflow_gan/python/eval/classifier_metrics.py`,
    `classifier_score_from_logits` (its `kl_divergence` uses the log-softmax of the logits
    for `log p`): equal to kgan's `inception_score(logits, splits=1)`'s mean.
    """
    logits = np.asarray(logits, dtype=np.float64)
    return _split_score(
        scipy.special.softmax(logits, axis=1), scipy.special.log_softmax(logits, axis=1)
    )


# --- precision, recall, density, coverage --------------------------------------------------------


def _distances(x, y):
    """Euclidean distances `[len(x), len(y)]` by exact differences, in float64."""
    return scipy.spatial.distance.cdist(
        np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), "euclidean"
    )


def _kth_neighbour_radii(features, k):
    """Distance from each sample to its k-th nearest neighbour in the same set, itself excluded.

    The sample's distance to itself, 0, is the smallest in its row, so this is the value of
    rank `k` (0-based) of the row: prdc's `get_kth_value(..., k + 1)`, Kynkäänniemi et al.'s
    `np.partition(...)[:, k]` and torch-fidelity's `kthvalue(k + 1)` all take it.
    """
    return np.partition(_distances(features, features), k, axis=1)[:, k]


def improved_precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall (Kynkäänniemi et al. 2019), with `<=`.

    Follows kynkaat/improved-precision-and-recall-metric, `precision_recall.py`
    (`ManifoldEstimator`, `knn_precision_recall_features`; k = 3) and toshas/torch-fidelity,
    `torch_fidelity/metric_prc.py` (`calculate_precision_recall_full`): each set's manifold is
    the union of balls reaching each sample's k-th neighbour; precision is the share of
    generated samples at distance `<=` some real sample's radius from it, recall the share of
    real samples likewise inside the generated manifold. (The original compares squared
    distances in float32; the order is the same.)

    Returns:
        `(precision, recall)`, Python floats.
    """
    real_radii = _kth_neighbour_radii(real_features, k)
    fake_radii = _kth_neighbour_radii(fake_features, k)
    fake_to_real = _distances(fake_features, real_features)  # [num_fake, num_real]
    precision = np.mean(np.any(fake_to_real <= real_radii[None, :], axis=1))
    recall = np.mean(np.any(fake_to_real <= fake_radii[:, None], axis=0))
    return float(precision), float(recall)


def prdc(real_features, fake_features, k=5):
    """The prdc package's precision, recall, density and coverage (Naeem et al. 2020).

    Follows clovaai/generative-evaluation-prdc, `prdc/prdc.py`, `compute_prdc`, with its strict
    `<` everywhere. With `r(x)` each sample's k-th neighbour radius in its own set:
    precision = share of generated samples with `d(x, y) < r(x)` for some real `x`; recall =
    share of real samples with `d(x, y) < r(y)` for some generated `y`; density = the number
    of (real, generated) pairs with `d(x, y) < r(x)`, over `k` times the generated count;
    coverage = share of real samples whose nearest generated sample is at `< r(x)`.

    Returns:
        A dict with `precision`, `recall`, `density` and `coverage`, Python floats.
    """
    real_radii = _kth_neighbour_radii(real_features, k)
    fake_radii = _kth_neighbour_radii(fake_features, k)
    real_to_fake = _distances(real_features, fake_features)  # [num_real, num_fake]
    in_real_balls = real_to_fake < real_radii[:, None]
    return {
        "precision": float(in_real_balls.any(axis=0).mean()),
        "recall": float((real_to_fake < fake_radii[None, :]).any(axis=1).mean()),
        "density": float((1.0 / k) * in_real_balls.sum(axis=0).mean()),
        "coverage": float((real_to_fake.min(axis=1) < real_radii).mean()),
    }
