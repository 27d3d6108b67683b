"""The `kgan` command: work with trained models from the shell.

```
kgan sample runs/dcgan_digits/model.keras --num 64 --seed 0 --out grid.png
kgan stats digits --extractor digits --out digits_stats.npz
kgan evaluate runs/dcgan_digits/model.keras --data digits --extractor digits --metrics fid,kid,is
kgan translate runs/pix2pix_facades/model.keras --input labels/ --out photos/
kgan export runs/dcgan_digits/model.keras --format saved_model,tflite --quantize float16 --out out/
kgan invert runs/dcgan_digits/model.keras --input digits.npy --out inverted.npz
```

Each subcommand is a module of this package with `HELP`, `add_arguments(parser)` and
`run(args)`, registered by one line in `COMMANDS`. Mistakes are reported as one line,
`kgan: error: ...` (see `kgan.cli.common`; exit 2 for usage, 1 for what cannot be read or
written), never as a traceback; an error kgan did not foresee is a bug and keeps its traceback.
No command replaces an existing `--out` unless given `--force`. `kgan --help` imports no
TensorFlow, and the commands hide its start-up log lines unless given `--verbose`.
"""

import sys

from kgan.cli import common
from kgan.cli import evaluate
from kgan.cli import export
from kgan.cli import invert
from kgan.cli import quiet
from kgan.cli import sample
from kgan.cli import stats
from kgan.cli import translate
from kgan.cli.common import RUN_ERROR
from kgan.cli.common import USAGE_ERROR
from kgan.cli.common import CommandError
from kgan.cli.loading import load_model

# name -> module with HELP, add_arguments and run. One line per subcommand.
COMMANDS = {
    "sample": sample,
    "evaluate": evaluate,
    "stats": stats,
    "translate": translate,
    "export": export,
    "invert": invert,
}

__all__ = [
    "COMMANDS",
    "RUN_ERROR",
    "USAGE_ERROR",
    "CommandError",
    "build_parser",
    "load_model",
    "main",
]


def build_parser():
    """The `kgan` argument parser with one subparser per entry of `COMMANDS`."""
    parser = common.Parser(prog=common.PROG, description="Work with kgan models from the shell.")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=common.Parser, required=True
    )
    for name, command in COMMANDS.items():
        subparser = subparsers.add_parser(name, help=command.HELP, description=command.HELP)
        command.add_arguments(subparser)
        subparser.add_argument(
            "--force",
            action="store_true",
            help="overwrite an existing --out (refused by default)",
        )
        subparser.add_argument(
            "--verbose",
            action="store_true",
            help="show TensorFlow's start-up and warning log lines (hidden by default)",
        )
        subparser.set_defaults(run=command.run)
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
        if not args.verbose:
            quiet.import_tensorflow_quietly()
        args.run(args)
    except SystemExit as exit:  # --help
        return exit.code
    except CommandError as error:
        print(f"{common.PROG}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{common.PROG}: interrupted", file=sys.stderr)
        return 130
    return 0
