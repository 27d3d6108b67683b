"""`kgan.layers.AdaptiveAugmentation`: each operation against NumPy, gradients, ADA's controller."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy import special

from kgan.layers import adaptive_augmentation
from kgan.layers.adaptive_augmentation import AdaptiveAugmentation

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(-1, 1, (4, 8, 8, 3)).astype("float32")


def run(operation, images, applied, a, b, **options):
    """Applies one operation with `p = 0.5`: `applied` images draw 0.25, the others 0.75."""
    layer = AdaptiveAugmentation(policy=[operation], probability=0.5, **options)
    randoms = np.stack([np.where(applied, 0.25, 0.75), a, b], axis=1).astype("float32")
    return layer(tf.constant(images), tf.constant(randoms)).numpy()


def test_xflip_mirrors_only_the_images_drawn():
    applied = np.array([True, False, True, False])
    out = run("xflip", IMAGES, applied, np.zeros(4), np.zeros(4))
    np.testing.assert_array_equal(out[applied], IMAGES[applied][:, :, ::-1])
    np.testing.assert_array_equal(out[~applied], IMAGES[~applied])


def test_rotate90_turns_by_the_drawn_quarter_turns():
    # a in [k/4, (k+1)/4) gives k quarter turns counter-clockwise, as numpy.rot90.
    a = np.array([0.1, 0.3, 0.6, 0.9])
    out = run("rotate90", IMAGES, np.ones(4, bool), a, np.zeros(4))
    for index, turns in enumerate([0, 1, 2, 3]):
        np.testing.assert_array_equal(out[index], np.rot90(IMAGES[index], turns, axes=(0, 1)))
    unrotated = run("rotate90", IMAGES, np.zeros(4, bool), a, np.zeros(4))
    np.testing.assert_array_equal(unrotated, IMAGES)


def test_rotate90_refuses_non_square_images():
    with pytest.raises(ValueError, match="square images"):
        run("rotate90", np.zeros((2, 8, 6, 1), "float32"), np.ones(2, bool), [0.5] * 2, [0] * 2)


def _reflect(index, size):
    period = 2 * (size - 1)
    index = index % period
    return index if index < size else period - index


def test_translation_shifts_whole_pixels_reflecting_at_the_borders():
    # translation 0.5 of 8 pixels: a = 0.75 -> (2 * 0.75 - 1) * 0.5 * 8 = +2 rows,
    # b = 0.125 -> (0.25 - 1) * 0.5 * 8 = -3 columns.
    out = run(
        "translation", IMAGES, np.array([True, False, True, True]), [0.75] * 4, [0.125] * 4,
        translation=0.5,
    )  # fmt: skip
    expected = np.empty_like(IMAGES[0])
    for i in range(8):
        for j in range(8):
            expected[i, j] = IMAGES[0][_reflect(i - 2, 8), _reflect(j + 3, 8)]
    np.testing.assert_array_equal(out[0], expected)
    np.testing.assert_array_equal(out[1], IMAGES[1])


def test_colour_operations_follow_adas_formulas():
    a = np.array([0.2, 0.5, 0.9, 0.7])
    normal = special.ndtri(a)[:, None, None, None]
    applied = np.array([True, True, True, False])
    mask = applied[:, None, None, None]

    out = run("brightness", IMAGES, applied, a, np.zeros(4))
    np.testing.assert_allclose(out, IMAGES + np.where(mask, 0.2 * normal, 0), atol=1e-6)

    out = run("contrast", IMAGES, applied, a, np.zeros(4))
    mean = IMAGES.mean(axis=(1, 2, 3), keepdims=True)
    factor = np.where(mask, 2.0 ** (0.5 * normal), 1.0)
    np.testing.assert_allclose(out, mean + (IMAGES - mean) * factor, atol=1e-5)

    out = run("saturation", IMAGES, applied, a, np.zeros(4))
    grey = IMAGES.mean(axis=3, keepdims=True)
    factor = np.where(mask, 2.0**normal, 1.0)
    np.testing.assert_allclose(out, grey + (IMAGES - grey) * factor, atol=1e-5)

    # Saturation has nothing to change in grey images.
    grey_images = IMAGES[..., :1]
    np.testing.assert_array_equal(run("saturation", grey_images, applied, a, a), grey_images)


def test_cutout_zeroes_a_square_around_the_drawn_centre():
    # Side 0.5 of 8 = 4 pixels centred at (0.5, 0.5) of the image: rows and columns 2..5.
    out = run("cutout", IMAGES, np.array([True, False, True, True]), [0.5] * 4, [0.5] * 4)
    expected = IMAGES[0].copy()
    expected[2:6, 2:6] = 0.0
    np.testing.assert_array_equal(out[0], expected)
    np.testing.assert_array_equal(out[1], IMAGES[1])
    # A centre at a corner cuts only the square's part inside the image.
    corner = run("cutout", IMAGES, np.ones(4, bool), [0.0] * 4, [0.0] * 4)
    assert (corner[0] == 0).all(axis=-1).sum() == 4  # rows 0..1 x columns 0..1


def test_gradients_flow_through_every_operation():
    layer = AdaptiveAugmentation(policy=list(adaptive_augmentation.OPERATIONS), probability=1.0)
    images = tf.Variable(IMAGES)
    randoms = tf.constant(RNG.uniform(0, 1, (4, layer.num_randoms)).astype("float32"))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer(images, randoms) ** 2)
    gradient = tape.gradient(total, images).numpy()
    assert np.isfinite(gradient).all() and np.abs(gradient).sum() > 0


def test_zero_probability_is_the_identity():
    layer = AdaptiveAugmentation(policy=list(adaptive_augmentation.OPERATIONS))
    randoms = RNG.uniform(0, 1, (4, layer.num_randoms)).astype("float32")
    np.testing.assert_array_equal(layer(tf.constant(IMAGES), tf.constant(randoms)), IMAGES)


def test_controller_moves_p_by_the_images_seen_every_interval():
    layer = AdaptiveAugmentation(target=0.6, speed=100, interval=2, probability=0.5)
    # Step 1: 10 reals, mean sign 0.8 > target; not a multiple of the interval, so no move.
    layer.accumulate(8.0, 10)
    layer.adjust(tf.constant(1, tf.int64))
    assert float(layer.probability.numpy()) == 0.5
    # Step 2: 20 reals in all, mean sign 0.7: p rises by 20 / 100.
    layer.accumulate(6.0, 10)
    layer.adjust(tf.constant(2, tf.int64))
    assert float(layer.probability.numpy()) == pytest.approx(0.7)
    assert float(layer.sign_count.numpy()) == 0.0 and float(layer.sign_sum.numpy()) == 0.0
    # Steps 3-4: the critic is unsure of the reals (mean sign 0.2): p falls by 30 / 100.
    layer.accumulate(6.0, 30)
    layer.adjust(tf.constant(4, tf.int64))
    assert float(layer.probability.numpy()) == pytest.approx(0.4)
    # p stays in [0, 1].
    layer.accumulate(100.0, 100)
    layer.adjust(tf.constant(6, tf.int64))
    assert float(layer.probability.numpy()) == 1.0


def test_fixed_probability_never_moves():
    layer = AdaptiveAugmentation(target=None, probability=0.3)
    layer.accumulate(10.0, 10)
    layer.adjust(tf.constant(4, tf.int64))
    assert float(layer.probability.numpy()) == pytest.approx(0.3)


def test_example_signs_average_a_logit_map():
    logits = tf.constant([[[1.0, -2.0], [3.0, 4.0]], [[-1.0, -1.0], [-1.0, 0.5]]])
    np.testing.assert_allclose(AdaptiveAugmentation.example_signs(logits), [0.5, -0.5])


def test_config_round_trip():
    layer = AdaptiveAugmentation(target=0.5, speed=1000, interval=3, policy=["xflip", "cutout"])
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert again.get_config() == layer.get_config()
    assert again.policy == ("xflip", "cutout") and again.num_randoms == 6


@pytest.mark.parametrize(
    "options, match",
    [
        ({"target": 1.5}, "target must be in"),
        ({"speed": 0}, "speed must be"),
        ({"interval": 0}, "interval must be"),
        ({"probability": -0.1}, "probability must be"),
        ({"policy": ["xflip", "zoom"]}, "Unknown augmentation 'zoom'"),
        ({"policy": []}, "empty policy"),
        ({"translation": 1.0}, "translation must be"),
    ],
)
def test_bad_settings_name_the_setting(options, match):
    with pytest.raises(ValueError, match=match):
        AdaptiveAugmentation(**options)
