import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.networks import patchgan
from kgan.testing import test_case

# Few filters keep every test fast; the layout does not depend on the width.
BASE_FILTERS = 4


def small_patchgan(image_size=32, **kwargs):
    return patchgan.patchgan_discriminator(image_size, **{"base_filters": BASE_FILTERS, **kwargs})


def images(image_size=32, channels=3, batch_size=2, seed=0):
    shape = (batch_size, image_size, image_size, channels)
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape).astype("float32")


def layers_of(model, layer_class):
    return [layer for layer in model.layers if isinstance(layer, layer_class)]


@pytest.mark.parametrize("image_size, map_size", [(32, 2), (48, 4), (64, 6), (128, 14)])
def test_conditional_discriminator_returns_a_float32_logit_map(image_size, map_size):
    discriminator = small_patchgan(image_size, source_channels=1, target_channels=3)
    assert [tensor.name for tensor in discriminator.inputs] == ["source", "images"]
    logits = discriminator([images(image_size, 1), images(image_size, 3)])
    assert tuple(logits.shape) == (2, map_size, map_size, 1)
    assert logits.dtype == "float32"
    by_name = discriminator({"source": images(image_size, 1), "images": images(image_size, 3)})
    np.testing.assert_array_equal(by_name, logits)


def test_unconditional_discriminator_takes_images_only():
    discriminator = small_patchgan(64, conditional=False, target_channels=1)
    assert [tensor.name for tensor in discriminator.inputs] == ["images"]
    assert tuple(discriminator(images(64, 1)).shape) == (2, 6, 6, 1)


def test_layout_follows_the_paper():
    # C64-C128-C256-C512 then one logit, at 1/32 of the paper's width; a 256 input gives 30x30.
    discriminator = patchgan.patchgan_discriminator(256, base_filters=2)
    convs = layers_of(discriminator, keras.layers.Conv2D)
    assert [layer.filters for layer in convs] == [2, 4, 8, 16, 1]
    assert [layer.strides for layer in convs] == [(2, 2)] * 3 + [(1, 1)] * 2
    assert all(layer.kernel_size == (4, 4) for layer in convs)
    norms = [layer.name for layer in layers_of(discriminator, keras.layers.BatchNormalization)]
    assert norms == ["block2_norm", "block3_norm", "block4_norm"]
    assert discriminator.output_shape == (None, 30, 30, 1)
    # Filters are capped at 8 * base_filters.
    deep = patchgan.patchgan_discriminator(256, base_filters=2, num_layers=5)
    deep_filters = [layer.filters for layer in layers_of(deep, keras.layers.Conv2D)]
    assert deep_filters == [2, 4, 8, 16, 16, 16, 1]


@pytest.mark.parametrize("num_layers, expected", [(1, 16), (2, 34), (3, 70)])
def test_receptive_field_is_the_support_of_one_logits_gradient(num_layers, expected):
    assert patchgan.patchgan_receptive_field(num_layers) == expected
    discriminator = small_patchgan(128, conditional=False, num_layers=num_layers)
    batch = tf.constant(images(128, batch_size=1))
    center = discriminator.output_shape[1] // 2
    with tf.GradientTape() as tape:
        tape.watch(batch)
        logit = discriminator(batch)[0, center, center, 0]
    support = np.abs(tape.gradient(logit, batch).numpy()[0]).sum(axis=-1) > 0
    rows, cols = np.nonzero(support.any(axis=1))[0], np.nonzero(support.any(axis=0))[0]
    # The window lies inside the image, so padding does not clip it.
    assert rows.min() > 0 and rows.max() < 127 and cols.min() > 0 and cols.max() < 127
    assert rows.max() - rows.min() + 1 == expected
    assert cols.max() - cols.min() + 1 == expected


def test_conditional_discriminator_uses_the_source():
    discriminator = small_patchgan(32)
    target = images(seed=2)
    first, second = (discriminator([images(seed=seed), target]) for seed in (0, 1))
    assert np.abs(keras.ops.convert_to_numpy(first - second)).max() > 0


def test_instance_normalization_normalizes_each_sample_on_its_own():
    discriminator = small_patchgan(32, conditional=False, normalization="instance")
    norms = layers_of(discriminator, keras.layers.GroupNormalization)
    assert [layer.groups for layer in norms] == [layer.input.shape[-1] for layer in norms]
    assert not layers_of(discriminator, keras.layers.BatchNormalization)
    batch = images(batch_size=3)
    together = keras.ops.convert_to_numpy(discriminator(batch, training=True))
    alone = keras.ops.convert_to_numpy(discriminator(batch[:1], training=True))
    np.testing.assert_allclose(alone, together[:1], atol=1e-5)


def test_without_normalization_there_are_no_norm_layers_and_convs_keep_biases():
    discriminator = small_patchgan(32, normalization=None)
    assert not any("norm" in layer.name for layer in discriminator.layers)
    assert all(layer.use_bias for layer in layers_of(discriminator, keras.layers.Conv2D))


def test_logits_are_float32_under_mixed_precision(mixed_precision):
    discriminator = small_patchgan(32)
    assert discriminator.get_layer("block2_conv").compute_dtype == "float16"
    assert discriminator([images(), images()], training=True).dtype == "float32"


@pytest.mark.parametrize(
    "conditional, normalization", [(True, "batch"), (False, "instance"), (True, None)]
)
def test_keras_file_and_config_round_trips_keep_outputs(tmp_path, conditional, normalization):
    discriminator = small_patchgan(32, conditional=conditional, normalization=normalization)
    inputs = [images(seed=0), images(seed=1)] if conditional else images()
    test_case.run_network_serialization_test(discriminator, inputs, tmp_path / "patchgan.keras")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_size": 16}, r"`image_size` must be an integer >= 24 for num_layers=3"),
        ({"image_size": 64, "num_layers": 5}, "must be an integer >= 96 for num_layers=5"),
        ({"image_size": 32.0}, "Received: image_size=32.0"),
        ({"num_layers": 0}, "`num_layers` must be an integer >= 1"),
        ({"source_channels": 0}, "`source_channels` must be an integer >= 1"),
        ({"target_channels": True}, "`target_channels` must be an integer >= 1"),
        ({"base_filters": -1}, "`base_filters` must be"),
        ({"normalization": "layer"}, "`normalization` must be one of"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs, message):
    kwargs = {"image_size": 32, **kwargs}
    with pytest.raises(ValueError, match=message):
        small_patchgan(**kwargs)
