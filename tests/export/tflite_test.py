"""Tests for kgan/export/tflite.py: representative data and conversion options."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.export import tflite


def test_representative_images_from_an_array_of_floats():
    floats = np.linspace(-1, 1, 2 * 4 * 4 * 3, dtype=np.float32).reshape(2, 4, 4, 3)
    images = tflite.representative_images(floats, 10, (4, 4, 3))
    assert images.dtype == np.uint8 and images.shape == (2, 4, 4, 3)
    assert images.min() == 0 and images.max() == 255


def test_representative_images_from_a_paired_dataset_take_the_sources_in_order():
    # Sources and targets differ (each source is its index, each target 255 minus it), so
    # taking the targets, or sources out of order, would show.
    sources = np.arange(10, dtype=np.uint8)[:, None, None, None] * np.ones((1, 4, 4, 1), np.uint8)
    dataset = tf.data.Dataset.from_tensor_slices((sources, 255 - sources)).batch(3)
    images = tflite.representative_images(dataset, 5, (4, 4, 1))
    assert images.shape == (5, 4, 4, 1)
    np.testing.assert_array_equal(images, sources[:5])


def test_representative_images_from_source_target_arrays_take_the_sources():
    sources, targets = np.zeros((4, 4, 4, 1), np.uint8), np.full((4, 4, 4, 1), 255, np.uint8)
    images = tflite.representative_images((sources, targets), 10, (4, 4, 1))
    assert images.shape == (4, 4, 4, 1) and (images == 0).all()


@pytest.mark.parametrize(
    "pixels",
    [
        np.random.default_rng(0).integers(0, 256, (3, 4, 4, 1)),  # int64 pixels
        np.random.default_rng(0).uniform(0, 255, (3, 4, 4, 1)).astype("float32"),  # [0, 255]
    ],
)
def test_representative_images_outside_kgans_range_are_refused(pixels):
    # Mapped as [-1, 1] floats they would clip to near-constant images and calibrate nothing.
    with pytest.raises(ValueError, match=r"uint8 pixels or floats in \[-1, 1\]"):
        tflite.representative_images(pixels, 10, (4, 4, 1))


def test_representative_images_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"\[N, 4, 4, 1\]"):
        tflite.representative_images(np.zeros((3, 8, 8, 1)), 5, (4, 4, 1))


def test_int8_needs_representative_data(tmp_path):
    with pytest.raises(ValueError, match="representative"):
        tflite.convert(tmp_path, "generate", quantize="int8")
    with pytest.raises(ValueError, match="quantize must be one of"):
        tflite.convert(tmp_path, "generate", quantize="int16")


def _int8_psnr(model, tmp_path):
    from kgan import export

    report = export.export_generator(
        model, tmp_path, format="tflite", quantize="int8", verbose=False
    )
    return report["tflite_int8"].figures["psnr"]


def test_int8_class_ids_quantize_as_well_as_attributes(tmp_path):
    # The one-hot of class ids stays float32 (FLOAT_OPS); quantized, it was off by ~3x and the
    # images by 70-80 levels (PSNR ~20 dB, against ~50 dB for attribute vectors).
    from kgan.testing.objectives import tiny_model

    classes = _int8_psnr(tiny_model("classes"), tmp_path / "classes")
    attributes = _int8_psnr(tiny_model("attributes"), tmp_path / "attributes")
    assert classes > 40 and classes > attributes - 5, (classes, attributes)


def test_int8_class_embedding(tmp_path):
    # A learned Embedding is a GATHER on int8 weights, which keeps its scale: no float op needed.
    from kgan.models import conditional_gan
    from kgan.networks import conditional_discriminators
    from kgan.networks import conditional_generators

    shape = (8, 8, 1)
    model = conditional_gan.ConditionalGAN(
        conditional_generators.conditional_mlp_generator(
            4, shape, num_classes=3, embedding_dim=5, hidden_units=(8,)
        ),
        conditional_discriminators.conditional_discriminator(
            conditional_discriminators.mlp_features(shape, hidden_units=(8,)),
            num_classes=3,
            hidden_units=(8,),
        ),
        num_classes=3,
        seed=3,
    )
    assert _int8_psnr(model, tmp_path) > 40


def test_an_op_without_a_litert_kernel_is_named_on_one_line(tmp_path):
    import keras

    archive = keras.export.ExportArchive()
    layer = keras.layers.Dense(1)
    layer.build((None, 4))
    archive.track(layer)
    archive.add_endpoint(
        "generate",
        lambda x: {"out": tf.searchsorted(x, x[:, :1], side="right")},
        input_signature=[tf.TensorSpec([None, 4], tf.float32, name="x")],
    )
    archive.write_out(str(tmp_path / "model"), verbose=False)
    with pytest.raises(tflite.UnsupportedOpError) as error:
        tflite.convert(tmp_path / "model", "generate")
    message = str(error.value)
    assert "\n" not in message and "UpperBound" in message, message
