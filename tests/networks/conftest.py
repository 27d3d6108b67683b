"""Fixtures shared by the network tests."""

import keras
import pytest


@pytest.fixture
def mixed_precision():
    """Builds the test's networks under `mixed_float16`, then restores the previous policy."""
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
