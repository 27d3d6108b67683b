import keras
import numpy as np
import pytest

from kgan.networks import dcgan
from kgan.testing import test_case

LATENT_DIM = 8
# Few filters keep every test fast; the layout does not depend on the width.
BASE_FILTERS = 4


def small_generator(**kwargs):
    kwargs = {"latent_dim": LATENT_DIM, "base_filters": BASE_FILTERS, **kwargs}
    return dcgan.dcgan_generator(**kwargs)


def small_discriminator(**kwargs):
    return dcgan.dcgan_discriminator(**{"base_filters": BASE_FILTERS, **kwargs})


def latents(batch_size=3):
    return np.random.default_rng(0).normal(size=(batch_size, LATENT_DIM)).astype("float32")


def images(image_size, channels, batch_size=3):
    shape = (batch_size, image_size, image_size, channels)
    return np.random.default_rng(0).uniform(-1.0, 1.0, size=shape).astype("float32")


def kernel_layers(model):
    return [layer for layer in model.layers if hasattr(layer, "kernel")]


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("image_size", [8, 16, 32, 64])
def test_generator_makes_images_in_range(image_size, channels):
    generator = small_generator(image_size=image_size, channels=channels)
    generated = keras.ops.convert_to_numpy(generator(latents(), training=True))
    assert generator.input.name == "z"
    assert generated.shape == (3, image_size, image_size, channels)
    assert generated.dtype == np.float32
    assert generated.min() >= -1.0 and generated.max() <= 1.0


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("image_size", [8, 16, 32, 64])
def test_discriminator_returns_one_logit_per_image(image_size, channels):
    discriminator = small_discriminator(image_size=image_size, channels=channels)
    logits = discriminator(images(image_size, channels))
    assert discriminator.input.name == "images"
    assert tuple(logits.shape) == (3, 1)
    assert logits.dtype == "float32"


def test_filters_double_per_halving_up_to_eight_times_base():
    generator = small_generator(image_size=256, base_filters=2)
    discriminator = small_discriminator(image_size=256, base_filters=2)
    assert generator.get_layer("project").units == 4 * 4 * 16
    generator_filters = [layer.filters for layer in kernel_layers(generator)[1:]]
    assert generator_filters == [16, 16, 8, 4, 2, 1]
    discriminator_filters = [layer.filters for layer in kernel_layers(discriminator)[:-1]]
    assert discriminator_filters == [2, 4, 8, 16, 16, 16]


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_outputs_are_float32_under_mixed_precision(mixed_precision, spectral_norm):
    generator = small_generator(image_size=16, channels=3, spectral_norm=spectral_norm)
    discriminator = small_discriminator(image_size=16, channels=3, spectral_norm=spectral_norm)
    assert generator.get_layer("block1_conv").compute_dtype == "float16"
    generated = generator(latents(), training=True)
    logits = discriminator(generated, training=True)
    assert generated.dtype == "float32"
    assert logits.dtype == "float32"
    assert tuple(logits.shape) == (3, 1)


@pytest.mark.parametrize("build", [small_generator, small_discriminator])
def test_spectral_norm_wraps_every_kernel_layer_only_when_asked(build):
    plain = build(image_size=32)
    wrapped = build(image_size=32, spectral_norm=True)
    spectral = keras.layers.SpectralNormalization
    assert not any(isinstance(layer, spectral) for layer in plain.layers)
    assert all(isinstance(layer, spectral) for layer in kernel_layers(wrapped))
    # Same layer names with and without, so code can find e.g. the logits layer either way.
    assert [layer.name for layer in wrapped.layers] == [layer.name for layer in plain.layers]


@pytest.mark.parametrize(
    "normalization, layer_class",
    [("batch", keras.layers.BatchNormalization), ("layer", keras.layers.GroupNormalization)],
)
def test_discriminator_normalizes_all_but_the_first_convolution(normalization, layer_class):
    discriminator = small_discriminator(image_size=32, normalization=normalization)
    names = [layer.name for layer in discriminator.layers if isinstance(layer, layer_class)]
    assert names == ["block2_norm", "block3_norm"]
    assert discriminator.get_layer("block1_conv").use_bias
    assert not discriminator.get_layer("block2_conv").use_bias


def test_without_normalization_there_are_no_normalization_layers_and_convs_keep_biases():
    for model in (small_generator(normalization=None), small_discriminator(normalization=None)):
        assert not any("norm" in layer.name for layer in model.layers)
        assert all(layer.use_bias for layer in kernel_layers(model))


def test_layer_normalization_normalizes_each_sample_on_its_own():
    discriminator = small_discriminator(image_size=16, normalization="layer")
    batch = images(16, 1, batch_size=4)
    together = keras.ops.convert_to_numpy(discriminator(batch, training=True))
    alone = keras.ops.convert_to_numpy(discriminator(batch[:1], training=True))
    np.testing.assert_allclose(alone, together[:1], atol=1e-5)


def test_dropout_layers_only_when_asked():
    assert not any(
        isinstance(layer, keras.layers.Dropout) for layer in small_discriminator().layers
    )
    discriminator = small_discriminator(image_size=16, dropout=0.3)
    rates = [
        layer.rate for layer in discriminator.layers if isinstance(layer, keras.layers.Dropout)
    ]
    assert rates == [0.3, 0.3]


@pytest.mark.parametrize("spectral_norm", [False, True])
@pytest.mark.parametrize("network", ["generator", "discriminator"])
def test_keras_file_and_config_round_trips_keep_outputs(tmp_path, network, spectral_norm):
    if network == "generator":
        model, inputs = small_generator(image_size=16, spectral_norm=spectral_norm), latents()
    else:
        model, inputs = (
            small_discriminator(image_size=16, spectral_norm=spectral_norm),
            images(16, 1),
        )
    test_case.run_network_serialization_test(model, inputs, tmp_path / "network.keras")


@pytest.mark.parametrize(
    "build, kwargs, message",
    [
        (small_generator, {"image_size": 48}, r"power of two >= 8 \(8, 16, 32"),
        (small_discriminator, {"image_size": 4}, "Received: image_size=4"),
        (small_discriminator, {"image_size": 32.0}, "power of two"),
        (small_generator, {"latent_dim": 0}, "`latent_dim` must be an integer >= 1"),
        (small_generator, {"channels": 0}, "`channels` must be an integer >= 1"),
        (small_discriminator, {"channels": True}, "`channels` must be an integer >= 1"),
        (small_discriminator, {"base_filters": -1}, "`base_filters` must be"),
        (small_generator, {"normalization": "instance"}, "`normalization` must be one of"),
        (small_discriminator, {"normalization": "Batch"}, "Received: normalization='Batch'"),
        (small_discriminator, {"dropout": 1.0}, r"`dropout` must be a number in \[0, 1\)"),
    ],
)
def test_invalid_arguments_raise_clear_errors(build, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build(**kwargs)


def test_numpy_integers_are_accepted(tmp_path):
    # Sizes often come from an array's shape, as NumPy integers.
    generator = dcgan.dcgan_generator(latent_dim=np.int64(8), image_size=np.int64(8))
    discriminator = dcgan.dcgan_discriminator(image_size=np.int32(8), channels=np.int64(1))
    assert generator.output_shape == (None, 8, 8, 1) and discriminator.output_shape == (None, 1)
    generator.save(tmp_path / "generator.keras")  # the config must stay JSON-serialisable
