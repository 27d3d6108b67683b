import keras
import numpy as np
import pytest

from kgan.layers import reflection_padding
from kgan.models import pix2pix
from kgan.networks import resnet
from kgan.testing import paired
from kgan.testing import test_case

# Few filters and blocks keep every test fast; the layout does not depend on them.
SMALL = {"filters": 8, "num_blocks": 2}


def small_resnet(image_size=32, **kwargs):
    return resnet.resnet_generator(image_size, **{**SMALL, **kwargs})


def images(image_size=32, channels=3, batch_size=2, seed=0, width=None):
    shape = (batch_size, image_size, width or image_size, channels)
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape).astype("float32")


def layers_of(model, layer_class):
    return [layer for layer in model.layers if isinstance(layer, layer_class)]


def numpy_of(tensor):
    return keras.ops.convert_to_numpy(tensor)


@pytest.mark.parametrize("image_size", [32, 64])
def test_translates_source_to_float32_images_of_the_same_size(image_size):
    generator = small_resnet(image_size, input_channels=1, output_channels=3)
    generated = numpy_of(generator(images(image_size, 1), training=True))
    assert generator.input.name == "source"
    assert generated.shape == (2, image_size, image_size, 3)
    assert generated.dtype == np.float32
    assert np.abs(generated).max() < 1.0


def test_layout_follows_the_paper():
    # c7s1-64, d128, d256, R256 x 9, u128, u64, c7s1-3 at 1/16 of the width.
    generator = resnet.resnet_generator(64, filters=4)
    convs = [layer for layer in generator.layers if hasattr(layer, "kernel")]
    assert [(layer.name, layer.filters, layer.kernel_size[0]) for layer in convs] == [
        ("stem_conv", 4, 7),
        ("down1_conv", 8, 3),
        ("down2_conv", 16, 3),
        *[(f"block{block}_conv{conv}", 16, 3) for block in range(1, 10) for conv in (1, 2)],
        ("up1_conv", 8, 3),
        ("up2_conv", 4, 3),
        ("output_conv", 3, 7),
    ]
    assert generator.get_layer("block9_add").output.shape == (None, 16, 16, 16)
    assert not layers_of(generator, keras.layers.Dropout)


def test_parameter_count_of_the_papers_256_network():
    # The authors' resnet_9blocks (bias on every convolution, InstanceNorm2d without affine
    # weights), kernel weights + biases per layer:
    reference = (
        (7 * 7 * 3 * 64 + 64)  # c7s1-64: 9,472
        + (3 * 3 * 64 * 128 + 128)  # d128: 73,856
        + (3 * 3 * 128 * 256 + 256)  # d256: 295,168
        + 9 * 2 * (3 * 3 * 256 * 256 + 256)  # R256 x 9: 10,621,440
        + (3 * 3 * 256 * 128 + 128)  # u128: 295,040
        + (3 * 3 * 128 * 64 + 64)  # u64: 73,792
        + (7 * 7 * 64 * 3 + 3)  # c7s1-3: 9,411
    )
    assert reference == 11_378_179
    # Keras' instance normalization adds a scale and an offset per normalized channel.
    normalized_channels = 64 + 128 + 256 + 9 * 2 * 256 + 128 + 64
    assert normalized_channels == 5_248
    generator = resnet.resnet_generator(256)
    assert generator.count_params() == reference + 2 * normalized_channels == 11_388_675


def test_residual_block_with_zeroed_last_convolution_is_the_identity():
    generator = small_resnet(32)
    block = keras.Model(
        generator.get_layer("block1_pad1").input, generator.get_layer("block1_add").output
    )
    features = images(8, channels=32)
    assert np.abs(numpy_of(block(features)) - features).max() > 1e-3
    last = generator.get_layer("block1_conv2")
    last.set_weights([np.zeros_like(weight) for weight in last.get_weights()])
    np.testing.assert_allclose(numpy_of(block(features)), features, atol=1e-6)


def test_reflection_padding_before_the_full_size_and_residual_convolutions():
    generator = small_resnet(32)
    layers = generator.layers
    previous = {layer.name: layers[index - 1] for index, layer in enumerate(layers)}
    for layer in layers:
        if isinstance(layer, keras.layers.Conv2D) and layer.strides == (1, 1):
            assert isinstance(previous[layer.name], reflection_padding.ReflectionPadding2D)
            assert layer.padding == "valid"
    reflected = layers_of(generator, reflection_padding.ReflectionPadding2D)
    assert [(layer.name, layer.padding[0][0]) for layer in reflected] == [
        ("stem_pad", 3),
        *[(f"block{block}_pad{conv}", 1) for block in (1, 2) for conv in (1, 2)],
        ("output_pad", 3),
    ]
    # Zero padding only for the stride-2 convolutions, as the authors' code does.
    zero_padded = layers_of(generator, keras.layers.ZeroPadding2D)
    assert [layer.name for layer in zero_padded] == ["down1_pad", "down2_pad"]


def test_strided_convolutions_align_as_pytorchs_padding_one():
    # An impulse at the top-left pixel. PyTorch's stride-2 3x3 convolution with padding=1 centres
    # its first output on pixel 0 (Keras "same" would centre it on pixel 1), and its transposed
    # convolution with padding=1, output_padding=1 spreads pixel 0 over outputs 0 and 1 with
    # kernel taps 1 and 2 (Keras "same" would use taps 0-2 over outputs 0-2).
    generator = small_resnet(32, filters=1, input_channels=1, normalization=None)
    down_pad, down = generator.get_layer("down1_pad"), generator.get_layer("down1_conv")
    impulse = np.zeros((1, 8, 8, 1), "float32")
    impulse[0, 0, 0, 0] = 1.0
    kernel, bias = (numpy_of(weight) for weight in down.weights)
    np.testing.assert_allclose(numpy_of(down(down_pad(impulse)))[0, 0, 0] - bias, kernel[1, 1, 0])

    up, crop = generator.get_layer("up2_conv"), generator.get_layer("up2_crop")
    impulse = np.zeros((1, 4, 4, up.input.shape[-1]), "float32")
    impulse[0, 0, 0, :] = 1.0
    kernel, bias = (numpy_of(weight) for weight in up.weights)
    upsampled = numpy_of(crop(up(impulse)))[0, :, :, 0] - bias[0]
    assert upsampled.shape == (8, 8)
    np.testing.assert_allclose(upsampled[:2, :2], kernel[1:, 1:, 0, :].sum(-1), atol=1e-6)
    np.testing.assert_allclose(upsampled[2:], 0.0, atol=1e-6)
    np.testing.assert_allclose(upsampled[:, 2:], 0.0, atol=1e-6)


def test_size_agnostic_model_keeps_each_input_size():
    generator = small_resnet(None)
    assert generator.input.shape == (None, None, None, 3)
    for height, width in [(8, 8), (24, 40)]:
        generated = generator(images(height, width=width, batch_size=1))
        assert generated.shape == (1, height, width, 3)


@pytest.mark.parametrize(
    "normalization, biased", [("instance", True), ("batch", False), (None, True)]
)
def test_convolution_biases_follow_the_normalization(normalization, biased):
    generator = small_resnet(32, normalization=normalization)
    convs = [layer for layer in generator.layers if hasattr(layer, "kernel")]
    assert all(layer.use_bias == biased for layer in convs[:-1])
    assert convs[-1].use_bias
    if normalization is None:
        assert not any("norm" in layer.name for layer in generator.layers)


def test_dropout_sits_inside_every_residual_block():
    generator = small_resnet(32, dropout=0.5)
    dropouts = layers_of(generator, keras.layers.Dropout)
    assert [(layer.name, layer.rate) for layer in dropouts] == [
        ("block1_dropout", 0.5),
        ("block2_dropout", 0.5),
    ]


def test_output_is_float32_under_mixed_precision(mixed_precision):
    generator = small_resnet(32)
    assert generator.get_layer("block1_conv1").compute_dtype == "float16"
    assert generator(images(), training=True).dtype == "float32"


@pytest.mark.parametrize("normalization, image_size", [("instance", 32), ("batch", None)])
def test_keras_file_and_config_round_trips_keep_outputs(tmp_path, normalization, image_size):
    generator = small_resnet(image_size, normalization=normalization)
    test_case.run_network_serialization_test(generator, images(), tmp_path / "resnet.keras")


def test_trains_as_the_pix2pix_generator():
    generator = small_resnet(16)
    discriminator = paired.tiny_patch_discriminator(16, source_channels=3, channels=3)
    model = pix2pix.Pix2Pix(generator, discriminator, seed=0)
    model.compile()
    before = test_case.weights_of(generator)
    dataset = paired.paired_dataset(num=4, image_size=16, channels=3, batch_size=4)
    history = model.fit(dataset, epochs=1, verbose=0)
    assert all(np.isfinite(history.history[key][0]) for key in ("d_loss", "g_loss", "l1_loss"))
    assert test_case.changed(before, generator)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_size": 4}, r"multiple of 4 \(2\*\*num_downsampling\) and >= 8 \(8, 12, 16"),
        ({"image_size": 30}, "Received: image_size=30, num_downsampling=2"),
        ({"image_size": 8, "num_downsampling": 3}, r"multiple of 8 .* >= 16 \(16, 24, 32"),
        ({"image_size": 32.0}, "`image_size` must be a multiple"),
        ({"image_size": True}, "`image_size` must be a multiple"),
        ({"num_blocks": 0}, "`num_blocks` must be an integer >= 1"),
        ({"filters": 2.5}, "`filters` must be an integer >= 1"),
        ({"num_downsampling": 0}, "`num_downsampling` must be an integer >= 1"),
        ({"input_channels": 0}, "`input_channels` must be an integer >= 1"),
        ({"normalization": "layer"}, "`normalization` must be one of"),
        ({"dropout": 1.0}, r"`dropout` must be a number in \[0, 1\)"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs, message):
    kwargs = {"image_size": 32, **kwargs}
    with pytest.raises(ValueError, match=message):
        small_resnet(**kwargs)
