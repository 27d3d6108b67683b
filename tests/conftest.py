"""Shared pytest set-up: seeded randomness and quiet TensorFlow for every test."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def seeded():
    """Seeds Python, NumPy and TensorFlow so every test is repeatable."""
    keras.utils.set_random_seed(1337)
    yield
    # free_memory=False: the full gc.collect() it would run costs ~0.3-1.5 s per test
    # (a quarter of the suite); Python collects the graphs on its own schedule.
    keras.backend.clear_session(free_memory=False)
