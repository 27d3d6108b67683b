"""Importing kgan under another Keras backend fails at once, saying how to fix it."""

import os
import subprocess
import sys


def import_kgan_with_backend(backend):
    environment = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-c", "import kgan"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_another_backend_is_refused_with_the_fix():
    # Keras' numpy backend needs no extra package, so it stands in for jax or torch here.
    completed = import_kgan_with_backend("numpy")
    assert completed.returncode != 0
    last_line = completed.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ImportError: kgan needs the TensorFlow backend")
    assert "'numpy'" in last_line and "KERAS_BACKEND='numpy'" in last_line
    assert "export KERAS_BACKEND=tensorflow" in last_line


def test_a_misspelt_tensorflow_is_refused_before_keras_fails_on_it():
    completed = import_kgan_with_backend("TensorFlow")
    assert "export KERAS_BACKEND=tensorflow" in completed.stderr.strip().splitlines()[-1]


def test_tensorflow_backend_imports():
    completed = import_kgan_with_backend("tensorflow")
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_a_keras_json_naming_another_backend_is_refused_at_import(tmp_path):
    # `import kgan` does not import Keras (see kgan/deferred_import.py), so it reads keras.json
    # itself, from where Keras would: $KERAS_HOME here.
    (tmp_path / "keras.json").write_text('{"backend": "jax"}')
    environment = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"}
    environment["KERAS_HOME"] = str(tmp_path)
    completed = subprocess.run(
        [sys.executable, "-c", "import kgan"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    last_line = completed.stderr.strip().splitlines()[-1]
    assert completed.returncode != 0 and "'jax'" in last_line
    assert str(tmp_path / "keras.json") in last_line
