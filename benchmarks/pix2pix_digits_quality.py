"""How well does Pix2Pix restore torn digits, against the torn input and an L1-only baseline?

Reads run directories of `recipes/pix2pix_digits/train.py`, rebuilds the recipe's 449 held-out
pairs (a fixed split, fixed holes: `train.held_out_pairs`) and scores on them, beside the
**identity** (the torn input itself, what doing nothing scores):

- **L1**: mean absolute error against the true digit, in [-1, 1] units, over the whole image and
  inside the hole only (outside it the input is already right);
- **PSNR**: peak signal-to-noise ratio in dB, per image, with the peak-to-peak range 2 of [-1, 1]
  (the same figure as on uint8 pixels with peak 255), then averaged;
- **digit accuracy**: the share of restored digits that the judge,
  `kgan.metrics.classifier.digits_classifier` (the small CNN `kgan evaluate --extractor digits`
  uses, trained on the other 1,348 digits), labels with the true digit's class; its accuracy on
  the true digits is the ceiling;
- **sharpness in the hole**: the mean absolute Laplacian (a 3x3 second difference, what blur
  removes) of the output inside the hole, divided by that of the true digit there: 1 is as
  crisp as real strokes, below 1 is blurrier (the flat gray of the torn input scores 0), above
  1 noisier;
- **FID (digits features)**: Fréchet distance between the judge's 128-d features of the outputs
  and of the true digits: how much the outputs look like real digits as a set (blur raises it
  even where L1 is low). 449 samples: read differences, not absolute values.

The paper's observation (Isola et al. 2017, section 4.2) is that L1 alone gets the lowest
per-pixel error with blurry outputs, and the adversarial term trades a little of it for sharper,
more realistic ones. This benchmark measures both sides of that trade on the digits.

Run from the repository root:

```
python benchmarks/pix2pix_digits_quality.py --run pix2pix=runs/pix2pix_digits \
    --run l1_only=runs/pix2pix_digits_l1 --out quality.json
```
"""

import os

# Quiet TensorFlow's C++ start-up messages; must be set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kgan  # noqa: E402
from kgan.metrics import classifier  # noqa: E402
from kgan.metrics import feature_extractors  # noqa: E402
from kgan.metrics import frechet_distance  # noqa: E402  (the function)
from kgan.testing import recipes  # noqa: E402

RECIPE = pathlib.Path(__file__).resolve().parents[1] / "recipes" / "pix2pix_digits" / "train.py"


def laplacian_energy(images, holes):
    """Mean |4x - (its four neighbours)| over the holes' interior pixels.

    Interior: the pixel and its four neighbours are all in the hole, so the hole's own border
    (an edge in the torn input) does not count.
    """
    images = images[..., 0].astype(np.float64)
    holes = holes[..., 0]
    inner = images[:, 1:-1, 1:-1]
    neighbours = (
        images[:, :-2, 1:-1],
        images[:, 2:, 1:-1],
        images[:, 1:-1, :-2],
        images[:, 1:-1, 2:],
    )
    laplacian = 4 * inner - sum(neighbours)
    interior = holes[:, 1:-1, 1:-1] & holes[:, :-2, 1:-1] & holes[:, 2:, 1:-1]
    interior &= holes[:, 1:-1, :-2] & holes[:, 1:-1, 2:]
    return float(np.abs(laplacian)[interior].mean())


def scores(outputs, targets, holes, judged, real_features, labels):
    """The figures of one method's outputs on the held-out pairs."""
    outputs = outputs.astype(np.float64)
    targets = targets.astype(np.float64)
    error = np.abs(outputs - targets)
    mse = np.mean((outputs - targets) ** 2, axis=(1, 2, 3))
    # PSNR = 10 log10(peak^2 / MSE) with the peak-to-peak range 2 of [-1, 1]; a perfect image
    # (MSE 0) would be infinite, so it is capped at 100 dB before averaging.
    psnr = np.minimum(10.0 * np.log10(4.0 / np.maximum(mse, 1e-10)), 100.0)
    return {
        "l1": float(error.mean()),
        "l1_in_hole": float(error[holes].mean()),
        "psnr_db": float(psnr.mean()),
        "sharpness_in_hole": laplacian_energy(outputs, holes) / laplacian_energy(targets, holes),
        "digit_accuracy": float(np.mean(judged["logits"].argmax(axis=1) == labels)),
        "fid_digits": float(frechet_distance(real_features, judged["features"])),
    }


def run(runs, batch_size=64):
    """Scores the identity, the true targets and each `{name: run_dir}`; a JSON-ready dict."""
    start = time.perf_counter()
    recipe = recipes.load_recipe(RECIPE)
    settings = {}
    for name, run_dir in runs.items():
        with open(os.path.join(run_dir, "settings.json")) as file:
            settings[name] = json.load(file)["flags"]
    flags = dict(recipe.DEFAULTS)
    if settings:
        first = next(iter(settings.values()))
        flags.update(image_size=first["image_size"], hole_size=first["hole_size"])
    for name, run_flags in settings.items():
        if run_flags["data"] != "digits" or run_flags["pairs"]:
            raise ValueError(f"Run {name!r} was not trained on the digits task (--data digits).")
        if (run_flags["image_size"], run_flags["hole_size"]) != (
            flags["image_size"],
            flags["hole_size"],
        ):
            raise ValueError(f"Run {name!r} used another image or hole size than the others.")
    sources, targets, labels, holes = recipe.held_out_pairs(flags)
    judge = classifier.digits_classifier(flags["image_size"])
    real = feature_extractors.extract(judge, targets)

    def score(outputs):
        return scores(
            outputs,
            targets,
            holes,
            feature_extractors.extract(judge, outputs),
            real["features"],
            labels,
        )

    results = {"identity (torn input)": score(sources)}
    for name, run_dir in runs.items():
        model = keras.saving.load_model(os.path.join(run_dir, "model.keras"))
        if not isinstance(model, kgan.Pix2Pix):
            raise ValueError(f"{run_dir} does not hold a Pix2Pix model.")
        results[name] = score(model.translate(sources, batch_size=batch_size))
        results[name]["adversarial_weight"] = settings[name]["adversarial_weight"]
        results[name]["epochs"] = settings[name]["epochs"]
        results[name]["seed"] = settings[name]["seed"]
    ceiling = float(np.mean(real["logits"].argmax(axis=1) == labels))
    return {
        "held_out_pairs": len(targets),
        "image_size": flags["image_size"],
        "hole_size": flags["hole_size"],
        "judge_accuracy_on_true_digits": ceiling,
        "methods": results,
        "seconds": round(time.perf_counter() - start, 1),
    }


def format_table(results):
    """The results as plain text."""
    lines = [
        f"{results['held_out_pairs']} held-out digits, {results['image_size']}x"
        f"{results['image_size']}, {results['hole_size']}x{results['hole_size']} holes; judge's "
        f"accuracy on the true digits {results['judge_accuracy_on_true_digits']:.3f}",
        "",
        f"{'method':<24} {'L1':>7} {'L1 hole':>8} {'PSNR dB':>8} {'sharpness':>9} "
        f"{'digit acc':>9} {'FID':>7}",
    ]
    for name, row in results["methods"].items():
        lines.append(
            f"{name:<24} {row['l1']:>7.4f} {row['l1_in_hole']:>8.4f} {row['psnr_db']:>8.2f} "
            f"{row['sharpness_in_hole']:>9.3f} {row['digit_accuracy']:>9.3f} "
            f"{row['fid_digits']:>7.2f}"
        )
    lines.append(f"({results['seconds']:.0f} s)")
    return "\n".join(lines)


def parse_runs(items):
    runs = {}
    for item in items:
        name, separator, path = item.partition("=")
        if not separator or not name or not path:
            raise SystemExit(f"--run takes NAME=RUN_DIR, got {item!r}")
        runs[name] = path
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--run", action="append", default=[], help="NAME=RUN_DIR of a pix2pix_digits run"
    )
    parser.add_argument("--out", help="write the results as JSON here too")
    args = parser.parse_args(argv)
    results = run(parse_runs(args.run))
    print(format_table(results))
    if args.out:
        with open(args.out, "w") as file:
            json.dump(results, file, indent=2)
            file.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
