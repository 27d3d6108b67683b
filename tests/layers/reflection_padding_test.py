import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.layers import reflection_padding

ReflectionPadding2D = reflection_padding.ReflectionPadding2D


def ramp(shape):
    # Distinct values everywhere, so any misplaced row or column shows.
    return np.arange(np.prod(shape), dtype="float32").reshape(shape)


@pytest.mark.parametrize(
    "padding, numpy_padding",
    [
        (1, ((1, 1), (1, 1))),
        ((2, 1), ((2, 2), (1, 1))),
        (((1, 3), (0, 2)), ((1, 3), (0, 2))),
    ],
)
def test_values_equal_numpy_reflect_padding(padding, numpy_padding):
    images = ramp((2, 4, 5, 3))
    padded = keras.ops.convert_to_numpy(ReflectionPadding2D(padding)(images))
    expected = np.pad(images, ((0, 0), *numpy_padding, (0, 0)), mode="reflect")
    np.testing.assert_array_equal(padded, expected)


def test_border_is_mirrored_without_repeating_the_edge():
    row = np.array([1.0, 2.0, 3.0, 4.0], "float32").reshape(1, 1, 4, 1)
    padded = ReflectionPadding2D(((0, 0), (2, 2)))(row)
    assert keras.ops.convert_to_numpy(padded).ravel().tolist() == [3, 2, 1, 2, 3, 4, 3, 2]


def test_channels_first_pads_the_last_two_axes():
    images = ramp((2, 3, 4, 5))
    padded = ReflectionPadding2D((1, 2), data_format="channels_first")(images)
    expected = np.pad(images, ((0, 0), (0, 0), (1, 1), (2, 2)), mode="reflect")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(padded), expected)


def test_output_shape_keeps_unknown_sizes_unknown():
    layer = ReflectionPadding2D(((1, 2), (3, 4)))
    assert layer(keras.Input((None, None, 3))).shape == (None, None, None, 3)
    assert layer.compute_output_shape((None, 8, None, 3)) == (None, 11, None, 3)
    assert layer(keras.Input((8, 9, 3))).shape == (None, 11, 16, 3)


def test_size_agnostic_model_pads_any_size_in_a_graph():
    inputs = keras.Input((None, None, 1))
    model = keras.Model(inputs, ReflectionPadding2D(2)(inputs))
    padded = tf.function(model)(ramp((1, 6, 3, 1)))
    assert padded.shape == (1, 10, 7, 1)


def test_config_round_trip():
    layer = ReflectionPadding2D(((1, 2), (0, 3)), data_format="channels_first", name="pad")
    config = layer.get_config()
    assert config["padding"] == ((1, 2), (0, 3))
    assert config["data_format"] == "channels_first"
    rebuilt = ReflectionPadding2D.from_config(config)
    assert rebuilt.padding == layer.padding
    assert rebuilt.data_format == layer.data_format
    assert rebuilt.name == "pad"


def test_model_saves_and_loads_without_custom_objects(tmp_path):
    inputs = keras.Input((None, None, 2))
    padded = ReflectionPadding2D(3, name="pad")(inputs)
    outputs = keras.layers.Conv2D(2, 7, name="conv")(padded)
    model = keras.Model(inputs, outputs)
    images = np.random.default_rng(0).normal(size=(2, 8, 8, 2)).astype("float32")
    expected = keras.ops.convert_to_numpy(model(images))
    assert expected.shape == images.shape
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert isinstance(loaded.get_layer("pad"), ReflectionPadding2D)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(images)), expected)


def test_mixed_precision_keeps_the_input_dtype():
    layer = ReflectionPadding2D(1, dtype="mixed_float16")
    assert layer(ramp((1, 3, 3, 1))).dtype == "float16"


@pytest.mark.parametrize(
    "padding, shape, side",
    [(3, (1, 3, 8, 1), "height"), (((0, 0), (0, 4)), (1, 8, 4, 1), "width")],
)
def test_padding_as_large_as_the_image_raises(padding, shape, side):
    layer = ReflectionPadding2D(padding)
    with pytest.raises(ValueError, match=f"pads the {side}.*must be smaller than the size"):
        layer(np.zeros(shape, "float32"))
    with pytest.raises(ValueError, match="must be smaller than the size"):
        layer(keras.Input(shape[1:]))


def test_called_eagerly_on_a_smaller_image_than_built_for_raises():
    layer = ReflectionPadding2D(2)
    layer(np.zeros((1, 8, 8, 1), "float32"))
    with pytest.raises(ValueError, match="input height is 2"):
        layer(np.zeros((1, 2, 8, 1), "float32"))


@pytest.mark.parametrize("padding", [-1, (1, 2, 3), ((1, 2), 3), 1.5, True, "same"])
def test_invalid_padding_raises(padding):
    with pytest.raises(ValueError, match="`padding` must be an int >= 0"):
        ReflectionPadding2D(padding)


def test_invalid_data_format_raises():
    with pytest.raises(ValueError, match="`data_format` must be one of"):
        ReflectionPadding2D(1, data_format="channels_middle")
