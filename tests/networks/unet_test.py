import keras
import numpy as np
import pytest

from kgan.networks import unet
from kgan.testing import test_case

# Few filters keep every test fast; the layout does not depend on the width.
BASE_FILTERS = 4
MAX_FILTERS = 16


def small_unet(image_size=32, **kwargs):
    kwargs = {"base_filters": BASE_FILTERS, "max_filters": MAX_FILTERS, **kwargs}
    return unet.unet_generator(image_size, **kwargs)


def images(image_size=32, channels=3, batch_size=2, seed=0):
    shape = (batch_size, image_size, image_size, channels)
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape).astype("float32")


def layers_of(model, layer_class):
    return [layer for layer in model.layers if isinstance(layer, layer_class)]


@pytest.mark.parametrize("image_size", [32, 64, 128])
def test_translates_source_to_float32_images_in_range(image_size):
    generator = small_unet(image_size, input_channels=1, output_channels=3)
    generated = keras.ops.convert_to_numpy(generator(images(image_size, 1), training=True))
    assert generator.input.name == "source"
    assert generated.shape == (2, image_size, image_size, 3)
    assert generated.dtype == np.float32
    assert np.abs(generated).max() < 1.0


def test_layout_follows_the_paper_down_to_one_by_one():
    # The paper's 256x256 network at 1/32 of its width: C64-C128-C256-C512-C512-C512-C512-C512,
    # decoder back up with the same filters per resolution, dropout in its first three blocks.
    generator = unet.unet_generator(256, base_filters=2, max_filters=16)
    encoder = [generator.get_layer(f"down{level}_conv") for level in range(1, 9)]
    decoder = [generator.get_layer(f"up{block}_conv") for block in range(1, 8)]
    assert [layer.filters for layer in encoder] == [2, 4, 8, 16, 16, 16, 16, 16]
    assert [layer.filters for layer in decoder] == [16, 16, 16, 16, 8, 4, 2]
    assert generator.get_layer("down8_leaky_relu").output.shape == (None, 1, 1, 16)
    dropouts = layers_of(generator, keras.layers.Dropout)
    assert [(layer.name, layer.rate) for layer in dropouts] == [
        (f"up{block}_dropout", 0.5) for block in (1, 2, 3)
    ]


def test_no_normalization_on_the_first_layer_nor_the_bottleneck():
    generator = small_unet(32)
    names = [layer.name for layer in layers_of(generator, keras.layers.BatchNormalization)]
    expected = ["down2_norm", "down3_norm", "down4_norm", "up1_norm", "up2_norm", "up3_norm"]
    assert names == [*expected, "up4_norm"]
    # A batch of one in training mode (pix2pix's setting) must not zero the bottleneck.
    bottleneck = keras.Model(generator.input, generator.get_layer("down5_leaky_relu").output)
    features = bottleneck(images(batch_size=1), training=True)
    assert np.abs(keras.ops.convert_to_numpy(features)).max() > 0


def test_skip_connections_carry_the_source_past_a_dead_bottleneck():
    generator = small_unet(32, base_filters=8, max_filters=64)
    skips = layers_of(generator, keras.layers.Concatenate)
    assert [tuple(layer.output.shape[1:3]) for layer in skips] == [(2, 2), (4, 4), (8, 8), (16, 16)]
    # Zero the bottleneck convolution: the decoder's first input is then the same for every
    # source, so any dependence of the output on the source goes through the skip connections.
    bottleneck = generator.get_layer("down5_conv")
    bottleneck.set_weights([np.zeros_like(weight) for weight in bottleneck.get_weights()])
    first, second = (keras.ops.convert_to_numpy(generator(images(seed=seed))) for seed in (0, 1))
    assert np.abs(first - second).max() > 1e-4


def test_dropout_is_active_in_training_only():
    generator = small_unet(32)
    batch = images()
    training = [keras.ops.convert_to_numpy(generator(batch, training=True)) for _ in range(2)]
    inference = [keras.ops.convert_to_numpy(generator(batch, training=False)) for _ in range(2)]
    assert np.abs(training[0] - training[1]).max() > 1e-4
    np.testing.assert_array_equal(inference[0], inference[1])


def test_without_dropout_training_calls_agree():
    generator = small_unet(32, dropout=0.0)
    assert not layers_of(generator, keras.layers.Dropout)
    batch = images()
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(generator(batch, training=True)),
        keras.ops.convert_to_numpy(generator(batch, training=True)),
        atol=1e-6,
    )


def test_instance_normalization_normalizes_each_sample_and_channel_on_its_own():
    generator = small_unet(32, normalization="instance", dropout=0.0)
    norms = layers_of(generator, keras.layers.GroupNormalization)
    # groups=-1 resolves to one group per channel.
    assert [layer.groups for layer in norms] == [layer.input.shape[-1] for layer in norms]
    assert not layers_of(generator, keras.layers.BatchNormalization)
    batch = images(batch_size=3)
    together = keras.ops.convert_to_numpy(generator(batch, training=True))
    alone = keras.ops.convert_to_numpy(generator(batch[:1], training=True))
    np.testing.assert_allclose(alone, together[:1], atol=1e-5)


def test_without_normalization_there_are_no_norm_layers_and_convs_keep_biases():
    generator = small_unet(32, normalization=None)
    assert not any("norm" in layer.name for layer in generator.layers)
    assert all(layer.use_bias for layer in generator.layers if hasattr(layer, "kernel"))


def test_output_is_float32_under_mixed_precision(mixed_precision):
    generator = small_unet(32)
    assert generator.get_layer("up1_conv").compute_dtype == "float16"
    assert generator(images(), training=True).dtype == "float32"


@pytest.mark.parametrize("normalization", ["batch", "instance"])
def test_keras_file_and_config_round_trips_keep_outputs(tmp_path, normalization):
    generator = small_unet(32, normalization=normalization)
    test_case.run_network_serialization_test(generator, images(), tmp_path / "unet.keras")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_size": 16}, r"power of two >= 32 \(32, 64, 128"),
        ({"image_size": 48}, "Received: image_size=48"),
        ({"image_size": 32.0}, "power of two"),
        ({"image_size": True}, "power of two"),
        ({"input_channels": 0}, "`input_channels` must be an integer >= 1"),
        ({"output_channels": 1.5}, "`output_channels` must be an integer >= 1"),
        ({"base_filters": 32, "max_filters": 16}, "`max_filters` must be >= `base_filters`"),
        ({"normalization": "layer"}, "`normalization` must be one of"),
        ({"dropout": 1.0}, r"`dropout` must be a number in \[0, 1\)"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs, message):
    kwargs = {"image_size": 32, **kwargs}
    with pytest.raises(ValueError, match=message):
        small_unet(**kwargs)
