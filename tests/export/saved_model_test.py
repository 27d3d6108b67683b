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


def test_move_into_place_replaces(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "stale").write_text("x")
    staged = saved_model.temporary_folder(tmp_path / "old")
    saved_model.move_into_place(staged, tmp_path / "old")
    assert list((tmp_path / "old").iterdir()) == []
