"""Feature extraction throughput of kgan's InceptionV3 extractor against the bare Keras network.

FID, KID and the Inception Score spend nearly all their time in the feature extractor, so its
images/second decides how long an evaluation takes. Both contenders run InceptionV3 with random
weights (`weights=None`: no download, and the weights do not change the speed):

- `bare` (the baseline): `keras.applications.InceptionV3(weights=None, include_top=True)` on
  images already resized to 299x299x3, so it does the network's work and nothing else.
- `kgan`: `kgan.metrics.feature_extractors.inception_v3(weights=None)` on `--image-size` images
  (32x32x3, a CIFAR-sized GAN's output) in [-1, 1]; it resizes them to 299x299 (bilinear) and
  rescales them itself, then returns the 2,048-d pool features and the 1,000 logits. The ratio
  `kgan / bare` is what those built-in steps cost on top of the network.
- `bare+resize` (reference only): the bare network after `tf.image.resize` to 299 inside the same
  compiled function, i.e. the resize written by hand; it tells the resize itself apart from
  anything else kgan's extractor adds.

How each contender runs: `model(images, training=False)` inside a `tf.function` (traced once per
batch size), the output read back to NumPy so the time covers the whole call. That is the fast
way to run inference in Keras 3 with TensorFlow: measured here at batch 32 it equals
`model.predict_on_batch` (which also compiles its predict function) at about 16 images/s, while
`model.predict` is about 25% slower (its epoch machinery) and an eager `model(x)` 30-40% slower.
The inputs are placed as tensors before timing, so the 299x299 baseline does not pay to copy
its larger NumPy input while kgan's small one is cheap. A warm-up call per contender and batch
size (`--warmup`) pays the tracing and the first allocations; then `--rounds` rounds run every
contender once per batch size, the order rotating each round so that background load slows
them alike. Each reports the median images/s over rounds (wall clock) and the median CPU
milliseconds per image (process CPU time: other processes' load slows the wall clock but hardly
moves it); `paired` is the median over rounds of the wall-clock ratio within a round. On a busy
machine read the CPU ratio; the wall-clock ratios need a quiet one.

Usage:

```
python benchmarks/extractor_throughput.py                             # batch 32 and 64, ~3-5 min
python benchmarks/extractor_throughput.py --batch-sizes 16 --rounds 3  # quick
python benchmarks/extractor_throughput.py --out extractor_throughput.json
```
"""

import os

# Quiet TensorFlow's C++ start-up messages (kgan imports it); must be set before the import.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

try:  # `python -m benchmarks.extractor_throughput` from the repository root
    from benchmarks import machine  # noqa: E402
except ImportError:  # `python benchmarks/extractor_throughput.py`: this folder is on sys.path
    import machine  # noqa: E402

INCEPTION_SIZE = 299
BASELINE = "bare"
# Each contender traces once per batch size, on purpose; TensorFlow's retracing warning about
# that would only be noise here.
tf.get_logger().setLevel("ERROR")


def compiled(model, resize_to=None):
    """`model(images, training=False)` as a `tf.function`, optionally resizing first."""

    @tf.function
    def call(images):
        if resize_to is not None:
            images = tf.image.resize(images, (resize_to, resize_to), method="bilinear")
        return model(images, training=False)

    return call


def make_contenders(skip_kgan=False):
    """The compiled contenders and the input size each takes; kgan's only if it imports."""
    bare = keras.applications.InceptionV3(weights=None, include_top=True)
    contenders = {
        "bare": (compiled(bare), INCEPTION_SIZE),
        "bare+resize": (compiled(bare, resize_to=INCEPTION_SIZE), None),
    }
    note = None
    if skip_kgan:
        note = "kgan skipped (--skip-kgan)"
    else:
        try:
            from kgan.metrics import feature_extractors
        except ImportError as error:
            note = f"kgan skipped: kgan.metrics.feature_extractors does not import ({error})"
        else:
            extractor = feature_extractors.inception_v3(weights=None)
            contenders["kgan"] = (compiled(extractor), None)
    return contenders, note


def make_images(batch_size, image_size, seed):
    """Uniform [-1, 1] images at `image_size`, and the same images resized to 299 for `bare`."""
    rng = np.random.default_rng(seed)
    small = rng.uniform(-1.0, 1.0, (batch_size, image_size, image_size, 3)).astype("float32")
    small = tf.constant(small)
    large = tf.image.resize(small, (INCEPTION_SIZE, INCEPTION_SIZE), method="bilinear")
    return {image_size: small, INCEPTION_SIZE: large}


def timed_call(function, images):
    """Runs one call to the end (outputs read back to the host); returns (wall s, CPU s)."""
    wall, cpu = time.perf_counter(), time.process_time()
    outputs = function(images)
    tf.nest.map_structure(lambda tensor: tensor.numpy(), outputs)
    return time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-sizes", default="32,64", help="comma-separated batch sizes")
    parser.add_argument("--image-size", type=int, default=32, help="kgan's input height/width")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (after warm-up)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed calls per contender/batch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-kgan", action="store_true", help="time the bare network only")
    parser.add_argument("--out", help="write the results as JSON to this path")
    args = parser.parse_args()
    batch_sizes = [int(size) for size in args.batch_sizes.split(",")]

    result = {
        "args": vars(args),
        "cpu": machine.cpu_description(),
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
        "threads": {
            "intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
        },
        "gpus": [device.name for device in tf.config.list_physical_devices("GPU")],
        "load_average_start": os.getloadavg(),
    }
    print(f"cpu: {result['cpu']}; keras {keras.__version__}, tensorflow {tf.__version__}")
    print(f"GPUs: {result['gpus'] or 'none'}; TF threads (0 = default): {result['threads']}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    contenders, note = make_contenders(args.skip_kgan)
    result["note"] = note
    if note:
        print(note)
    images = {size: make_images(size, args.image_size, args.seed) for size in batch_sizes}

    def inputs(input_size, batch_size):
        return images[batch_size][input_size or args.image_size]

    for batch_size in batch_sizes:
        for name, (function, input_size) in contenders.items():
            start = time.perf_counter()
            for _ in range(args.warmup):
                timed_call(function, inputs(input_size, batch_size))
            warm = time.perf_counter() - start
            print(f"  warm-up: {name:<12} batch {batch_size:>3}: {warm:6.1f} s")

    times = {(name, size): [] for name in contenders for size in batch_sizes}
    names = list(contenders)
    for round_index in range(args.rounds):
        shift = round_index % len(names)
        order = names[shift:] + names[:shift]
        for batch_size in batch_sizes:
            for name in order:
                function, input_size = contenders[name]
                wall, cpu = timed_call(function, inputs(input_size, batch_size))
                times[name, batch_size].append((wall, cpu))
                print(
                    f"  round {round_index + 1}: {name:<12} batch {batch_size:>3} "
                    f"{batch_size / wall:7.2f} images/s  ({wall:.2f} s wall, {cpu:.2f} s CPU)"
                )

    rows = []
    for batch_size in batch_sizes:
        base = times[BASELINE, batch_size]
        for name in names:
            measured = times[name, batch_size]
            rate = statistics.median(batch_size / wall for wall, _ in measured)
            cpu_ms = statistics.median(1000 * cpu / batch_size for _, cpu in measured)
            base_rate = statistics.median(batch_size / wall for wall, _ in base)
            base_cpu_ms = statistics.median(1000 * cpu / batch_size for _, cpu in base)
            paired = statistics.median(b[0] / m[0] for m, b in zip(measured, base, strict=True))
            rows.append(
                {
                    "contender": name,
                    "batch_size": batch_size,
                    "images_per_s": rate,
                    "cpu_ms_per_image": cpu_ms,
                    "ratio": rate / base_rate,
                    "cpu_ratio": base_cpu_ms / cpu_ms,
                    "paired_ratio": paired,
                }
            )
    result.update(summary=rows, load_average_end=os.getloadavg())

    print()
    header = f"{'contender':<12} {'batch':>5} {'images/s':>9} {'ratio':>6} {'paired':>6}"
    print(f"{header} {'CPU ms/img':>11} {'CPU ratio':>9}")
    for row in rows:
        print(
            f"{row['contender']:<12} {row['batch_size']:>5} {row['images_per_s']:9.2f} "
            f"{row['ratio']:6.2f} {row['paired_ratio']:6.2f} {row['cpu_ms_per_image']:11.1f} "
            f"{row['cpu_ratio']:9.2f}"
        )
    print(
        "(ratios: the bare network's time over the contender's at the same batch size, wall "
        "and CPU; above 1 is faster)"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.out:
        with open(args.out, "w") as file:
            json.dump(result, file, indent=2)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
