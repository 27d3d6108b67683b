"""Helpers for the recipes' tests (`recipes/<name>/train_test.py`)."""

import importlib.util
import pathlib

from tensorboard.backend.event_processing import event_accumulator


def load_recipe(test_file, script="train.py"):
    """The recipe script beside `test_file` (pass `__file__`), loaded as a module.

    Recipes are scripts, not package modules, so they are loaded from their path.
    """
    path = pathlib.Path(test_file).with_name(script)
    name = f"{path.parent.name}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def summary_tags(log_dir):
    """The set of summary tags (scalars and images) written to the event files in `log_dir`."""
    # TF2 summaries, scalars included, are stored as tensors.
    accumulator = event_accumulator.EventAccumulator(str(log_dir), size_guidance={})
    return set(accumulator.Reload().Tags()["tensors"])


def usage_error(main, argv, capsys, code=2):
    """Runs a recipe's `main(argv)` expecting bad input; returns its one stderr line.

    Asserts the recipes' promise for bad input: the exit code (2 for a bad command line or
    setting, 1 for bad data: see `kgan.utils.run_directory.run_main`) and one line,
    `error: ...`, no traceback.
    """
    assert main([str(arg) for arg in argv]) == code
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    return err


def data_error(main, argv, capsys):
    """`usage_error` for bad data (`kgan.data.DataError`): exit code 1, one line."""
    return usage_error(main, argv, capsys, code=1)
