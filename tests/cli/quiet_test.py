"""Tests for kgan/cli/quiet.py and the command's start-up: `--help` without TensorFlow, and
commands that print no TensorFlow or LiteRT log line unless given `--verbose`. The commands run
in a fresh interpreter, since the test process has TensorFlow imported already."""

import os
import subprocess
import sys

import pytest

from kgan.cli import quiet

# Slow end-to-end checks: CI runs them; `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

# What a user's shell has: no TF_CPP_MIN_LOG_LEVEL (CI sets one), the TensorFlow backend.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}


def python(*argv, timeout=120):
    return subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, timeout=timeout, env=ENVIRONMENT
    )


def test_help_imports_neither_tensorflow_nor_keras():
    code = (
        "import sys\n"
        "from kgan import cli\n"
        "cli.build_parser().format_help()\n"
        "print(sorted(name for name in ('tensorflow', 'keras') if name in sys.modules))"
    )
    completed = python("-c", code)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == "[]"


RECIPES = os.path.join(os.path.dirname(__file__), "..", "..", "recipes")
SCRIPTS = ["dcgan_digits/train.py", "seqgan_text/train.py", "seqgan_oracle/make_data.py"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_recipe_run_as_a_script_prints_no_tensorflow_lines(script):
    # The recipes hold TensorFlow's start-up lines back as the command does (a bad flag is the
    # quickest run that imports everything).
    completed = python(os.path.join(RECIPES, script), "--seed", "x")
    assert completed.returncode == 2 and "invalid int value: 'x'" in completed.stderr
    assert completed.stderr.count("\n") <= 3, completed.stderr  # usage and the error only
    assert "I0000" not in completed.stderr and "absl" not in completed.stderr


def test_help_prints_only_the_help():
    completed = python("-m", "kgan.cli", "--help")
    assert completed.returncode == 0 and "sample" in completed.stdout
    assert completed.stderr == ""


def test_a_command_prints_no_tensorflow_log_line_unless_verbose(model_path, tmp_path):
    argv = ["-m", "kgan.cli", "sample", model_path, "--num", "4"]
    quiet = python(*argv, "--out", tmp_path / "quiet.png")
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert quiet.stderr == ""
    assert quiet.stdout.startswith("Wrote 4 samples") and (tmp_path / "quiet.png").exists()
    verbose = python(*argv, "--out", tmp_path / "verbose.png", "--verbose")
    assert verbose.returncode == 0 and (tmp_path / "verbose.png").exists()
    # TensorFlow's start-up notes (oneDNN, CUDA, CPU features) are back; which ones depends on
    # the build and machine, so only that there is some stderr is asserted.
    assert verbose.stderr.strip()


def test_a_failing_tensorflow_import_still_says_why(tmp_path):
    # A `tensorflow` that cannot import, first on the path: its error must reach the terminal.
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text("raise ImportError('broken install')\n")
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        "from kgan.cli import quiet\n"
        "quiet.import_tensorflow_quietly()"
    )
    completed = python("-c", code)
    assert completed.returncode != 0 and "broken install" in completed.stderr


def test_exporting_and_sampling_a_tflite_model_prints_no_litert_log_line(model_path, tmp_path):
    # LiteRT announces "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." on the
    # process's stderr the first time a model runs: in `kgan export` (parity) and `kgan sample`.
    tflite = tmp_path / "e" / "generator.tflite"
    exported = python(
        "-m", "kgan.cli", "export", model_path, "--format", "tflite", "--out", tflite.parent
    )
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert "XNNPACK" not in exported.stderr and exported.stderr == ""
    out = tmp_path / "samples.png"
    sampled = python("-m", "kgan.cli", "sample", tflite, "--num", "4", "--out", out)
    assert sampled.returncode == 0, sampled.stderr[-2000:]
    assert "XNNPACK" not in sampled.stderr and sampled.stderr == ""
    assert sampled.stdout.startswith("Wrote 4 samples") and out.exists()


def test_native_stderr_hidden_holds_back_file_descriptor_2_and_restores_it(capfd):
    with quiet.native_stderr_hidden():
        # What native code does: write to the descriptor, past `sys.stderr` (which capfd
        # replaces, so a Python-level write would not show what is tested here).
        os.write(2, b"native notice\n")
    os.write(2, b"after the block\n")
    assert capfd.readouterr().err == "after the block\n"


@pytest.mark.parametrize("replay", [True, False])
def test_native_stderr_hidden_replays_a_failing_block_only_if_asked(capfd, replay):
    with pytest.raises(RuntimeError, match="failed"):
        with quiet.native_stderr_hidden(replay=replay):
            os.write(2, b"why it failed\n")
            raise RuntimeError("failed")
    os.write(2, b"after the block\n")
    replayed = "why it failed\n" if replay else ""
    assert capfd.readouterr().err == replayed + "after the block\n"
