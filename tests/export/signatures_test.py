"""Tests for kgan/export/signatures.py: model inspection, uint8 mapping, example inputs."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.export import signatures
from kgan.models import gan as gan_lib
from kgan.testing import networks
from kgan.testing.objectives import tiny_model
from kgan.utils import images as images_lib


def test_to_uint8_matches_kgan_rounding():
    values = np.concatenate(
        # 1/255 - 1 lands on a .5 boundary: float32 and float64 may round it apart.
        [np.linspace(-1.2, 1.2, 100_001), [1 / 255 - 1, -1.0, 0.0, 1.0, np.nan, np.inf, -np.inf]]
    ).astype(np.float32)
    ours = signatures.to_uint8(tf.constant(values)).numpy().astype(int)
    reference = images_lib.to_uint8(values).astype(int)
    difference = np.abs(ours - reference)
    assert difference.max() <= 1 and difference.mean() < 1e-3
    np.testing.assert_array_equal(ours[-6:], reference[-6:])  # the ends, 0 -> 128, NaN -> 0


def test_from_uint8_inverts_to_uint8():
    pixels = np.arange(256, dtype=np.uint8)
    back = signatures.to_uint8(signatures.from_uint8(tf.constant(pixels))).numpy()
    np.testing.assert_array_equal(back, pixels)


@pytest.mark.parametrize(
    "objective, kind, signature_names",
    [
        ("gan", "unconditional", ("generate", "sample")),
        ("classes", "classes", ("generate", "sample")),
        ("attributes", "attributes", ("generate", "sample")),
        ("pix2pix", "translation", ("translate",)),
        ("cycle_gan", "translation", ("translate",)),
    ],
)
def test_describe(objective, kind, signature_names):
    spec = signatures.describe(tiny_model(objective))
    assert spec.kind == kind and spec.signatures == signature_names
    assert len(spec.output_shape) == 3


def test_sample_inputs_follow_the_seed():
    spec = signatures.describe(tiny_model("gan"))
    inputs = signatures.example_inputs(spec, "sample", 3, seed=4)
    first = signatures.keras_images(spec, "sample", inputs)
    np.testing.assert_array_equal(first, signatures.keras_images(spec, "sample", inputs))
    assert first.shape == (3, 8, 8, 1) and first.dtype == np.uint8


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(4)

    def call(self, inputs):
        return self.dense(inputs)


def test_never_built_generator():
    model = gan_lib.GAN(_Subclassed(), networks.tiny_vector_discriminator(4), latent_dim=8)
    model.generator.built = False  # as a generator that no batch ever went through
    with pytest.raises(ValueError, match="never built"):
        signatures.describe(model)


def test_not_images_or_not_kgan():
    vectors = gan_lib.GAN(networks.tiny_vector_generator(), networks.tiny_vector_discriminator())
    with pytest.raises(ValueError, match="uint8 images"):
        signatures.describe(vectors)
    with pytest.raises(ValueError, match="takes a kgan objective"):
        signatures.describe(networks.tiny_image_generator())
    with pytest.raises(ValueError, match="direction"):
        signatures.describe(tiny_model("cycle_gan"), direction="sideways")


def test_describe_a_token_generator():
    from kgan.models import seq_gan
    from kgan.testing import sequences

    model = sequences.tiny_model(seq_gan.SeqGAN)
    spec = signatures.describe(model, top_k=3)
    assert spec.kind == "tokens" and spec.signatures == ("generate", "sample")
    assert spec.input_shape == spec.output_shape == (sequences.LENGTH,)
    assert spec.output == "tokens" and spec.decoding == {"top_k": 3, "top_p": 1.0}
    inputs = signatures.example_inputs(spec, "generate", 4, seed=2)
    # The uniforms `model.generate(4, seed=2)` draws, so the reference is `generate` itself.
    np.testing.assert_array_equal(
        signatures.keras_tokens(spec, "generate", inputs), model.generate(4, seed=2, top_k=3)
    )
    sample = signatures.example_inputs(spec, "sample", 4, seed=2)
    tokens = signatures.keras_tokens(spec, "sample", sample)
    assert tokens.shape == (4, sequences.LENGTH) and tokens.dtype == np.int32
