"""`kgan.models.GLO`: codes and generator learn each image by reconstruction; sampling from the
Gaussian of the codes; saving, export and clear errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan import export
from kgan.models.glo import GLO
from kgan.models.glo import latent_codes
from kgan.testing import networks
from kgan.testing import test_case

IMAGES = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")


def tiny_glo(**options):
    keras.utils.set_random_seed(0)
    return GLO(networks.tiny_image_generator(), num_images=len(IMAGES), seed=1, **options)


def indexed_dataset(batch_size=4):
    return tf.data.Dataset.from_tensor_slices((IMAGES, np.arange(len(IMAGES)))).batch(batch_size)


@pytest.mark.slow
def test_each_code_learns_its_own_image():
    model = tiny_glo()
    model.compile()
    before = test_case.weights_of(model.codes)
    history = model.fit(IMAGES, batch_size=4, epochs=60, verbose=0)
    losses = history.history["l1_loss"]
    assert losses[-1] < 0.7 * losses[0], losses
    assert test_case.changed(before, model.codes)
    # fit(images) numbered the images and shuffled numbers with them: reconstruction i is
    # nearest image i.
    reconstructions = model.reconstruct(np.arange(len(IMAGES)))
    distances = np.abs(reconstructions[:, None] - IMAGES[None]).mean(axis=(2, 3, 4))
    np.testing.assert_array_equal(distances.argmin(axis=1), np.arange(len(IMAGES)))


def test_codes_are_used_on_the_sphere_and_sampled_from_their_gaussian():
    model = tiny_glo()
    table = model.codes.get_layer("embedding").embeddings.numpy().astype("float64")
    on_sphere = table / np.linalg.norm(table, axis=1, keepdims=True) * np.sqrt(model.latent_dim)
    np.testing.assert_allclose(
        model.sphere_codes(tf.range(len(IMAGES))), on_sphere, rtol=1e-5, atol=1e-6
    )
    mean, factor = model.code_gaussian()
    np.testing.assert_allclose(mean, on_sphere.mean(axis=0), atol=1e-5)
    covariance = np.cov(on_sphere, rowvar=False) + 1e-6 * np.eye(model.latent_dim)
    np.testing.assert_allclose(factor @ factor.T, covariance, atol=1e-4)
    # generate(seed) is the generator at mean + L e for the seed's standard-normal e.
    normal = np.random.default_rng(3).standard_normal((5, model.latent_dim)).astype("float32")
    expected = model.generator(normal @ factor.T + mean, training=False)
    np.testing.assert_allclose(model.generate(5, seed=3), expected, atol=1e-5)
    np.testing.assert_allclose(model(normal), expected, atol=1e-5)
    np.testing.assert_allclose(model.predict(normal, verbose=0), expected, atol=1e-5)


def test_perceptual_term_is_the_mean_squared_feature_error():
    features = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten()])
    features.add(keras.layers.Dense(5, name="features"))
    model = tiny_glo(features=features, l1_weight=0.5, perceptual_weight=2.0)
    model.compile()
    indices = np.array([1, 4])
    losses = model.reconstruction_losses(IMAGES[indices], indices)
    fake = model.generator(model.sphere_codes(indices)).numpy()
    l1 = np.abs(fake - IMAGES[indices]).mean(axis=(1, 2, 3))
    perceptual = ((features(fake).numpy() - features(IMAGES[indices]).numpy()) ** 2).mean(axis=1)
    np.testing.assert_allclose(losses["l1_loss"], l1, rtol=1e-5)
    np.testing.assert_allclose(losses["perceptual_loss"], perceptual, rtol=1e-4)
    np.testing.assert_allclose(losses["loss"], 0.5 * l1 + 2.0 * perceptual, rtol=1e-4)
    frozen = test_case.weights_of(features)
    history = model.fit(indexed_dataset(), epochs=1, verbose=0)
    assert set(history.history) == {"loss", "l1_loss", "perceptual_loss"}
    assert not test_case.changed(frozen, features)


def test_saving_and_export(tmp_path):
    model = tiny_glo(ema_decay=0.9)
    model.compile()
    model.fit(indexed_dataset(), epochs=2, verbose=0)
    loaded = test_case.run_model_saving_test(
        model, tmp_path / "glo.keras", indexed_dataset(), np.zeros((2, model.latent_dim))
    )
    assert loaded.num_images == len(IMAGES)
    report = export.export_generator(model, tmp_path / "export", verbose=False)
    assert report is not None and (tmp_path / "export" / "saved_model").is_dir()


def test_trains_and_samples_under_mixed_bfloat16():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = tiny_glo()
        model.compile()
        model.fit(IMAGES, batch_size=4, epochs=1, verbose=0)
        samples = model(np.zeros((3, model.latent_dim), "float32"))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    # The codes stay float32 parameters; the samples come out float32 and finite.
    assert model.codes.get_layer("embedding").embeddings.dtype == "float32"
    assert samples.dtype == "float32" and np.isfinite(samples.numpy()).all()


def test_bad_input_is_named():
    model = tiny_glo()
    model.compile()
    with pytest.raises(ValueError, match="GLO trains on \\(images, indices\\)"):
        model.fit(tf.data.Dataset.from_tensor_slices(IMAGES).batch(4), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="r1_weight does not apply"):
        model.compile(r1_weight=1.0)
    with pytest.raises(ValueError, match="needs num_images"):
        GLO(networks.tiny_image_generator())
    with pytest.raises(ValueError, match="not both 0"):
        tiny_glo(l1_weight=0.0, perceptual_weight=0.0)
    with pytest.raises(ValueError, match="indices must lie in"):
        model.reconstruct([8])
    with pytest.raises(ValueError, match="num_images must be a positive integer"):
        latent_codes(0, 4)
