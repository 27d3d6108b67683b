"""Fixtures of the `kgan` command's tests."""

import pytest

from kgan.testing import cli
from kgan.testing import conditional

IMAGE_SIZE = 8


@pytest.fixture
def model_path(tmp_path):
    """The path of a saved tiny 8x8 gray GAN."""
    return cli.save_tiny_gan(tmp_path / "model.keras", image_size=IMAGE_SIZE)


def save_tiny_conditional_gan(path, num_classes=None, condition_dim=None):
    """Saves an untrained 8x8 gray `ConditionalGAN` (class ids or attributes); returns `path`."""
    model = conditional.tiny_image_conditional_gan(
        IMAGE_SIZE, num_classes=num_classes, condition_dim=condition_dim, seed=3
    )
    model.save(path)
    return str(path)


@pytest.fixture
def conditional_model_path(tmp_path):
    """The path of a saved tiny 8x8 gray ConditionalGAN with 3 classes."""
    return save_tiny_conditional_gan(tmp_path / "conditional.keras", num_classes=3)


@pytest.fixture
def attribute_model_path(tmp_path):
    """The path of a saved tiny 8x8 gray ConditionalGAN on attribute vectors of length 2."""
    return save_tiny_conditional_gan(tmp_path / "attributes.keras", condition_dim=2)
