import keras
import numpy as np
import pytest

from kgan.networks import mlp
from kgan.testing import test_case

LATENT_DIM = 4
HIDDEN_UNITS = (16, 8)


def latents(batch_size=5):
    return np.random.default_rng(0).normal(size=(batch_size, LATENT_DIM)).astype("float32")


def samples(shape, batch_size=5):
    return np.random.default_rng(0).uniform(-1.0, 1.0, size=(batch_size, *shape)).astype("float32")


def dense_layers(model):
    return [layer for layer in model.layers if hasattr(layer, "kernel")]


@pytest.mark.parametrize(
    "output_shape, expected",
    [(2, (2,)), ((2,), (2,)), ((8, 8, 1), (8, 8, 1)), ((8, 8, 3), (8, 8, 3))],
)
def test_generator_output_shape_and_range(output_shape, expected):
    generator = mlp.mlp_generator(LATENT_DIM, output_shape, hidden_units=HIDDEN_UNITS)
    generated = keras.ops.convert_to_numpy(generator(latents()))
    assert generator.input.name == "z"
    assert generated.shape == (5, *expected)
    assert generated.dtype == np.float32
    assert generated.min() >= -1.0 and generated.max() <= 1.0


def test_generator_without_output_activation_is_unbounded():
    generator = mlp.mlp_generator(1, (1,), hidden_units=(), output_activation=None)
    generator.get_layer("output_dense").set_weights([np.array([[10.0]]), np.array([0.0])])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(generator(np.ones((1, 1)))), [[10.0]])


def test_generator_uses_the_hidden_activation():
    generator = mlp.mlp_generator(LATENT_DIM, 3, hidden_units=HIDDEN_UNITS, activation="gelu")
    assert [layer.units for layer in dense_layers(generator)] == [16, 8, 3]
    assert generator.get_layer("hidden1").activation is keras.activations.gelu


@pytest.mark.parametrize("input_shape", [(2,), (8, 8, 1), (8, 8, 3)])
def test_discriminator_returns_one_logit_per_sample(input_shape):
    discriminator = mlp.mlp_discriminator(input_shape, hidden_units=HIDDEN_UNITS)
    logits = discriminator(samples(input_shape))
    assert discriminator.input.name == "images"
    assert tuple(logits.shape) == (5, 1)
    assert logits.dtype == "float32"


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_outputs_are_float32_under_mixed_precision(mixed_precision, spectral_norm):
    generator = mlp.mlp_generator(LATENT_DIM, (8, 8, 1), hidden_units=HIDDEN_UNITS)
    discriminator = mlp.mlp_discriminator(
        (8, 8, 1), hidden_units=HIDDEN_UNITS, spectral_norm=spectral_norm
    )
    assert generator.get_layer("hidden1").compute_dtype == "float16"
    generated = generator(latents(), training=True)
    logits = discriminator(generated, training=True)
    assert generated.dtype == "float32"
    assert logits.dtype == "float32"


def test_spectral_norm_wraps_every_dense_layer_only_when_asked():
    plain = mlp.mlp_discriminator((2,), hidden_units=HIDDEN_UNITS)
    wrapped = mlp.mlp_discriminator((2,), hidden_units=HIDDEN_UNITS, spectral_norm=True)
    spectral = keras.layers.SpectralNormalization
    assert not any(isinstance(layer, spectral) for layer in plain.layers)
    assert len(dense_layers(wrapped)) == 3
    assert all(isinstance(layer, spectral) for layer in dense_layers(wrapped))
    assert [layer.name for layer in wrapped.layers] == [layer.name for layer in plain.layers]


def test_dropout_layers_only_when_asked():
    plain = mlp.mlp_discriminator((2,), hidden_units=HIDDEN_UNITS)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in plain.layers)
    with_dropout = mlp.mlp_discriminator((2,), hidden_units=HIDDEN_UNITS, dropout=0.5)
    rates = [layer.rate for layer in with_dropout.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.5, 0.5]


@pytest.mark.parametrize(
    "network, spectral_norm",
    [("generator", False), ("discriminator", False), ("discriminator", True)],
)
def test_keras_file_and_config_round_trips_keep_outputs(tmp_path, network, spectral_norm):
    if network == "generator":
        model = mlp.mlp_generator(LATENT_DIM, (4, 4, 1), hidden_units=HIDDEN_UNITS)
        inputs = latents()
    else:
        model = mlp.mlp_discriminator(
            (4, 4, 1), hidden_units=HIDDEN_UNITS, spectral_norm=spectral_norm
        )
        inputs = samples((4, 4, 1))
    test_case.run_network_serialization_test(model, inputs, tmp_path / "network.keras")


@pytest.mark.parametrize(
    "build, kwargs, message",
    [
        (mlp.mlp_generator, {"latent_dim": 0, "output_shape": 2}, "`latent_dim` must be"),
        (mlp.mlp_generator, {"latent_dim": 2, "output_shape": (0, 2)}, "Received: output_shape"),
        (mlp.mlp_generator, {"latent_dim": 2, "output_shape": ()}, "non-empty tuple of ints"),
        (
            mlp.mlp_generator,
            {"latent_dim": 2, "output_shape": 2, "activation": "relux"},
            "`activation` must be None or the name of a Keras activation",
        ),
        (
            mlp.mlp_generator,
            {"latent_dim": 2, "output_shape": 2, "output_activation": np.tanh},
            "`output_activation` must be None or the name",
        ),
        (
            mlp.mlp_discriminator,
            {"input_shape": 2, "hidden_units": (8, 0)},
            r"`hidden_units` must be a sequence of ints >= 1",
        ),
        (mlp.mlp_discriminator, {"input_shape": "2"}, "`input_shape` must be an int"),
        (mlp.mlp_discriminator, {"input_shape": 2, "dropout": -0.1}, "`dropout` must be"),
    ],
)
def test_invalid_arguments_raise_clear_errors(build, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build(**kwargs)
