"""Fixtures of the `kgan` command's tests."""

import pytest

from kgan.testing import cli

IMAGE_SIZE = 8


@pytest.fixture
def model_path(tmp_path):
    """The path of a saved tiny 8x8 gray GAN."""
    return cli.save_tiny_gan(tmp_path / "model.keras", image_size=IMAGE_SIZE)
