"""`kgan sample`: generate samples from a saved model, as a `.npy` array or a PNG grid.

```
kgan sample runs/dcgan_digits/model.keras --num 64 --seed 0 --out grid.png
kgan sample runs/dcgan_digits/model.keras --num 10000 --out samples.npy
kgan sample runs/conditional_gan_digits/model.keras --labels 3,7 --num 8 --out sevens.png
kgan sample runs/celeba_attributes/model.keras --labels attributes.npy --out faces.npy
kgan sample runs/seqgan_oracle/model.keras --num 100 --temperature 0.8 --out tokens.npy
kgan sample runs/dcgan_digits/model.keras --truncation 0.7 --out typical.png
kgan sample runs/dcgan_digits/model.keras --interpolate 10 --num 6 --out paths.png
kgan sample runs/dcgan_digits/model.keras --interpolate 16 --num 16 --out walk.gif
```

`--truncation T` draws the latent vectors from a normal truncated to `[-T, T]` (BigGAN's
truncation trick; for a conditional model, per class as the labels say). `--interpolate STEPS`
writes `--num` paths (default 8, or one per row of a `--labels` `.npy`), path `i` from latent
vector `i` of `--seed` to vector `num + i`, `STEPS` samples each (`--interpolation slerp` or
`lerp`): a PNG with one path per row, or a `.npy` `[num * STEPS, H, W, C]`, path by path.
With `--truncation` too, the paths' ends are truncated draws (a slerp path between them may
leave `[-T, T]` a little). See `kgan.models.latent_space`.

A sequence model (SeqGAN, MaliGAN, RelGAN) writes int32 token ids `[N, T]` to a `.npy`, or one
sequence per line to a `.txt`, sampled with `--temperature`, `--top-k`, `--top-p` or `--greedy`
(see `kgan.cli.sample_sequences`).

A conditional model (`kgan.ConditionalGAN`) generates sample `i` for label row `i`. `--labels`
is either comma-separated class ids, repeated in turn up to `--num` (`3,7` gives 3, 7, 3, 7,
...), or a `.npy` file of N class ids `[N]` or attribute vectors `[N, condition_dim]`, which
gives N samples (`--num` may be left out; given, it must be N). Without `--labels`, a class
model cycles through all its classes (0, 1, ..., num_classes - 1, 0, ...); an attribute model
needs `--labels`. Sample `i` always gets the `i`-th latent vector of `--seed`, whatever its
label.

The model may also be an artefact of `kgan export`, a SavedModel folder, a `.tflite` or an `.onnx`
file, to check what you ship: its `generate` signature gets the latent vectors `--seed` gives the
`.keras` model, so the samples match it to a pixel level or so (see `kgan.cli.exported`). An
exported class-id model does not record its number of classes: give `--labels`.
"""

import numpy as np

from kgan.cli import common
from kgan.cli import loading
from kgan.cli import sample_sequences
from kgan.utils import images as images_lib

HELP = "generate samples from a saved model"
DEFAULT_NUM = 64
# Rows of an --interpolate strip when --num is not given.
DEFAULT_PATHS = 8
# kgan.models.latent_space.METHODS, named here: importing that module (Keras) would make the
# CLI's --help import TensorFlow.
LATENT_PATHS = ("slerp", "lerp")

# Output formats, by file extension.
FORMATS = {
    ".npy": "float32 array [N, H, W, C] in [-1, 1]",
    ".png": "one image: the samples tiled in a grid",
    ".gif": "with --interpolate: an animation, frame t the t-th step of every path (and back)",
}
# Any model's: a sequence model's extensions (`.npy` ids, `.txt`) are checked once it is loaded.
# dict.fromkeys: one of each (both kinds write .npy), in order.
EXTENSIONS = tuple(dict.fromkeys((*FORMATS, *sample_sequences.FORMATS)))


def add_arguments(parser):
    loading.add_raw_generator_flag(parser)
    parser.add_argument(
        "model",
        help="a model saved by kgan, e.g. runs/dcgan_digits/model.keras, or one exported by "
        "`kgan export` (a SavedModel folder, a .tflite or .onnx file)",
    )
    parser.add_argument(
        "--num",
        type=int,
        default=None,
        help=f"number of samples (default: {DEFAULT_NUM}, or the rows of a --labels .npy)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the latent vectors (sequence models: of the per-token uniforms); the "
        "same seed gives the same samples (default: 0)",
    )
    parser.add_argument(
        "--out",
        required=True,
        help="output file: "
        + "; ".join(
            f"{extension} = {what}"
            for formats in (FORMATS, sample_sequences.FORMATS)
            for extension, what in formats.items()
        ),
    )
    parser.add_argument(
        "--labels",
        default=None,
        help="conditional models only: comma-separated class ids, repeated in turn up to --num "
        "(e.g. 0,1,2), or a .npy of N class ids [N] or attribute vectors [N, dim], sample i "
        "for row i (default: every class in turn; required for attribute models)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=256,
        help="samples generated per forward pass (default: 256)",
    )
    parser.add_argument(
        "--truncation",
        type=float,
        default=None,
        help="latent models only: draw every latent component from a normal truncated to "
        "[-T, T] (the truncation trick: below ~1 samples get more typical, less diverse)",
    )
    parser.add_argument(
        "--interpolate",
        type=int,
        default=None,
        metavar="STEPS",
        help="latent models only: --num rows (default: "
        f"{DEFAULT_PATHS}), each STEPS samples along a path between two latent vectors of "
        "--seed; the PNG has one path per row",
    )
    parser.add_argument(
        "--interpolation",
        choices=LATENT_PATHS,
        default="slerp",
        help="the path of --interpolate: slerp (great circle, keeps the latent norm) or lerp "
        "(straight line) (default: slerp)",
    )
    sample_sequences.add_arguments(parser)


def labels_file(text):
    """Whether `--labels` names a `.npy` file of label rows (else it lists class ids)."""
    return text is not None and text.lower().endswith(".npy")


def read_labels(text, num):
    """`--labels` as `(labels, num)`: class ids cycled to `num`, or the rows of a `.npy` file.

    Returns:
        `(labels, num)`: a NumPy array of `num` label rows (class ids or attribute vectors, not
        yet checked against a model) and the number of samples.
    """
    if labels_file(text):
        labels = common.load_npy(text, "--labels")
        if labels.ndim == 0 or labels.shape[0] == 0:
            raise common.CommandError(
                f"--labels {text!r} holds no label rows (shape {labels.shape})", common.USAGE_ERROR
            )
        if num is not None and num != labels.shape[0]:
            raise common.CommandError(
                f"--num {num} does not match the {labels.shape[0]} label rows of --labels "
                f"{text!r} (one sample per row; leave --num out)",
                common.USAGE_ERROR,
            )
        return labels, labels.shape[0]
    try:
        ids = [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise common.CommandError(
            f"--labels {text!r}: give comma-separated class ids (e.g. 0,1,2) or a .npy file",
            common.USAGE_ERROR,
        ) from None
    if not ids:
        raise common.CommandError(f"--labels {text!r} names no class ids", common.USAGE_ERROR)
    num = DEFAULT_NUM if num is None else num
    return np.resize(np.asarray(ids, np.int64), num), num


def model_labels(model, text, num):
    """`(labels, num)` for `model`: `(None, num)` for an unconditional model, else label rows."""
    from kgan.metrics import sample_batches

    form = sample_batches.condition_form(model)
    if getattr(model, "class_ids", False) and model.num_classes is None:
        # An exported class-id model: ids are checked for being ids, not against a class count.
        if text is None:
            raise common.CommandError(
                "the exported model takes class ids but does not record how many classes it "
                "has: give them with --labels (e.g. --labels 0,1,2)",
                common.USAGE_ERROR,
            )
        form = ("classes", np.iinfo(np.int32).max)
    elif form is None:
        if text is not None:
            raise common.CommandError(
                f"--labels is for conditional models, but {type(model).__name__} is not "
                "conditional; leave --labels out",
                common.USAGE_ERROR,
            )
        return None, DEFAULT_NUM if num is None else num
    kind, size = form
    if text is None:
        if kind == "attributes":
            raise common.CommandError(
                f"the model is conditioned on attribute vectors (condition_dim={size}): give "
                f"them with --labels FILE.npy, an array [N, {size}]",
                common.USAGE_ERROR,
            )
        num = DEFAULT_NUM if num is None else num
        return np.resize(np.arange(size), num), num
    labels, num = read_labels(text, num)
    if kind == "attributes" and labels.ndim == 1:
        raise common.CommandError(
            f"the model is conditioned on attribute vectors (condition_dim={size}), not class "
            f"ids: give --labels as a .npy of shape [N, {size}]",
            common.USAGE_ERROR,
        )
    try:
        labels = sample_batches.check_conditions(labels, form)
    except ValueError as error:
        raise common.CommandError(f"--labels {text!r}: {error}", common.USAGE_ERROR) from None
    return labels, num


def run(args):
    """Generates `args.num` samples with `model.generate` and writes them to `args.out`."""
    common.check_positive(args.num, "--num")
    common.check_positive(args.batch_size, "--batch-size")
    extension = common.check_extension(args.out, EXTENSIONS)
    common.check_output_file(args.out, force=args.force)
    sample_sequences.check_decoding(args)
    check_latent_options(args)
    if args.labels is not None and not labels_file(args.labels):
        read_labels(args.labels, args.num)  # a malformed list fails before the model loads

    model = loading.load_model(
        args.model,
        exported_ok=True,
        hide_native_logs=not args.verbose,
        raw_generator=args.raw_generator,
    )
    if callable(getattr(model, "translate", None)):
        raise common.CommandError(
            f"{args.model!r} holds a {type(model).__name__}, an image-to-image model with no "
            "latent space to sample; use `kgan translate MODEL --input IMAGES --out OUT`",
            common.USAGE_ERROR,
        )
    if sample_sequences.makes_tokens(model):
        for option, value in (
            ("--labels", args.labels),
            ("--truncation", args.truncation),
            ("--interpolate", args.interpolate),
        ):
            if value is not None:
                raise common.CommandError(
                    f"{option} is for latent image models; a sequence model takes none",
                    common.USAGE_ERROR,
                )
        sample_sequences.run(model, args, DEFAULT_NUM if args.num is None else args.num)
        return
    if extension not in FORMATS or sample_sequences.given(args):
        what = " and ".join(sample_sequences.given(args)) or f"--out {args.out!r} (.txt)"
        raise common.CommandError(
            f"{what}: for sequence models, but {args.model!r} makes images; write "
            f"{' or '.join(FORMATS)} samples",
            common.USAGE_ERROR,
        )
    if not callable(getattr(model, "generate", None)):
        raise common.CommandError(
            f"{args.model!r} translates images (it has no generate signature): use "
            "`kgan translate`",
            common.USAGE_ERROR,
        )
    walking = args.truncation is not None or args.interpolate is not None
    if walking and getattr(model, "latent_dim", None) is None:
        raise common.CommandError(
            f"--truncation and --interpolate walk a latent space, but {args.model!r} has none",
            common.USAGE_ERROR,
        )
    num = args.num
    if args.interpolate is not None and num is None and not labels_file(args.labels):
        num = DEFAULT_PATHS  # a .npy of labels gives one path per row instead
    labels, num = model_labels(model, args.labels, num)
    columns = None
    if walking:
        samples, columns = latent_walk(model, args, num, labels)
    elif labels is None:
        samples = model.generate(num, seed=args.seed, batch_size=args.batch_size)
    else:
        samples = model.generate(labels, seed=args.seed, batch_size=args.batch_size)
    if extension == ".gif":
        write_animation(args.out, samples, num, columns)
    elif extension == ".png":
        try:
            grid = images_lib.make_grid(samples, cols=columns)
        except ValueError as error:
            raise common.CommandError(
                f"the model's samples (shape {samples.shape[1:]}) are not images: {error} "
                "Write them to a .npy file instead."
            ) from None
        common.write(args.out, lambda path: images_lib.save_png(path, grid))
    else:
        common.write(args.out, lambda path: np.save(path, samples.astype(np.float32)))
    what = f"{num} paths of {args.interpolate}" if args.interpolate else f"{num}"
    print(f"Wrote {what} samples of shape {samples.shape[1:]} to {args.out}")


def write_animation(path, samples, num, steps):
    """Writes the `num` paths of `steps` samples as a GIF that walks every path there and back."""
    paths = samples.reshape(num, steps, *samples.shape[1:])
    frames = [images_lib.make_grid(paths[:, step]) for step in range(steps)]
    frames = frames + frames[-2:0:-1]  # back again, so the loop has no jump
    common.write(path, lambda target: images_lib.save_gif(target, frames))


def check_latent_options(args):
    """Checks --truncation and --interpolate before anything loads."""
    if args.truncation is not None and not args.truncation > 0:
        raise common.CommandError(
            f"--truncation must be > 0 (the bound on each latent component), got "
            f"{args.truncation}; leave it out for the untruncated prior",
            common.USAGE_ERROR,
        )
    if args.out.lower().endswith(".gif") and args.interpolate is None:
        raise common.CommandError(
            "--out .gif animates interpolation paths: add --interpolate STEPS (or write .png)",
            common.USAGE_ERROR,
        )
    if args.interpolate is not None and args.interpolate < 2:
        raise common.CommandError(
            f"--interpolate must be at least 2 (both ends of each path), got {args.interpolate}",
            common.USAGE_ERROR,
        )


def latent_walk(model, args, num, labels):
    """`(samples, columns)`: truncated samples, or `num` interpolation paths as rows.

    Path `i` goes from latent vector `i` of `--seed` to vector `num + i` (truncated when
    `--truncation` is given) and keeps label row `i` of a conditional model all the way, so a
    row shows one class changing style.
    """
    from kgan.models import latent_space
    from kgan.models import sampling

    steps = args.interpolate
    count = num if steps is None else 2 * num
    if args.truncation is None:
        latent = sampling.latent_vectors(count, model.latent_dim, args.seed)
    else:
        latent = latent_space.truncated_latents(count, model.latent_dim, args.truncation, args.seed)
    if steps is not None:
        latent = latent_space.interpolate(latent[:num], latent[num:], steps, args.interpolation)
        latent = latent.reshape(-1, model.latent_dim)
        labels = None if labels is None else np.repeat(labels, steps, axis=0)
    if hasattr(model, "generate_from_latents"):  # an exported artefact
        samples = model.generate_from_latents(latent, labels, args.batch_size)
    else:
        samples = latent_space.generate_from(model, latent, labels, args.batch_size)
    return samples, steps
