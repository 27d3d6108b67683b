"""Tests for kgan/models/mali_gan.py: importance-weighted steps in `fit`, saving, resume."""

import keras
import numpy as np
import pytest

from kgan.models import mali_gan
from kgan.testing import sequences
from kgan.testing import test_case


def make_model():
    keras.utils.set_random_seed(0)
    model = sequences.tiny_model(mali_gan.MaliGAN)
    model.compile(pretrain_generator_epochs=1, pretrain_discriminator_epochs=1)
    return model


@pytest.mark.slow
def test_each_phase_trains_its_networks():
    history = sequences.run_phases_test(
        make_model(), sequences.token_dataset(), ["d_loss", "g_loss", "weight_max"]
    )
    # Normalised to mean 1: the largest weight is between 1 and the batch size.
    assert 1.0 <= history.history["weight_max"][0] <= 16.0


@pytest.mark.slow
def test_saving_and_exact_resume(tmp_path):
    model = make_model()
    dataset = sequences.token_dataset()
    model.fit(dataset, epochs=3, verbose=0)
    inputs = model.generator.teacher_inputs(sequences.counting_sequences(4))
    test_case.run_model_saving_test(model, tmp_path / "maligan.keras", dataset, inputs)
    test_case.run_backup_and_restore_test(
        make_model, dataset, tmp_path / "backup", epochs=3, interrupt_at=(2, 0)
    )


def test_a_critic_that_cannot_tell_gives_no_gradient():
    # Equal logits for every sample: every weight is 1, every advantage 0, the loss 0.
    model = make_model()
    model.discriminator.get_layer("logit").kernel.assign(
        np.zeros_like(model.discriminator.get_layer("logit").kernel.numpy())
    )
    model.enter_phase(2)
    before = test_case.weights_of(model.generator)
    model.fit(sequences.token_dataset(num=16), epochs=3, initial_epoch=2, verbose=0)
    assert not test_case.changed(before, model.generator)
