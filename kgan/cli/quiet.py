"""Keeping native libraries' log lines off the terminal of a `kgan` command.

Importing TensorFlow prints several lines to stderr before any Python logging is set up (the
oneDNN notice, "Could not find cuda drivers", the CPU-feature note), and LiteRT prints
"INFO: Created TensorFlow Lite XNNPACK delegate for CPU." the first time a `.tflite` model runs.
They come from C++ code writing straight to the process's stderr, file descriptor 2: Python's
`sys.stderr` redirection never sees them, and `TF_CPP_MIN_LOG_LEVEL` does not silence them all
(some run before absl's logging is initialised, LiteRT's does not read it). The only reliable
way is to point file descriptor 2 elsewhere around the code that prints them
(`native_stderr_hidden`). What the TensorFlow import held back is replayed if it fails, so a
broken install still says why; LiteRT's failures are in the exceptions it raises, which the
command reports on its one error line. `--verbose` skips all of this.
"""

import contextlib
import os
import sys
import tempfile
import warnings


@contextlib.contextmanager
def native_stderr_hidden(replay=True):
    """Holds back what is written to stderr (file descriptor 2) inside the block.

    Native code's lines go to a temporary file instead of the terminal; file descriptor 2 is
    restored when the block ends, so what is printed after it (a command's error line, a
    traceback) shows as usual. Python's own writes to `sys.stderr` inside the block are held
    back too: they end up on the same descriptor.

    Args:
        replay: If the block raises, write what it held back to `sys.stderr` before the
            exception goes on, as the only account of a failure that left nothing else (a
            broken TensorFlow install). `False` drops it: for code such as LiteRT, which puts
            its errors in the exception it raises and writes only notices to stderr. Defaults
            to `True`.

    Example:

    ```python
    with quiet.native_stderr_hidden(replay=False):
        outputs = litert_runner.run(interpreter, "generate", inputs)  # no XNNPACK line
    ```
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except BaseException:
            if replay:
                sys.stderr.flush()
                os.dup2(saved, 2)
                captured.seek(0)
                sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            sys.stderr.flush()  # what Python wrote in the block goes to the file, not the terminal
            os.dup2(saved, 2)
            os.close(saved)


def import_tensorflow_quietly():
    """Imports TensorFlow (and Keras) with their start-up log lines swallowed.

    Afterwards TensorFlow's C++ logs below errors stay off (`TF_CPP_MIN_LOG_LEVEL=3`, read by
    each op kernel as it logs), and the Python loggers of TensorFlow and absl show errors only.
    Does nothing to the logs if TensorFlow is already imported.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" not in sys.modules:
        with native_stderr_hidden():
            import keras  # noqa: F401 (imports TensorFlow, the backend)
            import tensorflow  # noqa: F401
    import absl.logging
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    absl.logging.set_verbosity(absl.logging.ERROR)
    # Keras' and TensorFlow's deprecation and "compiled metrics" notes are for developers.
    warnings.filterwarnings("ignore", module=r"(keras|tensorflow|absl)(\..*)?")
