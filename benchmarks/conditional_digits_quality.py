"""Does a conditional GAN draw the digit it is asked for, and more than one way of drawing it?

The judge is `kgan.metrics.classifier.digits_classifier`, the small CNN that
`benchmarks/digits_quality.py` and `kgan evaluate --extractor digits` use: trained on a fixed 75%
of the bundled digits (with outlier exposure) and loaded from its cache under `~/.keras/kgan`.
The benchmark asks a trained `kgan.ConditionalGAN` for `--per-class` samples of each digit (fixed
`--seed`), and reports:

- **condition accuracy**: the share of samples the classifier labels as the digit they were
  generated for, overall and per class (`mode_collapse.class_statistics(..., conditions=...)`),
  beside the classifier's accuracy on the 449 held-out real digits, the ceiling to read it
  against;
- **classes present**, **confident share** (top probability >= 0.9) and the class histogram;
- **within-class diversity**: for each digit, the mean pairwise L2 distance between its
  generated samples divided by the same figure for the real digits of that class (all 1,797
  bundled digits), in pixel space and in the classifier's 128-d feature space. A ratio near 1
  means the samples of a class vary as much as real ones do; a class collapsed onto one image
  scores near 0. (Above 1 is not better: noisy or broken strokes also spread samples apart.)

Run from the repository root:

```
python benchmarks/conditional_digits_quality.py \
    --model runs/conditional_gan_digits/model.keras --out quality.json
```
"""

import os

# Quiet TensorFlow's C++ start-up messages; must be set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kgan  # noqa: E402
from kgan.data import digits  # noqa: E402
from kgan.metrics import classifier  # noqa: E402
from kgan.metrics import feature_extractors  # noqa: E402
from kgan.metrics import mode_collapse  # noqa: E402

IMAGE_SIZE = 32
NUM_CLASSES = 10
CONFIDENT = 0.9
TARGET_CONDITION_ACCURACY = 0.9


def mean_pairwise_distance(vectors):
    """Mean Euclidean distance over all pairs of distinct rows of `vectors` `[N, d]`."""
    vectors = vectors.reshape(len(vectors), -1).astype(np.float64)
    squared = np.sum(vectors**2, axis=1)
    distances = squared[:, None] + squared[None, :] - 2.0 * vectors @ vectors.T
    distances = np.sqrt(np.maximum(distances, 0.0))
    count = len(vectors)
    return float(distances.sum() / (count * (count - 1)))


def diversity(samples, sample_labels, real, real_labels):
    """Per class: mean pairwise distance of samples, of real digits, and their ratio."""
    rows = []
    for digit in range(NUM_CLASSES):
        generated = mean_pairwise_distance(samples[sample_labels == digit])
        reference = mean_pairwise_distance(real[real_labels == digit])
        rows.append({"generated": generated, "real": reference, "ratio": generated / reference})
    return {
        "per_class": rows,
        "mean_ratio": float(np.mean([row["ratio"] for row in rows])),
        "min_ratio": float(np.min([row["ratio"] for row in rows])),
    }


def load_conditional(model_path):
    model = keras.saving.load_model(model_path)
    if not isinstance(model, kgan.ConditionalGAN) or model.num_classes != NUM_CLASSES:
        raise ValueError(
            f"{model_path} is not a ConditionalGAN over {NUM_CLASSES} classes "
            f"(got {type(model).__name__})."
        )
    return model


def run(model_path, per_class=200, seed=0):
    """Runs the whole benchmark and returns its results as a JSON-ready dict."""
    start = time.perf_counter()
    model = load_conditional(model_path)
    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int32), per_class)
    samples = model.generate(labels, seed=seed)
    if samples.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 1):
        raise ValueError(f"The model makes samples of shape {samples.shape[1:]}.")

    judge = classifier.digits_classifier(IMAGE_SIZE)
    _, (test_images, test_labels) = classifier.digits_split(IMAGE_SIZE)
    real_images, real_labels = digits.digits_arrays(IMAGE_SIZE)
    fake = feature_extractors.extract(judge, samples)
    test = feature_extractors.extract(judge, test_images)
    real = feature_extractors.extract(judge, real_images)

    stats = mode_collapse.class_statistics(
        fake["logits"], test["logits"], conditions=labels, confidence=CONFIDENT
    )
    test_stats = mode_collapse.class_statistics(
        test["logits"], conditions=test_labels, confidence=CONFIDENT
    )
    accuracy_per_class = [
        mode_collapse.class_statistics(
            fake["logits"][labels == digit],
            conditions=labels[labels == digit],
            confidence=CONFIDENT,
        )["condition_accuracy"]
        for digit in range(NUM_CLASSES)
    ]
    return {
        "model": model_path,
        "per_class_samples": per_class,
        "seed": seed,
        "classifier_test_accuracy": test_stats["condition_accuracy"],
        "condition_accuracy": stats["condition_accuracy"],
        "condition_accuracy_per_class": accuracy_per_class,
        "classes_present": stats["classes_present"],
        "confident_share": stats["confident_share"],
        "real_confident_share": test_stats["confident_share"],
        "mean_confidence": stats["mean_confidence"],
        "class_histogram": stats["class_histogram"],
        "class_kl": stats["class_kl"],
        "pixel_diversity": diversity(samples, labels, real_images, real_labels),
        "feature_diversity": diversity(fake["features"], labels, real["features"], real_labels),
        "seconds": round(time.perf_counter() - start, 1),
    }


def format_table(results):
    """The results as plain text."""
    pixel, feature = results["pixel_diversity"], results["feature_diversity"]
    lines = [
        f"model: {results['model']}  ({results['per_class_samples']} samples per class, "
        f"seed {results['seed']})",
        f"condition accuracy          {results['condition_accuracy']:.3f}   "
        f"(classifier on held-out real digits: {results['classifier_test_accuracy']:.3f})",
        f"classes present             {results['classes_present']}",
        f"confident share (>= {CONFIDENT})   {results['confident_share']:.3f}   "
        f"(real: {results['real_confident_share']:.3f})",
        f"diversity ratio, pixels     mean {pixel['mean_ratio']:.3f}  min {pixel['min_ratio']:.3f}",
        f"diversity ratio, features   mean {feature['mean_ratio']:.3f}  "
        f"min {feature['min_ratio']:.3f}",
        "",
        f"{'digit':>5} {'accuracy':>9} {'pixel ratio':>12} {'feature ratio':>14}",
    ]
    for digit in range(NUM_CLASSES):
        lines.append(
            f"{digit:>5} {results['condition_accuracy_per_class'][digit]:>9.3f} "
            f"{pixel['per_class'][digit]['ratio']:>12.3f} "
            f"{feature['per_class'][digit]['ratio']:>14.3f}"
        )
    met = results["condition_accuracy"] >= TARGET_CONDITION_ACCURACY
    lines.append("")
    lines.append(
        f"{'met' if met else 'MISSED'}  condition accuracy >= {TARGET_CONDITION_ACCURACY}; "
        f"{'met' if results['classes_present'] == NUM_CLASSES else 'MISSED'}  all ten classes"
    )
    lines.append(f"({results['seconds']:.0f} s)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a saved ConditionalGAN (.keras)")
    parser.add_argument("--per-class", type=int, default=200, help="samples per digit")
    parser.add_argument("--seed", type=int, default=0, help="seed of the latent vectors")
    parser.add_argument("--out", help="write the results as JSON here too")
    args = parser.parse_args(argv)
    results = run(args.model, args.per_class, args.seed)
    print(format_table(results))
    if args.out:
        with open(args.out, "w") as file:
            json.dump(results, file, indent=2)
            file.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
