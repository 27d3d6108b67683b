"""Tiny sequence objectives and token data, for the tests of every sequence GAN."""

import numpy as np
import tensorflow as tf

from kgan.networks import recurrent_generator
from kgan.networks import sequence_discriminator

VOCAB_SIZE = 12
LENGTH = 6
# With the four special tokens, exactly VOCAB_SIZE ids.
WORDS = ("the", "cat", "dog", "sat", "ran", "a", "mat", "on")


def tiny_generator(vocab_size=VOCAB_SIZE, length=LENGTH, cell="lstm"):
    """A `RecurrentGenerator` with 8-wide embeddings and 16 units."""
    return recurrent_generator.RecurrentGenerator(
        vocab_size, length, embedding_dim=8, hidden_dim=16, cell=cell
    )


def tiny_discriminator(vocab_size=VOCAB_SIZE, length=LENGTH):
    """A `SequenceDiscriminator` with widths 1-3, 6 filters each, no dropout."""
    return sequence_discriminator.SequenceDiscriminator(
        vocab_size, length, embedding_dim=8, filter_sizes=(1, 2, 3), num_filters=6, dropout=0.0
    )


def tiny_model(objective_class, seed=3, **network_options):
    """An untrained `objective_class` (a `SequenceGAN`) on the tiny networks."""
    return objective_class(tiny_generator(**network_options), tiny_discriminator(), seed=seed)


def tiny_text_model(objective_class=None, seed=3, compile=True):
    """A tiny sequence GAN (default `SeqGAN`) with a vocabulary of `WORDS`, compiled."""
    from kgan.data import vocabulary as vocabulary_lib
    from kgan.models import seq_gan

    objective_class = objective_class or seq_gan.SeqGAN
    model = objective_class(
        tiny_generator(),
        tiny_discriminator(),
        seed=seed,
        vocabulary=vocabulary_lib.Vocabulary(list(WORDS)),
    )
    if compile:
        model.compile()  # pads with the vocabulary's [PAD] from here on
    return model


def counting_sequences(num=64, vocab_size=VOCAB_SIZE, length=LENGTH, seed=0):
    """Sequences that count up from a random start modulo `vocab_size`: int32 `[num, length]`.

    Learnable (every next token follows from the last) and unlike uniform tokens, so the
    maximum-likelihood loss and the discriminator both have something to learn.
    """
    starts = np.random.default_rng(seed).integers(0, vocab_size, (num, 1))
    return ((starts + np.arange(length)[None, :]) % vocab_size).astype(np.int32)


def token_dataset(num=64, batch_size=16, seed=0):
    """An unshuffled dataset of `counting_sequences` batches."""
    tokens = counting_sequences(num, seed=seed)
    return tf.data.Dataset.from_tensor_slices(tokens).batch(batch_size, drop_remainder=True)


def run_phases_test(model, dataset, adversarial_logs, pretrain_logs=("d_loss",)):
    """Fits one epoch of each phase and checks what each trained and logged.

    `model` must be compiled with one epoch of each pre-training. Maximum likelihood changes
    only the generator, discriminator pre-training only the discriminator, the adversarial
    epoch both; each epoch logs its phase's losses (all finite) and `phase`.

    Returns:
        The `History` of the three epochs.
    """
    from kgan.testing import test_case

    logs_of_phase = [{"mle_loss"}, set(pretrain_logs), set(adversarial_logs)]
    history = None
    for epoch, expected in enumerate(logs_of_phase):
        generator = test_case.weights_of(model.generator)
        discriminator = test_case.weights_of(model.discriminator)
        history = model.fit(dataset, epochs=epoch + 1, initial_epoch=epoch, verbose=0)
        assert set(history.history) == expected | {"phase"}, (epoch, sorted(history.history))
        assert history.history["phase"] == [float(epoch)], history.history["phase"]
        for key, values in history.history.items():
            assert np.all(np.isfinite(values)), (key, values)
        assert model.phase == epoch
        assert test_case.changed(generator, model.generator) == (epoch != 1), epoch
        assert test_case.changed(discriminator, model.discriminator) == (epoch != 0), epoch
    return history


def tiny_seq2seq_model(seed=3, source_vocab_size=VOCAB_SIZE, source_length=LENGTH, **kwargs):
    """An untrained `kgan.Seq2SeqGAN` on a 16-unit encoder-decoder and a tiny pair critic.

    `**kwargs` go to `Seq2SeqGAN` (e.g. `vocabulary`, `source_vocabulary`).
    """
    from kgan.models import seq2seq_gan
    from kgan.networks import seq2seq_generator
    from kgan.networks import sequence_pair_discriminator

    generator = seq2seq_generator.Seq2SeqGenerator(
        source_vocab_size, source_length, VOCAB_SIZE, LENGTH, embedding_dim=8, hidden_dim=16
    )
    discriminator = sequence_pair_discriminator.SequencePairDiscriminator(
        source_vocab_size,
        source_length,
        VOCAB_SIZE,
        LENGTH,
        source_hidden_dim=8,
        embedding_dim=8,
        filter_sizes=(1, 2, 3),
        num_filters=6,
        dropout=0.0,
    )
    return seq2seq_gan.Seq2SeqGAN(generator, discriminator, seed=seed, **kwargs)


def reversal_dataset(num=64, batch_size=16, seed=0):
    """An unshuffled dataset of (source, reversed source) batches over the tiny vocabulary."""
    from kgan.data import sequence_tasks

    sources, targets = sequence_tasks.task_pairs(num, LENGTH, VOCAB_SIZE, "reverse", seed)
    dataset = tf.data.Dataset.from_tensor_slices((sources, targets))
    return dataset.batch(batch_size, drop_remainder=True)


def save_tiny_sequence_gan(path, objective_class=None, seed=3):
    """Saves an untrained tiny sequence GAN (`SeqGAN` by default) to `path`; returns `path`."""
    if objective_class is None:
        from kgan.models import seq_gan

        objective_class = seq_gan.SeqGAN
    model = tiny_model(objective_class, seed=seed)
    model.compile()
    model.save(path)
    return path
