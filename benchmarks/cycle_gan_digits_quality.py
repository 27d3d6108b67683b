"""Does CycleGAN keep the digit while changing the style? Judged on held-out digits in both styles.

Reads a run directory of `recipes/cycle_gan_digits/train.py` (the offline two-style digits) and
scores its translations of the 449 held-out digits, which exist in both styles but were never
trained on, with two judges:

- **style A judge**: `kgan.metrics.classifier.digits_classifier`, trained on the 1,348 training
  digits in style A (the bundled digits);
- **style B judge**: the same network (`kgan.metrics.classifier.train_classifier`, outlier
  exposure) trained here on the same 1,348 digits rendered in style B.

Neither judge has seen a held-out digit. Reported, for each direction:

- **content kept**: the share of translated digits that the *target* style's judge labels with
  the source digit's class (the issue's bar: >= 0.85 for A -> B); beside it the same judge on the
  untranslated inputs (what it says without translation) and on the true target-style digits
  (its ceiling);
- **cycle error**: mean absolute error of the reconstruction `G_ba(G_ab(a))` against `a` (and
  `G_ab(G_ba(b))` against `b`), in [-1, 1] units;
- **L1 to the true target**: the translation against the same digit really drawn in the target
  style, beside the untranslated input's L1 (the ground truth no real unpaired task has).

Run from the repository root:

```
python benchmarks/cycle_gan_digits_quality.py --run runs/cycle_gan_digits --out quality.json
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
from kgan.testing import recipes  # noqa: E402

RECIPE = pathlib.Path(__file__).resolve().parents[1] / "recipes" / "cycle_gan_digits" / "train.py"
TARGET_CONTENT_KEPT = 0.85


def accuracy(judge, images, labels):
    return classifier.classification_accuracy(judge, images, labels)


def style_b_judge(recipe, image_size, cache_dir=None, seed=0):
    """The style-B classifier and its accuracy on the held-out style-B digits.

    Trained once (a few minutes on a CPU) and cached as a `.keras` file under `cache_dir`
    (default `~/.keras/kgan`), named after kgan's version and the classifier's revision like the
    style-A judge, so a changed network is retrained rather than loaded stale.
    """
    cache_dir = cache_dir or os.path.join(os.path.expanduser("~"), ".keras", "kgan")
    name = (
        f"cycle_digits_style_b_judge_{image_size}_seed{seed}_v{kgan.__version__}"
        f"_r{classifier.CLASSIFIER_REVISION}.keras"
    )
    path = os.path.join(cache_dir, name)
    (train_images, train_labels), (test_images, test_labels) = classifier.digits_split(image_size)
    if os.path.exists(path):
        judge = keras.saving.load_model(path)
    else:
        judge = classifier.train_classifier(
            recipe.bold_inverted(train_images), train_labels, num_classes=10, seed=seed
        )
        os.makedirs(cache_dir, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp.keras"
        judge.save(temporary)
        os.replace(temporary, path)  # never a half-written cache file
    return judge, accuracy(judge, recipe.bold_inverted(test_images), test_labels)


def run(run_dir, batch_size=64):
    """Scores the run in `run_dir`; returns a JSON-ready dict."""
    start = time.perf_counter()
    recipe = recipes.load_recipe(RECIPE)
    with open(os.path.join(run_dir, "settings.json")) as file:
        flags = json.load(file)["flags"]
    if (flags["data_a"], flags["data_b"]) != recipe.OFFLINE:
        raise ValueError(f"{run_dir} was not trained on the offline two-style digits.")
    model = keras.saving.load_model(os.path.join(run_dir, "model.keras"))
    if not isinstance(model, kgan.CycleGAN):
        raise ValueError(f"{run_dir} does not hold a CycleGAN.")
    _, _, held_out = recipe.digit_domains(flags["image_size"])
    images_a, images_b, labels = held_out["a"], held_out["b"], held_out["labels"]

    judge_a = classifier.digits_classifier(flags["image_size"])
    judge_b, judge_b_accuracy = style_b_judge(recipe, flags["image_size"])
    a_to_b = model.translate(images_a, direction="a2b", batch_size=batch_size)
    b_to_a = model.translate(images_b, direction="b2a", batch_size=batch_size)
    a_cycle = model.translate(a_to_b, direction="b2a", batch_size=batch_size)
    b_cycle = model.translate(b_to_a, direction="a2b", batch_size=batch_size)

    def l1(x, y):
        return float(np.mean(np.abs(x.astype(np.float64) - y.astype(np.float64))))

    with open(os.path.join(run_dir, "settings.json")) as file:
        train_seconds = json.load(file)["result"]["train_seconds"]
    return {
        "run": run_dir,
        "held_out_digits": len(labels),
        "a_to_b": {
            "content_kept": accuracy(judge_b, a_to_b, labels),
            "untranslated_input": accuracy(judge_b, images_a, labels),
            "judge_ceiling": judge_b_accuracy,
            "cycle_l1": l1(a_cycle, images_a),
            "l1_to_true_target": l1(a_to_b, images_b),
            "untranslated_l1_to_true_target": l1(images_a, images_b),
        },
        "b_to_a": {
            "content_kept": accuracy(judge_a, b_to_a, labels),
            "untranslated_input": accuracy(judge_a, images_b, labels),
            "judge_ceiling": accuracy(judge_a, images_a, labels),
            "cycle_l1": l1(b_cycle, images_b),
            "l1_to_true_target": l1(b_to_a, images_a),
            "untranslated_l1_to_true_target": l1(images_b, images_a),
        },
        "train_seconds": train_seconds,
        "seconds": round(time.perf_counter() - start, 1),
    }


def format_table(results):
    """The results as plain text."""
    lines = [
        f"run: {results['run']}  ({results['held_out_digits']} held-out digits)",
        "",
        f"{'direction':<9} {'content kept':>12} {'untranslated':>12} {'ceiling':>8} "
        f"{'cycle L1':>9} {'L1 to truth':>11} {'untranslated L1':>15}",
    ]
    for key, name in (("a_to_b", "A -> B"), ("b_to_a", "B -> A")):
        row = results[key]
        lines.append(
            f"{name:<9} {row['content_kept']:>12.3f} {row['untranslated_input']:>12.3f} "
            f"{row['judge_ceiling']:>8.3f} {row['cycle_l1']:>9.4f} "
            f"{row['l1_to_true_target']:>11.4f} {row['untranslated_l1_to_true_target']:>15.4f}"
        )
    met = results["a_to_b"]["content_kept"] >= TARGET_CONTENT_KEPT
    lines.append("")
    lines.append(f"{'met' if met else 'MISSED'}  A -> B content kept >= {TARGET_CONTENT_KEPT}")
    lines.append(f"({results['seconds']:.0f} s)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="a cycle_gan_digits run directory")
    parser.add_argument("--out", help="write the results as JSON here too")
    args = parser.parse_args(argv)
    results = run(args.run)
    print(format_table(results))
    if args.out:
        with open(args.out, "w") as file:
            json.dump(results, file, indent=2)
            file.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
