"""Atomic file writes: every file kgan writes appears whole or not at all.

A crash, a `SIGKILL` or a full disk in the middle of a plain `open(path, "w")` leaves a truncated
file where a good one was: a `.keras` checkpoint that no longer loads, a statistics file that
half-reads. Every writer in kgan (checkpoints, `model.save` of its objectives, exports, sample
grids and GIFs, `kgan stats` statistics, metrics and parity JSON, run settings) goes through
this module instead:

1. the content is written to a temporary name **in the target's own folder** (so the last step
   stays on one file system, where a rename is atomic on POSIX and Windows),
2. flushed and `fsync`ed (without it a power loss after the rename can expose an empty file),
3. moved over the target with `os.replace` in one step.

When any step fails the temporary file is removed, the previous file is left untouched, and the
error is raised as a `WriteError` (an `OSError` with the same `errno`) whose one-line message
names the file, the reason and that the previous version is intact.

Only local paths are written this way; a URL such as `gs://bucket/x.keras` is handed to the
underlying writer directly (object stores replace whole objects anyway).

Example:

>>> from kgan.utils import atomic
>>> atomic.write_json("run/metrics.json", {"fid": 11.6})
'run/metrics.json'
>>> atomic.write_with("run/z.npy", lambda temporary: np.save(temporary, z))  # doctest: +SKIP
"""

import contextlib
import json
import os
import shutil
import tempfile
import uuid

# Windows needs O_BINARY for byte-exact writes through os.open; elsewhere it does not exist.
_O_BINARY = getattr(os, "O_BINARY", 0)

# Endings that some writers insist on (Keras needs ".keras"/".weights.h5"; NumPy appends ".npy"
# or ".npz" to other names): the temporary name keeps the target's.
_DOUBLE_ENDINGS = (".weights.h5", ".tar.gz")


class WriteError(OSError):
    """A file kgan could not write; the previous file at that path, if any, is unchanged.

    Attributes:
        path: The target path.
        errno: The operating system's error number (e.g. `errno.ENOSPC` for a full disk).
    """

    def __init__(self, path, error):
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        super().__init__(
            getattr(error, "errno", None),
            f"cannot write {os.fspath(path)!r}: {reason}; any previous file there is unchanged",
        )
        self.path = os.fspath(path)

    def __str__(self):
        return self.strerror


def is_local(path):
    """Whether `path` is a local file path (not a URL such as `gs://...`)."""
    return "://" not in os.fspath(path)


def temporary_path(path):
    """A new, unused name beside `path` that keeps its ending (`.keras`, `.npz`, `.png` ...)."""
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    ending = next((e for e in _DOUBLE_ENDINGS if name.endswith(e)), os.path.splitext(name)[1])
    stem = name[: len(name) - len(ending)] if ending else name
    # A leading dot hides it from directory listings and from globs such as "epoch_*.png".
    return os.path.join(folder, f".{stem}.{uuid.uuid4().hex[:12]}.tmp{ending}")


@contextlib.contextmanager
def replacing(path):
    """Context manager yielding a temporary path to write; on success it replaces `path`.

    For writers that take a path (`keras.Model.save`, `numpy.save`, TFLite converters). Missing
    parent folders are created. On any exception the temporary file (or folder) is removed and
    `path` is untouched; `OSError`s are re-raised as `WriteError`.

    Args:
        path: The target file path.

    Yields:
        The temporary path, with the same ending as `path`.
    """
    path = os.fspath(path)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    except OSError as error:
        raise WriteError(path, error) from error
    temporary = temporary_path(path)
    try:
        yield temporary
        if not os.path.exists(temporary):
            raise FileNotFoundError(f"the writer left no file at {temporary!r}")
        _fsync_file(temporary)
        os.replace(temporary, path)
    except OSError as error:
        _remove(temporary)
        if isinstance(error, WriteError):
            raise
        raise WriteError(path, error) from error
    except BaseException:
        # Also on KeyboardInterrupt and on the writer's own errors: no stray temporary file.
        _remove(temporary)
        raise


def write_with(path, write_fn):
    """Runs `write_fn(temporary_path)` and moves the result over `path` (see `replacing`).

    Args:
        path: The target path. A URL (`gs://...`) is passed to `write_fn` directly.
        write_fn: Writes the file at the path it is given.

    Returns:
        `path` as a `str`.
    """
    path = os.fspath(path)
    if not is_local(path):
        write_fn(path)
        return path
    with replacing(path) as temporary:
        write_fn(temporary)
    return path


def write_file(path, write_fn, binary=True):
    """Runs `write_fn(file)` on an open temporary file and moves it over `path`.

    The file is created with mode 0o666 (less the umask), as `open` would: `tempfile.mkstemp`
    would force 0o600 and hide, e.g., a sample grid from a TensorBoard run by another user.

    Args:
        path: The target path (local).
        write_fn: Writes the content to the file object it is given.
        binary: Open in binary mode (else text, UTF-8). Defaults to `True`.

    Returns:
        `path` as a `str`.
    """

    def write(temporary):
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY
        handle = os.open(temporary, flags, 0o666)
        mode = "wb" if binary else "w"
        with os.fdopen(handle, mode, **({} if binary else {"encoding": "utf-8"})) as file:
            write_fn(file)

    return write_with(path, write)


def write_bytes(path, data):
    """Writes `data` (bytes) to `path` atomically. Returns `path`."""
    return write_file(path, lambda file: file.write(data))


def write_text(path, text):
    """Writes `text` (UTF-8) to `path` atomically. Returns `path`."""
    return write_file(path, lambda file: file.write(text), binary=False)


def write_json(path, content, **options):
    """Writes `content` as indented JSON (and a final newline) to `path` atomically.

    Args:
        path: The target path.
        content: A JSON-serialisable value.
        **options: Passed to `json.dumps` (e.g. `allow_nan=False`).

    Returns:
        `path` as a `str`.
    """
    # Serialised first: an unserialisable value fails before anything is opened.
    text = json.dumps(content, indent=2, **options) + "\n"
    return write_text(path, text)


def staging_folder(path):
    """A new, empty folder beside `path` (same file system, so a final rename is atomic)."""
    path = os.fspath(path)
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    return tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=parent)


def replace_path(temporary, path):
    """Moves `temporary` (a finished file or folder) over `path`, whatever `path` holds now.

    A folder cannot be renamed over a non-empty folder in one step; the old one is removed just
    before, so the window without either is a single `rmtree` rather than the whole write.
    """
    path = os.fspath(path)
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path) and os.path.isdir(temporary):
        os.remove(path)
    os.replace(temporary, path)


def _fsync_file(path):
    if os.path.isdir(path):
        return
    handle = os.open(path, os.O_RDONLY | _O_BINARY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _remove(path):
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)
    except OSError:
        pass  # best effort: the original error is the one worth reporting
