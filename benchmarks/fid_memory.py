"""Peak memory of FID over 5,000 against 50,000 generated samples: it must stay flat.

kgan's FID keeps float64 running sums (`kgan.metrics.FeatureStatistics`: the count, the sum
and the sum of outer products of the features), so evaluating ten times more samples should
need no more memory: only one batch of samples and features is alive at a time. This script
measures that. Each run goes in a fresh child process, so one run's peak cannot hide another's,
and reports:

- `baseline`: resident memory (VmRSS) after the imports, the networks and a warm-up run of the
  same path on two batches (which pays TensorFlow's one-off allocations), just before the run;
- `peak`: the high-water mark (VmHWM) during the run, reset to the baseline just before it
  (`/proc/self/clear_refs`; where that fails the process's lifetime peak is reported, and says
  so);
- `increase` = peak - baseline, what the evaluation itself needed, and its ratio 50k / 5k
  (aim: about 1, flat).

The networks are small so that 50,000 samples take seconds: a tiny generator
(`kgan.testing.networks.tiny_image_generator`, 32x32x1) in a `kgan.GAN`, and an extractor with
random weights (two stride-2 convolutions and a dense layer: 32x32x1 images to `--dim`
features, default 256) returning `{"features": ...}` as kgan's extractors do. The real data are
the 1,797 bundled digits (`kgan.data.digits_arrays(32)`). The paths measured (`--paths`):

- `evaluator`: `kgan.metrics.evaluate_generator(model, real, metrics=("fid",),
  extractor=extractor, num_samples=N, seed=...)`, what users call (when that module exists);
- `metric`: `kgan.metrics.FrechetDistance` fed batch by batch (`model.generate` of one batch,
  `update_state(fake=images)`), the streaming metric without the evaluator around it;
- `naive` (the contrast): everything materialised, all N images, then all their features
  (`extractor.predict`), then `kgan.metrics.frechet_distance(real_features, fake_features)`,
  whose float64 copies of the features add to the images and features already held.

All paths generate batch `i` with the seed `Evaluator.evaluate` documents
(`np.random.SeedSequence(seed).generate_state(num_batches)[i]`), so they see the same samples
and their FIDs must agree to float round-off; the script prints how closely they do.

Usage:

```
python benchmarks/fid_memory.py                          # 5k and 50k on every path, ~2 min
python benchmarks/fid_memory.py --paths metric --sizes 5000,50000,100000
python benchmarks/fid_memory.py --out fid_memory.json
```
"""

import os

# Quiet TensorFlow's C++ start-up messages (the child imports it); must be set before the import.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

try:  # `python -m benchmarks.fid_memory` from the repository root
    from benchmarks import machine  # noqa: E402
except ImportError:  # `python benchmarks/fid_memory.py`: this folder is on sys.path
    import machine  # noqa: E402

LATENT_DIM = 16
IMAGE_SIZE = 32
RESULT_PREFIX = "FID_MEMORY_RESULT "
PATHS = ("evaluator", "metric", "naive")
REPOSITORY_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- the child: one path, one sample count ------------------------------------------------------


def memory_kib():
    """This process's resident memory and its high-water mark, in KiB (Linux /proc)."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1])
    return values["VmRSS"], values["VmHWM"]


def reset_peak():
    """Resets VmHWM to the current VmRSS (Linux >= 4.0); False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def build(dim, seed):
    """The GAN, the extractor (dict output) and the real images."""
    import keras

    import kgan
    from kgan.testing import networks

    keras.utils.set_random_seed(seed)
    model = kgan.GAN(
        networks.tiny_image_generator(LATENT_DIM, IMAGE_SIZE, channels=1),
        networks.tiny_image_discriminator(IMAGE_SIZE, channels=1),
        latent_dim=LATENT_DIM,
        seed=seed,
    )
    images = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1))
    hidden = keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(images)
    hidden = keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(hidden)
    features = keras.layers.Dense(dim)(keras.layers.Flatten()(hidden))
    extractor = keras.Model(images, {"features": features}, name="small_extractor")
    real_images, _ = kgan.data.digits_arrays(IMAGE_SIZE)
    return model, extractor, real_images


def generated_batches(model, num_samples, batch_size, seed):
    """Batch `i` from `model.generate` with seed `SeedSequence(seed).generate_state(n)[i]`.

    The seeding `Evaluator.evaluate` documents, so that every path sees the same samples.
    """
    import numpy as np

    num_batches = -(-num_samples // batch_size)
    for index, batch_seed in enumerate(np.random.SeedSequence(seed).generate_state(num_batches)):
        size = min(batch_size, num_samples - index * batch_size)
        yield model.generate(size, seed=int(batch_seed), batch_size=batch_size)


def run_evaluator(model, extractor, real_images, num_samples, batch_size, seed):
    from kgan import metrics

    values = metrics.evaluate_generator(
        model,
        real_images,
        metrics=("fid",),
        extractor=extractor,
        num_samples=num_samples,
        seed=seed,
        batch_size=batch_size,
    )
    return values["fid"]


def run_metric(model, extractor, real_images, num_samples, batch_size, seed):
    from kgan import metrics

    fid = metrics.FrechetDistance(feature_extractor=lambda x: extractor(x)["features"])
    for start in range(0, len(real_images), batch_size):
        fid.update_state(real=real_images[start : start + batch_size])
    for images in generated_batches(model, num_samples, batch_size, seed):
        fid.update_state(fake=images)
    return fid.result()


def run_naive(model, extractor, real_images, num_samples, batch_size, seed):
    import numpy as np

    from kgan import metrics

    fake_images = np.concatenate(list(generated_batches(model, num_samples, batch_size, seed)))
    fake = extractor.predict(fake_images, batch_size=batch_size, verbose=0)["features"]
    real = extractor.predict(real_images, batch_size=batch_size, verbose=0)["features"]
    return metrics.frechet_distance(real, fake)


RUNNERS = {"evaluator": run_evaluator, "metric": run_metric, "naive": run_naive}


def child(path, num_samples, dim, batch_size, seed):
    """Measures one run in this process; prints its result as one JSON line."""
    model, extractor, real_images = build(dim, seed)
    runner = RUNNERS[path]
    with warnings.catch_warnings():  # a short warm-up may have fewer samples than dimensions
        warnings.simplefilter("ignore")
        runner(model, extractor, real_images, 2 * batch_size, batch_size, seed)
    gc.collect()
    baseline, lifetime_peak = memory_kib()
    peak_was_reset = reset_peak()
    start = time.perf_counter()
    value = runner(model, extractor, real_images, num_samples, batch_size, seed)
    seconds = time.perf_counter() - start
    end, peak = memory_kib()
    result = {
        "path": path,
        "num_samples": num_samples,
        "fid": float(value),
        "seconds": seconds,
        "baseline_mib": baseline / 1024,
        "peak_mib": peak / 1024,
        "increase_mib": (peak - baseline) / 1024,
        "end_mib": end / 1024,
        "peak_before_run_mib": lifetime_peak / 1024,
        "peak_was_reset": peak_was_reset,
    }
    print(RESULT_PREFIX + json.dumps(result), flush=True)


# --- the parent: one child per run --------------------------------------------------------------


def run_child(path, num_samples, args):
    command = [sys.executable, os.path.abspath(__file__), "--child", path, str(num_samples)]
    command += ["--dim", str(args.dim), "--batch-size", str(args.batch_size)]
    command += ["--seed", str(args.seed)]
    # Children import kgan from this checkout, wherever the script was started from.
    environment = dict(os.environ)
    path_entries = [REPOSITORY_ROOT, os.environ.get("PYTHONPATH")]
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, path_entries))
    # stderr is TensorFlow's start-up chatter unless the child fails; then it is the traceback.
    completed = subprocess.run(command, capture_output=True, text=True, env=environment)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    sys.stderr.write(completed.stderr[-5000:])
    raise RuntimeError(f"{path} at {num_samples} failed (exit {completed.returncode})")


def evaluator_available():
    """Whether `kgan.metrics.evaluation` and the `feature_extractors` it resolves through exist.

    Looked up as files (the children import kgan from this checkout): importing kgan here would
    load TensorFlow into the parent for nothing.
    """
    folder = os.path.join(REPOSITORY_ROOT, "kgan", "metrics")
    return all(
        os.path.exists(os.path.join(folder, name))
        for name in ("evaluate_generator.py", "feature_extractors.py")
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5000,50000", help="comma-separated sample counts")
    parser.add_argument("--paths", default=",".join(PATHS), help=f"some of {', '.join(PATHS)}")
    parser.add_argument("--dim", type=int, default=256, help="feature dimension")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="write the results as JSON to this path")
    parser.add_argument("--child", nargs=2, metavar=("PATH", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.dim, args.batch_size, args.seed)
        return

    sizes = [int(size) for size in args.sizes.split(",")]
    paths = [path for path in args.paths.split(",") if path]
    unknown = set(paths) - set(PATHS)
    if unknown:
        parser.error(f"unknown paths {sorted(unknown)}; choose from {', '.join(PATHS)}")
    result = {"args": vars(args), "cpu": machine.cpu_description()}
    result["load_average_start"] = os.getloadavg()
    print(f"cpu: {result['cpu']}; python {sys.version.split()[0]}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if "evaluator" in paths and not evaluator_available():
        paths.remove("evaluator")
        result["note"] = "evaluator skipped: no kgan.metrics.evaluation or feature_extractors"
        print(result["note"])
    print(f"{args.dim}-d features, batches of {args.batch_size}, one child process per run")

    runs = []
    for path in paths:
        for num_samples in sizes:
            run = run_child(path, num_samples, args)
            runs.append(run)
            print(
                f"  {path:<9} {num_samples:>7}: increase {run['increase_mib']:7.1f} MiB "
                f"(baseline {run['baseline_mib']:.0f}, peak {run['peak_mib']:.0f}) "
                f"in {run['seconds']:.1f} s, FID {run['fid']:.6f}"
            )

    # A flat path's increase is one batch's worth (a few MiB) at every size, so allocator jitter
    # of a MiB or two moves the ratio; the difference in MiB says how much that is.
    ratios, growth = {}, {}
    for path in paths:
        by_size = {run["num_samples"]: run for run in runs if run["path"] == path}
        smallest, largest = by_size[min(sizes)], by_size[max(sizes)]
        ratios[path] = largest["increase_mib"] / max(smallest["increase_mib"], 1e-9)
        growth[path] = largest["increase_mib"] - smallest["increase_mib"]
    # Every path sees the same samples, so at each size the FIDs must agree (float round-off).
    spread = 0.0
    for num_samples in sizes:
        values = [run["fid"] for run in runs if run["num_samples"] == num_samples]
        spread = max(spread, (max(values) - min(values)) / max(abs(min(values)), 1e-12))
    result.update(runs=runs, ratios=ratios, growth_mib=growth, fid_rel_spread=spread)
    result["load_average_end"] = os.getloadavg()

    print()
    print(f"{'path':<9} {'samples':>7} {'baseline MiB':>12} {'peak MiB':>9} {'increase':>9}  FID")
    for run in runs:
        reset = "" if run["peak_was_reset"] else "  (lifetime peak: reset failed)"
        print(
            f"{run['path']:<9} {run['num_samples']:>7} {run['baseline_mib']:12.1f} "
            f"{run['peak_mib']:9.1f} {run['increase_mib']:9.1f}  {run['fid']:.6f}{reset}"
        )
    print()
    for path, ratio in ratios.items():
        print(
            f"{path}: peak increase {max(sizes)} / {min(sizes)} samples = {ratio:.2f} "
            f"({growth[path]:+.1f} MiB)"
        )
    if len(paths) > 1:
        print(f"FIDs of the paths at each size agree to {spread:.2g} relative")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.out:
        with open(args.out, "w") as file:
            json.dump(result, file, indent=2)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
