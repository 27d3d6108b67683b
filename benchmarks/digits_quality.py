"""Do a GAN's samples look like digits? A classifier trained on the real digits judges them.

The benchmark trains a small CNN on the bundled handwritten digits (`kgan.data.digits_arrays`),
checks it on a fixed held-out split, then classifies samples from a trained model (by default the
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
import numpy as np  # noqa: E402

import kgan  # noqa: E402
from kgan import cli  # noqa: E402

IMAGE_SIZE = 32
NUM_CLASSES = 10
CONFIDENT = 0.9
# Targets for a GAN that "draws digits": most samples unambiguous, every class present, none
# dominant (a uniform spread would put 10% in each class).
TARGET_CONFIDENT_SHARE = 0.6
TARGET_MAX_CLASS_SHARE = 0.2
# Weight of the outlier-exposure term (Hendrycks et al., 2019 use 0.5).
OUTLIER_WEIGHT = 0.5


def split_digits(test_fraction=0.25, seed=0):
    """Returns the bundled digits split into `(train_images, train_labels), (test_images, ...)`.

    The split is a fixed permutation of all 1,797 digits, so every run (and every model judged)
    uses the same held-out digits.
    """
    images, labels = kgan.data.digits_arrays(IMAGE_SIZE)
    order = np.random.default_rng(seed).permutation(len(images))
    num_test = int(round(len(images) * test_fraction))
    test, train = order[:num_test], order[num_test:]
    return (images[train], labels[train]), (images[test], labels[test])


def make_outliers(images, labels, seed=0):
    """Images that are *not* digits, one per real image, for outlier exposure.

    A classifier trained on digits alone is confident on anything: an untrained generator's grey
    blobs were called "8" with 90% mean confidence. Training it to answer these non-digits with a
    uniform distribution (Hendrycks et al., 2019) makes its confidence mean "this is a digit".
    Four kinds, in equal parts, each keeping some statistic of real digits but not their shape:

    - pixels of a digit shuffled (same intensities, no strokes);
    - 8x8 patches of a digit shuffled (real stroke pieces, wrong layout);
    - the average of two digits of different classes: halfway between two classes, where a GAN
      that mixes modes puts its samples (an overlay by maximum was tried too, but it also draws
      plausible digits, e.g. 1 over 7, and taught the classifier to doubt real ones);
    - smooth random blobs (noise upsampled from 4x4 or 8x8, like an untrained generator's output).

    Reference:
        Hendrycks et al., "Deep Anomaly Detection with Outlier Exposure", ICLR 2019.
        https://arxiv.org/abs/1812.04606
    """
    rng = np.random.default_rng(seed)
    num, height, width, channels = images.shape
    kinds = np.arange(num) % 4
    outliers = np.empty_like(images)
    for index in range(num):
        image = images[index]
        if kinds[index] == 0:
            pixels = image.reshape(-1, channels)
            outliers[index] = pixels[rng.permutation(len(pixels))].reshape(image.shape)
        elif kinds[index] == 1:
            patch = 8
            patches = image.reshape(height // patch, patch, width // patch, patch, channels)
            patches = patches.transpose(0, 2, 1, 3, 4).reshape(-1, patch, patch, channels)
            patches = patches[rng.permutation(len(patches))]
            grid = patches.reshape(height // patch, width // patch, patch, patch, channels)
            outliers[index] = grid.transpose(0, 2, 1, 3, 4).reshape(image.shape)
        elif kinds[index] == 2:
            other = rng.choice(np.flatnonzero(labels != labels[index]))
            outliers[index] = 0.5 * (image + images[other])
        else:
            size = int(rng.choice([4, 8]))
            noise = rng.uniform(-1.0, 1.0, (1, size, size, channels)).astype("float32")
            blob = keras.ops.image.resize(noise, (height, width), interpolation="bicubic")
            outliers[index] = np.clip(keras.ops.convert_to_numpy(blob)[0], -1.0, 1.0)
    return outliers


def build_classifier(image_size=IMAGE_SIZE, channels=1):
    """A small CNN from `[batch, H, W, C]` images in [-1, 1] to 10 class logits.

    Small random shifts and rotations during training make it judge a digit by its shape rather
    than by the exact pixel position the bundled digits all share; generated digits drift a
    little, and should not lose confidence for that alone.

    Two convolutions per resolution rather than one: with one, the classifier (trained with
    outliers) was confident (>= 0.9) on only 88% of the held-out real digits, against 97% with
    two, while both stayed unconfident on non-digits (0.0% and 0.2%). A judge that doubts real
    digits cannot tell good samples from bad ones.
    """
    layers = keras.layers
    images = keras.Input((image_size, image_size, channels), name="images")
    x = layers.RandomTranslation(0.08, 0.08, fill_value=-1.0, fill_mode="constant")(images)
    x = layers.RandomRotation(0.04, fill_value=-1.0, fill_mode="constant")(x)
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    logits = layers.Dense(NUM_CLASSES, dtype="float32")(x)
    return keras.Model(images, logits, name="digits_classifier")


def train_classifier(train, test, epochs=40, seed=0):
    """Trains the classifier on digits and outliers; returns `(model, held-out accuracy)`.

    Digits are taught with one-hot targets, outliers with the uniform distribution: one
    cross-entropy on soft targets covers both. Outliers weigh half as much as digits, the
    paper's lambda = 0.5.
    """
    keras.utils.set_random_seed(seed)
    images, labels = train
    outliers = make_outliers(images, labels, seed=seed)
    inputs = np.concatenate([images, outliers])
    targets = np.concatenate(
        [
            keras.ops.convert_to_numpy(keras.ops.one_hot(labels, NUM_CLASSES)),
            np.full((len(outliers), NUM_CLASSES), 1.0 / NUM_CLASSES, "float32"),
        ]
    )
    classifier = build_classifier()
    classifier.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    )
    weights = np.concatenate([np.ones(len(images)), np.full(len(outliers), OUTLIER_WEIGHT)])
    classifier.fit(
        inputs,
        targets,
        sample_weight=weights.astype("float32"),
        batch_size=64,
        epochs=epochs,
        verbose=0,
        shuffle=True,
    )
    logits = classifier.predict(test[0], batch_size=256, verbose=0)
    accuracy = float((logits.argmax(axis=-1) == test[1]).mean())
    return classifier, accuracy


def judge(classifier, images):
    """Confidence and class statistics of `classifier` on `images` (see the module docstring)."""
    logits = classifier.predict(images, batch_size=256, verbose=0)
    probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=-1))
    confidence = probabilities.max(axis=-1)
    predicted = probabilities.argmax(axis=-1)
    histogram = np.bincount(predicted, minlength=NUM_CLASSES) / len(images)
    return {
        "num_samples": int(len(images)),
        "mean_confidence": float(confidence.mean()),
        "confident_share": float((confidence >= CONFIDENT).mean()),
        "classes_present": int((histogram > 0).sum()),
        "max_class_share": float(histogram.max()),
        "min_class_share": float(histogram.min()),
        "class_histogram": [round(float(share), 4) for share in histogram],
    }


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
    train, test = split_digits()
    classifier, accuracy = train_classifier(train, test, epochs=classifier_epochs)
    generated = judge(classifier, samples)
    real = judge(classifier, test[0])
    # Non-digits made from the held-out digits: the floor a GAN's samples should rise above.
    non_digits = judge(classifier, make_outliers(*test, seed=seed + 1))
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
