"""Checks, before anything else is imported, that Keras runs on TensorFlow.

kgan's models override `train_step` with `tf.GradientTape`, read data through `tf.data` and export
through TensorFlow, so another Keras backend would fail later and less clearly. Keras chooses its
backend once, at import, from the `KERAS_BACKEND` environment variable or `~/.keras/keras.json`.
"""

import json
import os

REQUIRED_BACKEND = "tensorflow"


def _refuse(backend, source):
    raise ImportError(
        f"kgan needs the TensorFlow backend of Keras, but Keras is set to use {backend!r} "
        f"(by {source}). Select TensorFlow before Python imports Keras, e.g. "
        "`export KERAS_BACKEND=tensorflow`, or `os.environ['KERAS_BACKEND'] = 'tensorflow'` "
        "at the top of your script."
    )


def _configured_backend():
    """The backend Keras will choose and where it reads it, without importing Keras.

    The same two sources Keras reads at import, in its order: `KERAS_BACKEND`, then the
    `backend` entry of `keras.json` in `$KERAS_HOME` (else `~/.keras`, or `/tmp/.keras` when the
    home folder is not writable). `(None, None)` when neither sets one.
    """
    requested = os.environ.get("KERAS_BACKEND")
    if requested is not None:
        return requested, f"KERAS_BACKEND={requested!r}"
    if "KERAS_HOME" in os.environ:
        folder = os.environ["KERAS_HOME"]
    else:
        home = os.path.expanduser("~")
        folder = os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")
    path = os.path.join(folder, "keras.json")
    try:
        with open(path) as file:
            configured = json.load(file).get("backend")
    except (OSError, ValueError, AttributeError):
        return None, None  # Keras ignores an unreadable file as well.
    return configured, f"the 'backend' entry of {path}"


def check_backend_setting():
    """Raises `ImportError` if Keras is set to another backend; imports nothing heavy.

    Run by `import kgan`, so a wrong setting fails at once even though kgan's subpackages (and
    Keras) are imported on first use.
    """
    backend, source = _configured_backend()
    # Exact match, as Keras requires: it fails to import "TensorFlow" (capitalised).
    if backend is not None and backend != REQUIRED_BACKEND:
        _refuse(backend, source)


def check_backend():
    """Raises `ImportError` unless Keras is (or will be) using the TensorFlow backend.

    The environment variable is read *before* Keras is imported: importing Keras with a backend
    that is not installed (say `jax`) would otherwise fail inside Keras with a less useful error.

    Returns:
        The backend name, `"tensorflow"`.
    """
    check_backend_setting()

    import keras

    backend = keras.backend.backend()
    if backend != REQUIRED_BACKEND:
        _refuse(backend, "the 'backend' entry of ~/.keras/keras.json")
    return backend
