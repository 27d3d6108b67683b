"""Tests for kgan/networks/transformer_generator.py: causal; cached steps equal teacher forcing."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.models import rel_gan
from kgan.models import seq_gan
from kgan.networks import sequence_sampling
from kgan.networks import transformer_generator
from kgan.testing import sequences


def tiny_transformer(**options):
    """A two-block `TransformerGenerator` 16 wide, over the tiny vocabulary and length."""
    options = {"num_layers": 2, "num_heads": 2, "model_dim": 16, "feedforward_dim": 32, **options}
    return transformer_generator.TransformerGenerator(
        sequences.VOCAB_SIZE, sequences.LENGTH, **options
    )


def replay(generator, tokens):
    """Free running with every token forced from `tokens`: `(tokens, logits)` of each step."""
    rows = len(tokens)
    return generator.unroll(
        lambda logits, t: tf.zeros([rows], tf.int32),
        rows,
        prefix=tf.constant(tokens),
        prefix_length=tf.fill([rows], tokens.shape[1]),
        keep_logits=True,
    )


def test_teacher_forcing_equals_stepping():
    keras.utils.set_random_seed(1)
    generator = tiny_transformer()
    tokens = sequences.counting_sequences(5)
    forced = generator(generator.teacher_inputs(tokens))
    assert forced.shape == (5, sequences.LENGTH, sequences.VOCAB_SIZE)
    assert forced.dtype == tf.float32
    # The cached one-position steps compute the teacher-forced logits.
    replayed, logits = replay(generator, tokens)
    assert replayed.dtype == tf.int32 and logits.dtype == tf.float32
    np.testing.assert_array_equal(replayed.numpy(), tokens)
    np.testing.assert_allclose(logits.numpy(), forced.numpy(), atol=1e-5)


def test_logits_are_causal():
    generator = tiny_transformer()
    inputs = generator.teacher_inputs(sequences.counting_sequences(3)).numpy()
    before = generator(inputs).numpy()
    for t in range(1, sequences.LENGTH):
        changed = inputs.copy()
        changed[:, t] = (changed[:, t] + 5) % sequences.VOCAB_SIZE
        after = generator(changed).numpy()
        # The input at t is the token y_{t-1}: the logits of y_0 .. y_{t-1} cannot see it.
        np.testing.assert_array_equal(after[:, :t], before[:, :t])
        assert not np.allclose(after[:, t], before[:, t]), t


def test_state_rows_can_be_gathered():
    generator = tiny_transformer()
    tokens = tf.constant(sequences.counting_sequences(4))
    state = generator.initial_state(4)
    assert all(tensor.shape[0] == 4 for tensor in state)
    assert state[1].shape == (4, sequences.LENGTH, 2, 8)
    for t in range(3):
        _, state = generator.step(tokens[:, t], state)
    # Rows of a state are independent: gathering them is stepping the gathered rows.
    rows = [2, 0, 2]
    gathered = [tf.gather(tensor, rows) for tensor in state]
    fresh = generator.initial_state(3)
    for t in range(3):
        _, fresh = generator.step(tf.gather(tokens[:, t], rows), fresh)
    np.testing.assert_allclose(
        generator.step(tf.gather(tokens[:, 3], rows), gathered)[0].numpy(),
        generator.step(tf.gather(tokens[:, 3], rows), fresh)[0].numpy(),
        atol=1e-6,
    )


@pytest.mark.slow
def test_sampling_compiles_with_xla():
    generator = tiny_transformer()
    uniforms = tf.constant(np.random.default_rng(0).random((4, sequences.LENGTH), np.float32))
    sample = tf.function(
        lambda u: sequence_sampling.tokens_from_uniforms(generator, u, 1.0), jit_compile=True
    )
    compiled = sample(uniforms).numpy()
    assert compiled.shape == (4, sequences.LENGTH) and compiled.dtype == np.int32
    assert compiled.min() >= 0 and compiled.max() < sequences.VOCAB_SIZE
    np.testing.assert_array_equal(compiled, sequence_sampling.sample_uniforms(generator, uniforms))


def test_save_and_load(tmp_path):
    generator = tiny_transformer(num_layers=1, dropout=0.1)
    inputs = generator.teacher_inputs(sequences.counting_sequences(3))
    generator.save(tmp_path / "generator.keras")
    loaded = keras.saving.load_model(tmp_path / "generator.keras")
    assert isinstance(loaded, transformer_generator.TransformerGenerator)
    assert loaded.get_config() == generator.get_config()
    np.testing.assert_array_equal(loaded(inputs).numpy(), generator(inputs).numpy())


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="vocab_size"):
        transformer_generator.TransformerGenerator(0, 5)
    with pytest.raises(ValueError, match="num_layers"):
        transformer_generator.TransformerGenerator(10, 5, num_layers=0)
    with pytest.raises(ValueError, match="multiple of num_heads"):
        transformer_generator.TransformerGenerator(10, 5, num_heads=3, model_dim=16)
    with pytest.raises(ValueError, match="dropout must be"):
        transformer_generator.TransformerGenerator(10, 5, dropout=1.0)
    generator = tiny_transformer(num_layers=1)
    with pytest.raises(ValueError, match="at most max_length"):
        generator(tf.zeros([2, sequences.LENGTH + 1], tf.int32))
    with pytest.raises(ValueError, match="length must be in"):
        generator.unroll(lambda logits, t: tf.zeros([2], tf.int32), 2, length=sequences.LENGTH + 1)
    with pytest.raises(ValueError, match="needs prefix_length"):
        generator.unroll(lambda logits, t: tf.zeros([2], tf.int32), 2, prefix=tf.zeros([2, 6]))
    with pytest.raises(ValueError, match="expects a state of"):
        generator.step(tf.zeros([2], tf.int32), generator.initial_state(2)[:2])


@pytest.mark.slow
@pytest.mark.parametrize(
    "objective_class, settings, adversarial_logs",
    [
        (seq_gan.SeqGAN, {"num_rollouts": 2}, ["d_loss", "g_loss", "reward"]),
        (rel_gan.RelGAN, {"annealing_steps": 4}, ["d_loss", "g_loss", "beta"]),
    ],
)
def test_sequence_gans_train_it(tmp_path, objective_class, settings, adversarial_logs):
    keras.utils.set_random_seed(0)
    generator = tiny_transformer(num_layers=1)
    model = objective_class(generator, sequences.tiny_discriminator(), seed=3)
    model.compile(pretrain_generator_epochs=1, pretrain_discriminator_epochs=1, **settings)
    dataset = sequences.token_dataset(num=32)
    # Maximum likelihood, then the discriminator, then the adversarial epoch: each changes
    # the networks it should (the generator's weights in the first and the last), logs finite.
    sequences.run_phases_test(model, dataset, adversarial_logs)
    # The saved model comes back with its generator's class, weights and logits.
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert isinstance(loaded.generator, transformer_generator.TransformerGenerator)
    inputs = model.generator.teacher_inputs(sequences.counting_sequences(4))
    np.testing.assert_array_equal(loaded.generator(inputs).numpy(), model.generator(inputs).numpy())
    np.testing.assert_array_equal(loaded.generate(5, seed=1), model.generate(5, seed=1))
