"""Every bad input a clear error: a table of mistakes in the Python API (objectives, data,
metrics, callbacks, export). Each raises at once, before any training, with a one-line message
that names the argument and what was wrong. The command line's table is
`tests/cli/bad_input_test.py`."""

import numpy as np
import pytest

import kgan
from kgan.testing import networks


def gan(**options):
    return kgan.GAN(
        networks.tiny_image_generator(image_size=8),
        networks.tiny_image_discriminator(8),
        seed=0,
        **options,
    )


def compiled(**options):
    model = gan()
    model.compile(**options)
    return model


def fit(data, **options):
    compiled().fit(data, epochs=1, verbose=0, **options)


def images(low=-1.0, high=1.0, num=16, size=8, dtype="float32"):
    return np.random.default_rng(0).uniform(low, high, (num, size, size, 1)).astype(dtype)


def with_nan():
    data = images()
    data[0, 0, 0, 0] = np.nan
    return data


# (id, call, error type, words in the message)
ROWS = [
    ("unknown loss", lambda: compiled(loss="bogus"), ValueError, "Unknown adversarial loss"),
    ("unknown optimizer", lambda: compiled(generator_optimizer="nope"), ValueError, "nope"),
    (
        "zero critic steps",
        lambda: compiled(discriminator_steps=0),
        ValueError,
        "discriminator_steps",
    ),  # noqa: E501
    (
        "negative gp",
        lambda: compiled(gradient_penalty_weight=-1),
        ValueError,
        "gradient_penalty_weight",
    ),  # noqa: E501
    ("negative r1", lambda: compiled(r1_weight=-1), ValueError, "r1_weight"),
    ("negative r2", lambda: compiled(r2_weight=-0.5), ValueError, "r2_weight"),
    (
        "zero interval",
        lambda: compiled(r1_weight=1, regularization_interval=0),
        ValueError,
        "regularization_interval",
    ),  # noqa: E501
    ("smoothing of 1.5", lambda: compiled(label_smoothing=1.5), ValueError, "label_smoothing"),
    ("smoothing hinge", lambda: compiled(loss="hinge", label_smoothing=0.1), ValueError, "hinge"),
    ("ema decay 1.5", lambda: gan(ema_decay=1.5), ValueError, "ema_decay"),
    ("ema decay 0", lambda: gan(ema_decay=0.0), ValueError, "ema_decay"),
    ("negative ramp-up", lambda: gan(ema_decay=0.9, ema_ramp_up=-1), ValueError, "ema_ramp_up"),
    (
        "network not a model",
        lambda: kgan.GAN(lambda x: x, networks.tiny_image_discriminator(8)),
        TypeError,
        "keras.Model",
    ),  # noqa: E501
    (
        "latent size",
        lambda: kgan.GAN(
            networks.tiny_image_generator(image_size=8),
            networks.tiny_image_discriminator(8),
            latent_dim=3,
        ),
        ValueError,
        "latent_dim=3",
    ),  # noqa: E501
    (
        "no condition kind",
        lambda: kgan.ConditionalGAN(
            networks.tiny_image_generator(), networks.tiny_image_discriminator()
        ),
        ValueError,
        "num_classes",
    ),  # noqa: E501
    ("generate 0", lambda: compiled().generate(0), ValueError, "num"),
    ("generate -2", lambda: compiled().generate(-2), ValueError, "num"),
    ("fit uint8", lambda: fit(images(0, 255, dtype="uint8"), batch_size=8), ValueError, "uint8"),
    ("fit 0..255 floats", lambda: fit(images(0, 255), batch_size=8), ValueError, "127.5"),
    ("fit NaN", lambda: fit(with_nan(), batch_size=8), ValueError, "NaN"),
    ("fit empty", lambda: fit(images(num=0), batch_size=8), ValueError, "empty"),
    ("fit wrong size", lambda: fit(images(size=5), batch_size=8), ValueError, "(5, 5, 1)"),
    ("ada target 2", lambda: kgan.layers.AdaptiveAugmentation(target=2), ValueError, "target"),
    (
        "ada unknown op",
        lambda: kgan.layers.AdaptiveAugmentation(policy=["zoom"]),
        ValueError,
        "zoom",
    ),  # noqa: E501
    ("dataset typo", lambda: kgan.data.load("mnst"), kgan.data.DataError, "mnst"),
    (
        "floats out of range",
        lambda: kgan.data.from_arrays(images() + 3, batch_size=4),
        kgan.data.DataError,
        "value_range",
    ),  # noqa: E501
    (
        "batch over data",
        lambda: kgan.data.from_arrays(images(num=4), batch_size=8),
        kgan.data.DataError,
        "batch_size=8",
    ),  # noqa: E501
    (
        "rank-1 images",
        lambda: kgan.data.from_arrays(np.zeros(4, "uint8"), batch_size=2),
        kgan.data.DataError,
        "shape",
    ),  # noqa: E501
    (
        "missing folder",
        lambda: kgan.data.from_folder("/no/such/folder"),
        kgan.data.DataError,
        "does not exist",
    ),  # noqa: E501
    (
        "unreadable option",
        lambda: kgan.data.from_folder(".", unreadable="ignore"),
        kgan.data.DataError,
        "unreadable",
    ),  # noqa: E501
    (
        "extractor by name",
        lambda: kgan.metrics.FrechetDistance(feature_extractor="inception"),
        TypeError,
        "feature_extractors.get",
    ),  # noqa: E501
    (
        "export format",
        lambda: kgan.export.export_generator(compiled(), "unused", format="onnx3"),
        ValueError,
        "onnx3",
    ),  # noqa: E501
    (
        "export quantize",
        lambda: kgan.export.export_generator(
            compiled(), "unused", format="tflite", quantize="int4"
        ),
        ValueError,
        "int4",
    ),  # noqa: E501
    (
        "best checkpoint suffix",
        lambda: kgan.callbacks.BestCheckpoint("best.txt"),
        ValueError,
        ".keras",
    ),  # noqa: E501
]


@pytest.mark.parametrize("call, error, words", [row[1:] for row in ROWS], ids=[r[0] for r in ROWS])
def test_each_bad_argument_is_one_clear_line(call, error, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may be written; if it were, it lands here
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    assert words in message, message
    assert "\n" not in message.strip(), message
    assert list(tmp_path.iterdir()) == []
