"""Keeping TensorFlow's start-up chatter off the terminal of a `kgan` command.

Importing TensorFlow prints several lines to stderr before any Python logging is set up (the
oneDNN notice, "Could not find cuda drivers", the CPU-feature note). They come from C++ code that
runs before absl's logging is initialised, so `TF_CPP_MIN_LOG_LEVEL` does not silence all of them;
the only reliable way is to point file descriptor 2 elsewhere while TensorFlow imports. What was
captured is replayed if the import fails, so a broken install still says why. `--verbose` skips
all of this.
"""

import os
import sys
import tempfile
import warnings


def import_tensorflow_quietly():
    """Imports TensorFlow (and Keras) with their start-up log lines swallowed.

    Afterwards TensorFlow's C++ logs below errors stay off (`TF_CPP_MIN_LOG_LEVEL=3`, read by
    each op kernel as it logs), and the Python loggers of TensorFlow and absl show errors only.
    Does nothing to the logs if TensorFlow is already imported.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" not in sys.modules:
        sys.stderr.flush()
        saved = os.dup(2)
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                import keras  # noqa: F401 (imports TensorFlow, the backend)
                import tensorflow  # noqa: F401
            except BaseException:
                os.dup2(saved, 2)
                captured.seek(0)
                sys.stderr.write(captured.read().decode(errors="replace"))
                raise
            finally:
                os.dup2(saved, 2)
                os.close(saved)
    import absl.logging
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    absl.logging.set_verbosity(absl.logging.ERROR)
    # Keras' and TensorFlow's deprecation and "compiled metrics" notes are for developers.
    warnings.filterwarnings("ignore", module=r"(keras|tensorflow|absl)(\..*)?")
