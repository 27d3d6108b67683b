import numpy as np
import pytest

from kgan.data import errors
from kgan.data import jitter


def ramp(batch=4, size=16, channels=3):
    """Images in [-1, 1] that differ per example and are not left-right symmetric."""
    columns = np.linspace(-1.0, 1.0, size, dtype="float32")
    image = np.broadcast_to(columns[None, :, None], (size, size, channels))
    return np.stack([image * (1.0 - 0.05 * index) for index in range(batch)])


def test_jitter_moves_source_and_target_together():
    image = ramp()
    source, target = jitter.random_jitter(image, image[..., :1], seed=[3, 0])
    assert source.shape == (4, 16, 16, 3) and target.shape == (4, 16, 16, 1)
    np.testing.assert_array_equal(source[..., :1].numpy(), target.numpy())
    assert not np.allclose(source.numpy(), image)  # it did something
    again, _ = jitter.random_jitter(image, image[..., :1], seed=[3, 0])
    np.testing.assert_array_equal(again.numpy(), source.numpy())  # stateless
    other, _ = jitter.random_jitter(image, image[..., :1], seed=[4, 0])
    assert not np.array_equal(other.numpy(), source.numpy())
    single, _ = jitter.random_jitter(image[0], image[0], seed=7)
    assert single.shape == (16, 16, 3)


def test_without_scale_the_jitter_is_a_flip_or_nothing_per_example():
    # scale=1 leaves no room to crop: every example comes back as it was or mirrored.
    image = ramp(batch=16)
    source, target = jitter.random_jitter(image, -image, seed=[1, 2], scale=1.0)
    flipped = []
    for index in range(16):
        out = source.numpy()[index]
        if np.allclose(out, image[index], atol=1e-6):
            flipped.append(False)
        else:
            np.testing.assert_allclose(out, image[index, :, ::-1], atol=1e-6)
            flipped.append(True)
        np.testing.assert_allclose(target.numpy()[index], -out, atol=1e-6)
    assert 0 < sum(flipped) < 16  # both outcomes happen over 16 draws
    unflipped, _ = jitter.random_jitter(image, image, seed=[1, 2], scale=1.0, flip=False)
    np.testing.assert_allclose(unflipped.numpy(), image, atol=1e-6)


def test_bad_input_is_refused():
    image = ramp()
    with pytest.raises(errors.DataError, match="same size"):
        jitter.random_jitter(image, image[:, :8, :8], seed=0)
    with pytest.raises(errors.DataError, match=">= 1"):
        jitter.random_jitter(image, image, seed=0, scale=0.5)
    with pytest.raises(errors.DataError, match="same rank"):
        jitter.random_jitter(image, image[0], seed=0)
