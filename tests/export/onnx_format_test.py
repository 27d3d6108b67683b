"""Tests for kgan/export/onnx_format.py: every objective to ONNX, run in onnxruntime."""

import json
import os
import sys

import numpy as np
import pytest

from kgan import export
from kgan.export import onnx_format
from kgan.export import saved_model
from kgan.export import signatures
from kgan.testing.objectives import OBJECTIVES
from kgan.testing.objectives import tiny_model


@pytest.fixture(scope="module")
def onnx_exports(tmp_path_factory):
    """`objective -> (model, ExportReport)`: each tiny model exported to ONNX once."""
    results = {}
    for objective in OBJECTIVES:
        model = tiny_model(objective)
        path = tmp_path_factory.mktemp(f"onnx_{objective}")
        results[objective] = (model, export.export_generator(model, path, format="onnx"))
    return results


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_onnxruntime_equals_keras_at_any_batch(onnx_exports, objective):
    model, report = onnx_exports[objective]
    spec = signatures.describe(model)
    session = onnx_format.load(report.paths["onnx"])
    signature = signatures.DETERMINISTIC_SIGNATURES[spec.kind][0]
    for num in (1, 6):
        inputs = signatures.example_inputs(spec, signature, num, seed=9)
        images = onnx_format.run(session, inputs)["images"]
        assert images.dtype == np.uint8 and images.shape == (num, *spec.output_shape)
        expected = signatures.keras_images(spec, signature, inputs)
        assert np.abs(images.astype(int) - expected).max() <= 1
        # Not a constant image: the inputs reach the output.
        assert len(np.unique(images)) > 1


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_inputs_and_output_are_the_signatures(onnx_exports, objective):
    model, report = onnx_exports[objective]
    spec = signatures.describe(model)
    session = onnx_format.load(report.paths["onnx"])
    names = {item.name: item.type for item in session.get_inputs()}
    expected = {
        "unconditional": {"z": "tensor(float)"},
        "classes": {"z": "tensor(float)", "labels": "tensor(int32)"},
        "attributes": {"z": "tensor(float)", "labels": "tensor(float)"},
        "translation": {"source_images": "tensor(uint8)"},
    }[spec.kind]
    assert names == expected
    (output,) = session.get_outputs()
    assert output.name == "images" and output.type == "tensor(uint8)"
    assert output.shape[1:] == list(spec.output_shape)  # any batch size


def test_parity_report_beside_the_file(onnx_exports):
    _, report = onnx_exports["gan"]
    path = report.paths["onnx"]
    assert os.path.basename(path) == "generator.onnx"
    written = json.loads(open(f"{path}.parity.json").read())
    assert written["format"] == "onnx" and written["signatures"].keys() == {"generate"}
    assert written["thresholds"] == {"max_error": 1}
    assert written["size_bytes"] == os.path.getsize(path)
    # Nothing but the artefact and its report: the staging folder and SavedModel are gone.
    written_files = sorted(os.listdir(os.path.dirname(path)))
    assert written_files == ["generator.onnx", "generator.onnx.parity.json"]


def test_cycle_gan_directions_share_a_folder(tmp_path):
    model = tiny_model("cycle_gan")
    for direction in ("a2b", "b2a"):
        export.export_generator(model, tmp_path, format="onnx", direction=direction, verbose=False)
    assert {"generator_a2b.onnx", "generator_b2a.onnx"} <= set(os.listdir(tmp_path))
    for direction in ("a2b", "b2a"):
        spec = signatures.describe(model, direction)
        inputs = signatures.example_inputs(spec, "translate", 2, seed=1)
        session = onnx_format.load(tmp_path / f"generator_{direction}.onnx")
        images = onnx_format.run(session, inputs)["images"]
        expected = signatures.keras_images(spec, "translate", inputs)  # this direction's
        assert np.abs(images.astype(int) - expected).max() <= 1


def test_token_generator_matches_generate(tmp_path):
    from kgan.models import seq_gan
    from kgan.testing import sequences

    model = sequences.tiny_model(seq_gan.SeqGAN)
    report = export.export_generator(model, tmp_path, format="onnx", verbose=False, top_k=5)
    assert report["onnx"].figures["token_match"] >= 0.999
    session = onnx_format.load(report.paths["onnx"])
    spec = signatures.describe(model, top_k=5)
    inputs = signatures.example_inputs(spec, "generate", 16, seed=3)
    tokens = onnx_format.run(session, inputs)["tokens"]
    assert tokens.dtype == np.int32
    np.testing.assert_array_equal(tokens, signatures.keras_tokens(spec, "generate", inputs))


def test_an_op_without_onnx_equivalent_is_named(tmp_path):
    # `sample` draws z with TensorFlow's stateless Philox op, which ONNX has no operator for.
    spec = signatures.describe(tiny_model("gan"))
    saved_model.write(spec, str(tmp_path / "saved_model"))
    with pytest.raises(onnx_format.UnsupportedOpError, match="StatelessRandomNormalV2") as error:
        onnx_format.convert(tmp_path / "saved_model", "sample")
    assert "'sample' signature" in str(error.value) and "\n" not in str(error.value)


def test_parity_failure_writes_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(export.ParityError, match="nothing was written"):
        # No float32 export reaches a mean error below zero.
        export.export_generator(
            tiny_model("gan"), out, format="onnx", parity_threshold={"mean_error": -1}
        )
    assert not out.exists()


def test_missing_extra_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r'pip install "kgan\[onnx\]"'):
        export.export_generator(tiny_model("gan"), tmp_path / "out", format="onnx")
    assert not (tmp_path / "out").exists()
