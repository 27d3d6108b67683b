"""`kgan invert`: find the latent vectors whose samples match given images.

```
kgan invert runs/dcgan_digits/model.keras --input digits.npy --out inverted.npz
kgan invert runs/dcgan_digits/model.keras --input photos/ --out pairs.png --steps 500
kgan invert runs/conditional_gan_digits/model.keras --input sevens.npy --labels 7 --out z.npz
```

Runs `kgan.models.latent_inversion.invert`: Adam on the latent vector, from `--restarts`
random starts per image, the best kept. `--input` is read as `kgan translate` reads it: a
`.npy` array (uint8 pixels or floats in [-1, 1]) of the generator's sample shape, or a folder of
image files (converted and resized to it). A conditional model needs the images' `--labels`
(as `kgan sample` takes them: class ids cycled over the images, or a `.npy` of one row each).

`--out` is a `.npz` (`latents` [N, latent_dim], `reconstructions` [N, H, W, C] in [-1, 1],
`errors` [N]: each reconstruction's mean squared error) or a `.png` grid of
`image | reconstruction` pairs, one pair a row. A table of the errors (and their PSNR) is
printed either way: low for images the generator can draw, high for ones it never learnt.
"""

import os

import numpy as np

from kgan.cli import common
from kgan.cli import loading
from kgan.cli import sample
from kgan.cli import translate

HELP = "find the latent vectors whose samples match given images (latent inversion)"
FORMATS = {
    ".npz": "latents, reconstructions and errors",
    ".png": "image | reconstruction pairs, one pair a row",
}


def add_arguments(parser):
    loading.add_raw_generator_flag(parser)
    parser.add_argument("model", help="a latent-vector model saved by kgan (GAN, ConditionalGAN)")
    parser.add_argument(
        "--input",
        required=True,
        help="a .npy of images (uint8 pixels or floats in [-1, 1]) or a folder of image files",
    )
    parser.add_argument(
        "--out",
        required=True,
        help="output file: " + "; ".join(f"{ext} = {what}" for ext, what in FORMATS.items()),
    )
    parser.add_argument(
        "--labels",
        default=None,
        help="conditional models: the images' class ids (comma-separated, cycled) or a .npy "
        "of one label row per image",
    )
    parser.add_argument("--steps", type=int, default=300, help="Adam steps per start (300)")
    parser.add_argument(
        "--restarts", type=int, default=4, help="random starts per image; the best is kept (4)"
    )
    parser.add_argument(
        "--learning-rate", type=float, default=0.05, help="Adam's step size on z (0.05)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the starts (0)")
    parser.add_argument("--batch-size", type=int, default=64, help="images optimised together")


def read_images(path, shape):
    """`--input` as float32 `[N, *shape]` in [-1, 1] (an array checked, a folder fitted)."""
    if os.path.isdir(path):
        images, _, skipped = translate.read_folder(path)
        batch, resized = translate.fit_folder(images, shape)
        notes = [f"{resized} resized to {shape[0]}x{shape[1]}"] if resized else []
        if skipped:
            notes.append(f"{len(skipped)} unreadable skipped ({', '.join(skipped[:3])})")
        if notes:
            print(f"Note: of the --input images, {'; '.join(notes)}.")
        return batch
    return translate.fit_array(translate.read_array(path), shape, path)


def run(args):
    for value, option in ((args.steps, "--steps"), (args.restarts, "--restarts")):
        common.check_positive(value, option)
    common.check_positive(args.batch_size, "--batch-size")
    if not args.learning_rate > 0:
        raise common.CommandError(
            f"--learning-rate must be positive, got {args.learning_rate}", common.USAGE_ERROR
        )
    extension = common.check_extension(args.out, FORMATS)
    common.check_output_file(args.out, force=args.force)
    if not os.path.exists(args.input):
        raise common.CommandError(f"--input {args.input!r} does not exist", common.USAGE_ERROR)
    model = loading.load_model(
        args.model, hide_native_logs=not args.verbose, raw_generator=args.raw_generator
    )
    if getattr(model, "latent_dim", None) is None:
        raise common.CommandError(
            f"{args.model!r} has no latent space ({type(model).__name__}): inversion is for "
            "latent-vector GANs",
            common.USAGE_ERROR,
        )
    from kgan.metrics import sample_batches
    from kgan.models import latent_inversion

    if args.labels is None and sample_batches.condition_form(model) is not None:
        # `kgan sample` cycles through the classes without --labels; inverting an image under
        # a class it does not show would silently fit the wrong condition.
        raise common.CommandError(
            f"{args.model!r} is conditional: give the images' labels with --labels (class "
            "ids, cycled over the images, or a .npy of one row per image)",
            common.USAGE_ERROR,
        )
    shape = tuple(model.sampling_network().output_shape[1:])
    images = read_images(args.input, shape)
    labels = None
    if args.labels is not None:
        # A .npy gives its own row count (checked against the images just below).
        count = None if sample.labels_file(args.labels) else len(images)
        labels, _ = sample.model_labels(model, args.labels, count)
        if len(labels) != len(images):
            raise common.CommandError(
                f"--labels has {len(labels)} rows for {len(images)} images", common.USAGE_ERROR
            )
    try:
        result = latent_inversion.invert(
            model,
            images,
            labels,
            steps=args.steps,
            learning_rate=args.learning_rate,
            restarts=args.restarts,
            batch_size=args.batch_size,
            seed=args.seed,
        )
    except ValueError as error:
        raise common.CommandError(common.one_line(error), common.USAGE_ERROR) from None
    if extension == ".npz":
        common.write(args.out, lambda path: np.savez(path, **result))
    else:
        from kgan.utils import images as images_lib

        grid = translate.pair_grid(images, result["reconstructions"])
        common.write(args.out, lambda path: images_lib.save_png(path, grid))
    print(summary(result["errors"], args))


def summary(errors, args):
    """A small table of the reconstruction errors (and the PSNR of the mean one)."""
    # Pixels span [-1, 1], a peak-to-peak of 2: PSNR = 10 log10(2^2 / MSE).
    psnr = 10 * np.log10(4.0 / np.maximum(errors, 1e-12))
    rows = [
        ("images", f"{len(errors)}"),
        ("steps x restarts", f"{args.steps} x {args.restarts}"),
        ("mean squared error", f"{errors.mean():.5f} (median {np.median(errors):.5f})"),
        ("worst image", f"#{int(errors.argmax())}: {errors.max():.5f}"),
        ("PSNR", f"{psnr.mean():.1f} dB mean, {psnr.min():.1f} dB worst"),
        ("written", args.out),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
