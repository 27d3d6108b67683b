"""Tests for kgan/models/seq_gan.py: phases in `fit`, rollouts, saving, exact resume, errors."""

import keras
import numpy as np
import pytest

from kgan.models import seq_gan
from kgan.testing import sequences
from kgan.testing import test_case


def make_model(**settings):
    keras.utils.set_random_seed(0)
    model = sequences.tiny_model(seq_gan.SeqGAN)
    settings = {
        "pretrain_generator_epochs": 1,
        "pretrain_discriminator_epochs": 1,
        "num_rollouts": 2,
        **settings,
    }
    model.compile(**settings)
    return model


@pytest.mark.slow
def test_each_phase_trains_its_networks():
    model = make_model(discriminator_steps=2)
    history = sequences.run_phases_test(
        model, sequences.token_dataset(), ["d_loss", "g_loss", "reward"]
    )
    assert 0 < history.history["reward"][0] < 1
    # The rollout policy starts as the pre-trained generator, then trails it.
    policy = [w.numpy() for w in model.rollout_policy.weights]
    assert not all(np.array_equal(a, b.numpy()) for a, b in zip(policy, model.generator.weights))


def test_maximum_likelihood_learns_the_counting_sequences():
    model = make_model(pretrain_generator_epochs=30)
    history = model.fit(sequences.token_dataset(), epochs=30, verbose=0)
    assert history.history["mle_loss"][-1] < 0.5 * history.history["mle_loss"][0]
    tokens = model.generate(50, seed=0, greedy=True)
    # Greedy samples count up: each next token is the last plus one.
    follows = np.mean((tokens[:, 1:] - tokens[:, :-1]) % sequences.VOCAB_SIZE == 1)
    assert follows > 0.9, follows


def test_generate_is_seeded_and_shaped():
    model = make_model()
    first = model.generate(10, seed=4, batch_size=3)
    assert first.shape == (10, sequences.LENGTH) and first.dtype == np.int32
    np.testing.assert_array_equal(model.generate(4, seed=4), first[:4])
    assert not np.array_equal(model.generate(10, seed=5), first)
    assert first.min() >= 0 and first.max() < sequences.VOCAB_SIZE
    assert len(np.unique(model.generate(5, greedy=True, seed=1), axis=0)) == 1
    with pytest.raises(ValueError, match="temperature must be > 0"):
        model.generate(3, temperature=0)


def test_end_token_pads_the_rest():
    model = make_model(pad_token=0)
    tokens = model.generate(200, seed=0, end_token=5)
    for row in tokens:
        ends = np.flatnonzero(row == 5)
        if len(ends):
            assert (row[ends[0] + 1 :] == 0).all(), row


@pytest.mark.slow
def test_saving_and_exact_resume(tmp_path):
    model = make_model()
    dataset = sequences.token_dataset()
    model.fit(dataset, epochs=3, verbose=0)
    inputs = model.generator.teacher_inputs(sequences.counting_sequences(4))
    test_case.run_model_saving_test(model, tmp_path / "seqgan.keras", dataset, inputs)
    loaded = keras.saving.load_model(tmp_path / "seqgan.keras")
    assert loaded.phase == 2 and loaded.num_rollouts == 2 and loaded.rollout_update_rate == 0.8
    np.testing.assert_array_equal(loaded.generate(5, seed=1), model.generate(5, seed=1))
    # The phases follow fit's epochs: epoch 3 onwards is adversarial, whatever was loaded.
    loaded.fit(dataset, epochs=4, initial_epoch=3, verbose=0)
    assert loaded.phase == 2
    test_case.run_backup_and_restore_test(
        make_model, dataset, tmp_path / "backup", epochs=3, interrupt_at=(2, 1)
    )


@pytest.mark.slow
def test_bad_settings_and_data_are_refused():
    model = sequences.tiny_model(seq_gan.SeqGAN)
    with pytest.raises(ValueError, match="num_rollouts must be a positive integer"):
        model.compile(num_rollouts=0)
    with pytest.raises(ValueError, match="baseline must be one of"):
        model.compile(baseline="median")
    for penalty in ("r1_weight", "r2_weight"):
        with pytest.raises(ValueError, match="token ids are not"):
            model.compile(**{penalty: 1.0})
    with pytest.raises(ValueError, match="pretrain_generator_epochs must be an integer"):
        model.compile(pretrain_generator_epochs=1.5)
    model.compile()
    with pytest.raises(ValueError, match="integer token ids"):
        model.fit(np.zeros((16, sequences.LENGTH), np.float32), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"token ids \[batch, 6\]"):
        model.fit(np.zeros((16, 9), np.int32), epochs=1, verbose=0)
    with pytest.raises(Exception, match="token ids must be < vocab_size=12"):
        model.fit(np.full((16, sequences.LENGTH), 12, np.int32), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="vocab_size=12 but the discriminator vocab_size=7"):
        seq_gan.SeqGAN(sequences.tiny_generator(), sequences.tiny_discriminator(vocab_size=7))
