"""Tests for kgan/networks/packing.py: PacGAN's packed discriminator around any network."""

import keras
import numpy as np
import pytest

import kgan
from kgan.testing import networks
from kgan.testing import test_case


def test_each_sample_gets_the_score_of_its_pack():
    body = kgan.networks.mlp_discriminator(input_shape=2 * 3, hidden_units=(8,))
    packed = kgan.networks.packed_discriminator(body, packing=3)
    assert packed.input_shape == (None, 2)
    points = np.random.default_rng(1).normal(size=(6, 2)).astype("float32")
    scores = keras.ops.convert_to_numpy(packed(points))
    by_hand = keras.ops.convert_to_numpy(body(points.reshape(2, 6)))
    np.testing.assert_allclose(scores, np.repeat(by_hand, 3, axis=0), rtol=1e-6)


def test_a_body_not_built_for_packs_is_refused_with_the_fix():
    body = kgan.networks.mlp_discriminator(input_shape=5)
    with pytest.raises(ValueError, match=r"not a multiple of 2.*input_shape=packing \* dim"):
        kgan.networks.packed_discriminator(body, packing=2)


def test_a_gan_trains_saves_and_loads_with_a_packed_discriminator(tmp_path):
    keras.utils.set_random_seed(0)
    body = networks.tiny_vector_discriminator(input_dim=2 * 4)
    gan = kgan.GAN(
        networks.tiny_vector_generator(),
        kgan.networks.packed_discriminator(body, packing=4),
        seed=1,
    )
    gan.compile(loss="hinge", r1_weight=1.0)
    test_case.run_gan_fit_test(gan, test_case.vector_dataset(num=64), ["d_loss", "g_loss", "r1"])
    gan.save(tmp_path / "packed.keras")
    loaded = keras.saving.load_model(tmp_path / "packed.keras")
    points = np.random.default_rng(2).normal(size=(8, 2)).astype("float32")
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded.discriminator(points)),
        keras.ops.convert_to_numpy(gan.discriminator(points)),
    )
