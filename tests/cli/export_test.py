"""Tests for kgan/cli/export.py: `kgan export` on tiny saved models, and its one-line errors."""

import json
import sys

import numpy as np
import pytest

from kgan import cli
from kgan.export import litert_runner
from kgan.testing import cli as cli_testing
from kgan.testing.cli import run
from kgan.testing.cli import run_error


@pytest.mark.slow
def test_export_saved_model_and_tflite(model_path, tmp_path, capsys):
    out = tmp_path / "exported"
    argv = ["export", model_path, "--format", "saved_model,tflite", "--quantize", "none,float16"]
    printed = run([*argv, "--out", out], capsys)
    assert "Exported 3 artefacts" in printed and "PSNR" in printed
    assert (out / "saved_model" / "saved_model.pb").exists()
    for name in ("generator.tflite", "generator_float16.tflite"):
        report = json.loads((out / f"{name}.parity.json").read_text())
        assert report["figures"]["max_error"] <= 1
    interpreter = litert_runner.load(out / "generator_float16.tflite")
    images = litert_runner.run(interpreter, "generate", {"z": np.zeros((2, 8))})["images"]
    assert images.shape == (2, 8, 8, 1) and images.dtype == np.uint8


def test_export_pix2pix_int8_with_representative(tmp_path, capsys):
    model = cli_testing.save_tiny_pix2pix(tmp_path / "p.keras")
    np.save(tmp_path / "sources.npy", np.zeros((4, 8, 8, 1), np.uint8))
    argv = ["export", model, "--format", "tflite", "--quantize", "int8", "--out", tmp_path / "x"]
    code, line = run_error(argv, capsys)
    assert code == cli.USAGE_ERROR and "--representative" in line
    run([*argv, "--representative", tmp_path / "sources.npy"], capsys)
    assert (tmp_path / "x" / "generator_int8.tflite").exists()


def test_usage_errors(model_path, tmp_path, capsys):
    out = tmp_path / "out"
    for extra, message in [
        (["--format", "coreml"], "--format 'coreml'"),
        (["--quantize", "int4", "--format", "tflite"], "--quantize 'int4'"),
        (["--quantize", "int8"], "add tflite to --format"),
    ]:
        code, line = run_error(["export", model_path, "--out", out, *extra], capsys)
        assert code == cli.USAGE_ERROR and message in line
    code, line = run_error(["export", tmp_path / "nope.keras", "--out", out], capsys)
    assert code == cli.RUN_ERROR and "no model file" in line
    assert not out.exists()


@pytest.mark.slow
def test_a_parity_threshold_from_the_command_line_fails_loudly_and_writes_nothing(
    model_path, tmp_path, capsys
):
    out = tmp_path / "strict"
    argv = ["export", model_path, "--format", "tflite", "--quantize", "float16", "--out", out]
    code, line = run_error([*argv, "--min-psnr", "500"], capsys)  # float16 cannot reach 500 dB
    assert code == cli.RUN_ERROR and "PSNR" in line and "--min-psnr" in line
    assert not out.exists()
    run([*argv, "--min-psnr", "30"], capsys)
    report = json.loads((out / "generator_float16.tflite.parity.json").read_text())
    assert report["thresholds"] == {"min_psnr": 30.0}


def test_representative_for_a_latent_model_is_a_usage_error(model_path, tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((2, 8, 8, 1), np.uint8))
    argv = ["export", model_path, "--out", tmp_path / "o", "--representative", tmp_path / "x.npy"]
    code, line = run_error(argv, capsys)
    assert code == cli.USAGE_ERROR and "--representative is for image-to-image" in line
    code, line = run_error(["export", model_path, "--out", tmp_path / "o", "--seed", "-1"], capsys)
    assert code == cli.USAGE_ERROR and "--seed must be >= 0" in line


def test_tflite_without_the_litert_extra_is_one_line_naming_it(
    model_path, tmp_path, capsys, monkeypatch
):
    # `None` in sys.modules makes `import ai_edge_litert` raise ImportError, as when missing.
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    out = tmp_path / "exported"
    code, line = run_error(["export", model_path, "--format", "tflite", "--out", out], capsys)
    assert code == cli.RUN_ERROR and "pip install 'kgan[litert]'" in line
    assert not out.exists()  # refused before any work
    run(["export", model_path, "--format", "saved_model", "--out", out], capsys)  # needs no LiteRT
    assert (out / "saved_model" / "saved_model.pb").exists()


@pytest.mark.parametrize("missing", ["tf2onnx", "onnxruntime"])
def test_onnx_without_the_onnx_extra_is_one_line_naming_it(
    model_path, tmp_path, capsys, monkeypatch, missing
):
    monkeypatch.setitem(sys.modules, missing, None)
    out = tmp_path / "exported"
    code, line = run_error(["export", model_path, "--format", "onnx", "--out", out], capsys)
    assert code == cli.RUN_ERROR and 'pip install "kgan[onnx]"' in line and missing in line
    assert not out.exists()  # refused before any work


def test_export_onnx_runs_in_onnxruntime_and_refuses_to_overwrite(model_path, tmp_path, capsys):
    from kgan.export import onnx_format

    out = tmp_path / "exported"
    printed = run(["export", model_path, "--format", "onnx", "--out", out], capsys)
    assert "Exported 1 artefacts" in printed and "onnx" in printed
    report = json.loads((out / "generator.onnx.parity.json").read_text())
    assert report["format"] == "onnx" and report["figures"]["max_error"] <= 1
    session = onnx_format.load(out / "generator.onnx")
    images = onnx_format.run(session, {"z": np.zeros((3, 8), np.float32)})["images"]
    assert images.shape == (3, 8, 8, 1) and images.dtype == np.uint8
    before = (out / "generator.onnx").read_bytes()
    code, line = run_error(["export", model_path, "--format", "onnx", "--out", out], capsys)
    assert code == cli.USAGE_ERROR and "generator.onnx" in line and "--force" in line
    assert (out / "generator.onnx").read_bytes() == before


def test_export_web_writes_a_page_folder(model_path, tmp_path, capsys):
    out = tmp_path / "exported"
    printed = run(["export", model_path, "--format", "web", "--out", out], capsys)
    assert "python -m http.server --directory" in printed and str(out / "web") in printed
    assert {"index.html", "page.js", "generator.onnx", "model.json"} <= {
        path.name for path in (out / "web").iterdir()
    }
    code, line = run_error(["export", model_path, "--format", "web", "--out", out], capsys)
    assert code == cli.USAGE_ERROR and "web" in line and "--force" in line


def test_export_web_with_a_bad_runtime_is_one_line(model_path, tmp_path, capsys):
    argv = ["export", model_path, "--format", "web", "--out", tmp_path / "o"]
    code, line = run_error([*argv, "--web-runtime", tmp_path / "nope.tgz"], capsys)
    assert code == cli.RUN_ERROR and line.startswith("kgan: error: --format web:")
    assert "nope.tgz" in line and not (tmp_path / "o").exists()
