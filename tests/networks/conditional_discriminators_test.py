import keras
import numpy as np
import pytest

from kgan.networks import conditional_discriminators
from kgan.testing import conditional
from kgan.testing import test_case


def images(size=16, batch_size=3):
    return np.random.default_rng(1).uniform(-1, 1, (batch_size, size, size, 1)).astype("float32")


def small_trunk(**kwargs):
    return conditional_discriminators.dcgan_features(
        image_size=16, channels=1, base_filters=4, normalization="layer", **kwargs
    )


@pytest.mark.slow
@pytest.mark.parametrize("form", sorted(conditional.LABEL_FORMS))
@pytest.mark.parametrize("kind", conditional_discriminators.CONDITIONINGS)
@pytest.mark.parametrize("spectral_norm", [False, True])
def test_discriminators_score_images_against_their_labels(form, kind, spectral_norm, tmp_path):
    kwargs, labels, other_labels = conditional.LABEL_FORMS[form]
    discriminator = conditional_discriminators.conditional_discriminator(
        small_trunk(spectral_norm=spectral_norm),
        conditioning=kind,
        hidden_units=(8,),
        spectral_norm=spectral_norm,
        **kwargs,
    )
    if kind == "acgan":
        assert [tensor.name for tensor in discriminator.inputs] == ["images"]
        logits, class_logits = discriminator(images())
        assert tuple(logits.shape) == (3, 1)
        assert tuple(class_logits.shape) == (3, kwargs.get("num_classes", 4))
        assert class_logits.dtype == "float32"
        # Two outputs: the shared round trip compares single outputs, so compare here.
        discriminator.save(tmp_path / "acgan.keras")
        loaded = keras.saving.load_model(tmp_path / "acgan.keras")
        for original, restored in zip((logits, class_logits), loaded(images())):
            np.testing.assert_array_equal(restored.numpy(), original.numpy())
        return
    assert [tensor.name for tensor in discriminator.inputs] == ["images", "labels"]
    logits = discriminator([images(), labels])
    assert tuple(logits.shape) == (3, 1) and logits.dtype == "float32"
    other = discriminator([images(), other_labels])
    assert not np.allclose(logits, other)  # the label reaches the logit
    test_case.run_network_serialization_test(
        discriminator, [images(), labels], tmp_path / "d.keras"
    )


@pytest.mark.parametrize("form", sorted(conditional.LABEL_FORMS))
def test_projection_logit_is_psi_of_phi_plus_the_label_projection(form):
    kwargs, labels, _ = conditional.LABEL_FORMS[form]
    trunk = conditional_discriminators.mlp_features((5,), hidden_units=(7,))
    discriminator = conditional_discriminators.conditional_discriminator(
        trunk, conditioning="projection", **kwargs
    )
    samples = np.random.default_rng(2).normal(size=(3, 5)).astype("float32")
    phi = keras.ops.convert_to_numpy(trunk(samples))
    psi = discriminator.get_layer("unconditional_logits")
    unconditional = phi @ psi.kernel.numpy() + psi.bias.numpy()
    embedding = discriminator.get_layer("label_embedding")
    if "num_classes" in kwargs:
        embedded = embedding.embeddings.numpy()[labels]
    else:
        embedded = labels @ embedding.kernel.numpy()
    expected = unconditional[:, 0] + np.sum(embedded * phi, axis=1)
    np.testing.assert_allclose(
        discriminator([samples, labels]).numpy()[:, 0], expected, rtol=1e-5, atol=1e-6
    )


def test_feature_trunks_drop_only_the_last_layer():
    trunk = conditional_discriminators.dcgan_features(image_size=16, channels=1, base_filters=4)
    assert tuple(trunk.output.shape) == (None, 4 * 4 * 8)
    mlp_trunk = conditional_discriminators.mlp_features((3,), hidden_units=(9, 6))
    assert tuple(mlp_trunk.output.shape) == (None, 6)


def test_bad_arguments_get_clear_errors():
    trunk = small_trunk()
    with pytest.raises(ValueError, match="exactly one of `num_classes`"):
        conditional_discriminators.conditional_discriminator(trunk)
    with pytest.raises(ValueError, match="`conditioning` must be one of"):
        conditional_discriminators.conditional_discriminator(
            trunk, num_classes=3, conditioning="film"
        )
    with pytest.raises(ValueError, match="at least one hidden layer"):
        conditional_discriminators.conditional_discriminator(
            trunk, num_classes=3, conditioning="concat", hidden_units=()
        )
