"""Tests for kgan/callbacks/best_checkpoint.py: the best model by a generative metric, kept."""

import json
import warnings

import keras
import numpy as np
import pytest

from kgan.callbacks import best_checkpoint
from kgan.callbacks import generative_metrics
from kgan.models import gan as gan_lib
from kgan.testing import extractors
from kgan.testing import networks
from kgan.testing import test_case


def tiny_gan():
    gan = gan_lib.GAN(
        networks.tiny_image_generator(latent_dim=8), networks.tiny_image_discriminator(), seed=0
    )
    gan.compile()
    gan(np.zeros((1, 8), np.float32))  # build, so it can be saved before any fit
    return gan


def first_kernel(model):
    return np.array(model.generator.trainable_weights[0].numpy())


def drive(callback, model, logs_per_epoch, start_epoch=0):
    """Runs the callback through epochs whose logs are given; before each, moves the weights
    so that every epoch's model is different. Returns each epoch's first generator kernel."""
    callback.set_model(model)
    callback.on_train_begin()
    kernels = []
    for epoch, logs in enumerate(logs_per_epoch, start=start_epoch):
        variable = model.generator.trainable_weights[0]
        variable.assign(variable + 1.0)
        kernels.append(first_kernel(model))
        callback.on_epoch_end(epoch, dict(logs))
    callback.on_train_end()
    return kernels


@pytest.mark.parametrize(
    "monitor, direction",
    [
        ("fid", "min"),
        ("kid", "min"),
        ("ema_fid", "min"),
        ("nll_test", "min"),
        ("self_bleu_4", "min"),
        ("is", "max"),
        ("precision", "max"),
        ("coverage", "max"),
        ("bleu_4", "max"),
        ("confident_share", "max"),
        ("copy_rate", "min"),
        ("d_loss", None),
    ],
)
def test_directions_of_kgans_metrics(monitor, direction):
    assert best_checkpoint.better_direction(monitor) == direction


def test_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="higher or lower 'g_loss'.*mode='min' or mode='max'"):
        best_checkpoint.BestCheckpoint(tmp_path / "b.keras", monitor="g_loss")
    with pytest.raises(ValueError, match="to a `.keras` file; got filepath="):
        best_checkpoint.BestCheckpoint(tmp_path / "b.h5")
    with pytest.raises(ValueError, match="to a `.weights.h5` file"):
        best_checkpoint.BestCheckpoint(tmp_path / "b.keras", save_weights_only=True)
    with pytest.raises(ValueError, match="mode must be 'min', 'max' or 'auto'"):
        best_checkpoint.BestCheckpoint(tmp_path / "b.keras", mode="lowest")


def test_keeps_the_model_of_the_best_epoch_and_skips_unevaluated_ones(tmp_path):
    path = tmp_path / "best.keras"
    callback = best_checkpoint.BestCheckpoint(path, monitor="fid")
    logs = [{"fid": 5.0}, {"d_loss": 1.0}, {"fid": 7.0}, {"fid": 3.0}, {"fid": float("nan")}]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kernels = drive(callback, tiny_gan(), logs)
    # No warning for the epoch without the metric (ModelCheckpoint warns on each).
    assert not [w for w in caught if issubclass(w.category, UserWarning)]
    assert (callback.best, callback.best_epoch) == (3.0, 3)
    saved = keras.saving.load_model(path)
    np.testing.assert_array_equal(first_kernel(saved), kernels[3])
    assert json.loads((tmp_path / "best.keras.best.json").read_text()) == {
        "monitor": "fid",
        "mode": "min",
        "best": 3.0,
        "epoch": 3,
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.keras", "best.keras.best.json"]


def test_higher_is_better_for_scores_and_weights_only(tmp_path):
    path = tmp_path / "best.weights.h5"
    callback = best_checkpoint.BestCheckpoint(path, monitor="is", save_weights_only=True)
    model = tiny_gan()
    kernels = drive(callback, model, [{"is": 2.0}, {"is": 4.0}, {"is": 3.0}])
    assert callback.best_epoch == 1
    fresh = tiny_gan()
    fresh.load_weights(path)
    np.testing.assert_array_equal(first_kernel(fresh), kernels[1])


def test_a_resumed_run_keeps_a_better_earlier_model(tmp_path):
    path = tmp_path / "best.keras"
    model = tiny_gan()
    first = drive(best_checkpoint.BestCheckpoint(path), model, [{"fid": 2.0}])
    # A new callback (a restarted process) reads the record: a worse FID saves nothing.
    resumed = best_checkpoint.BestCheckpoint(path)
    drive(resumed, model, [{"fid": 4.0}], start_epoch=1)
    assert (resumed.best, resumed.best_epoch) == (2.0, 0)
    np.testing.assert_array_equal(first_kernel(keras.saving.load_model(path)), first[0])
    # The record of another metric does not count for this one.
    other = best_checkpoint.BestCheckpoint(path, monitor="kid")
    drive(other, model, [{"kid": 9.0}], start_epoch=2)
    assert other.best == 9.0


def test_a_failed_save_leaves_the_previous_best_intact(tmp_path, monkeypatch):
    path = tmp_path / "best.keras"
    model = tiny_gan()
    callback = best_checkpoint.BestCheckpoint(path)
    kernels = drive(callback, model, [{"fid": 5.0}])

    def half_written(filepath, *args, **kwargs):
        with open(filepath, "wb") as file:
            file.write(b"PK\x03\x04 half a zip")
        raise OSError("No space left on device")

    monkeypatch.setattr(model, "save", half_written)
    with pytest.raises(OSError, match="No space left"):
        callback.on_epoch_end(1, {"fid": 1.0})
    np.testing.assert_array_equal(first_kernel(keras.saving.load_model(path)), kernels[0])
    assert callback.best == 5.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.keras", "best.keras.best.json"]


def test_warns_when_the_metric_never_came(tmp_path):
    callback = best_checkpoint.BestCheckpoint(tmp_path / "best.keras")
    with pytest.warns(UserWarning, match="saw no 'fid'.*add kgan.callbacks.GenerativeMetrics"):
        drive(callback, tiny_gan(), [{"d_loss": 1.0}])
    assert not (tmp_path / "best.keras").exists()


def test_in_fit_after_generative_metrics_wherever_it_is_listed(tmp_path):
    path = tmp_path / "best.keras"
    real = np.random.default_rng(0).uniform(-1, 1, (48, 8, 8, 1)).astype("float32")
    metrics = generative_metrics.GenerativeMetrics(
        ["fid"], real_data=real, extractor=extractors.tiny_extractor(), num_samples=32,
        batch_size=16, every_n_epochs=2,
    )  # fmt: skip
    best = best_checkpoint.BestCheckpoint(path, verbose=1)
    kernels = []  # the generator after each epoch, as the checkpoint saw it
    snapshot = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: kernels.append(first_kernel(gan))
    )
    gan = gan_lib.GAN(
        networks.tiny_image_generator(latent_dim=8), networks.tiny_image_discriminator(), seed=0
    )
    gan.compile()
    # Listed first: kgan's fit runs GenerativeMetrics before it all the same.
    history = gan.fit(
        test_case.image_dataset(num=32), epochs=4, callbacks=[best, metrics, snapshot], verbose=0
    )
    fids = history.history["fid"]  # epochs 1, 2 and 4 (first, every 2nd, last)
    assert len(fids) == 3
    assert best.best == pytest.approx(min(fids))
    saved = keras.saving.load_model(path)
    assert isinstance(saved, gan_lib.GAN)
    assert best.best_epoch in (0, 1, 3)
    np.testing.assert_array_equal(first_kernel(saved), kernels[best.best_epoch])


def test_a_damaged_record_is_a_clear_error(tmp_path):
    (tmp_path / "best.keras.best.json").write_text("{", encoding="utf-8")
    callback = best_checkpoint.BestCheckpoint(tmp_path / "best.keras")
    with pytest.raises(ValueError, match=r"best.keras.best.json is not a record.*delete it"):
        drive(callback, tiny_gan(), [{"fid": 1.0}])
