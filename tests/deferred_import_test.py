"""Tests for kgan/deferred_import.py: kgan's Keras classes are registered however a script
orders its imports, while `import kgan` alone imports no TensorFlow. Each case runs in a fresh
interpreter (this one has everything imported)."""

import os
import subprocess
import sys

import pytest

from kgan.testing import cli

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

ORDERS = {
    "kgan then keras": "import kgan\nimport keras",
    "keras then kgan": "import keras\nimport kgan",
    "a kgan module that imports keras": "from kgan.networks import dcgan\nimport keras",
    "a kgan module, no kgan package use": "from kgan.losses import adversarial\nimport keras",
    "tensorflow first": "import tensorflow\nimport kgan\nimport keras",
}


def run(code):
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=180, env=environment
    )


@pytest.fixture(scope="module")
def saved_cycle_gan(tmp_path_factory):
    # CycleGAN: a class that none of the imports above names or imports by itself.
    return str(cli.save_tiny_cycle_gan(tmp_path_factory.mktemp("models") / "cycle.keras"))


@pytest.mark.parametrize("order", ORDERS)
def test_a_saved_objective_loads_whatever_the_import_order(order, saved_cycle_gan):
    code = f"{ORDERS[order]}\nprint(type(keras.saving.load_model({saved_cycle_gan!r})).__name__)"
    completed = run(code)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.strip().splitlines()[-1] == "CycleGAN"


def test_import_kgan_alone_imports_no_tensorflow_until_a_name_is_used():
    code = (
        "import sys\nimport kgan\nprint('tensorflow' in sys.modules)\n"
        "kgan.GAN\nprint('tensorflow' in sys.modules, 'kgan.models.cycle_gan' in sys.modules)"
    )
    completed = run(code)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.split() == ["False", "True", "True"]


def test_unknown_names_are_attribute_errors():
    import kgan

    with pytest.raises(AttributeError, match="no attribute 'GANN'"):
        kgan.GANN  # noqa: B018
    assert {"GAN", "AdversarialModel", "metrics"} <= set(dir(kgan))
