"""Tests for kgan/callbacks/generative_metrics.py: fits a tiny GAN and reads back History, the
CSVLogger file and the TensorBoard events."""

import csv

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from kgan.callbacks import generative_metrics
from kgan.metrics import evaluation
from kgan.models import gan as gan_lib
from kgan.testing import conditional
from kgan.testing import extractors
from kgan.testing import networks
from kgan.testing import test_case

NUM_SAMPLES = 32
OPTIONS = {"kid": {"num_subsets": 4, "subset_size": 16}}


def real_images():
    return np.random.default_rng(0).uniform(-1, 1, (48, 8, 8, 1)).astype("float32")


def callback(extractor, **kwargs):
    arguments = dict(
        real_data=real_images(), extractor=extractor, num_samples=NUM_SAMPLES, batch_size=16
    )
    return generative_metrics.GenerativeMetrics(
        ("fid", "kid"), options=OPTIONS, **{**arguments, **kwargs}
    )


def fit(callbacks, epochs):
    gan = gan_lib.GAN(
        networks.tiny_image_generator(latent_dim=8), networks.tiny_image_discriminator(), seed=0
    )
    gan.compile()
    history = gan.fit(
        test_case.image_dataset(num=32), epochs=epochs, callbacks=callbacks, verbose=0
    )
    return gan, history


def scalars(log_dir, tag):
    accumulator = event_accumulator.EventAccumulator(
        str(log_dir), size_guidance={event_accumulator.TENSORS: 0}
    ).Reload()
    if tag not in accumulator.Tags()["tensors"]:
        return None
    return {
        event.step: float(tf.make_ndarray(event.tensor_proto)) for event in accumulator.Tensors(tag)
    }


def test_history_holds_the_values_of_an_evaluator_on_the_trained_model():
    extractor = extractors.tiny_extractor()
    metrics_callback = callback(extractor)
    gan, history = fit([metrics_callback], epochs=2)

    assert len(history.history["fid"]) == len(history.history["kid_std"]) == 2
    assert history.history["fid"][0] != history.history["fid"][1]  # the generator changed
    expected = evaluation.Evaluator(
        ("fid", "kid"), extractor, real_images(), batch_size=16, options=OPTIONS
    ).evaluate(gan, num_samples=NUM_SAMPLES, seed=0)
    for key in ("fid", "kid", "kid_std"):
        assert history.history[key][-1] == expected[key]
    assert metrics_callback.results[1] == expected
    assert "num_samples" not in history.history


def test_every_n_epochs_with_csv_logger_and_tensorboard(tmp_path):
    # Epochs 1 (the first), 3 (every third) and 4 (the last) are evaluated; epoch 2 is not.
    # GAN.fit runs GenerativeMetrics first, so even a TensorBoard listed before it logs them.
    callbacks = [
        keras.callbacks.TensorBoard(tmp_path / "before"),
        callback(extractors.tiny_extractor(), every_n_epochs=3, prefix="ema_"),
        keras.callbacks.CSVLogger(tmp_path / "log.csv"),
        keras.callbacks.TensorBoard(tmp_path / "after"),
    ]
    _, history = fit(callbacks, epochs=4)

    fid = history.history["ema_fid"]
    assert len(fid) == 3 and np.all(np.isfinite(fid))
    assert sorted(callbacks[1].results) == [0, 2, 3]
    with open(tmp_path / "log.csv") as file:
        rows = list(csv.DictReader(file))
    assert [row["ema_fid"] for row in rows][1] == "NA"
    np.testing.assert_allclose([float(rows[i]["ema_fid"]) for i in (0, 2, 3)], fid, rtol=1e-6)
    assert "ema_kid_std" in rows[0]
    for log_dir in ("before", "after"):
        logged = scalars(tmp_path / log_dir / "train", "epoch_ema_fid")
        assert sorted(logged) == [0, 2, 3]
        np.testing.assert_allclose([logged[step] for step in (0, 2, 3)], fid, rtol=1e-6)


def test_model_without_generate_fails_before_training():
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    model.compile(loss="mse")
    with pytest.raises(ValueError, match="Sequential does not have"):
        model.fit(
            real_images().reshape(48, 64),
            np.zeros(48),
            callbacks=[callback(extractors.tiny_extractor())],
            verbose=0,
        )
    assert model.optimizer.iterations.numpy() == 0


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="`every_n_epochs` must be a positive integer"):
        callback(extractors.tiny_extractor(), every_n_epochs=0)
    with pytest.raises(ValueError, match="Unknown metric"):
        generative_metrics.GenerativeMetrics(["fid", "inception"], real_data=real_images())
    with pytest.raises(ValueError, match="condition_source must be one of"):
        callback(extractors.tiny_extractor(), condition_source="labels")


def test_conditional_gan_logs_condition_accuracy():
    extractor = extractors.tiny_extractor()  # 3 classes, as many as the model's
    labels = np.arange(48) % 3
    metrics_callback = generative_metrics.GenerativeMetrics(
        ("fid", "classes"),
        real_data=(real_images(), labels),
        extractor=extractor,
        num_samples=NUM_SAMPLES,
        batch_size=16,
    )
    model = conditional.tiny_image_conditional_gan()
    dataset = tf.data.Dataset.from_tensor_slices((real_images(), labels)).batch(16)
    history = model.fit(dataset, epochs=2, callbacks=[metrics_callback], verbose=0)

    accuracy = history.history["condition_accuracy"]
    assert len(accuracy) == 2 and all(0.0 <= value <= 1.0 for value in accuracy)
    expected = evaluation.Evaluator(
        ("fid", "classes"), extractor, (real_images(), labels), batch_size=16
    ).evaluate(model, num_samples=NUM_SAMPLES, seed=0)
    assert metrics_callback.results[1] == expected
    assert history.history["fid"][-1] == expected["fid"]
