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
