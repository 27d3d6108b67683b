"""`kgan.GAN`: fitting, the alternating step, saving, resuming, sampling and errors."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.testing import networks
from kgan.testing import test_case


def make_gan(seed=7, **kwargs):
    return kgan.GAN(
        networks.tiny_vector_generator(), networks.tiny_vector_discriminator(), seed=seed, **kwargs
    )


@pytest.mark.slow
@pytest.mark.parametrize("loss", kgan.losses.FAMILIES)
def test_fit_with_every_loss_family(loss):
    gan = make_gan()
    gan.compile(loss=loss)
    test_case.run_gan_fit_test(gan, test_case.vector_dataset(), ["d_loss", "g_loss"])


def test_wgan_gp_logs_the_penalty_and_runs_extra_critic_steps():
    gan = make_gan()
    gan.compile(loss="wasserstein", gradient_penalty_weight=10.0, discriminator_steps=3)
    test_case.run_gan_fit_test(gan, test_case.vector_dataset(), ["d_loss", "g_loss", "gp"])
    assert int(gan.discriminator_optimizer.iterations) == 3 * int(
        gan.generator_optimizer.iterations
    )


def test_each_step_changes_only_its_own_network():
    gan = make_gan()
    gan.compile()
    real = next(iter(test_case.vector_dataset()))
    step = tf.constant(0, tf.int64)
    latent = gan.sample_latent(tf.shape(real)[0], step)
    generator_before = test_case.weights_of(gan.generator)
    discriminator_before = test_case.weights_of(gan.discriminator)
    gan.discriminator_step(real, gan.generator(latent), step)
    assert test_case.changed(discriminator_before, gan.discriminator)
    assert not test_case.changed(generator_before, gan.generator)

    discriminator_after = test_case.weights_of(gan.discriminator)
    gan.generator_step(real, step)
    assert test_case.changed(generator_before, gan.generator)
    assert not test_case.changed(discriminator_after, gan.discriminator)


def test_train_step_is_a_discriminator_update_then_a_generator_update_against_it():
    # Two identical GANs: one takes a fused train_step, the other the two steps one after the
    # other with the same noise. Equal weights after show the generator was trained against the
    # *updated* discriminator and that the shared forward pass changes nothing.
    keras.utils.set_random_seed(3)
    fused = make_gan()
    keras.utils.set_random_seed(3)
    separate = make_gan()
    for gan in (fused, separate):
        gan.compile(generator_optimizer="sgd", discriminator_optimizer="sgd")
    real = next(iter(test_case.vector_dataset()))
    fused.train_step(real)
    step = tf.constant(0, tf.int64)
    latent = separate.sample_latent(tf.shape(real)[0], step)
    separate.discriminator_step(real, separate.generator(latent, training=True), step)
    separate.generator_step(real, step)  # draws the same latent vectors (stream 0 of step 0)
    assert fused.step == 1 and separate.step == 0  # only train_step counts a step
    for a, b in zip(test_case.network_weights(fused), test_case.network_weights(separate)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7, err_msg=a.path)


def test_save_and_load_restores_the_model_and_both_optimizers(tmp_path):
    gan = make_gan()
    gan.compile(loss="hinge", generator_optimizer=keras.optimizers.Adam(1e-3))
    dataset = test_case.vector_dataset()
    gan.fit(dataset, epochs=1, verbose=0)
    latent = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    loaded = test_case.run_model_saving_test(gan, tmp_path / "gan.keras", dataset, latent)
    assert loaded.loss_name == "hinge" and loaded.seed == gan.seed
    np.testing.assert_allclose(float(loaded.generator_optimizer.learning_rate), 1e-3)


def test_label_smoothing_trains_the_discriminator_on_the_smoothed_loss(tmp_path):
    # One SGD step of a smoothed GAN equals one step of a plain GAN whose discriminator loss is
    # the plain one plus 0.1 times the mean real logit (adversarial.one_sided_label_smoothing).
    real = next(iter(test_case.vector_dataset()))
    keras.utils.set_random_seed(3)
    smoothed = make_gan()
    smoothed.compile(generator_optimizer="sgd", discriminator_optimizer="sgd", label_smoothing=0.1)
    keras.utils.set_random_seed(3)
    by_hand = make_gan()
    by_hand.compile(generator_optimizer="sgd", discriminator_optimizer="sgd")
    plain_loss = by_hand.discriminator_loss_fn
    by_hand.discriminator_loss_fn = lambda r, f: plain_loss(r, f) + 0.1 * tf.reduce_mean(r, 1)
    smoothed.train_step(real)
    by_hand.train_step(real)
    for a, b in zip(smoothed.discriminator.weights, by_hand.discriminator.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7)
    smoothed.fit(test_case.vector_dataset(), epochs=1, verbose=0)
    smoothed.save(tmp_path / "smoothed.keras")
    assert keras.saving.load_model(tmp_path / "smoothed.keras").label_smoothing == 0.1
    with pytest.raises(ValueError, match="'wasserstein' family has none"):
        make_gan().compile(loss="wasserstein", label_smoothing=0.1)


def test_losses_reach_history_and_tensorboard(tmp_path):
    from tensorboard.backend.event_processing import event_accumulator

    gan = make_gan()
    gan.compile(loss="wasserstein", gradient_penalty_weight=1.0)
    tensorboard = keras.callbacks.TensorBoard(str(tmp_path))
    history = gan.fit(test_case.vector_dataset(), epochs=2, verbose=0, callbacks=[tensorboard])
    events = event_accumulator.EventAccumulator(str(tmp_path / "train"))
    events.Reload()
    for key in ("d_loss", "g_loss", "gp"):
        logged = [tf.make_ndarray(event.tensor_proto) for event in events.Tensors(f"epoch_{key}")]
        np.testing.assert_allclose(logged, history.history[key], rtol=1e-6)


def test_image_gan_fits_and_evaluates():
    gan = kgan.GAN(networks.tiny_image_generator(), networks.tiny_image_discriminator(), seed=1)
    gan.compile(loss="least_squares")
    test_case.run_gan_fit_test(gan, test_case.image_dataset(), ["d_loss", "g_loss"])
    first = gan.evaluate(test_case.image_dataset(), verbose=0, return_dict=True)
    again = gan.evaluate(test_case.image_dataset(), verbose=0, return_dict=True)
    assert set(first) == {"d_loss", "g_loss"} and first == again  # fixed evaluation noise


def test_generate_is_reproducible_for_a_seed():
    gan = kgan.GAN(networks.tiny_image_generator(), networks.tiny_image_discriminator())
    images = gan.generate(10, seed=5, batch_size=4)
    assert images.shape == (10, 8, 8, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images, gan.generate(10, seed=5, batch_size=4))
    # Other batch sizes run other kernels: equal to float round-off.
    np.testing.assert_allclose(images[:3], gan.generate(3, seed=5), atol=1e-6)
    assert not np.array_equal(images, gan.generate(10, seed=6))
    # model(z) is the generator: predict goes through it too.
    latent = np.zeros((2, 8), "float32")
    np.testing.assert_allclose(
        gan.predict(latent, verbose=0), gan.generator(latent).numpy(), rtol=1e-5, atol=1e-6
    )


def test_backup_and_restore_resumes_bit_exactly(tmp_path):
    def fresh():
        keras.utils.set_random_seed(11)
        gan = make_gan()
        gan.compile(loss="wasserstein", gradient_penalty_weight=1.0)
        return gan

    test_case.run_backup_and_restore_test(
        fresh, test_case.vector_dataset(), tmp_path / "backup", epochs=3, interrupt_at=(1, 2)
    )


class PoisonLogitsAfter(keras.callbacks.Callback):
    """Puts a NaN into the discriminator's output layer after `steps` training steps.

    (NaN in the *data* is no test: TensorFlow's ReLU maps NaN to 0 on this CPU.)
    """

    def __init__(self, steps):
        super().__init__()
        self.steps = steps

    def on_train_batch_end(self, batch, logs=None):
        if self.model.step == self.steps:
            kernel = self.model.discriminator.layers[-1].kernel
            kernel.assign(np.full(kernel.shape, np.nan, "float32"))


def test_non_finite_loss_stops_training_naming_the_loss_and_step():
    gan = make_gan()
    gan.compile()
    with pytest.raises(
        kgan.callbacks.NonFiniteLossError, match=r"d_loss is nan at training step 3"
    ):
        gan.fit(test_case.vector_dataset(), epochs=2, verbose=0, callbacks=[PoisonLogitsAfter(2)])
    assert gan.step == 3  # stopped at once, not at epoch end

    gan = make_gan()
    gan.compile(terminate_on_non_finite=False)
    history = gan.fit(
        test_case.vector_dataset(), epochs=1, verbose=0, callbacks=[PoisonLogitsAfter(2)]
    )
    assert np.isnan(history.history["d_loss"][0])


def first_update_sizes(policy):
    """Sizes of each network's first SGD update under a dtype policy, from the same weights."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(5)
        gan = kgan.GAN(networks.tiny_image_generator(), networks.tiny_image_discriminator())
        gan.compile(generator_optimizer="sgd", discriminator_optimizer="sgd")
        generator_before = test_case.weights_of(gan.generator)
        discriminator_before = test_case.weights_of(gan.discriminator)
        gan.fit(test_case.image_dataset().take(1), epochs=1, verbose=0)
        return gan, [
            np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(before, test_case.weights_of(net))))
            for before, net in (
                (generator_before, gan.generator),
                (discriminator_before, gan.discriminator),
            )
        ]
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_mixed_precision_scales_the_loss_and_trains_like_float32():
    gan, mixed = first_update_sizes("mixed_float16")
    assert isinstance(gan.generator_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(gan.discriminator_optimizer, keras.optimizers.LossScaleOptimizer)
    _, full = first_update_sizes("float32")
    # A forgotten loss scale leaves updates 32768 times too small; float16 round-off does not
    # move them by more than a few percent.
    np.testing.assert_allclose(mixed, full, rtol=0.05)


@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])
def test_ema_of_the_generator_optimizer_is_folded_into_the_generator(policy):
    keras.mixed_precision.set_global_policy(policy)
    try:
        gan = make_gan()
        gan.compile(generator_optimizer=keras.optimizers.Adam(1e-3, use_ema=True, ema_momentum=0.9))
        gan.fit(test_case.vector_dataset(), epochs=1, verbose=0)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    optimizer = getattr(gan.generator_optimizer, "inner_optimizer", gan.generator_optimizer)
    averages = optimizer._model_variables_moving_average
    assert len(averages) == len(gan.generator.trainable_variables)
    for variable, average in zip(gan.generator.trainable_variables, averages):
        np.testing.assert_array_equal(variable.numpy(), average.numpy())


def test_evaluation_noise_differs_per_batch_and_repeats_per_call():
    gan = kgan.GAN(networks.tiny_image_generator(), networks.tiny_image_discriminator(), seed=1)
    gan.compile()
    one_batch = test_case.image_dataset(num=16)
    same_batch_twice = one_batch.repeat(2)
    once = gan.evaluate(one_batch, verbose=0, return_dict=True)
    twice = gan.evaluate(same_batch_twice, verbose=0, return_dict=True)
    assert once["g_loss"] != twice["g_loss"]  # the second batch was scored on new fakes
    assert twice == gan.evaluate(same_batch_twice, verbose=0, return_dict=True)


@pytest.mark.slow
def test_shape_mismatches_name_both_sides():
    with pytest.raises(ValueError, match=r"generator makes samples of shape \(8, 8, 1\), but the "):
        kgan.GAN(networks.tiny_image_generator(), networks.tiny_image_discriminator(image_size=16))
    gan = kgan.GAN(networks.tiny_image_generator(), networks.tiny_image_discriminator())
    gan.compile()
    with pytest.raises(
        ValueError, match=r"data's samples have shape \(16, 16, 1\).*takes \(8, 8, 1\)"
    ):
        gan.fit(test_case.image_dataset(image_size=16), epochs=1, verbose=0)


def test_gradient_penalty_with_a_batch_norm_critic_warns():
    discriminator = kgan.networks.dcgan_discriminator(image_size=16, channels=1, base_filters=4)
    generator = kgan.networks.dcgan_generator(latent_dim=4, image_size=16, channels=1)
    gan = kgan.GAN(generator, discriminator)
    with pytest.warns(UserWarning, match="BatchNormalization"):
        gan.compile(loss="wasserstein", gradient_penalty_weight=10.0)
    layer_norm = kgan.networks.dcgan_discriminator(
        image_size=16, channels=1, base_filters=4, normalization="layer"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kgan.GAN(generator, layer_norm).compile(loss="wasserstein", gradient_penalty_weight=10.0)


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="does not take `optimizer`"):
        make_gan().compile(optimizer="adam")
    with pytest.raises(ValueError, match="Unknown adversarial loss"):
        make_gan().compile(loss="nope")
    with pytest.raises(ValueError, match="discriminator_steps must be >= 1"):
        make_gan().compile(discriminator_steps=0)
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="own optimizer instance"):
        make_gan().compile(generator_optimizer=shared, discriminator_optimizer=shared)
    with pytest.raises(ValueError, match="does not match the generator's input size 4"):
        make_gan(latent_dim=5)
    with pytest.raises(ValueError, match="positive integer number of samples, got 2.7"):
        make_gan().generate(2.7)
    with pytest.raises(TypeError, match="takes keras.Model networks"):
        kgan.GAN(lambda z: z, networks.tiny_vector_discriminator())
