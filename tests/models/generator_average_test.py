"""The EMA generator (`kgan.models.generator_average`): its decay, its weights after k steps
against the closed form, sampling from it, saving, resuming and every objective."""

import math

import keras
import numpy as np
import pytest

import kgan
from kgan.models import generator_average
from kgan.testing import networks
from kgan.testing import objectives
from kgan.testing import test_case


def tiny_gan(**options):
    keras.utils.set_random_seed(4)
    gan = kgan.GAN(
        networks.tiny_image_generator(), networks.tiny_image_discriminator(), seed=5, **options
    )
    gan.compile()
    return gan


class RecordGenerators(keras.callbacks.Callback):
    """Each generator's weights before training and after every step."""

    def __init__(self, roles):
        super().__init__()
        self.roles, self.history = roles, {role: [] for role in roles}

    def record(self):
        for role in self.roles:
            self.history[role].append([w.numpy().copy() for w in getattr(self.model, role).weights])

    def on_train_begin(self, logs=None):
        self.record()

    def on_train_batch_end(self, batch, logs=None):
        self.record()


def beta_by_hand(t, decay, ramp_up, start_step):
    if t <= start_step:
        return 0.0
    if ramp_up is None:
        return decay
    half_life = min(math.log(0.5) / math.log(decay), ramp_up * t)
    return 0.5 ** (1.0 / half_life)


def test_decay_at_by_hand():
    assert float(generator_average.decay_at(7, 0.9)) == pytest.approx(0.9)
    # decay 0.999 is a half-life of 692.8 steps; a ramp-up of 0.5 caps it at t / 2 early on.
    assert float(generator_average.decay_at(2, 0.999, ramp_up=0.5)) == pytest.approx(0.5)
    assert float(generator_average.decay_at(8, 0.999, ramp_up=0.5)) == pytest.approx(0.5**0.25)
    assert float(generator_average.decay_at(10_000, 0.999, ramp_up=0.5)) == pytest.approx(0.999)
    assert float(generator_average.decay_at(3, 0.9, start_step=3)) == 0.0
    assert float(generator_average.decay_at(4, 0.9, start_step=3)) == pytest.approx(0.9)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"ema_decay": 1.0}, "ema_decay must be in (0, 1)"),
        ({"ema_decay": 0.0}, "ema_decay must be in (0, 1)"),
        ({"ema_decay": 0.9, "ema_ramp_up": 0.0}, "ema_ramp_up must be positive"),
        ({"ema_decay": 0.9, "ema_start_step": -1}, "ema_start_step must be >= 0"),
        ({"ema_ramp_up": 0.05}, "set ema_decay"),
    ],
)
def test_bad_settings_are_refused_with_the_fix(options, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tiny_gan(**options)


def test_ema_after_k_steps_equals_the_closed_form():
    decay, steps = 0.8, 4
    gan = tiny_gan(ema_decay=decay)
    record = RecordGenerators(["generator"])
    gan.fit(test_case.image_dataset(num=16 * steps), epochs=1, verbose=0, callbacks=[record])
    weights = record.history["generator"]  # w_0 .. w_k
    assert len(weights) == steps + 1
    for index, average in enumerate(gan.generator_ema.weights):
        # ema_k = decay^k w_0 + (1 - decay) sum_i decay^(k - i) w_i
        expected = decay**steps * weights[0][index] + sum(
            (1 - decay) * decay ** (steps - i) * weights[i][index] for i in range(1, steps + 1)
        )
        np.testing.assert_allclose(average.numpy(), expected, rtol=1e-5, atol=1e-6)
    # The average moved with training but is not the generator.
    assert not np.allclose(gan.generator_ema.weights[0].numpy(), gan.generator.weights[0].numpy())
    assert not np.allclose(gan.generator_ema.weights[0].numpy(), weights[0][0])


@pytest.mark.slow
@pytest.mark.parametrize("objective", objectives.OBJECTIVES)
def test_every_objective_averages_each_generator_with_ramp_up_and_start(objective):
    settings = {"ema_decay": 0.9, "ema_ramp_up": 0.5, "ema_start_step": 1}
    model = objectives.tiny_model(objective, **settings)
    # The tiny CycleGAN's domains have 1 and 3 channels: no identity loss.
    model.compile(**({"identity_weight": 0.0} if objective == "cycle_gan" else {}))
    roles = model.generator_roles
    assert roles == (
        ("generator_ab", "generator_ba") if objective == "cycle_gan" else ("generator",)
    )
    record = RecordGenerators(roles)
    model.fit(objectives.tiny_dataset(objective, num=48), epochs=1, verbose=0, callbacks=[record])
    for role in roles:
        history = record.history[role]
        trainable = {id(w) for w in getattr(model, role).trainable_weights}
        is_trainable = [id(w) in trainable for w in getattr(model, role).weights]
        expected = [w.copy() for w in history[0]]
        for t in range(1, len(history)):
            beta = beta_by_hand(t, **{k[4:]: v for k, v in settings.items()})
            expected = [
                new + beta * (old - new) if train else new
                for old, new, train in zip(expected, history[t], is_trainable)
            ]
        for average, value in zip(model.averaged_network(role).weights, expected):
            np.testing.assert_allclose(average.numpy(), value, rtol=1e-5, atol=1e-6)
        direction = {"generator_ab": ["a2b"], "generator_ba": ["b2a"]}.get(role, [])
        assert model.served_generator(*direction).network is model.averaged_network(role)


def test_sampling_uses_the_average_and_the_raw_generator_is_one_flag_away():
    gan = tiny_gan(ema_decay=0.5)
    gan.fit(test_case.image_dataset(num=32), epochs=1, verbose=0)
    latent = kgan.models.sampling.latent_vectors(6, gan.latent_dim, 3)
    averaged = keras.ops.convert_to_numpy(gan.generator_ema(latent, training=False))
    raw = keras.ops.convert_to_numpy(gan.generator(latent, training=False))
    assert not np.allclose(averaged, raw)
    np.testing.assert_array_equal(gan.generate(6, seed=3), averaged)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(gan(latent)), averaged)
    assert gan.served_generator().network is gan.generator_ema
    # Training calls run the raw generator; so does sampling with the flag off.
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(gan(latent, training=True)), raw)
    assert gan.sampling_network(ema=False) is gan.generator
    gan.sample_with_ema = False
    np.testing.assert_array_equal(gan.generate(6, seed=3), raw)
    assert gan.served_generator().network is gan.generator


def test_a_model_without_ema_keeps_its_config_and_says_how_to_get_one():
    gan = tiny_gan()
    assert not gan.has_ema and "ema_decay" not in gan.get_config()
    assert gan.sampling_network() is gan.generator
    with pytest.raises(ValueError, match=r"construct it with ema_decay="):
        gan.sampling_network(ema=True)


def test_the_average_is_saved_and_loaded_exactly(tmp_path):
    gan = tiny_gan(ema_decay=0.7, ema_ramp_up=0.5, ema_start_step=1)
    images = test_case.image_dataset(num=32)
    gan.fit(images, epochs=1, verbose=0)
    latent = kgan.models.sampling.latent_vectors(4, gan.latent_dim, 0)
    loaded = test_case.run_model_saving_test(gan, tmp_path / "ema.keras", images, latent)
    assert loaded.get_config()["ema_ramp_up"] == 0.5 and loaded.ema_start_step == 1


def test_training_resumed_from_a_backup_equals_an_uninterrupted_run(tmp_path):
    test_case.run_backup_and_restore_test(
        lambda: tiny_gan(ema_decay=0.9, ema_ramp_up=0.1),
        test_case.image_dataset(num=48),
        tmp_path / "backup",
        epochs=2,
        interrupt_at=(1, 0),
    )


@pytest.mark.slow
def test_a_sequence_gan_keeps_and_samples_its_average(tmp_path):
    from kgan.models import seq_gan
    from kgan.testing import sequences

    model = seq_gan.SeqGAN(
        sequences.tiny_generator(), sequences.tiny_discriminator(), seed=3, ema_decay=0.9
    )
    model.compile()
    record = RecordGenerators(["generator"])
    model.fit(sequences.token_dataset(num=32), epochs=1, verbose=0, callbacks=[record])
    history = record.history["generator"]
    expected = history[0]
    for new in history[1:]:
        expected = [n + 0.9 * (old - n) for old, n in zip(expected, new)]
    for average, value in zip(model.generator_ema.weights, expected):
        np.testing.assert_allclose(average.numpy(), value, rtol=1e-5, atol=1e-6)
    assert model.served_generator().network is model.generator_ema
    model.save(tmp_path / "seq.keras")
    loaded = keras.saving.load_model(tmp_path / "seq.keras")
    np.testing.assert_array_equal(loaded.generate(4, seed=0), model.generate(4, seed=0))
    model.sample_with_ema = False
    raw = model.generate(64, seed=0)
    assert not np.array_equal(raw, loaded.generate(64, seed=0))
