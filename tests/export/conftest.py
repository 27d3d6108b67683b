"""The export tests' shared fixture: each tiny model exported to both formats once."""

import pytest

from kgan.testing.objectives import OBJECTIVES
from kgan.testing.objectives import tiny_model


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """`objective -> (model, ExportReport)`: each tiny model exported to both formats once."""
    from kgan import export

    results = {}
    for objective in OBJECTIVES:
        model = tiny_model(objective)
        path = tmp_path_factory.mktemp(objective)
        results[objective] = (
            model,
            export.export_generator(model, path, format=["saved_model", "tflite"], verbose=False),
        )
    return results


# The decoding the tiny sequence GAN is exported with: both filters on, so parity covers them.
SEQUENCE_DECODING = {"top_k": 5, "top_p": 0.9}


@pytest.fixture(scope="session")
def exported_sequences(tmp_path_factory):
    """`(model, ExportReport)`: a tiny SeqGAN exported to SavedModel and float32 LiteRT once."""
    from kgan import export
    from kgan.models import seq_gan
    from kgan.testing import sequences

    model = sequences.tiny_model(seq_gan.SeqGAN)
    path = tmp_path_factory.mktemp("seq_gan")
    report = export.export_generator(
        model, path, format=["saved_model", "tflite"], verbose=False, **SEQUENCE_DECODING
    )
    return model, report
