"""`kgan.models.pix2pix.Pix2Pix`: losses by hand, the split steps, learning a toy translation,
saving, and errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.losses import penalties
from kgan.models import noise
from kgan.models.pix2pix import Pix2Pix
from kgan.testing import paired
from kgan.testing import test_case

STEP = tf.constant(0, tf.int64)
LOGS = ["d_loss", "g_loss", "l1_loss"]


def make_model(seed=7, **network_kwargs):
    keras.utils.set_random_seed(seed)
    return Pix2Pix(
        paired.tiny_translation_generator(**network_kwargs),
        paired.tiny_patch_discriminator(**network_kwargs),
        seed=seed,
    )


def first_batch():
    return next(iter(paired.paired_dataset(num=16, batch_size=16)))


def softplus(x):
    return np.logaddexp(0.0, x)


def relu(x):
    return np.maximum(x, 0.0)


# Each family's real and fake discriminator terms and generator term, elementwise, in NumPy.
FAMILIES = {
    "non_saturating": (lambda r: softplus(-r), softplus, lambda f: softplus(-f)),
    "hinge": (lambda r: relu(1 - r), lambda f: relu(1 + f), lambda f: -f),
    "least_squares": (
        lambda r: 0.5 * (r - 1) ** 2,
        lambda f: 0.5 * f**2,
        lambda f: 0.5 * (f - 1) ** 2,
    ),
}


def patch_mean(values):
    """A logit map's elementwise loss averaged per example, as the loss families do."""
    return values.reshape(len(values), -1).mean(axis=1)


@pytest.mark.parametrize("loss", sorted(FAMILIES))
def test_fit_and_evaluate_log_the_three_losses(loss):
    model = make_model()
    model.compile(loss=loss)
    dataset = paired.paired_dataset(num=32)
    test_case.run_gan_fit_test(model, dataset, LOGS)
    evaluation = model.evaluate(dataset, verbose=0, return_dict=True)
    assert set(evaluation) == set(LOGS)
    assert evaluation == model.evaluate(dataset, verbose=0, return_dict=True)


def test_wgan_gp_penalizes_the_target_with_the_source_fixed():
    model = make_model()
    model.compile(loss="wasserstein", gradient_penalty_weight=10.0, discriminator_steps=2)
    test_case.run_gan_fit_test(model, paired.paired_dataset(num=32), [*LOGS, "gp"])
    assert int(model.discriminator_optimizer.iterations) == 2 * int(
        model.generator_optimizer.iterations
    )


@pytest.mark.parametrize("loss", sorted(FAMILIES))
def test_discriminator_loss_matches_a_hand_computation(loss):
    model = make_model()
    model.compile(loss=loss)
    source, target = first_batch()
    fake = model.generator(source)
    real_term, fake_term, _ = FAMILIES[loss]
    real_logits = model.discriminator({"source": source, "images": target}).numpy()
    fake_logits = model.discriminator({"source": source, "images": fake}).numpy()
    assert real_logits.shape == (16, 4, 4, 1)  # a PatchGAN-style logit map
    expected = patch_mean(real_term(real_logits.astype("float64"))) + patch_mean(
        fake_term(fake_logits.astype("float64"))
    )
    d_loss = model.discriminator_step((source, target), fake, STEP)
    np.testing.assert_allclose(d_loss, expected.mean(), rtol=1e-5)
    np.testing.assert_allclose(model.trackers["d_loss"].result(), expected.mean(), rtol=1e-5)


@pytest.mark.parametrize("loss", sorted(FAMILIES))
def test_generator_loss_is_adversarial_plus_100_l1(loss):
    model = make_model()
    model.compile(loss=loss)
    source, target = first_batch()
    fake = model.generator(source)
    fake_logits = model.discriminator({"source": source, "images": fake}).numpy()
    fake = fake.numpy()  # NumPy fakes are taken too
    adversarial = patch_mean(FAMILIES[loss][2](fake_logits.astype("float64")))
    l1 = np.abs(target.numpy().astype("float64") - fake).reshape(16, -1).mean(axis=1)
    losses = model.generator_losses(source, target, fake)
    np.testing.assert_allclose(losses["g_loss"], adversarial, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(losses["l1_loss"], l1, rtol=1e-5)
    np.testing.assert_allclose(losses["total"], adversarial + 100.0 * l1, rtol=1e-5)
    # The step minimises the same total (computed before its update).
    total = model.generator_step((source, target))
    np.testing.assert_allclose(total, (adversarial + 100.0 * l1).mean(), rtol=1e-5)


def test_relativistic_generator_loss_pairs_each_fake_with_its_target():
    model = make_model()
    model.compile(loss="relativistic_pairing")
    source, target = first_batch()
    fake = model.generator(source)
    fake_logits = model.discriminator({"source": source, "images": fake}).numpy()
    real_logits = model.discriminator({"source": source, "images": target}).numpy()
    expected = patch_mean(softplus(-(fake_logits - real_logits).astype("float64")))
    losses = model.generator_losses(source, target, fake)
    np.testing.assert_allclose(losses["g_loss"], expected, rtol=1e-5, atol=1e-6)


def test_l1_only_baseline_updates_the_generator_by_the_l1_gradient_alone():
    # adversarial_weight=0: the generator's step is what SGD on 100 * L1 alone would do, while
    # the discriminator still trains beside it.
    model = make_model()
    model.compile(
        generator_optimizer=keras.optimizers.SGD(0.01),
        discriminator_optimizer=keras.optimizers.SGD(0.01),
        adversarial_weight=0.0,
    )
    source, target = first_batch()
    before = [variable.numpy() for variable in model.generator.trainable_variables]
    discriminator_before = [v.numpy() for v in model.discriminator.trainable_variables]
    with tf.GradientTape() as tape:
        l1 = 100.0 * tf.reduce_mean(tf.abs(target - model.generator(source, training=True)))
    gradients = tape.gradient(l1, model.generator.trainable_variables)
    logs = model.train_step((source, target))
    for old, gradient, variable in zip(before, gradients, model.generator.trainable_variables):
        np.testing.assert_allclose(variable.numpy(), old - 0.01 * gradient.numpy(), atol=1e-6)
    assert float(logs["g_loss"]) > 0  # still logged, though not minimised
    changed = [
        not np.array_equal(old, new.numpy())
        for old, new in zip(discriminator_before, model.discriminator.trainable_variables)
    ]
    assert all(changed)


def test_discriminator_loss_weight_scales_the_discriminator_gradient():
    # Under SGD, halving the loss is halving the learning rate: the paper's "divide by 2".
    halved, doubled_rate = make_model(), make_model()
    halved.compile(discriminator_optimizer=keras.optimizers.SGD(0.2))
    doubled_rate.compile(
        discriminator_optimizer=keras.optimizers.SGD(0.1), discriminator_loss_weight=1.0
    )
    source, target = first_batch()
    for model in (halved, doubled_rate):
        model.discriminator_step((source, target), model.generator(source), STEP)
    for a, b in zip(halved.discriminator.weights, doubled_rate.discriminator.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-7)


def test_each_step_changes_only_its_own_network():
    model = make_model()
    model.compile()
    source, target = first_batch()
    generator_before = test_case.weights_of(model.generator)
    discriminator_before = test_case.weights_of(model.discriminator)
    model.discriminator_step((source, target), model.generator(source), STEP)
    assert test_case.changed(discriminator_before, model.discriminator)
    assert not test_case.changed(generator_before, model.generator)
    discriminator_after = test_case.weights_of(model.discriminator)
    model.generator_step((source, target))
    assert test_case.changed(generator_before, model.generator)
    assert not test_case.changed(discriminator_after, model.discriminator)


def test_train_step_is_a_discriminator_update_then_a_generator_update_against_it():
    fused, split = make_model(), make_model()
    fused.compile()
    split.compile()
    source, target = first_batch()
    fused.train_step((source, target))
    split.discriminator_step((source, target), split.generator(source), STEP)
    split.generator_step((source, target))
    for a, b in zip(test_case.network_weights(fused), test_case.network_weights(split)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7, err_msg=a.path)


def test_fit_learns_the_toy_translation():
    # target = -source: L1 from ~0.3 (untrained) to well under half of it.
    model = make_model()
    model.compile(generator_optimizer=keras.optimizers.Adam(5e-3, beta_1=0.5))
    dataset = paired.paired_dataset(num=128, batch_size=32)
    before = model.evaluate(dataset, verbose=0, return_dict=True)["l1_loss"]
    model.fit(dataset, epochs=15, verbose=0)
    after = model.evaluate(dataset, verbose=0, return_dict=True)["l1_loss"]
    assert before > 0.2, before
    assert after < 0.4 * before, (before, after)


def test_translate_runs_the_generator_in_batches():
    model = make_model()
    source, _ = paired.negation_pairs(num=10)
    translated = model.translate(source, batch_size=4)
    assert translated.shape == (10, 8, 8, 1) and translated.dtype == np.float32
    np.testing.assert_allclose(translated, model(source).numpy(), atol=1e-6)
    with pytest.raises(TypeError, match="translate"):
        model.generate(4)


def test_save_and_load_keeps_both_optimizers_and_the_weights(tmp_path):
    model = make_model()
    model.compile(
        loss="hinge", l1_weight=50.0, discriminator_loss_weight=1.0, adversarial_weight=0.5
    )
    dataset = paired.paired_dataset(num=32)
    model.fit(dataset, epochs=1, verbose=0)
    source, _ = first_batch()
    loaded = test_case.run_model_saving_test(model, tmp_path / "pix2pix.keras", dataset, source)
    assert (
        loaded.loss_name,
        loaded.l1_weight,
        loaded.discriminator_loss_weight,
        loaded.adversarial_weight,
    ) == ("hinge", 50.0, 1.0, 0.5)
    assert loaded.seed == model.seed


def test_errors_name_the_problem():
    model = make_model()
    model.compile()
    source, target = first_batch()
    with pytest.raises(ValueError, match="pairs"):
        model.fit(tf.data.Dataset.from_tensors(source), verbose=0)
    with pytest.raises(ValueError, match="16 sources but 8 targets"):
        model.train_step((source, target[:8]))
    with pytest.raises(ValueError, match="targets have shape"):
        model.train_step((source, tf.concat([target, target], axis=-1)))
    with pytest.raises(ValueError, match="generator takes"):
        model.train_step((source[:, :4, :4], target[:, :4, :4]))
    with pytest.raises(ValueError, match="discriminator's images input"):
        Pix2Pix(paired.tiny_translation_generator(), paired.tiny_patch_discriminator(channels=3))
    with pytest.raises(TypeError, match="keras.Model"):
        Pix2Pix(paired.tiny_translation_generator(), lambda x: x)
    with pytest.raises(ValueError, match="l1_weight"):
        model.compile(l1_weight=-1)
    with pytest.raises(ValueError, match="both 0"):
        model.compile(l1_weight=0, adversarial_weight=0)


def test_the_stateless_penalty_weights_come_from_the_step():
    # The gradient penalty uses the same stateless stream layout as kgan.GAN.
    model = make_model()
    model.compile(loss="wasserstein", gradient_penalty_weight=10.0)
    source, target = first_batch()
    fake = model.generator(source)
    alpha = noise.draw(
        noise.batch_layout(16),
        (),
        noise.step_seed(model.seed, STEP, noise.PENALTY_STREAM),
        "uniform",
    )
    expected = penalties.gradient_penalty(
        lambda images, training: model.discriminator(
            {"source": source, "images": images}, training=training
        ),
        target,
        fake,
        alpha=alpha,
    )
    model.discriminator_step((source, target), fake, STEP)
    np.testing.assert_allclose(model.trackers["gp"].result(), np.mean(expected), rtol=1e-5)


def test_fit_takes_numpy_pairs_as_x_and_y():
    model = make_model()
    model.compile()
    source, target = paired.negation_pairs(num=32)
    history = model.fit(source, target, batch_size=16, epochs=1, verbose=0)
    assert set(history.history) == set(LOGS)
    assert int(model.generator_optimizer.iterations) == 2
