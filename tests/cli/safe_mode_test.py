"""Keras' safe mode holds everywhere: a `.keras` file with a `Lambda` layer (arbitrary Python
code) is refused by every command and by kgan's Python loaders, with one line and no code run."""

import keras
import numpy as np
import pytest

import kgan
from kgan.metrics import feature_extractors
from kgan.testing import cli
from kgan.testing import networks

# Set by the Lambda's function if it ever runs.
RAN = []


def _record(x):
    RAN.append(1)
    return x


def save_lambda_gan(path):
    """A tiny image GAN whose generator ends in a Lambda layer."""
    base = networks.tiny_image_generator(image_size=8)
    generator = keras.Sequential(
        [keras.Input((8,)), base, keras.layers.Lambda(lambda x: _record(x) * 1.0)]
    )
    model = kgan.GAN(generator, networks.tiny_image_discriminator(8), seed=0)
    model.compile()
    model.save(path)
    RAN.clear()
    return str(path)


def save_lambda_extractor(path):
    extractor = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Lambda(lambda x: x[:, :4])]
    )
    extractor.save(path)
    return str(path)


@pytest.mark.parametrize(
    "command",
    [
        ["sample", "{model}", "--num", "4", "--out", "{out}/grid.png"],
        ["export", "{model}", "--out", "{out}/export"],
        ["invert", "{model}", "--input", "{images}", "--out", "{out}/z.npz"],
        ["translate", "{model}", "--input", "{images}", "--out", "{out}/t.npy"],
        ["evaluate", "{model}", "--data", "digits", "--extractor", "digits", "--num", "8"],
    ],
    ids=lambda command: command[0],
)
def test_every_command_refuses_a_lambda_model(tmp_path, capsys, command):
    model = save_lambda_gan(tmp_path / "lambda.keras")
    images = tmp_path / "images.npy"
    np.save(images, np.zeros((2, 8, 8, 1), np.float32))
    out = tmp_path / "out"
    argv = [item.format(model=model, out=out, images=images) for item in command]
    code, line = cli.run_error(argv, capsys)
    assert code != 0 and "Lambda" in line and "cannot load" in line, line
    assert not out.exists() and RAN == []


def test_stats_and_evaluate_refuse_a_lambda_extractor(tmp_path, capsys, model_path):
    extractor = save_lambda_extractor(tmp_path / "extractor.keras")
    for argv in (
        ["stats", "digits", "--extractor", extractor, "--out", tmp_path / "s.npz"],
        ["evaluate", model_path, "--data", "digits", "--extractor", extractor, "--num", "8"],
    ):
        code, line = cli.run_error(argv, capsys)
        assert code != 0 and "Lambda" in line, line
    assert not (tmp_path / "s.npz").exists()


def test_python_loaders_stay_in_safe_mode(tmp_path):
    path = save_lambda_gan(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="Lambda"):
        keras.saving.load_model(path)
    with pytest.raises(ValueError, match="Lambda"):
        feature_extractors.get(save_lambda_extractor(tmp_path / "extractor.keras"))
    assert RAN == []
