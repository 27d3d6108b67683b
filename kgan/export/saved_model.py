"""SavedModel export of a generator's serving signatures, and running them back.

The SavedModel is written with Keras' own `keras.export.ExportArchive` (the generator tracked,
one endpoint per signature of `signatures.py`), so Keras decides how its variables and layers
are saved; nothing here reaches into `keras.src`.
"""

import numpy as np
import tensorflow as tf

from kgan.export import signatures as signatures_lib


def write(spec, path):
    """Writes the serving signatures of `spec` as a SavedModel folder at `path`.

    Args:
        spec: a `signatures.GeneratorSpec`.
        path: the folder to write; it must not exist yet.

    Returns:
        `path`.
    """
    archive = signatures_lib.build_archive(spec)
    archive.write_out(str(path), verbose=False)
    return path


def load(path):
    """The SavedModel at `path`, loaded with `tf.saved_model.load` (no kgan or Keras needed)."""
    return tf.saved_model.load(str(path))


def run(loaded, signature, inputs):
    """Runs `signature` of a loaded SavedModel on `{name: array}`; returns `{name: array}`."""
    function = loaded.signatures[signature]
    outputs = function(**{name: tf.convert_to_tensor(value) for name, value in inputs.items()})
    return {name: np.asarray(value) for name, value in outputs.items()}
