"""Modes captured on a known Gaussian mixture: the mode-collapse benchmark of VEEGAN and PacGAN.

On synthetic data whose modes are known (the 2-D grid of 25 Gaussians, the ring of 8), mode
collapse is counted directly instead of through features: each generated point is assigned to
its nearest mode, and

- a point is **high quality** when it lies within `num_std` standard deviations of that mode
  (3 in VEEGAN and PacGAN);
- a mode is **captured** when at least `min_count` of the high-quality points fall in it (20 of
  2,500 samples in both papers);
- `mode_kl` is the KL divergence from the modes' share of the high-quality points to the
  uniform share the data has (PacGAN's "reverse KL"): 0 for perfectly balanced modes,
  `log(num_modes)` when all points fall into one.

Reported numbers, 2-D grid (Srivastava et al. 2017, Table 1; Lin et al. 2018, Table 1): GAN 3.3
modes / 0.5% high quality, ALI 15.8 / 1.6%, Unrolled GAN 23.6 / 16%, VEEGAN 24.6 / 40%,
PacGAN4 24.8 / 93.6%.

Example:

```python
from kgan.metrics import mixture_modes

means = mixture_modes.grid_means()  # the 25 modes at {-4, -2, 0, 2, 4}^2
stats = mixture_modes.mixture_modes(gan.generate(2500, seed=1), means, std=0.05)
stats["modes_captured"], stats["high_quality"]
```
"""

import numpy as np

GRID_VALUES = (-4.0, -2.0, 0.0, 2.0, 4.0)


def grid_means(values=GRID_VALUES):
    """The means of the 2-D grid mixture: every `(x, y)` with `x, y` in `values`, `[25, 2]`."""
    values = np.asarray(values, dtype=np.float64)
    return np.stack(np.meshgrid(values, values, indexing="ij"), axis=-1).reshape(-1, 2)


def grid_points(num, std=0.05, values=GRID_VALUES, seed=0):
    """`num` points of the grid mixture (modes drawn uniformly, isotropic `std`), float32."""
    rng = np.random.default_rng(seed)
    means = grid_means(values)
    modes = rng.integers(0, len(means), num)
    return (means[modes] + rng.normal(0.0, std, (num, 2))).astype(np.float32)


def mixture_modes(samples, means, std, num_std=3.0, min_count=20):
    """Counts the modes a generator captures and the share of its points near a mode.

    Args:
        samples: Generated points `[N, D]`.
        means: The mixture's means `[K, D]`.
        std: The modes' (isotropic) standard deviation.
        num_std: A point within `num_std * std` (Euclidean) of its nearest mean is high
            quality. Defaults to `3.0`.
        min_count: High-quality points a mode needs to count as captured. Defaults to `20`.

    Returns:
        A dict: `modes_captured` (int), `num_modes`, `high_quality` (share of points, in
        `[0, 1]`), `mode_kl` (nats), `counts` (high-quality points per mode, a list in the order
        of `means`).
    """
    samples = np.asarray(samples, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    if samples.ndim != 2 or means.ndim != 2 or samples.shape[1] != means.shape[1]:
        raise ValueError(
            f"samples [N, D] and means [K, D] must be points of the same size; got shapes "
            f"{samples.shape} and {means.shape}."
        )
    if len(samples) == 0:
        raise ValueError("mixture_modes needs at least one sample.")
    if not np.all(np.isfinite(samples)):
        raise ValueError("The samples hold NaN or infinite values: the generator diverged.")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}.")
    distances = np.linalg.norm(samples[:, None, :] - means[None, :, :], axis=-1)
    nearest = np.argmin(distances, axis=1)
    close = distances[np.arange(len(samples)), nearest] <= num_std * std
    counts = np.bincount(nearest[close], minlength=len(means))
    shares = counts / max(int(counts.sum()), 1)
    present = shares > 0
    # KL(shares || uniform) = sum p log(p K); log(K) when one mode holds every point.
    mode_kl = float(np.sum(shares[present] * np.log(shares[present] * len(means))))
    return {
        "modes_captured": int(np.sum(counts >= min_count)),
        "num_modes": int(len(means)),
        "high_quality": float(np.mean(close)),
        "mode_kl": mode_kl if counts.sum() else float(np.log(len(means))),
        "counts": counts.tolist(),
    }
