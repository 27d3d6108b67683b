import keras
import numpy as np
import pytest

from kgan.networks import conditional_generators
from kgan.networks import mlp
from kgan.testing import conditional
from kgan.testing import test_case


def latents(dim=6, batch_size=3):
    return np.random.default_rng(0).normal(size=(batch_size, dim)).astype("float32")


@pytest.mark.parametrize("form", sorted(conditional.LABEL_FORMS))
@pytest.mark.parametrize("embedding_dim", [None, 5])
def test_generators_take_z_and_labels_and_follow_the_labels(form, embedding_dim):
    kwargs, labels, other_labels = conditional.LABEL_FORMS[form]
    for generator, shape in (
        (
            conditional_generators.conditional_dcgan_generator(
                6, 16, 1, embedding_dim=embedding_dim, base_filters=4, **kwargs
            ),
            (3, 16, 16, 1),
        ),
        (
            conditional_generators.conditional_dcgan_generator(
                6,
                16,
                1,
                embedding_dim=embedding_dim,
                base_filters=4,
                normalization="conditional_batch",
                **kwargs,
            ),
            (3, 16, 16, 1),
        ),
        (
            conditional_generators.conditional_mlp_generator(
                6, (2,), embedding_dim=embedding_dim, hidden_units=(8,), **kwargs
            ),
            (3, 2),
        ),
    ):
        assert [tensor.name for tensor in generator.inputs] == ["z", "labels"]
        outputs = keras.ops.convert_to_numpy(generator([latents(), labels]))
        assert outputs.shape == shape and outputs.dtype == np.float32
        assert np.all(np.abs(outputs) <= 1)
        changed = keras.ops.convert_to_numpy(generator([latents(), other_labels]))
        assert not np.allclose(outputs, changed)


def test_conditional_batch_norm_generator_survives_saving(tmp_path):
    generator = conditional_generators.conditional_dcgan_generator(
        6, 16, 1, num_classes=3, normalization="conditional_batch", base_filters=4
    )
    assert [tensor.name for tensor in generator.inputs] == ["z", "labels"]
    class_ids = conditional.LABEL_FORMS["classes"][1]
    test_case.run_network_serialization_test(
        generator, [latents(), class_ids], tmp_path / "cbn.keras"
    )


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="no room for a latent vector"):
        conditional_generators.conditional_generator(mlp.mlp_generator(3, (2,)), num_classes=3)
    with pytest.raises(ValueError, match="`embedding_dim` must be an integer >= 1"):
        conditional_generators.conditional_mlp_generator(4, (2,), num_classes=3, embedding_dim=0)
