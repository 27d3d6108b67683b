"""Checks, before anything else is imported, that Keras runs on TensorFlow.

kgan's models override `train_step` with `tf.GradientTape`, read data through `tf.data` and export
through TensorFlow, so another Keras backend would fail later and less clearly. Keras chooses its
backend once, at import, from the `KERAS_BACKEND` environment variable or `~/.keras/keras.json`.
"""

import os

REQUIRED_BACKEND = "tensorflow"


def check_backend():
    """Raises `ImportError` unless Keras is (or will be) using the TensorFlow backend.

    Returns:
        The backend name, `"tensorflow"`.
    """
    import keras

    backend = keras.backend.backend()
    if backend != REQUIRED_BACKEND:
        source = (
            f"KERAS_BACKEND={os.environ['KERAS_BACKEND']!r}"
            if "KERAS_BACKEND" in os.environ
            else "the 'backend' entry of ~/.keras/keras.json"
        )
        raise ImportError(
            f"kgan needs the TensorFlow backend of Keras, but Keras is using {backend!r} "
            f"(set by {source}). Select TensorFlow before Python imports Keras, e.g. "
            "`export KERAS_BACKEND=tensorflow`, or `os.environ['KERAS_BACKEND'] = 'tensorflow'` "
            "at the top of your script."
        )
    return backend
