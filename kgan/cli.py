"""The `kgan` command: work with trained models from the shell.

```
kgan sample runs/dcgan_digits/model.keras --num 64 --seed 0 --out grid.png
kgan sample runs/dcgan_digits/model.keras --num 10000 --out samples.npy
```

Each subcommand is a pair of functions registered in `COMMANDS`: one adds its arguments to an
`argparse` subparser, the other runs it on the parsed arguments. Adding a command (`evaluate`,
`export`, ...) means writing that pair and adding one line to `COMMANDS`.

Mistakes are reported as one line, `kgan: error: ...`, never as a traceback: exit code 2 for a
command line that cannot work (an unknown option, `--num 0`, an unsupported output extension),
1 for a command that failed on its files (a missing or unreadable model, an unwritable output).
"""

import argparse
import os
import sys

import keras
import numpy as np

from kgan.utils import images as images_lib

PROG = "kgan"
USAGE_ERROR = 2
RUN_ERROR = 1


class CommandError(Exception):
    """A user-facing failure: printed as `kgan: error: <message>`, exit code `exit_code`."""

    def __init__(self, message, exit_code=RUN_ERROR):
        super().__init__(message)
        self.exit_code = exit_code


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage and the error over several lines; the CLI promises one line, and
    # `main()` must return an exit code rather than exit, so tests and scripts can call it.
    def error(self, message):
        raise CommandError(f"{message} (see `{self.prog} --help`)", USAGE_ERROR)


# --- kgan sample -------------------------------------------------------------------------------

# Output formats of `kgan sample`, by file extension.
SAMPLE_FORMATS = {
    ".npy": "float32 array [N, H, W, C] in [-1, 1]",
    ".png": "one image: the samples tiled in a grid",
}


def add_sample_arguments(parser):
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
        + "; ".join(f"{extension} = {what}" for extension, what in SAMPLE_FORMATS.items()),
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=256,
        help="samples generated per forward pass (default: 256)",
    )


def run_sample(args):
    """Generates `args.num` samples with `model.generate` and writes them to `args.out`."""
    if args.num < 1:
        raise CommandError(f"--num must be at least 1, got {args.num}", USAGE_ERROR)
    if args.batch_size < 1:
        raise CommandError(f"--batch-size must be at least 1, got {args.batch_size}", USAGE_ERROR)
    extension = os.path.splitext(args.out)[1].lower()
    if extension not in SAMPLE_FORMATS:
        raise CommandError(
            f"cannot write samples to {args.out!r}: the extension must be one of "
            f"{', '.join(SAMPLE_FORMATS)} (got {extension or 'none'!r})",
            USAGE_ERROR,
        )
    if os.path.isdir(args.out):
        raise CommandError(f"--out {args.out!r} is a directory; give a file name")
    # Checked before the model loads and generates, which can take a while.
    _check_writable(args.out)

    model = load_model(args.model)
    samples = model.generate(args.num, seed=args.seed, batch_size=args.batch_size)
    if extension == ".png":
        try:
            grid = images_lib.make_grid(samples)
        except ValueError as error:
            raise CommandError(
                f"the model's samples (shape {samples.shape[1:]}) are not images: {error} "
                "Write them to a .npy file instead."
            ) from None
        _write(args.out, lambda path: images_lib.save_png(path, grid))
    else:
        _write(args.out, lambda path: np.save(path, samples.astype(np.float32)))
    print(f"Wrote {args.num} samples of shape {samples.shape[1:]} to {args.out}")


# --- shared helpers ----------------------------------------------------------------------------


def load_model(path):
    """Loads a kgan model from a `.keras` file, or raises `CommandError` saying why it cannot."""
    if not os.path.exists(path):
        raise CommandError(f"no model file at {path!r}")
    if os.path.isdir(path):
        raise CommandError(f"{path!r} is a directory, not a .keras model file")
    try:
        model = keras.saving.load_model(path)
    except Exception as error:  # Any failure to load (not a zip, unknown class...) reads alike.
        reason = " ".join(str(error).split()) or type(error).__name__
        raise CommandError(f"cannot load a model from {path!r}: {reason}") from None
    # kgan models (and users' subclasses of them) descend from a class of the `kgan` package and
    # generate with `generate(num, seed)`; other Keras models have no such contract.
    from_kgan = any(cls.__module__.startswith("kgan.") for cls in type(model).__mro__)
    if not from_kgan or not hasattr(model, "generate"):
        raise CommandError(
            f"{path!r} holds a {type(model).__name__}, not a kgan model (such as kgan.GAN)"
        )
    return model


def _check_writable(path):
    """Raises `CommandError` unless `path` could be created; creates nothing itself."""
    existing = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise CommandError(f"cannot write {path!r}: {existing!r} is a file, not a folder")
    if not os.access(existing, os.W_OK):
        raise CommandError(f"cannot write {path!r}: the folder {existing!r} is not writable")


def _write(path, write_fn):
    """Creates the missing folders of `path` and runs `write_fn(path)`, reporting OS errors."""
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        write_fn(path)
    except OSError as error:
        raise CommandError(f"cannot write {path!r}: {error.strerror or error}") from None


# --- the command -------------------------------------------------------------------------------

# name -> (help, add_arguments, run). One line per subcommand.
COMMANDS = {
    "sample": ("generate samples from a saved model", add_sample_arguments, run_sample),
}


def build_parser():
    """The `kgan` argument parser with one subparser per entry of `COMMANDS`."""
    parser = _Parser(prog=PROG, description="Work with kgan models from the shell.")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, required=True
    )
    for name, (help_text, add_arguments, run) in COMMANDS.items():
        subparser = subparsers.add_parser(name, help=help_text, description=help_text)
        add_arguments(subparser)
        subparser.set_defaults(run=run)
    return parser


def main(argv=None):
    """Runs `kgan` with `argv` (default: `sys.argv[1:]`); returns the exit code.

    Example:

    >>> main(["sample", "model.keras", "--num", "16", "--out", "grid.png"])
    Wrote 16 samples of shape (32, 32, 1) to grid.png
    0
    """
    try:
        args = build_parser().parse_args(argv)
        args.run(args)
    except SystemExit as exit:  # --help
        return exit.code
    except CommandError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0
