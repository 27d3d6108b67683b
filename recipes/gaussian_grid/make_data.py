"""Makes the 2-D grid of 25 Gaussians, the mode-collapse benchmark of VEEGAN and PacGAN.

```
python recipes/gaussian_grid/make_data.py --out runs/grid/points.npy
```

writes float32 points `[100000, 2]`: modes at `{-4, -2, 0, 2, 4}^2`, each drawn with probability
1/25, standard deviation 0.05 (Srivastava et al. 2017; Lin et al. 2018). `train.py --data` takes
the file.
"""

import os

if __name__ == "__main__":  # hold TensorFlow's start-up lines back, as `kgan` does
    from kgan.cli import quiet

    quiet.import_tensorflow_quietly()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

from kgan.metrics import mixture_modes  # noqa: E402
from kgan.utils import run_directory  # noqa: E402


def parse_flags(argv=None):
    parser = run_directory.Parser(
        prog="make_data.py",
        description="Write the 2-D grid of 25 Gaussians (VEEGAN, PacGAN) as a .npy file.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--out", default=os.path.join("runs", "gaussian_grid", "points.npy"), help=".npy to write")
    add("--num", type=int, default=100_000, help="points")
    add("--std", type=float, default=0.05, help="standard deviation of each mode")
    add("--seed", type=int, default=0, help="seed of the points")
    flags = vars(parser.parse_args(argv))
    run_directory.check_positive(flags, "num")
    if not flags["std"] > 0:
        raise run_directory.UsageError(f"--std must be positive, got {flags['std']}")
    if not flags["out"].endswith(".npy"):
        raise run_directory.UsageError(f"--out must name a .npy file, got {flags['out']!r}")
    return flags


def main(argv=None):
    try:
        flags = parse_flags(argv)
        points = mixture_modes.grid_points(flags["num"], std=flags["std"], seed=flags["seed"])
        folder = os.path.dirname(flags["out"])
        if folder:
            os.makedirs(folder, exist_ok=True)
        temporary = flags["out"] + ".tmp.npy"
        np.save(temporary, points)
        os.replace(temporary, flags["out"])
    except SystemExit as exit:  # --help
        return exit.code
    except (run_directory.UsageError, OSError) as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    print(f"Wrote {len(points):,} points of the 25-Gaussian grid to {flags['out']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
