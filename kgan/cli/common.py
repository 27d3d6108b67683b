"""What every `kgan` subcommand shares: its error type, argument checks, model loading, writing.

Mistakes are reported as one line, `kgan: error: ...`, never as a traceback: a subcommand
raises `CommandError` with exit code `USAGE_ERROR` (2) for a command line that cannot work (an
unknown option, `--num 0`, an unsupported output extension) and `RUN_ERROR` (1) for a command
that failed on its files (a missing or unreadable model, an unwritable output).
"""

import argparse
import os
import re

PROG = "kgan"
USAGE_ERROR = 2
RUN_ERROR = 1


class CommandError(Exception):
    """A user-facing failure: printed as `kgan: error: <message>`, exit code `exit_code`."""

    def __init__(self, message, exit_code=RUN_ERROR):
        super().__init__(message)
        self.exit_code = exit_code


class Parser(argparse.ArgumentParser):
    # argparse prints the usage and the error over several lines; the CLI promises one line, and
    # `main()` must return an exit code rather than exit, so tests and scripts can call it.
    def error(self, message):
        raise CommandError(f"{message} (see `{self.prog} --help`)", USAGE_ERROR)


def check_positive(value, option):
    """Raises a usage `CommandError` unless `value` (the value of `option`) is at least 1."""
    if value is not None and value < 1:
        raise CommandError(f"{option} must be at least 1, got {value}", USAGE_ERROR)


def check_extension(path, extensions, option="--out"):
    """Returns the lower-case extension of `path`, or raises a usage error if not allowed."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in extensions:
        raise CommandError(
            f"cannot write {option} {path!r}: the extension must be one of "
            f"{', '.join(extensions)} (got {extension or 'none'!r})",
            USAGE_ERROR,
        )
    return extension


def check_output_file(path, option="--out", force=False):
    """Raises `CommandError` unless a file could be written at `path`; creates nothing.

    Checked before the slow part of a command (loading a model, generating, extracting
    features), so a typo in the output path fails at once rather than after minutes of work.
    An existing file is only replaced with `force` (`--force`).
    """
    if os.path.isdir(path):
        raise CommandError(f"{option} {path!r} is a directory; give a file name")
    if os.path.lexists(path) and not force:
        raise CommandError(
            f"{option} {path!r} already exists; pass --force to overwrite it", USAGE_ERROR
        )
    existing = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise CommandError(f"cannot write {path!r}: {existing!r} is a file, not a folder")
    if not os.access(existing, os.W_OK):
        raise CommandError(f"cannot write {path!r}: the folder {existing!r} is not writable")


def check_output_folder(path, option="--out", force=False):
    """Raises `CommandError` unless files could be written into the folder `path`: it must not
    be a file, nor (without `force`) a folder that already holds something."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise CommandError(f"{option} {path!r} is a file, not a folder")
    if os.path.isdir(path) and os.listdir(path) and not force:
        raise CommandError(
            f"{option} folder {path!r} is not empty; pass --force to write into it "
            "(files of the same names are replaced)",
            USAGE_ERROR,
        )
    check_output_file(os.path.join(path, ".kgan-write-check"), option)


def load_npy(path, option):
    """The array in the `.npy` file `path` (given as `option`), or a `CommandError` saying why
    it cannot be read. Pickled objects are refused (a `.npy` should hold numbers)."""
    import numpy as np

    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise CommandError(
            f"{option} {path!r}: cannot read a .npy array: {one_line(error)}"
        ) from None


def write(path, write_fn):
    """Runs `write_fn(temporary path)` and moves the file over `path` (`kgan.utils.atomic`):
    missing folders are created, and a failed write leaves any previous file intact and is
    reported as a `CommandError`."""
    from kgan.utils import atomic

    try:
        atomic.write_with(path, write_fn)
    except OSError as error:
        raise CommandError(
            str(error)
            if isinstance(error, atomic.WriteError)
            else (f"cannot write {path!r}: {error.strerror or error}")
        ) from None


def write_json(path, payload):
    """Writes `payload` as indented, strict JSON to `path`, atomically."""
    from kgan.utils import atomic

    try:
        atomic.write_json(path, payload, allow_nan=False)
    except OSError as error:
        raise CommandError(str(error)) from None


# Terminal colour codes, which Keras puts in some error messages.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def one_line(error):
    """The message of `error` on one line (Keras and TensorFlow errors span several)."""
    return " ".join(_ANSI_ESCAPE.sub("", str(error)).split()) or type(error).__name__
