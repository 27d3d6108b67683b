"""Tests for kgan/models/adversarial_model.py: the base's loss, penalties and updates against
hand-computed numbers, and a new objective written outside kgan (as in the README) that gets
saving, exact resume, distribution, callbacks, metrics and export through the interface alone."""

import pathlib

import keras
import numpy as np
import pytest

import kgan
from kgan import callbacks
from kgan.testing import extractors
from kgan.testing import networks
from kgan.testing import test_case
from kgan.testing.distribution import compare_to_single_device
from kgan.testing.distribution import run_case


# --- a third-party objective: the README's example, executed from README.md -------------------
def readme_objective():
    """The class defined by the first Python block of README.md's "Write your own objective"."""
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Write your own objective", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (our own README)
    return namespace["TwoCriticGAN"]


TwoCriticGAN = readme_objective()


def two_critic_gan(seed=5, gradient_penalty_weight=0.0):
    keras.utils.set_random_seed(21)
    model = TwoCriticGAN(
        networks.tiny_image_generator(),
        networks.tiny_image_discriminator(name="critic_a"),
        networks.tiny_image_discriminator(name="critic_b"),
        seed=seed,
    )
    model.compile(gradient_penalty_weight=gradient_penalty_weight)
    return model


def two_critic_case(num_examples=40):
    """The distribution case `run_case` runs in a fresh process with two logical CPUs."""
    dataset = test_case.image_dataset(num=num_examples, batch_size=16, drop_remainder=False)
    return compare_to_single_device(lambda: two_critic_gan(gradient_penalty_weight=1.0), dataset)


@pytest.fixture
def images():
    return test_case.image_dataset(num=32, batch_size=16)


def test_a_new_objective_trains_every_network(images):
    model = two_critic_gan(gradient_penalty_weight=1.0)
    test_case.run_gan_fit_test(model, images, ["a_loss", "b_loss", "g_loss", "gp"], epochs=2)
    assert set(model.network_optimizers) == {
        "generator_optimizer",
        "critic_a_optimizer",
        "critic_b_optimizer",
    }


def test_a_new_objective_saves_and_loads_with_every_optimizer(images, tmp_path):
    model = two_critic_gan()
    model.fit(images, epochs=1, verbose=0)
    loaded = test_case.run_model_saving_test(
        model, tmp_path / "two.keras", images, np.zeros((2, 8), "float32")
    )
    assert loaded.get_compile_config()["critic_b_optimizer"]["class_name"] == "Adam"


@pytest.mark.slow
def test_a_new_objective_resumes_exactly(images, tmp_path):
    test_case.run_backup_and_restore_test(
        two_critic_gan, images, tmp_path / "backup", epochs=2, interrupt_at=(1, 0)
    )


@pytest.mark.slow
def test_a_new_objective_on_two_devices_matches_one():
    result = run_case(f"{__file__}:two_critic_case")
    assert result["replicas"] == 2 and result["steps"] == 6
    assert result["max_abs_diff"] < 1e-5, result


def test_callbacks_and_metrics_work_through_the_interface(images, tmp_path):
    model = two_critic_gan()
    decay = callbacks.LinearDecay(constant_epochs=1, decay_epochs=2)
    grid = callbacks.SampleGrid(tmp_path / "grids", num_rows=2, num_cols=2, seed=0)
    metrics = callbacks.GenerativeMetrics(
        ("fid",), images, num_samples=16, extractor=extractors.tiny_extractor(), batch_size=16
    )
    history = model.fit(images, epochs=2, verbose=0, callbacks=[grid, decay, metrics])
    assert len(sorted((tmp_path / "grids").glob("*.png"))) == 2
    assert len(history.history["fid"]) == 2 and np.isfinite(history.history["fid"]).all()
    # The decay reached all three optimizers: all went down from 2e-4 alike.
    rates = {float(opt.learning_rate.numpy()) for opt in model.network_optimizers.values()}
    assert len(rates) == 1 and rates.pop() < 2e-4


def test_a_non_finite_loss_names_the_loss_and_the_objectives_step(images):
    model = two_critic_gan()
    model.fit(images, epochs=1, verbose=0)
    # A diverged critic (its kernel NaN): fit's data check would refuse NaN images up front.
    kernel = model.critic_a.trainable_variables[0]
    kernel.assign(np.full(kernel.shape, np.nan, "float32"))
    with pytest.raises(callbacks.NonFiniteLossError, match="a_loss") as raised:
        model.fit(images, epochs=1, verbose=0)
    # The objective's own counter, 1-based as in the message: 2 steps ran before the NaN one,
    # where a guess from the batch of the epoch would say 1.
    assert raised.value.step == 3 and raised.value.batch == 0


def test_a_new_objective_exports_and_matches_keras(images, tmp_path):
    model = two_critic_gan()
    model.fit(images, epochs=1, verbose=0)
    report = kgan.export.export_generator(model, tmp_path / "out", format="saved_model")
    loaded = kgan.export.saved_model.load(report.paths["saved_model"])
    spec = kgan.export.signatures.describe(model)
    inputs = kgan.export.signatures.example_inputs(spec, "generate", 3, seed=1)
    served = kgan.export.saved_model.run(loaded, "generate", inputs)["images"]
    expected = kgan.export.signatures.keras_images(spec, "generate", inputs)
    assert np.abs(served.astype(int) - expected).max() <= 1


# --- the base's numbers against a hand computation -----------------------------------------------
def linear_gan(generator_kernel, critic_kernel, critic_bias, **compile_options):
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, use_bias=False)])
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    generator.set_weights([generator_kernel])
    critic.set_weights([critic_kernel, critic_bias])
    gan = kgan.GAN(generator, critic, seed=7)
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1), **compile_options)
    return gan


def softplus(x):
    return np.logaddexp(0.0, x)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize(
    "gp_weight,r1_weight,r2_weight",
    [(0.0, 0.0, 0.0), (10.0, 0.0, 0.0), (0.0, 0.5, 0.0), (0.0, 0.0, 0.4), (2.0, 0.3, 0.7)],
)
def test_one_step_of_the_non_saturating_gan_with_penalties_by_hand(gp_weight, r1_weight, r2_weight):
    rng = np.random.default_rng(0)
    real = rng.normal(size=(4, 2)).astype("float32")
    g_kernel = rng.normal(size=(2, 2)).astype("float32")
    w = np.array([[0.6], [-0.3]], "float32")
    b = np.array([0.1], "float32")
    gan = linear_gan(
        g_kernel,
        w,
        b,
        gradient_penalty_weight=gp_weight,
        r1_weight=r1_weight,
        r2_weight=r2_weight,
    )
    z = gan.sample_latent(4, step=0).numpy().astype("float64")  # the step's own draw
    history = gan.fit(real, batch_size=4, epochs=1, verbose=0, shuffle=False)

    # The critic D(x) = x.w + b. Its loss: softplus(-D(real)) + softplus(D(fake)), averaged.
    x, w64, g64 = real.astype("float64"), w.astype("float64"), g_kernel.astype("float64")
    fake = z @ g64
    d_real, d_fake = x @ w64 + b, fake @ w64 + b
    d_loss = np.mean(softplus(-d_real) + softplus(d_fake))
    grad_w = (-sigmoid(-d_real) * x + sigmoid(d_fake) * fake).mean(axis=0, keepdims=True).T
    grad_b = np.mean(-sigmoid(-d_real) + sigmoid(d_fake))
    # A linear critic's input gradient is w everywhere: GP = (|w| - 1)^2 at every
    # interpolate, R1 = |w|^2 on every real point, R2 = |w|^2 on every fake one; their
    # gradients in w follow.
    norm = np.linalg.norm(w64)
    grad_w += gp_weight * 2 * (norm - 1) * w64 / norm + (r1_weight + r2_weight) * 2 * w64
    new_w, new_b = w64 - 0.1 * grad_w, b - 0.1 * grad_b
    # The generator then plays against the updated critic: softplus(-D'(G(z))), averaged.
    d_new = fake @ new_w + new_b
    g_loss = np.mean(softplus(-d_new))
    grad_g = -(z.T @ (sigmoid(-d_new) @ new_w.T)) / len(z)

    logs = {key: values[0] for key, values in history.history.items()}
    assert logs["d_loss"] == pytest.approx(d_loss, rel=1e-5)
    assert logs["g_loss"] == pytest.approx(g_loss, rel=1e-5)
    if gp_weight:
        assert logs["gp"] == pytest.approx((norm - 1) ** 2, rel=1e-4)
    for name, weight in (("r1", r1_weight), ("r2", r2_weight)):
        if weight:
            assert logs[name] == pytest.approx(norm**2, rel=1e-5)
    weights = (("gp", gp_weight), ("r1", r1_weight), ("r2", r2_weight))
    penalties = {name for name, weight in weights if weight}
    assert set(logs) == {"d_loss", "g_loss"} | penalties
    kernel, bias = gan.discriminator.get_weights()
    np.testing.assert_allclose(kernel, new_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, new_b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gan.generator.get_weights()[0], g64 - 0.1 * grad_g, atol=1e-6)
    assert gan.step == 1


def test_one_step_of_the_relativistic_pairing_gan_by_hand():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(4, 2)).astype("float32")
    g_kernel = rng.normal(size=(2, 2)).astype("float32")
    w = np.array([[0.6], [-0.3]], "float32")
    b = np.array([0.1], "float32")
    gan = linear_gan(g_kernel, w, b, loss="relativistic_pairing")
    z = gan.sample_latent(4, step=0).numpy().astype("float64")
    history = gan.fit(real, batch_size=4, epochs=1, verbose=0, shuffle=False)

    # D(x) = x.w + b; its loss softplus(-(D(x_i) - D(G(z_i)))): the bias cancels in the pair.
    x, w64, g64 = real.astype("float64"), w.astype("float64"), g_kernel.astype("float64")
    fake = z @ g64
    gap = (x - fake) @ w64
    d_loss = np.mean(softplus(-gap))
    grad_w = (-sigmoid(-gap) * (x - fake)).mean(axis=0, keepdims=True).T
    new_w = w64 - 0.1 * grad_w
    # The generator: softplus(-(D'(G(z_i)) - D'(x_i))) against the updated critic; the real
    # scores are constants for it.
    gap_g = (fake - x) @ new_w
    g_loss = np.mean(softplus(-gap_g))
    grad_g = -(z.T @ (sigmoid(-gap_g) @ new_w.T)) / len(z)

    logs = {key: values[0] for key, values in history.history.items()}
    assert logs["d_loss"] == pytest.approx(d_loss, rel=1e-5)
    assert logs["g_loss"] == pytest.approx(g_loss, rel=1e-5)
    kernel, bias = gan.discriminator.get_weights()
    np.testing.assert_allclose(kernel, new_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, b, atol=1e-7)  # no gradient reaches the bias
    np.testing.assert_allclose(gan.generator.get_weights()[0], g64 - 0.1 * grad_g, atol=1e-6)


def test_r2_is_taken_on_the_generated_batch():
    # A critic D(x) = sum(x^2) has input gradient 2x, so R1 = 4|x|^2 on the real batch and R2
    # = 4|G(z)|^2 on the generated one: different numbers, unlike a linear critic's.
    inputs = keras.Input((2,))
    squares = keras.layers.Multiply()([inputs, inputs])
    critic = keras.Model(inputs, keras.layers.Dense(1, kernel_initializer="ones")(squares))
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, use_bias=False)])
    generator.set_weights([np.array([[2.0, 0.0], [0.0, 3.0]], "float32")])
    gan = kgan.GAN(generator, critic, seed=7)
    gan.compile(keras.optimizers.SGD(0.0), keras.optimizers.SGD(0.0), r1_weight=1.0, r2_weight=1.0)
    real = np.random.default_rng(0).normal(size=(4, 2)).astype("float32")
    fake = gan.sample_latent(4, step=0).numpy() @ generator.get_weights()[0]
    logs = gan.fit(real, batch_size=4, epochs=1, verbose=0, shuffle=False).history
    assert logs["r1"][0] == pytest.approx(np.mean(4 * np.sum(real**2, axis=1)), rel=1e-5)
    assert logs["r2"][0] == pytest.approx(np.mean(4 * np.sum(fake**2, axis=1)), rel=1e-5)


def test_an_objective_without_networks_or_served_generator_says_what_is_missing():
    class Empty(kgan.models.AdversarialModel):
        pass

    with pytest.raises(TypeError, match="must declare its networks"):
        Empty()

    class Unserved(kgan.models.AdversarialModel):
        NETWORKS = ("generator",)

    model = Unserved(generator=networks.tiny_image_generator())
    with pytest.raises(NotImplementedError, match="served_generator"):
        model.served_generator()
    with pytest.raises(TypeError, match="needs the networks generator"):
        Unserved()
    with pytest.raises(TypeError, match="takes keras.Model networks"):
        Unserved(generator="not a model")


def test_optimizers_by_position_or_by_role_and_distinct():
    model = two_critic_gan()
    a, b, g = (keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.25), keras.optimizers.Adam())
    model.compile(g, critic_b_optimizer=b, critic_a_optimizer=a)
    assert model.critic_a_optimizer is a and model.critic_b_optimizer is b
    assert model.generator_optimizer is g
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="its own optimizer"):
        model.compile(shared, shared)


def test_a_file_from_before_the_step_counter_takes_the_step_from_the_optimizer(images, tmp_path):
    # kgan 0.1 files kept no step counter: the step was the generator optimizer's iterations.
    import zipfile

    import h5py

    model = two_critic_gan()
    model.fit(images, epochs=1, verbose=0)
    path, older = tmp_path / "new.keras", tmp_path / "older.keras"
    model.save(path)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(older, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "model.weights.h5":
                weights = tmp_path / "weights.h5"
                weights.write_bytes(data)
                with h5py.File(weights, "r+") as file:
                    del file["vars"]["0"]  # the model's own variable: the step counter
                data = weights.read_bytes()
            target.writestr(item, data)
    loaded = keras.saving.load_model(older)
    assert loaded.step == model.step == 2
    test_case.assert_same_state(model, loaded)
