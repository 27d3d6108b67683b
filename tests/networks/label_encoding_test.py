import numpy as np
import pytest

from kgan.networks import label_encoding
from kgan.testing import conditional


@pytest.mark.parametrize("embedding_dim", [None, 5])
@pytest.mark.parametrize("form", sorted(conditional.LABEL_FORMS))
def test_encodings_have_the_announced_size(form, embedding_dim):
    kwargs, _, _ = conditional.LABEL_FORMS[form]
    labels = label_encoding.label_input(**kwargs)
    assert labels.name == "labels"
    assert labels.dtype == ("int32" if "num_classes" in kwargs else "float32")
    encoded = label_encoding.embed_labels(labels, embedding_dim=embedding_dim, **kwargs)
    size = label_encoding.condition_size(embedding_dim=embedding_dim, **kwargs)
    assert tuple(encoded.shape) == (None, size)
    assert size == (embedding_dim or next(iter(kwargs.values())))


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="exactly one of `num_classes`"):
        label_encoding.label_input(num_classes=3, condition_dim=2)
    with pytest.raises(ValueError, match="`num_classes` must be an integer >= 1"):
        label_encoding.check_condition(num_classes=np.float32(3))
