"""Tests for kgan/models/rel_gan.py: Gumbel-softmax steps, the temperature schedules, resume."""

import keras
import numpy as np
import pytest

from kgan.models import rel_gan
from kgan.testing import sequences
from kgan.testing import test_case


def make_model(**settings):
    keras.utils.set_random_seed(0)
    model = sequences.tiny_model(rel_gan.RelGAN)
    model.compile(
        pretrain_generator_epochs=1,
        pretrain_discriminator_epochs=1,
        annealing_steps=4,
        **settings,
    )
    return model


@pytest.mark.parametrize(
    "schedule, expected",
    [
        ("exponential", [1.0, 100**0.25, 10.0, 100**0.75, 100.0, 100.0]),
        ("linear", [1.0, 25.75, 50.5, 75.25, 100.0, 100.0]),
    ],
)
def test_inverse_temperature_schedules(schedule, expected):
    values = [float(rel_gan.inverse_temperature(n, 100.0, 4, schedule)) for n in range(6)]
    np.testing.assert_allclose(values, expected, rtol=1e-5)


@pytest.mark.slow
def test_each_phase_trains_its_networks():
    history = sequences.run_phases_test(
        make_model(), sequences.token_dataset(), ["d_loss", "g_loss", "beta"]
    )
    # Four adversarial steps from beta 1 to 100 (exponential): their mean.
    np.testing.assert_allclose(
        history.history["beta"][0], np.mean([100 ** (n / 4) for n in range(4)]), rtol=1e-5
    )


@pytest.mark.slow
def test_saving_and_exact_resume(tmp_path):
    model = make_model()
    dataset = sequences.token_dataset()
    model.fit(dataset, epochs=3, verbose=0)
    inputs = model.generator.teacher_inputs(sequences.counting_sequences(4))
    test_case.run_model_saving_test(model, tmp_path / "relgan.keras", dataset, inputs)
    loaded = keras.saving.load_model(tmp_path / "relgan.keras")
    assert int(loaded.adversarial_start.numpy()) == 8  # two epochs of 4 steps before it
    test_case.run_backup_and_restore_test(
        make_model, dataset, tmp_path / "backup", epochs=3, interrupt_at=(2, 1)
    )


def test_bad_settings_are_refused():
    model = sequences.tiny_model(rel_gan.RelGAN)
    with pytest.raises(ValueError, match="max_inverse_temperature must be >= 1"):
        model.compile(max_inverse_temperature=0.5)
    with pytest.raises(ValueError, match="temperature_schedule must be one of"):
        model.compile(temperature_schedule="cosine")
    with pytest.raises(ValueError, match="annealing_steps must be >= 1"):
        model.compile(annealing_steps=0)
