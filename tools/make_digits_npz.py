"""Builds `kgan/data/digits.npz`, the bundled 8x8 handwritten digits, from scikit-learn's copy.

kgan ships the 1,797 UCI handwritten digits (8x8 pixels, values 0..16) so that examples, tests and
benchmarks run offline without downloading anything. scikit-learn bundles the same data as
`sklearn/datasets/data/digits.csv.gz`; this script converts it once into a compressed NumPy file of
about 45 kB. scikit-learn is needed only to run this script, never at kgan's run time.

Usage, from the repository root:

```
python tools/make_digits_npz.py            # writes kgan/data/digits.npz
python tools/make_digits_npz.py --check    # verifies the committed file against scikit-learn's
```

The file holds two arrays: `images`, uint8 of shape [1797, 8, 8] with values 0..16 (the count of
"on" pixels in each 4x4 block of the original 32x32 bitmaps), and `labels`, uint8 of shape [1797]
with the digit 0..9. The rows keep scikit-learn's order.

Reference:
    E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
    Repository, 1998, https://archive.ics.uci.edu/dataset/80 (CC BY 4.0). See
    `kgan/data/LICENSE-digits`.
"""

import argparse
import os
import sys

import numpy as np

NUM_EXAMPLES = 1797
DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kgan", "data", "digits.npz"
)


def read_sklearn_digits():
    """Reads the digits from scikit-learn and returns `(images, labels)` as exact uint8 arrays."""
    from sklearn import datasets  # only this script needs scikit-learn

    pixels, labels = datasets.load_digits(return_X_y=True)
    # scikit-learn returns float64 pixels; every one is an integer count in 0..16, so the cast to
    # uint8 below loses nothing. Check rather than assume, since the file is shipped as-is.
    if pixels.shape != (NUM_EXAMPLES, 64) or not np.array_equal(pixels, np.round(pixels)):
        raise ValueError(f"Unexpected digits data: shape {pixels.shape}, non-integer values.")
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise ValueError("Digits pixels must lie in 0..16 and labels in 0..9.")
    images = pixels.reshape(NUM_EXAMPLES, 8, 8).astype(np.uint8)
    return images, labels.astype(np.uint8)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="where to write the .npz file")
    parser.add_argument(
        "--check", action="store_true", help="compare the existing file instead of writing it"
    )
    args = parser.parse_args(argv)

    images, labels = read_sklearn_digits()
    if args.check:
        with np.load(args.output) as stored:
            same = np.array_equal(stored["images"], images) and np.array_equal(
                stored["labels"], labels
            )
        print(f"{args.output}: {'matches' if same else 'DIFFERS FROM'} scikit-learn's digits")
        return 0 if same else 1

    np.savez_compressed(args.output, images=images, labels=labels)
    size_kb = os.path.getsize(args.output) / 1024
    print(
        f"Wrote {args.output}: images {images.shape} uint8, labels {labels.shape}, {size_kb:.1f} kB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
