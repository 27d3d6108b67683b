"""Tests for kgan/utils/run_directory.py: resume refusal, JSON writing and the exit codes."""

import json

import keras
import numpy as np
import pytest

import kgan
from kgan import callbacks
from kgan.data.errors import DataError
from kgan.testing import networks
from kgan.utils import run_directory


def test_check_resume_needs_a_backup_and_refuses_changed_flags(tmp_path):
    flags = {"epochs": 5, "seed": 0, "out": str(tmp_path)}
    assert not run_directory.check_resume(tmp_path, flags)  # nothing to resume
    run_directory.write_json(str(tmp_path / "settings.json"), {"flags": {**flags, "epochs": 2}})
    assert not run_directory.check_resume(tmp_path, flags)  # settings but no backup: a new run
    (tmp_path / "backup").mkdir()
    assert run_directory.check_resume(tmp_path, flags)  # epochs may change on resume
    with pytest.raises(run_directory.UsageError, match=r"other settings \(seed differ\)"):
        run_directory.check_resume(tmp_path, {**flags, "seed": 1})


def test_write_json_replaces_the_file_whole(tmp_path):
    path = str(tmp_path / "settings.json")
    run_directory.write_json(path, {"a": 1})
    run_directory.write_json(path, {"b": [1, 2]})
    assert json.loads((tmp_path / "settings.json").read_text()) == {"b": [1, 2]}
    assert [item.name for item in tmp_path.iterdir()] == ["settings.json"]  # no temporary left


def test_check_positive_names_the_flag():
    run_directory.check_positive(
        {"epochs": 3, "steps_per_epoch": None}, "epochs", "steps_per_epoch"
    )
    with pytest.raises(run_directory.UsageError, match="--batch-size must be a positive integer"):
        run_directory.check_positive({"batch_size": 0}, "batch_size")


def test_parser_reports_instead_of_exiting():
    parser = run_directory.Parser(prog="train.py")
    parser.add_argument("--epochs", type=int)
    with pytest.raises(run_directory.UsageError, match="invalid int value"):
        parser.parse_args(["--epochs", "many"])


def result_settings(out):
    return {"result": {"epochs_run_now": 2, "train_seconds": 3.0, "steps": 8}}


@pytest.mark.parametrize(
    "error, code, message",
    [
        (run_directory.UsageError("--epochs must be a positive integer"), 2, "error: --epochs"),
        (ValueError("bad\n  shape"), 2, "error: bad shape"),
        (TypeError("--loss takes a name"), 2, "error: --loss takes a name"),
        (DataError("--data 'x': no images"), 1, "error: --data 'x': no images"),
        (FileNotFoundError(2, "No such file or directory", "a.npy"), 1, "No such file"),
        (
            callbacks.NonFiniteLossError("d_loss", float("nan"), 7, 0, 6),
            1,
            "diverged: Training stopped: d_loss is nan",
        ),
        (KeyboardInterrupt(), 130, "interrupted: rerun"),
    ],
)
def test_run_main_exit_codes_and_one_line_errors(capsys, error, code, message):
    def train(flags):
        raise error

    assert run_directory.run_main(lambda argv: {"out": "run"}, train, []) == code
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


@pytest.mark.parametrize(
    "bug",
    [
        lambda: np.reshape(np.zeros(3), (2, 2)),  # ValueError inside NumPy
        lambda: keras.layers.Dense(2)(np.zeros((2, 3)), np.zeros(2)),  # TypeError inside Keras
    ],
)
def test_run_main_lets_errors_raised_inside_dependencies_show_their_traceback(bug, capsys):
    def train(flags):
        bug()

    with pytest.raises((ValueError, TypeError)):
        run_directory.run_main(lambda argv: {"out": "run"}, train, [])
    assert capsys.readouterr().err == ""


def test_a_kgan_check_is_a_one_line_usage_error(capsys):
    def train(flags):
        generator = networks.tiny_vector_generator()
        model = kgan.GAN(generator, networks.tiny_vector_discriminator(), seed=0)
        model.compile(loss="no_such_loss")

    assert run_directory.run_main(lambda argv: {"out": "run"}, train, []) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no_such_loss" in err


def test_precision_is_the_policy_while_training_and_restored_after():
    seen = []

    def train(flags):
        seen.append(keras.config.dtype_policy().name)
        return result_settings(flags)

    flags = {"out": "run", "precision": "mixed_bfloat16"}
    assert run_directory.run_main(lambda argv: flags, train, []) == 0
    assert seen == ["mixed_bfloat16"] and keras.config.dtype_policy().name == "float32"
    parser = run_directory.Parser()
    run_directory.add_run_flags(parser, "seed")
    with pytest.raises(run_directory.UsageError, match="invalid choice"):
        parser.parse_args(["--precision", "float8"])


def test_run_main_prints_the_summary(capsys):
    assert run_directory.run_main(lambda argv: {"out": "run"}, result_settings, []) == 0
    assert (
        "Trained 2 epoch(s) in 3 s, 8 steps in all; model saved to run" in capsys.readouterr().out
    )
