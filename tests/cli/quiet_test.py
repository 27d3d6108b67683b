"""Tests for kgan/cli/quiet.py and the command's start-up: `--help` without TensorFlow, and
commands that print no TensorFlow log line unless given `--verbose`. Each runs a fresh
interpreter, since the test process has TensorFlow imported already."""

import os
import subprocess
import sys

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
