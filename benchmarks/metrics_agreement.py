"""Do kgan's metrics equal the reference implementations on realistic feature arrays?

Computes every metric twice on the same arrays, with kgan's public functions and with the
transcriptions of the reference implementations in `kgan.testing.reference_fid` and
`kgan.testing.reference_metrics`, and prints each pair of values, their relative difference
`|kgan - reference| / |reference|` (absolute where the reference is 0) against the issue's 1e-6
(PASS/FAIL), and both times.

What is compared (kgan's public function against the transcribed reference):

- FID with n >= d and with n < d samples (2048-d): `frechet_distance` against pytorch-fid's
  `calculate_frechet_distance` (`scipy.linalg.sqrtm` of the product) and TF-GAN's
  `frechet_classifier_distance_from_activations` (SVD square roots), and, beyond the issue's
  list, torch-fidelity's `fid_statistics_to_metric` (eigenvalues of the product); for n < d
  also against the exact value from the nuclear-norm identity.
- KID: `kernel_distance` (100 subsets of 1,000, seed 2020) against torch-fidelity's
  `kid_features_to_metric`; one subset of 1,000 against TF-GAN's block estimator on one block.
- IS (5,000 x 1,008 logits): `inception_score` against torch-fidelity's `isc_features_to_metric`
  (10 splits, unshuffled and shuffled with seed 2020); one split against TF-GAN's
  `classifier_score_from_logits`.
- Precision/recall (k = 3) against Kynkaanniemi et al.'s code and torch-fidelity's
  `metric_prc.py` (`<=`), and against prdc's `compute_prdc` (`<`); density/coverage (k = 5)
  against prdc.

Rows marked `info` are not pass/fail: torch-fidelity's KID on float32 features (it computes
in its features' dtype, so its own float32 rounding shows), and TF-GAN's KID over 5 blocks
(a different estimator: fixed blocks, standard error instead of spread).

The features are synthetic but shaped like the real ones: rectified Gaussians mixed by a random
matrix for 2048-d Inception pool features (non-negative, about 60% non-zero; the generated set
mixed by a perturbed matrix and shifted; the script prints the covariance traces, against which
the FID is a difference of large terms), peaked logits over 1,008 classes for the Inception
Score, Gaussians in 64 dimensions for precision/recall and density/coverage. Each computation
runs once (`--rounds` repeats them; medians), kgan first. `speed-up` is the reference's wall
seconds over kgan's, `CPU s-up` the same from process CPU time, which other processes' load
hardly moves; the total CPU time is printed at the end.

Threads: everything here is BLAS/LAPACK work. On a machine whose cores are shared, set
`OPENBLAS_NUM_THREADS=1` (see `fid_sqrtm.py`); the script prints the setting.

Usage:

```
python benchmarks/metrics_agreement.py --out metrics_agreement.json   # about 2-3 minutes
python benchmarks/metrics_agreement.py --quick                        # smaller, about 10 s
```
"""

import os

# Quiet TensorFlow's C++ start-up messages (kgan imports it); must be set before the import.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

try:
    from benchmarks import machine  # noqa: E402
except ImportError:  # `python benchmarks/metrics_agreement.py`: this folder is on sys.path
    import machine  # noqa: E402
import scipy  # noqa: E402

import kgan  # noqa: E402
from kgan import metrics  # noqa: E402
from kgan.testing import reference_fid  # noqa: E402
from kgan.testing import reference_metrics  # noqa: E402

TOLERANCE = 1e-6


# --- synthetic features ------------------------------------------------------------------------


def pool_features(num_samples, dim, seed):
    """Inception-pool-like real and generated features `[num_samples, dim]`, float64.

    Rectified mixed Gaussians (non-negative, about 60% non-zero, like pool_3 after its ReLUs);
    the generated set's mixing matrix is the real one perturbed, and its offset shifted.
    """
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    perturbed = mixing + 0.2 * rng.normal(size=(dim, dim)) / np.sqrt(dim)
    real = np.maximum(rng.normal(size=(num_samples, dim)) @ mixing + 0.3, 0.0)
    fake = np.maximum(rng.normal(size=(num_samples, dim)) @ perturbed + 0.35, 0.0)
    return real, fake


def peaked_logits(num_samples, num_classes, seed):
    """Classifier logits: each sample leans to one class (drawn unevenly), with noise."""
    rng = np.random.default_rng(seed)
    class_weights = rng.gamma(2.0, size=num_classes)
    labels = rng.choice(num_classes, num_samples, p=class_weights / class_weights.sum())
    logits = rng.normal(size=(num_samples, num_classes)) * 1.5
    logits[np.arange(num_samples), labels] += rng.uniform(2.0, 10.0, size=num_samples)
    return logits


def gaussian_features(num_samples, dim, seed):
    """Real `N(0, I)` and generated features narrower and shifted, `[num_samples, dim]`."""
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(num_samples, dim))
    fake = rng.normal(size=(num_samples, dim)) * 0.95 + 0.05
    return real, fake


# --- measuring ---------------------------------------------------------------------------------


def timed(function, rounds):
    """`(value, (wall s, CPU s), warnings)` of `function()`: medians over `rounds` runs.

    CPU is this process's CPU time, which other processes' load hardly moves.
    """
    walls, cpus = [], []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            value = function()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    messages = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return value, (statistics.median(walls), statistics.median(cpus)), messages


def relative_difference(value, reference):
    difference = abs(value - reference)
    return difference / abs(reference) if reference != 0 else difference


class Table:
    """Collects rows of the agreement table and prints each as it is measured."""

    HEADER = (
        f"{'metric':<22} {'reference':<30} {'kgan':>16} {'reference value':>16} "
        f"{'rel. diff':>9} {'result':>6} {'kgan s':>6} {'ref s':>6} {'speed-up':>8} "
        f"{'CPU s-up':>8}"
    )

    def __init__(self):
        self.rows = []
        print(self.HEADER)
        print("-" * len(self.HEADER))

    def add(self, metric, reference, kgan_value, reference_value, kgan_s, reference_s, **extra):
        """Adds a row; `extra` may hold `info=True` (not pass/fail) and `notes`.

        `kgan_s` and `reference_s` are `(wall, CPU)` seconds from `timed`, `None` if not run.
        """
        difference = relative_difference(kgan_value, reference_value)
        info = extra.get("info", False)
        result = "info" if info else ("PASS" if difference <= TOLERANCE else "FAIL")
        row = dict(
            metric=metric,
            reference=reference,
            kgan=kgan_value,
            reference_value=reference_value,
            rel_difference=difference,
            result=result,
            kgan_s=None if kgan_s is None else kgan_s[0],
            reference_s=reference_s[0],
            kgan_cpu_s=None if kgan_s is None else kgan_s[1],
            reference_cpu_s=reference_s[1],
            speedup=None if kgan_s is None else reference_s[0] / kgan_s[0],
            cpu_speedup=None if kgan_s is None else reference_s[1] / max(kgan_s[1], 1e-9),
            notes=extra.get("notes", []),
        )
        self.rows.append(row)
        kgan_text = "-" if kgan_s is None else f"{kgan_s[0]:6.2f}"
        ratios = "-" if kgan_s is None else f"{row['speedup']:7.1f}x {row['cpu_speedup']:7.1f}x"
        print(
            f"{metric:<22} {reference:<30} {kgan_value:16.10g} {reference_value:16.10g} "
            f"{difference:9.1e} {result:>6} {kgan_text:>6} {reference_s[0]:6.2f} {ratios:>17}"
        )
        for note in row["notes"]:
            print(f"{'':<22}   note: {note}")
        sys.stdout.flush()


# --- the comparisons ---------------------------------------------------------------------------


def compare_fid(table, args):
    real, fake = pool_features(args.fid_samples, args.fid_dim, args.seed)
    traces = [features.var(axis=0, ddof=1).sum() for features in (real, fake)]
    print(f"FID features: tr S_real = {traces[0]:.1f}, tr S_fake = {traces[1]:.1f}")
    cases = [(f"FID n={args.fid_samples} d={args.fid_dim}", real, fake, False)]
    small = args.fid_small_samples
    cases.append((f"FID n={small} < d={args.fid_dim}", real[:small], fake[:small], True))
    for label, real_part, fake_part, singular in cases:
        value, kgan_s, notes = timed(
            lambda r=real_part, f=fake_part: metrics.frechet_distance(r, f), args.rounds
        )
        references = [
            ("pytorch-fid (scipy sqrtm)", reference_fid.pytorch_fid),
            ("TF-GAN (SVD square roots)", reference_fid.tfgan_fid),
            ("torch-fidelity (eigvals)", reference_fid.torch_fidelity_fid),
        ]
        if singular:
            references.append(("exact (nuclear norm)", reference_fid.exact_fid))
        for name, function in references:
            expected, reference_s, reference_notes = timed(
                lambda r=real_part, f=fake_part, g=function: g(r, f), args.rounds
            )
            table.add(label, name, value, expected, kgan_s, reference_s, notes=reference_notes)
            table.rows[-1]["kgan_warnings"] = notes
        if notes:  # expected for n < d: kgan warns that the covariances are singular
            print(f"{'':<22}   kgan warned ({len(notes)}): {notes[0][:90]}...")


def compare_kid(table, args):
    real, fake = pool_features(args.kid_samples, args.kid_dim, args.seed + 1)
    subsets, size = args.kid_subsets, args.kid_subset_size
    label = f"KID {subsets}x{size} d={args.kid_dim}"
    (mean, std), kgan_s, _ = timed(
        lambda: metrics.kernel_distance(real, fake, subsets, size, seed=2020), args.rounds
    )
    (expected_mean, expected_std), reference_s, _ = timed(
        lambda: reference_metrics.torch_fidelity_kid(real, fake, subsets, size, seed=2020),
        args.rounds,
    )
    table.add(f"{label} mean", "torch-fidelity", mean, expected_mean, kgan_s, reference_s)
    table.add(f"{label} std", "torch-fidelity", std, expected_std, kgan_s, reference_s)

    # TF-GAN's block estimator with one block is the plain unbiased MMD^2 of all the samples
    # given, which kgan gives for one subset of all of them (the order does not matter).
    block = min(size, len(real))
    (one_block, _), kgan_s, _ = timed(
        lambda: metrics.kernel_distance(real[:block], fake[:block], 1, block), args.rounds
    )
    (expected, _), reference_s, _ = timed(
        lambda: reference_metrics.tfgan_kid(real[:block], fake[:block]), args.rounds
    )
    table.add(
        f"KID 1 block of {block}", "TF-GAN (1 block)", one_block, expected, kgan_s, reference_s
    )

    # Not pass/fail: what the references give in their own conventions.
    few = max(2, subsets // 10)
    real32, fake32 = real.astype(np.float32), fake.astype(np.float32)
    (mean32, _), kgan_s, _ = timed(
        lambda: metrics.kernel_distance(real32, fake32, few, size, seed=2020), 1
    )
    (expected32, _), reference_s, _ = timed(
        lambda: reference_metrics.torch_fidelity_kid(real32, fake32, few, size, seed=2020), 1
    )
    table.add(
        f"KID {few}x{size} float32",
        "torch-fidelity in float32",
        mean32,
        expected32,
        kgan_s,
        reference_s,
        info=True,
        notes=["the reference's own float32 rounding (kgan computes in float64)"],
    )
    (blocks_mean, blocks_error), reference_s, _ = timed(
        lambda: reference_metrics.tfgan_kid(real, fake), 1
    )
    table.add(
        f"KID all {len(real)}",
        "TF-GAN (blocks of <= 1024)",
        mean,
        blocks_mean,
        None,
        reference_s,
        info=True,
        notes=[
            f"a different estimator (contiguous blocks; its second value {blocks_error:.3g} is "
            f"a standard error, kgan's {std:.3g} a spread over subsets)"
        ],
    )


def compare_inception_score(table, args):
    logits = peaked_logits(args.is_samples, args.is_classes, args.seed + 2)
    splits = args.is_splits
    label = f"IS {args.is_samples}x{args.is_classes}"
    for shuffle, name in (
        (False, "torch-fidelity, no shuffle"),
        (True, "torch-fidelity, seed 2020"),
    ):
        (mean, std), kgan_s, _ = timed(
            lambda s=shuffle: metrics.inception_score(logits, splits, shuffle=s, seed=2020),
            args.rounds,
        )
        (expected_mean, expected_std), reference_s, _ = timed(
            lambda s=shuffle: reference_metrics.torch_fidelity_inception_score(
                logits, splits, shuffle=s, seed=2020
            ),
            args.rounds,
        )
        table.add(f"{label} mean", name, mean, expected_mean, kgan_s, reference_s)
        table.add(f"{label} std", name, std, expected_std, kgan_s, reference_s)
    (one_split, _), kgan_s, _ = timed(lambda: metrics.inception_score(logits, 1), args.rounds)
    expected, reference_s, _ = timed(
        lambda: reference_metrics.tfgan_inception_score(logits), args.rounds
    )
    table.add(f"{label} 1 split", "TF-GAN", one_split, expected, kgan_s, reference_s)


def compare_neighbour_metrics(table, args):
    real, fake = gaussian_features(args.pr_samples, args.pr_dim, args.seed + 3)
    label = f"{args.pr_samples}x{args.pr_dim}"
    (precision, recall), kgan_s, _ = timed(
        lambda: metrics.precision_recall(real, fake, k=3), args.rounds
    )
    expected, reference_s, _ = timed(
        lambda: reference_metrics.improved_precision_recall(real, fake, 3), args.rounds
    )
    name = "Kynkaanniemi / torch-fidelity"
    table.add(f"precision {label}", name, precision, expected[0], kgan_s, reference_s)
    table.add(f"recall {label}", name, recall, expected[1], kgan_s, reference_s)
    expected, reference_s, _ = timed(lambda: reference_metrics.prdc(real, fake, 3), args.rounds)
    table.add(
        f"precision {label}",
        "prdc k=3 (strict <)",
        precision,
        expected["precision"],
        kgan_s,
        reference_s,
    )
    table.add(
        f"recall {label}", "prdc k=3 (strict <)", recall, expected["recall"], kgan_s, reference_s
    )

    (density, coverage), kgan_s, _ = timed(
        lambda: metrics.density_coverage(real, fake, k=5), args.rounds
    )
    expected, reference_s, _ = timed(lambda: reference_metrics.prdc(real, fake, 5), args.rounds)
    table.add(f"density {label}", "prdc k=5", density, expected["density"], kgan_s, reference_s)
    table.add(f"coverage {label}", "prdc k=5", coverage, expected["coverage"], kgan_s, reference_s)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--fid-dim", type=int, default=2048)
    parser.add_argument("--fid-samples", type=int, default=3000, help="n >= d case")
    parser.add_argument("--fid-small-samples", type=int, default=1000, help="n < d case")
    parser.add_argument("--kid-dim", type=int, default=2048)
    parser.add_argument("--kid-samples", type=int, default=5000)
    parser.add_argument("--kid-subsets", type=int, default=100)
    parser.add_argument("--kid-subset-size", type=int, default=1000)
    parser.add_argument("--is-samples", type=int, default=5000)
    parser.add_argument("--is-classes", type=int, default=1008)
    parser.add_argument("--is-splits", type=int, default=10)
    parser.add_argument("--pr-samples", type=int, default=5000)
    parser.add_argument("--pr-dim", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=1, help="timed runs of each computation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="write the results as JSON to this path")
    args = parser.parse_args()
    if args.quick:
        args.fid_dim, args.fid_samples, args.fid_small_samples = 512, 800, 300
        args.kid_dim, args.kid_samples, args.kid_subsets = 512, 1500, 10
        args.is_samples, args.pr_samples = 2000, 1500

    result = {
        "args": vars(args),
        "cpu": machine.cpu_description(),
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "kgan": kgan.__version__},
        "blas_threads_env": {
            name: os.environ.get(name) for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
        },
        "load_average_start": os.getloadavg(),
        "tolerance": TOLERANCE,
    }
    print(f"cpu: {result['cpu']}; numpy {np.__version__}, scipy {scipy.__version__}")
    print(f"BLAS thread settings: {result['blas_threads_env']}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")

    start, start_cpu = time.perf_counter(), time.process_time()
    table = Table()
    compare_fid(table, args)
    compare_kid(table, args)
    compare_inception_score(table, args)
    compare_neighbour_metrics(table, args)

    checked = [row for row in table.rows if row["result"] != "info"]
    failed = [row for row in checked if row["result"] == "FAIL"]
    worst = max(checked, key=lambda row: row["rel_difference"])
    result.update(
        rows=table.rows,
        passed=len(checked) - len(failed),
        failed=len(failed),
        worst_rel_difference=worst["rel_difference"],
        total_s=time.perf_counter() - start,
        total_cpu_s=time.process_time() - start_cpu,
        load_average_end=os.getloadavg(),
    )
    print(
        f"\n{len(checked) - len(failed)} of {len(checked)} comparisons equal to {TOLERANCE:g} "
        f"relative; the largest difference {worst['rel_difference']:.2g} ({worst['metric']} "
        f"against {worst['reference']}). Total {result['total_s']:.0f} s wall, "
        f"{result['total_cpu_s']:.0f} s CPU."
    )
    for row in failed:
        print(f"FAIL: {row['metric']} against {row['reference']}: {row['rel_difference']:.3g}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.out:
        with open(args.out, "w") as file:
            json.dump(result, file, indent=2)
        print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
