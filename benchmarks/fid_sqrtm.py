"""The FID statistic: kgan's symmetric form against `scipy.linalg.sqrtm` of the product.

Both contenders go from the same two covariance matrices (and means) to the Fréchet distance:

- `scipy sqrtm` (the baseline): pytorch-fid's computation, `scipy.linalg.sqrtm(sigma1 @ sigma2)`
  of the non-symmetric product (a Schur decomposition and a triangular square root), its real
  part, then `||mu1 - mu2||^2 + tr(sigma1 + sigma2 - 2 sqrtm)`.
- `kgan`: `kgan.metrics.frechet_distance_from_statistics`, which never forms the product:
  `sigma1 = F F^T` from a Cholesky factorisation (a symmetric eigendecomposition when both
  covariances are singular), then the eigenvalues (no vectors) of the symmetric
  `F^T sigma2 F`, whose square roots sum to `tr sqrt(sigma1 sigma2)`.

The covariances come from random features (`--samples` of them, default 1.5 x `--dim`, so both
are full rank; fewer samples than dimensions gives singular ones) mixed by two different random
matrices, one set shifted, so the distance is far from 0. The contenders alternate in one
process (the order swaps each round) so background load slows both alike; each reports the
median wall and CPU (process) seconds over `--rounds`. The values are compared as a relative
difference; the target is kgan faster with values equal to 1e-6. With singular covariances
(`--samples` at or below `--dim`) the difference is SciPy's error: kgan's trace is exact there
(`kgan.metrics.linalg.trace_sqrt_product`), SciPy's off by about 1e-8.

Threads: both contenders spend their time in OpenBLAS/LAPACK, whose threads spin while they
wait for each other. On a machine whose cores are busy with other work that goes badly wrong:
on 2 shared cores (load average 4) the eigenvalue step at 1024 dimensions took 2 to 6 s with
OpenBLAS's default 2 threads and 0.08 s with 1. There, set `OPENBLAS_NUM_THREADS=1` (the script
prints the setting); on an idle machine the default is fine.

Usage:

```
OPENBLAS_NUM_THREADS=1 python benchmarks/fid_sqrtm.py --dim 1024   # seconds
OPENBLAS_NUM_THREADS=1 python benchmarks/fid_sqrtm.py              # 2048-d, the issue's size
python benchmarks/fid_sqrtm.py --dim 256 --samples 100             # singular covariances
```
"""

import os

# Quiet TensorFlow's C++ start-up messages (kgan imports it); must be set before the import.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

try:
    from benchmarks import machine  # noqa: E402
except ImportError:  # `python benchmarks/fid_sqrtm.py`: this folder is on sys.path
    import machine  # noqa: E402
import scipy  # noqa: E402
import scipy.linalg  # noqa: E402

from kgan import metrics  # noqa: E402


def make_statistics(dim, num_samples, seed):
    """Means and covariances of two random, differently mixed and shifted feature sets."""
    rng = np.random.default_rng(seed)
    result = []
    for shift in (0.0, 0.5):
        mixing = rng.normal(size=(dim, dim)) / np.sqrt(dim)
        features = rng.normal(size=(num_samples, dim)) @ mixing + shift
        result += [features.mean(axis=0), np.cov(features, rowvar=False)]
    return result


def scipy_fid(mu1, sigma1, mu2, sigma2):
    """pytorch-fid's `calculate_frechet_distance` (without its eps * I fallback)."""
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
    covmean = covmean.real
    difference = mu1 - mu2
    return float(
        difference @ difference + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)
    )


CONTENDERS = {
    "scipy sqrtm": scipy_fid,
    "kgan": metrics.frechet_distance_from_statistics,
}
BASELINE = "scipy sqrtm"


def timed(function, arguments):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*arguments)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dim", type=int, default=2048, help="feature dimension")
    parser.add_argument("--samples", type=int, default=None, help="default 1.5 x dim")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per contender")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="write the results as JSON to this path")
    args = parser.parse_args()
    num_samples = args.samples or args.dim * 3 // 2

    result = {
        "args": vars(args),
        "cpu": machine.cpu_description(),
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
        "load_average_start": os.getloadavg(),
    }
    result["blas_threads_env"] = {
        name: os.environ.get(name) for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    }
    print(f"cpu: {result['cpu']}; numpy {np.__version__}, scipy {scipy.__version__}")
    print(f"BLAS thread settings: {result['blas_threads_env']}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"covariances: {args.dim}-d from {num_samples} samples each, seed {args.seed}")
    arguments = make_statistics(args.dim, num_samples, args.seed)

    times = {name: [] for name in CONTENDERS}
    values = {}
    for round_index in range(args.rounds):
        order = list(CONTENDERS) if round_index % 2 == 0 else list(CONTENDERS)[::-1]
        for name in order:
            value, wall, cpu = timed(CONTENDERS[name], arguments)
            values[name] = value
            times[name].append((wall, cpu))
            print(f"  round {round_index + 1}: {name:<12} {wall:8.2f} s wall {cpu:8.2f} s CPU")

    rows = {}
    for name, measured in times.items():
        rows[name] = {
            "wall_s": statistics.median(wall for wall, _ in measured),
            "cpu_s": statistics.median(cpu for _, cpu in measured),
            "value": values[name],
        }
    speedup = rows[BASELINE]["wall_s"] / rows["kgan"]["wall_s"]
    cpu_speedup = rows[BASELINE]["cpu_s"] / rows["kgan"]["cpu_s"]
    difference = abs(values["kgan"] - values[BASELINE])
    relative = difference / abs(values[BASELINE])
    result.update(
        summary=rows,
        speedup_wall=speedup,
        speedup_cpu=cpu_speedup,
        abs_difference=difference,
        rel_difference=relative,
        load_average_end=os.getloadavg(),
    )
    print()
    print(f"{'contender':<12} {'wall s':>9} {'CPU s':>9}  FID")
    for name, row in rows.items():
        print(f"{name:<12} {row['wall_s']:9.3f} {row['cpu_s']:9.3f}  {row['value']:.12g}")
    print(
        f"\nkgan is {speedup:.1f}x faster (wall; CPU {cpu_speedup:.1f}x); |difference| = "
        f"{difference:.3g} ({relative:.2g} relative) -> "
        f"{'equal to 1e-6' if relative <= 1e-6 else 'DIFFERENT beyond 1e-6'}"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.out:
        with open(args.out, "w") as file:
            json.dump(result, file, indent=2)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
