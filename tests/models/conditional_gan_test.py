"""`kgan.models.conditional_gan.ConditionalGAN`: matching-aware losses, AC-GAN, steps, sampling,
saving, learning to follow the label, and errors. The wrong conditions and the label checks are
tested in `conditions_test.py`, distributed training in `conditional_gan_distribution_test.py`."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.losses import penalties
from kgan.models import noise
from kgan.models.conditional_gan import ConditionalGAN
from kgan.testing import conditional
from kgan.testing import networks
from kgan.testing import test_case

STEP = tf.constant(0, tf.int64)


def make_model(conditioning="concat", condition_dim=None, seed=7):
    condition = {"condition_dim": condition_dim} if condition_dim else {"num_classes": 2}
    return ConditionalGAN(
        conditional.tiny_conditional_generator(**condition),
        conditional.tiny_conditional_discriminator(conditioning_kind=conditioning, **condition),
        conditioning=conditioning,
        seed=seed,
        **condition,
    )


def first_batch(dataset=None):
    return next(iter(dataset or conditional.labeled_vector_dataset(num=64, batch_size=16)))


def softplus(x):
    return np.logaddexp(0.0, x)


def relu(x):
    return np.maximum(x, 0.0)


# The real and fake halves of each family's discriminator loss, in NumPy.
REAL_AND_FAKE_TERMS = {
    "non_saturating": (lambda r: softplus(-r), softplus),
    "hinge": (lambda r: relu(1 - r), lambda f: relu(1 + f)),
    "least_squares": (lambda r: 0.5 * (r - 1) ** 2, lambda f: 0.5 * f**2),
    "wasserstein": (lambda r: -r, lambda f: f),
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("conditioning", "condition_dim", "loss", "expected_logs"),
    [
        ("concat", None, "non_saturating", ["d_loss", "g_loss", "mismatch_loss"]),
        ("projection", None, "hinge", ["d_loss", "g_loss", "mismatch_loss"]),
        ("projection", 3, "non_saturating", ["d_loss", "g_loss", "mismatch_loss"]),
        ("acgan", None, "non_saturating", ["d_loss", "g_loss", "class_loss"]),
        ("acgan", 3, "hinge", ["d_loss", "g_loss", "class_loss"]),
        ("projection", None, "relativistic_pairing", ["d_loss", "g_loss", "mismatch_loss"]),
        ("acgan", None, "relativistic_pairing", ["d_loss", "g_loss", "class_loss"]),
    ],
)
def test_fit_logs_the_conditional_terms(conditioning, condition_dim, loss, expected_logs):
    model = make_model(conditioning, condition_dim)
    model.compile(loss=loss)
    dataset = (
        conditional.attribute_vector_dataset()
        if condition_dim
        else conditional.labeled_vector_dataset(num=128)
    )
    test_case.run_gan_fit_test(model, dataset, expected_logs)
    evaluation = model.evaluate(dataset, verbose=0, return_dict=True)
    assert set(evaluation) == set(expected_logs)
    assert evaluation == model.evaluate(dataset, verbose=0, return_dict=True)


def test_wgan_gp_penalizes_interpolates_under_the_right_condition():
    model = make_model("projection")
    model.compile(loss="wasserstein", gradient_penalty_weight=10.0, discriminator_steps=2)
    test_case.run_gan_fit_test(
        model,
        conditional.labeled_vector_dataset(num=128),
        ["d_loss", "g_loss", "gp", "mismatch_loss"],
    )
    assert int(model.discriminator_optimizer.iterations) == 2 * int(
        model.generator_optimizer.iterations
    )
    # The logged penalty is the WGAN-GP penalty of D(., right labels) on the step's interpolates.
    real, labels = first_batch()
    fake = model.generator([model.sample_latent(16, STEP), labels])
    alpha = noise.draw(
        noise.batch_layout(16),
        (),
        noise.step_seed(model.seed, STEP, noise.PENALTY_STREAM),
        "uniform",
    )
    expected = penalties.gradient_penalty(
        lambda images, training: model.discriminator([images, labels], training=training),
        real,
        fake,
        alpha=alpha,
    )
    model.trackers["gp"].reset_state()
    model.discriminator_step((real, labels), fake, STEP)
    np.testing.assert_allclose(model.trackers["gp"].result(), np.mean(expected), rtol=1e-5)


@pytest.mark.parametrize("loss", sorted(REAL_AND_FAKE_TERMS))
@pytest.mark.parametrize("mismatch_weight", [1.0, 0.25, 0.0])
def test_discriminator_loss_matches_a_hand_computation(loss, mismatch_weight):
    model = make_model()
    model.compile(loss=loss, mismatch_weight=mismatch_weight, discriminator_optimizer="sgd")
    real, labels = first_batch()
    fake = model.generator([model.sample_latent(16, STEP), labels])
    wrong = model.wrong_labels(labels, STEP)

    def logits(images, conditions):
        return model.discriminator([images, conditions]).numpy()[:, 0].astype("float64")

    real_term, fake_term = REAL_AND_FAKE_TERMS[loss]
    real_logits, fake_logits, wrong_logits = (
        logits(real, labels),
        logits(fake, labels),
        logits(real, wrong),
    )
    # Reed et al. 2016, Algorithm 1 for w = 1: real + (fake + mismatch) / 2.
    expected = real_term(real_logits) + (
        fake_term(fake_logits) + mismatch_weight * fake_term(wrong_logits)
    ) / (1 + mismatch_weight)
    losses = model.discriminator_losses(real, fake, labels, wrong)
    np.testing.assert_allclose(losses["d_loss"], expected, rtol=1e-5, atol=1e-6)
    if mismatch_weight:
        np.testing.assert_allclose(
            losses["mismatch_loss"],
            real_term(real_logits) + fake_term(wrong_logits),
            rtol=1e-5,
            atol=1e-6,
        )
    # The training step computes the same loss, with the same wrong labels, before updating.
    d_loss = model.discriminator_step((real, labels), fake, STEP)
    np.testing.assert_allclose(d_loss, expected.mean(), rtol=1e-5, atol=1e-6)


def test_acgan_losses_match_a_hand_computation():
    model = make_model("acgan")
    model.compile(classification_weight=0.5)
    real, labels = first_batch()
    fake = model.generator([model.sample_latent(16, STEP), labels])
    real_logits, real_classes = (x.numpy().astype("float64") for x in model.discriminator(real))
    fake_logits, fake_classes = (x.numpy().astype("float64") for x in model.discriminator(fake))

    def cross_entropy(class_logits):
        log_probabilities = class_logits - np.logaddexp.reduce(class_logits, axis=1, keepdims=True)
        return -log_probabilities[np.arange(len(labels)), labels.numpy()]

    class_loss = cross_entropy(real_classes) + cross_entropy(fake_classes)
    adversarial_loss = softplus(-real_logits[:, 0]) + softplus(fake_logits[:, 0])
    losses = model.discriminator_losses(real, fake, labels)
    np.testing.assert_allclose(losses["class_loss"], class_loss, rtol=1e-5)
    np.testing.assert_allclose(losses["d_loss"], adversarial_loss + 0.5 * class_loss, rtol=1e-5)
    expected_g = softplus(-fake_logits[:, 0]) + 0.5 * cross_entropy(fake_classes)
    g_loss = model.generator_loss((real, labels), fake, training=False)
    np.testing.assert_allclose(g_loss, expected_g, rtol=1e-5)


@pytest.mark.parametrize("conditioning", ["concat", "acgan"])
def test_each_step_changes_only_its_own_network(conditioning):
    model = make_model(conditioning)
    model.compile()
    real, labels = first_batch()
    latent = model.sample_latent(16, STEP)
    generator_before = test_case.weights_of(model.generator)
    discriminator_before = test_case.weights_of(model.discriminator)
    model.discriminator_step((real, labels), model.generator([latent, labels]), STEP)
    assert test_case.changed(discriminator_before, model.discriminator)
    assert not test_case.changed(generator_before, model.generator)
    discriminator_after = test_case.weights_of(model.discriminator)
    model.generator_step((real, labels), STEP)
    assert test_case.changed(generator_before, model.generator)
    assert not test_case.changed(discriminator_after, model.discriminator)


def test_train_step_is_a_discriminator_update_then_a_generator_update():
    keras.utils.set_random_seed(3)
    fused = make_model()
    keras.utils.set_random_seed(3)
    separate = make_model()
    for model in (fused, separate):
        model.compile(generator_optimizer="sgd", discriminator_optimizer="sgd")
    real, labels = first_batch()
    fused.train_step((real, labels))
    latent = separate.sample_latent(16, STEP)
    separate.discriminator_step((real, labels), separate.generator([latent, labels]), STEP)
    separate.generator_step((real, labels), STEP)
    for a, b in zip(test_case.network_weights(fused), test_case.network_weights(separate)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7, err_msg=a.path)


def test_generate_makes_one_sample_per_label_deterministically():
    model = make_model()
    labels = np.array([0, 1, 1, 0, 1])
    samples = model.generate(labels, seed=3, batch_size=2)
    assert samples.shape == (5, 2) and samples.dtype == np.float32
    np.testing.assert_array_equal(samples, model.generate(labels, seed=3, batch_size=2))
    assert not np.array_equal(samples, model.generate(labels, seed=4, batch_size=2))
    latent = np.random.default_rng(3).standard_normal((5, 4)).astype("float32")
    np.testing.assert_allclose(
        model((latent, labels)), model.generator([latent, labels]), rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(  # predict goes through model((z, labels)) too
        model.predict((latent, labels), batch_size=2, verbose=0), samples, rtol=1e-5, atol=1e-6
    )
    attributes = make_model(condition_dim=3)
    assert attributes.generate(conditional.attribute_vectors(4), seed=0).shape == (4, 2)


@pytest.mark.slow
def test_backup_and_restore_resumes_bit_exactly(tmp_path):
    # The wrong conditions are stateless draws like the noise, so resuming replays them.
    def fresh():
        keras.utils.set_random_seed(11)
        model = make_model(condition_dim=3)
        model.compile(loss="wasserstein", gradient_penalty_weight=1.0)
        return model

    test_case.run_backup_and_restore_test(
        fresh,
        conditional.attribute_vector_dataset(),
        tmp_path / "backup",
        epochs=2,
        interrupt_at=(1, 1),
    )


@pytest.mark.slow
@pytest.mark.parametrize("conditioning", ["concat", "projection"])
def test_the_generator_learns_to_follow_the_label(conditioning):
    # Class 0 lies around x = -0.5, class 1 around x = +0.5. Over 8 seeds the class means after
    # this run measured -0.46..-0.69 / +0.44..+0.65 (concat) and -0.67..-0.83 / +0.66..+0.85
    # (projection), with every sample on its side.
    model = make_model(conditioning, seed=0)
    model.compile(
        generator_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
    )
    model.fit(conditional.labeled_vector_dataset().cache(), epochs=10, verbose=0)
    zeros = model.generate(np.zeros(400, "int32"), seed=0)[:, 0]
    ones = model.generate(np.ones(400, "int32"), seed=0)[:, 0]
    assert zeros.mean() < -0.3 and ones.mean() > 0.3, (zeros.mean(), ones.mean())
    assert np.mean(zeros < 0) > 0.95 and np.mean(ones > 0) > 0.95


@pytest.mark.slow
@pytest.mark.parametrize(("conditioning", "condition_dim"), [("concat", None), ("acgan", 3)])
def test_save_and_load_restores_the_model_and_both_optimizers(
    tmp_path, conditioning, condition_dim
):
    model = make_model(conditioning, condition_dim)
    model.compile(loss="hinge", classification_weight=0.5)
    dataset = (
        conditional.attribute_vector_dataset()
        if condition_dim
        else conditional.labeled_vector_dataset(num=128)
    )
    model.fit(dataset, epochs=1, verbose=0)
    labels = conditional.attribute_vectors(5) if condition_dim else np.array([0, 1, 1, 0, 1])
    latent = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    loaded = test_case.run_model_saving_test(
        model, tmp_path / "conditional.keras", dataset, (latent, labels)
    )
    for key in ("num_classes", "condition_dim", "conditioning", "seed", "mismatch_weight"):
        assert getattr(loaded, key) == getattr(model, key), key
    assert loaded.classification_weight == 0.5 and loaded.loss_name == "hinge"


def test_bad_batches_get_clear_errors():
    points, labels = conditional.toy_points(64)

    def fit(model, *tensors):
        dataset = tf.data.Dataset.from_tensor_slices(tensors).batch(16)
        return model.fit(dataset, epochs=1, verbose=0)

    # First, on fresh models: after retraces `fit` traces with relaxed (unknown) shapes.
    model = make_model()
    model.compile()
    with pytest.raises(ValueError, match=r"images have shape \(3,\).*takes \(2,\)"):
        fit(model, np.zeros((64, 3), "float32"), labels)
    # XLA compiles the step's assertions away; fit checks the ids in the input pipeline.
    model = make_model()
    model.compile(jit_compile=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match="class ids must be < num_classes=2"):
        fit(model, points, labels * 3)

    model = make_model()
    model.compile()
    with pytest.raises(
        ValueError, match=r"batches of \(images, labels\); this batch has no labels"
    ):
        fit(model, points)
    with pytest.raises(ValueError, match=r"one-hot labels\? pass their argmax"):
        fit(model, points, np.eye(2, dtype="float32")[labels])
    with pytest.raises(ValueError, match=r"Class ids must lie in \[0, 2\)"):
        model.fit(points, labels - 1, batch_size=16, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="class ids must be >= 0"):
        model.train_step((np.zeros((2, 2), "float32"), np.array([0, -1])))  # in the step
    with pytest.raises(ValueError, match=r"The batch has 5 images but 4 labels"):
        model.train_step((np.zeros((5, 2), "float32"), labels[:4]))
    with pytest.raises(ValueError, match=r"Class ids must lie in \[0, 2\)"):
        model.generate([0, 2])
    attributes = make_model(condition_dim=3)
    attributes.compile()
    with pytest.raises(ValueError, match=r"shape \[batch, 3\].*got shape \(None, 4\)"):
        attributes.fit(
            tf.data.Dataset.from_tensor_slices((points, np.zeros((64, 4), "float32"))).batch(16),
            verbose=0,
        )


def test_bad_arguments_get_clear_errors():
    generator = conditional.tiny_conditional_generator()
    discriminator = conditional.tiny_conditional_discriminator()
    acgan_discriminator = conditional.tiny_conditional_discriminator(conditioning_kind="acgan")
    with pytest.raises(ValueError, match="exactly one of num_classes"):
        ConditionalGAN(generator, discriminator)
    with pytest.raises(ValueError, match="exactly one of num_classes"):
        ConditionalGAN(generator, discriminator, num_classes=2, condition_dim=3)
    with pytest.raises(ValueError, match="conditioning must be one of"):
        ConditionalGAN(generator, discriminator, num_classes=2, conditioning="film")
    with pytest.raises(ValueError, match=r"needs a discriminator on images alone"):
        ConditionalGAN(generator, discriminator, num_classes=2, conditioning="acgan")
    with pytest.raises(ValueError, match=r"needs a discriminator on \[images, labels\]"):
        ConditionalGAN(generator, acgan_discriminator, num_classes=2)
    with pytest.raises(ValueError, match=r"condition_dim=3 means attribute vectors"):
        ConditionalGAN(generator, discriminator, condition_dim=3)
    with pytest.raises(ValueError, match=r"named 'z' and 'labels'"):
        ConditionalGAN(networks.tiny_vector_generator(), discriminator, num_classes=2)
    model = ConditionalGAN(generator, acgan_discriminator, num_classes=2, conditioning="acgan")
    with pytest.raises(ValueError, match="takes no mismatch_weight"):
        model.compile(mismatch_weight=1.0)
    with pytest.raises(ValueError, match="does not take `optimizer`"):
        model.compile(optimizer="adam")
    one_class = ConditionalGAN(
        conditional.tiny_conditional_generator(num_classes=1),
        conditional.tiny_conditional_discriminator(num_classes=1),
        num_classes=1,
    )
    with pytest.raises(ValueError, match="no wrong class"):
        one_class.compile()
    one_class.compile(mismatch_weight=0.0)
