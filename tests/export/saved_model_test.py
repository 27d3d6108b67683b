"""Tests for kgan/export/saved_model.py: writing, loading and running the signatures."""

import numpy as np

from kgan.export import saved_model
from kgan.export import signatures
from kgan.testing.objectives import tiny_model


def test_write_load_run(tmp_path):
    spec = signatures.describe(tiny_model("attributes"))
    saved_model.write(spec, tmp_path / "model")
    loaded = saved_model.load(tmp_path / "model")
    # Keras makes the first endpoint the default (what TF Serving calls without a name).
    assert set(loaded.signatures) == {"generate", "sample", "serving_default"}
    inputs = signatures.example_inputs(spec, "generate", 3, seed=0)
    images = saved_model.run(loaded, "generate", inputs)["images"]
    expected = signatures.keras_images(spec, "generate", inputs)
    assert np.abs(images.astype(int) - expected).max() <= 1
