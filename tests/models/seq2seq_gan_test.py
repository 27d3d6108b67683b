"""Tests for kgan/models/seq2seq_gan.py: phases, mismatched pairs, the reversal task, resume."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.data import sequence_tasks
from kgan.data import vocabulary as vocabulary_lib
from kgan.losses import adversarial
from kgan.models import noise
from kgan.models import seq2seq_gan
from kgan.networks import seq2seq_generator
from kgan.networks import sequence_pair_discriminator
from kgan.testing import sequences
from kgan.testing import test_case


def make_model(pretrain_discriminator_epochs=1, **settings):
    keras.utils.set_random_seed(0)
    model = sequences.tiny_seq2seq_model()
    model.compile(
        pretrain_generator_epochs=1,
        pretrain_discriminator_epochs=pretrain_discriminator_epochs,
        annealing_steps=4,
        **settings,
    )
    return model


@pytest.mark.slow
def test_each_phase_trains_its_networks():
    history = sequences.run_phases_test(
        make_model(),
        sequences.reversal_dataset(),
        ["d_loss", "g_loss", "mismatch_loss", "beta"],
        pretrain_logs=("d_loss", "mismatch_loss"),
    )
    assert history.history["beta"][0] > 1.0


def test_discriminator_loss_mixes_the_mismatched_pairs_as_written():
    model = make_model(mismatch_weight=0.5, loss="non_saturating")
    sources, targets = sequence_tasks.task_pairs(8, sequences.LENGTH, sequences.VOCAB_SIZE)
    fake = np.roll(targets, 1, axis=1)
    layout_step = tf.constant(3, tf.int64)
    layout = noise.batch_layout(tf.constant(8))
    batch = (tf.constant(sources), tf.constant(targets))
    got = model.discriminator_loss(batch, tf.constant(fake), layout_step, 0, layout, False)
    wrong = model._mismatched(tf.constant(targets), layout, layout_step, 0).numpy()
    # Each wrong target is another example's target (never the row's own).
    owner = [int(np.flatnonzero((targets == row).all(1))[0]) for row in wrong]
    assert all(o != i for i, o in enumerate(owner)), owner
    d = model.discriminator
    real_logits = d([sources, targets]).numpy()[:, 0]
    fake_logits = d([sources, fake]).numpy()[:, 0]
    wrong_logits = d([sources, wrong]).numpy()[:, 0]
    _, family = adversarial.get("non_saturating")
    plain = family(real_logits, fake_logits).numpy()
    mismatch = family(real_logits, wrong_logits).numpy()
    # softplus(-r) + softplus(f) by hand, for the family's value itself.
    np.testing.assert_allclose(
        plain, np.log1p(np.exp(-real_logits)) + np.log1p(np.exp(fake_logits)), rtol=1e-5
    )
    np.testing.assert_allclose(got.numpy(), (plain + 0.5 * mismatch) / 1.5, rtol=1e-5)


@pytest.mark.slow
def test_mismatch_weight_zero_leaves_out_the_wrong_pairs():
    model = make_model(mismatch_weight=0.0)
    history = model.fit(sequences.reversal_dataset(), epochs=2, verbose=0)
    assert set(history.history) == {"mle_loss", "d_loss", "phase"}


@pytest.mark.slow
def test_learns_to_reverse_sequences_and_keeps_the_source_in_the_outputs():
    keras.utils.set_random_seed(1)
    generator = seq2seq_generator.Seq2SeqGenerator(6, 5, 6, 5, embedding_dim=16, hidden_dim=48)
    discriminator = sequence_pair_discriminator.SequencePairDiscriminator(
        6, 5, 6, 5, embedding_dim=16, filter_sizes=(1, 2), num_filters=16, dropout=0.0
    )
    model = seq2seq_gan.Seq2SeqGAN(generator, discriminator, seed=0)
    model.compile(
        pretrain_generator_epochs=6,
        pretrain_discriminator_epochs=1,
        adversarial_learning_rate=1e-4,
        annealing_steps=20,
        discriminator_optimizer=keras.optimizers.Adam(3e-3),
    )
    dataset = sequence_tasks.task_dataset(1024, 32, length=5, vocab_size=6, seed=0)
    model.fit(dataset, epochs=8, verbose=0)
    assert float(model.generator_optimizer.learning_rate) == pytest.approx(1e-4)
    sources, targets = sequence_tasks.task_pairs(300, 5, 6, "reverse", seed=9)
    exact, token = sequence_tasks.task_accuracy(model.generate(sources, greedy=True), targets)
    # Chance is 1/6 per token; a model that ignored its source could not pass 1/6 either.
    assert token > 0.8 and exact > 0.4, (exact, token)
    # The discriminator tells right pairs from mismatched ones (loss below log 2).
    real = model.discriminator([sources, targets]).numpy()
    wrong = model.discriminator([sources, np.roll(targets, 1, axis=0)]).numpy()
    assert np.mean(real > wrong) > 0.7


@pytest.mark.slow
def test_generate_is_seeded_and_saved_models_resume_exactly(tmp_path):
    model = make_model()
    dataset = sequences.reversal_dataset()
    model.fit(dataset, epochs=3, verbose=0)
    sources, _ = sequence_tasks.task_pairs(5, sequences.LENGTH, sequences.VOCAB_SIZE, seed=4)
    first = model.generate(sources, seed=7)
    assert first.shape == (5, sequences.LENGTH) and first.dtype == np.int32
    np.testing.assert_array_equal(first, model.generate(sources, seed=7))
    np.testing.assert_array_equal(first[:2], model.generate(sources[:2], seed=7))
    inputs = [sources, model.generator.teacher_inputs(first)]
    loaded = test_case.run_model_saving_test(model, tmp_path / "s2s.keras", dataset, inputs)
    assert loaded.mismatch_weight == model.mismatch_weight
    # Interrupted in the adversarial epoch (the Gumbel noise and beta must resume exactly).
    test_case.run_backup_and_restore_test(
        lambda: make_model(pretrain_discriminator_epochs=0),
        dataset,
        tmp_path / "backup",
        epochs=2,
        interrupt_at=(1, 1),
    )


def test_bad_networks_and_batches_are_refused():
    generator = sequences.tiny_generator()
    discriminator = sequences.tiny_discriminator()
    with pytest.raises(TypeError, match="must read a source sequence"):
        seq2seq_gan.Seq2SeqGAN(generator, discriminator)
    model = sequences.tiny_seq2seq_model()
    with pytest.raises(ValueError, match="mismatch_weight must be >= 0"):
        model.compile(mismatch_weight=-1.0)
    model.compile()
    tokens = sequences.counting_sequences(16)
    with pytest.raises(ValueError, match=r"\(source, target\) pairs"):
        model.fit(tokens, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"Sources must be token ids \[batch, 6\]"):
        model.fit(tokens[:, :4], tokens, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="Sources must be token ids"):
        model.generate(tokens[:, :3])
    with pytest.raises(ValueError, match="adversarial_learning_rate must be > 0"):
        model.compile(adversarial_learning_rate=0.0)


def test_vocabularies_translate_sentences_and_are_saved(tmp_path):
    source_words = ["un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit"]
    target_words = ["one", "two", "three", "four", "five", "six", "seven", "eight"]
    model = sequences.tiny_seq2seq_model(
        vocabulary=vocabulary_lib.Vocabulary(target_words),
        source_vocabulary=vocabulary_lib.Vocabulary(source_words),
    )
    model.compile()
    texts = ["un deux trois", "huit sept"]
    translated = model.translate_text(texts, seed=2)
    sources = model.source_vocabulary.encode(texts, sequences.LENGTH)
    expected = model.vocabulary.decode(model.generate(sources, seed=2, end_token=3))
    assert translated == expected and all(isinstance(text, str) for text in translated)
    assert set(" ".join(translated).split()) <= set(target_words) | {"[UNK]", "[SOS]"}
    model.save(tmp_path / "s2s.keras")
    loaded = keras.saving.load_model(tmp_path / "s2s.keras")
    assert loaded.source_vocabulary == model.source_vocabulary
    assert loaded.vocabulary == model.vocabulary
    assert loaded.translate_text(texts, seed=2) == translated

    with pytest.raises(ValueError, match=r"source_vocabulary has 6 tokens .* source_vocab_size"):
        sequences.tiny_seq2seq_model(source_vocabulary=vocabulary_lib.Vocabulary(["a", "b"]))
    with pytest.raises(ValueError, match="translate_text needs the model's source_vocabulary"):
        sequences.tiny_seq2seq_model().translate_text(texts)
