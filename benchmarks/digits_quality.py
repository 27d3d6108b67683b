"""Do a GAN's samples look like digits? A classifier trained on the real digits judges them.

The judge is `kgan.metrics.classifier.digits_classifier`: a small CNN trained on the bundled
handwritten digits (a fixed 75/25 split of `kgan.data.digits_arrays`) with outlier exposure,
trained on the first run and then loaded from its cache under `~/.keras/kgan`. The benchmark
checks it on the held-out digits, then classifies samples from a trained model (by default the
`recipes/dcgan_digits` run) and the held-out real digits side by side:

- **mean top-1 confidence**: the classifier's average probability for the class it picks;
- **share with confidence >= 0.9**: how many samples are unambiguous digits;
- **class histogram**: which digits the samples are; a collapsed GAN misses some classes or
  piles onto a few.

Both columns are printed with the same classifier, so the real digits are the baseline each
generated number is read against (an Inception-free cousin of the Inception Score's two
ingredients: confident predictions, spread over all classes). The real column uses the
held-out digits only: the classifier has seen the others, and would be overconfident on them.

Run from the repository root:

```
python benchmarks/digits_quality.py --model runs/dcgan_digits/model.keras --out quality.json
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

import kgan  # noqa: E402
from kgan import cli  # noqa: E402
from kgan.metrics import classifier  # noqa: E402
from kgan.metrics import mode_collapse  # noqa: E402
from kgan.metrics import outliers  # noqa: E402

IMAGE_SIZE = 32
NUM_CLASSES = 10
CONFIDENT = 0.9
# Targets for a GAN that "draws digits": most samples unambiguous, every class present, none
# dominant (a uniform spread would put 10% in each class).
TARGET_CONFIDENT_SHARE = 0.6
TARGET_MAX_CLASS_SHARE = 0.2


def judge(model, images):
    """Confidence and class statistics of the classifier on `images` (see the module docstring)."""
    logits = model.predict(images, batch_size=256, verbose=0)["logits"]
    stats = mode_collapse.class_statistics(logits, confidence=CONFIDENT)
    keys = (
        "num_samples",
        "mean_confidence",
        "confident_share",
        "classes_present",
        "max_class_share",
        "min_class_share",
    )
    summary = {key: stats[key] for key in keys}
    summary["class_histogram"] = [round(share, 4) for share in stats["class_histogram"]]
    return summary


def targets_met(stats):
    """Which of the benchmark's targets the generated statistics reach."""
    return {
        f"confident_share >= {TARGET_CONFIDENT_SHARE}": (
            stats["confident_share"] >= TARGET_CONFIDENT_SHARE
        ),
        "all ten classes present": stats["classes_present"] == NUM_CLASSES,
        f"max_class_share <= {TARGET_MAX_CLASS_SHARE}": (
            stats["max_class_share"] <= TARGET_MAX_CLASS_SHARE
        ),
    }


def load_generated(model_path, num, seed):
    """`num` samples of the kgan model saved at `model_path`, checked to be digit-shaped."""
    # The `kgan sample` command's loader: the same checks and messages as on the command line.
    samples = cli.load_model(model_path).generate(num, seed=seed)
    if samples.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 1):
        raise ValueError(
            f"The model makes samples of shape {samples.shape[1:]}; the digits classifier takes "
            f"({IMAGE_SIZE}, {IMAGE_SIZE}, 1)."
        )
    return samples


def format_table(results):
    """The results as a plain-text table: generated samples beside the real baseline."""
    columns = [results[key] for key in ("generated", "real", "non_digits")]
    rows = [
        ("samples", "num_samples", "{:d}"),
        ("mean top-1 confidence", "mean_confidence", "{:.3f}"),
        (f"share with confidence >= {CONFIDENT}", "confident_share", "{:.3f}"),
        ("classes present", "classes_present", "{:d}"),
        ("largest class share", "max_class_share", "{:.3f}"),
        ("smallest class share", "min_class_share", "{:.3f}"),
    ]
    lines = [
        f"classifier held-out accuracy: {results['classifier']['test_accuracy']:.4f} "
        f"({results['classifier']['test_examples']} real digits)",
        "",
        f"{'statistic':<34}{'generated':>11}{'real':>11}{'non-digits':>11}{'gen/real':>10}",
    ]
    for label, key, fmt in rows:
        generated, real = columns[0][key], columns[1][key]
        ratio = generated / real if real else float("nan")
        cells = "".join(f"{fmt.format(column[key]):>11}" for column in columns)
        lines.append(f"{label:<34}{cells}{ratio:>10.2f}")
    lines += ["", f"{'class histogram':<34}{'generated':>11}{'real':>11}{'non-digits':>11}"]
    for digit in range(NUM_CLASSES):
        cells = "".join(f"{column['class_histogram'][digit]:>11.3f}" for column in columns)
        lines.append(f"{'  digit ' + str(digit):<34}{cells}")
    lines.append("")
    for target, met in results["targets_met"].items():
        lines.append(f"{'met' if met else 'MISSED':>6}  {target}")
    return "\n".join(lines)


def run(model_path, num=2000, seed=0, classifier_epochs=40):
    """Runs the whole benchmark and returns its results as a JSON-ready dict."""
    start = time.perf_counter()
    # The model first: a wrong path fails at once, not after the classifier has trained.
    samples = load_generated(model_path, num, seed)
    train, test = classifier.digits_split(IMAGE_SIZE)
    # Trained once (outlier exposure included) and cached under ~/.keras/kgan: the same judge
    # as `kgan evaluate --extractor digits`.
    model = classifier.digits_classifier(IMAGE_SIZE, epochs=classifier_epochs)
    accuracy = classifier.classification_accuracy(model, *test)
    generated = judge(model, samples)
    real = judge(model, test[0])
    # Non-digits made from the held-out digits: the floor a GAN's samples should rise above.
    non_digits = judge(model, outliers.make_outliers(*test, seed=seed + 1))
    return {
        "model": model_path,
        "num": num,
        "seed": seed,
        "classifier": {
            "test_accuracy": accuracy,
            "train_examples": int(len(train[0])),
            "test_examples": int(len(test[0])),
            "epochs": classifier_epochs,
        },
        "generated": generated,
        "real": real,
        "non_digits": non_digits,
        "targets_met": targets_met(generated),
        "seconds": round(time.perf_counter() - start, 1),
        "versions": {"kgan": kgan.__version__, "keras": keras.__version__},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="runs/dcgan_digits/model.keras", help="a .keras file")
    parser.add_argument("--num", type=int, default=2000, help="samples to generate")
    parser.add_argument("--seed", type=int, default=0, help="seed of the latent vectors")
    parser.add_argument("--classifier-epochs", type=int, default=40)
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    if args.num < 1:
        parser.error(f"--num must be at least 1, got {args.num}")
    try:
        results = run(args.model, args.num, args.seed, args.classifier_epochs)
    except (cli.CommandError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        with open(args.out, "w") as file:
            json.dump(results, file, indent=2)
            file.write("\n")
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
