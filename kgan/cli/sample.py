"""`kgan sample`: generate samples from a saved model, as a `.npy` array or a PNG grid.

```
kgan sample runs/dcgan_digits/model.keras --num 64 --seed 0 --out grid.png
kgan sample runs/dcgan_digits/model.keras --num 10000 --out samples.npy
```
"""

import numpy as np

from kgan.cli import common
from kgan.utils import images as images_lib

HELP = "generate samples from a saved model"

# Output formats, by file extension.
FORMATS = {
    ".npy": "float32 array [N, H, W, C] in [-1, 1]",
    ".png": "one image: the samples tiled in a grid",
}


def add_arguments(parser):
    parser.add_argument("model", help="a model saved by kgan, e.g. runs/dcgan_digits/model.keras")
    parser.add_argument("--num", type=int, default=64, help="number of samples (default: 64)")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the latent vectors; the same seed gives the same samples (default: 0)",
    )
    parser.add_argument(
        "--out",
        required=True,
        help="output file: "
        + "; ".join(f"{extension} = {what}" for extension, what in FORMATS.items()),
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=256,
        help="samples generated per forward pass (default: 256)",
    )


def run(args):
    """Generates `args.num` samples with `model.generate` and writes them to `args.out`."""
    common.check_positive(args.num, "--num")
    common.check_positive(args.batch_size, "--batch-size")
    extension = common.check_extension(args.out, FORMATS)
    common.check_output_file(args.out)

    model = common.load_model(args.model)
    samples = model.generate(args.num, seed=args.seed, batch_size=args.batch_size)
    if extension == ".png":
        try:
            grid = images_lib.make_grid(samples)
        except ValueError as error:
            raise common.CommandError(
                f"the model's samples (shape {samples.shape[1:]}) are not images: {error} "
                "Write them to a .npy file instead."
            ) from None
        common.write(args.out, lambda path: images_lib.save_png(path, grid))
    else:
        common.write(args.out, lambda path: np.save(path, samples.astype(np.float32)))
    print(f"Wrote {args.num} samples of shape {samples.shape[1:]} to {args.out}")
