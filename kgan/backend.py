"""Checks, before anything else is imported, that Keras runs on TensorFlow.

kgan's models override `train_step` with `tf.GradientTape`, read data through `tf.data` and export
through TensorFlow, so another Keras backend would fail later and less clearly. Keras chooses its
backend once, at import, from the `KERAS_BACKEND` environment variable or `~/.keras/keras.json`.
"""

import os

REQUIRED_BACKEND = "tensorflow"


def _refuse(backend, source):
    raise ImportError(
        f"kgan needs the TensorFlow backend of Keras, but Keras is set to use {backend!r} "
        f"(by {source}). Select TensorFlow before Python imports Keras, e.g. "
        "`export KERAS_BACKEND=tensorflow`, or `os.environ['KERAS_BACKEND'] = 'tensorflow'` "
        "at the top of your script."
    )


def check_backend():
    """Raises `ImportError` unless Keras is (or will be) using the TensorFlow backend.

    The environment variable is read *before* Keras is imported: importing Keras with a backend
    that is not installed (say `jax`) would otherwise fail inside Keras with a less useful error.

    Returns:
        The backend name, `"tensorflow"`.
    """
    requested = os.environ.get("KERAS_BACKEND")
    # Exact match, as Keras requires: it fails to import "TensorFlow" (capitalised).
    if requested is not None and requested != REQUIRED_BACKEND:
        _refuse(requested, f"KERAS_BACKEND={requested!r}")

    import keras

    backend = keras.backend.backend()
    if backend != REQUIRED_BACKEND:
        _refuse(backend, "the 'backend' entry of ~/.keras/keras.json")
    return backend
