"""ADA on every image objective: `augmentation=` augments the critic's training inputs and `p`
follows the critic's sign on reals, exactly as the paper's rule says."""

import keras
import numpy as np
import pytest

import kgan
from kgan.layers import AdaptiveAugmentation
from kgan.testing import objectives
from kgan.testing import sequences
from kgan.testing import test_case

# Critics whose reals the objective feeds to ADA per training step.
CRITICS = {"cycle_gan": ("discriminator_a", "discriminator_b")}


def fixed_sign_model(objective, sign, **augmentation):
    """`tiny_model(objective)` whose critics answer `sign` on everything and never learn."""
    model = objectives.tiny_model(objective, augmentation=AdaptiveAugmentation(**augmentation))
    for role in CRITICS.get(objective, ("discriminator",)):
        network = getattr(model, role)
        last = [layer for layer in network.layers if getattr(layer, "bias", None) is not None][-1]
        last.kernel.assign(np.zeros(last.kernel.shape))
        last.bias.assign(np.full(last.bias.shape, 10.0 * sign))
    frozen = {
        name: keras.optimizers.SGD(0.0)
        for name in model.optimizer_names
        if name.startswith("discriminator")
    }
    compile_options = {"identity_weight": 0.0} if objective == "cycle_gan" else {}
    model.compile(**frozen, **compile_options)
    return model


@pytest.mark.slow
@pytest.mark.parametrize("objective", objectives.OBJECTIVES)
@pytest.mark.parametrize("sign", [1, -1], ids=["overfit", "unsure"])
def test_p_moves_by_the_reals_seen_towards_the_target(objective, sign):
    # 32 examples in batches of 16: 4 steps in 2 epochs, p adjusted every step by
    # (16 reals per critic) / speed, up when every real scores positive (mean sign 1 > 0.6),
    # down when every real scores negative.
    model = fixed_sign_model(objective, sign, speed=320, interval=1, probability=0.5)
    history = model.fit(objectives.tiny_dataset(objective), epochs=2, verbose=0)
    critics = len(CRITICS.get(objective, ("discriminator",)))
    expected = [0.5 + sign * 0.1 * critics * epoch for epoch in (1, 2)]
    np.testing.assert_allclose(history.history["augment_p"], expected, atol=1e-6)


@pytest.mark.slow
def test_each_critic_update_of_a_step_counts_its_reals():
    model = objectives.tiny_model(
        "gan", augmentation=AdaptiveAugmentation(speed=1e9, interval=1000)
    )
    model.compile(discriminator_steps=3)
    model.fit(objectives.tiny_dataset("gan"), epochs=1, verbose=0)
    assert float(model.augmentation.sign_count.numpy()) == 2 * 3 * 16


@pytest.mark.slow
def test_p_rises_when_the_critic_memorises_a_few_images():
    images = np.random.default_rng(1).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
    model = objectives.tiny_model("gan", augmentation=AdaptiveAugmentation(speed=2_000))
    model.compile(
        generator_optimizer=keras.optimizers.Adam(1e-5),
        discriminator_optimizer=keras.optimizers.Adam(1e-2),
    )
    history = model.fit(images, batch_size=8, epochs=60, verbose=0)
    p = history.history["augment_p"]
    assert p[0] == 0.0 and p[-1] > 0.1, p


@pytest.mark.slow
def test_evaluate_sees_the_images_as_they_are_training_sees_them_augmented():
    dataset = objectives.tiny_dataset("gan")
    plain = objectives.tiny_model("gan")
    always = objectives.tiny_model(
        "gan", augmentation=AdaptiveAugmentation(target=None, probability=1.0)
    )
    for role in plain.NETWORKS:
        getattr(always, role).set_weights(getattr(plain, role).get_weights())
    for model in (plain, always):
        model.compile()
    assert always.evaluate(dataset, verbose=0) == plain.evaluate(dataset, verbose=0)
    plain.fit(dataset, epochs=1, verbose=0)
    always.fit(dataset, epochs=1, verbose=0)
    gap = max(
        np.max(np.abs(a - b))
        for a, b in zip(plain.discriminator.get_weights(), always.discriminator.get_weights())
    )
    assert gap > 1e-4, gap


def test_generator_learns_through_the_augmentation():
    model = objectives.tiny_model(
        "gan", augmentation=AdaptiveAugmentation(target=None, probability=1.0)
    )
    model.compile()
    before = test_case.weights_of(model.generator)
    model.fit(objectives.tiny_dataset("gan"), epochs=1, verbose=0)
    assert test_case.changed(before, model.generator)


@pytest.mark.slow
def test_training_with_ada_resumes_bit_exactly(tmp_path):
    def make_model():
        keras.utils.set_random_seed(4)
        model = objectives.tiny_model(
            "classes", augmentation=AdaptiveAugmentation(speed=100, interval=1, probability=0.3)
        )
        model.compile()
        return model

    test_case.run_backup_and_restore_test(
        make_model, objectives.tiny_dataset("classes"), tmp_path / "backup", 3, (1, 0)
    )


def test_saving_keeps_p_and_the_policy(tmp_path):
    dataset = objectives.tiny_dataset("gan")
    augmentation = AdaptiveAugmentation(speed=100, interval=1, policy=["xflip", "cutout"])
    model = objectives.tiny_model("gan", augmentation=augmentation)
    model.compile()
    model.fit(dataset, epochs=2, verbose=0)
    model.augmentation.probability.assign(0.42)
    loaded = test_case.run_model_saving_test(
        model, tmp_path / "ada.keras", dataset, keras.ops.zeros((2, model.latent_dim))
    )
    assert loaded.augmentation.policy == ("xflip", "cutout")
    assert loaded.augmentation.speed == 100


def test_sequence_objectives_refuse_augmentation():
    with pytest.raises(ValueError, match="token sequences"):
        kgan.SeqGAN(
            sequences.tiny_generator(),
            sequences.tiny_discriminator(),
            augmentation=AdaptiveAugmentation(),
        )


def test_augmentation_must_be_the_layer():
    with pytest.raises(TypeError, match="AdaptiveAugmentation"):
        objectives.tiny_model("gan", augmentation="ada")
