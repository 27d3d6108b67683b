"""The run directory every recipe writes, and the command-line conventions they share.

A recipe (`recipes/<objective>_<dataset>/train.py`) trains one model and leaves a run directory:

```
runs/<name>/
  model.keras      the whole model (networks and optimizers); the `kgan` command reads it
  settings.json    the flags, the values resolved from them, library versions, the result
  samples/         sample grids (kgan.callbacks.SampleGrid), epoch_0010.png ...
  logs/            TensorBoard: losses (train/) and the same grids (samples/)
  backup/          only while training: rerunning the same command resumes from it
```

This module holds what all recipes share so that each script keeps only its own choices (data,
networks, objective): the parser that reports one line instead of exiting, the resume check
that refuses to continue a backup with other settings, the atomic JSON writer, `fit_and_record`
(settings, fit, save, result) and `run_main` (exit codes: 0, 1 for a diverged run, 2 for bad
input, 130 when interrupted).
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time

import keras
import tensorflow as tf

from kgan.utils import atomic

# Flags that may change when an interrupted run is resumed (`out` may be spelt differently);
# any other change would train a different model on top of the backup.
RESUMABLE_CHANGES = ("epochs", "samples_every", "out")


class UsageError(Exception):
    """A problem with the command line, reported as one line and exit code 2."""


class Parser(argparse.ArgumentParser):
    """An `ArgumentParser` that raises `UsageError` instead of printing the usage and exiting.

    So `main()` can be called from tests and scripts and report one line.
    """

    def error(self, message):
        raise UsageError(message)


PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


def add_run_flags(parser, seed_help):
    """Adds the flags every recipe has: `--seed`, `--out`, `--samples-every`, `--steps-per-epoch`
    and `--precision` (which `run_main` applies around `train`).

    Args:
        parser: The recipe's `Parser`.
        seed_help: What `--seed` seeds in this recipe, for its help text.
    """
    parser.add_argument("--seed", type=int, help=seed_help)
    parser.add_argument("--out", help="run directory")
    parser.add_argument(
        "--samples-every", type=int, help="write a sample grid every this many epochs"
    )
    parser.add_argument(
        "--steps-per-epoch", type=int, help="steps per epoch, for quick runs; None: all the data"
    )
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="Keras dtype policy of the networks (weights stay float32): mixed_bfloat16 where "
        "the hardware has it (recent GPUs, TPUs, AVX512-BF16/AMX CPUs), mixed_float16 with "
        "loss scaling on older GPUs (default: float32)",
    )


def check_training_flags(flags):
    """Checks `--learning-rate` and resolves `--loss` to its canonical family name, in place.

    Resolving the loss now makes a typo fail before any data is read.

    Raises:
        UsageError: for a learning rate <= 0 or an unknown loss family.
    """
    from kgan.losses import adversarial

    if flags["learning_rate"] <= 0:
        raise UsageError(f"--learning-rate must be positive, got {flags['learning_rate']}")
    try:
        flags["loss"] = adversarial.canonical_name(flags["loss"])
    except ValueError as error:
        raise UsageError(str(error)) from None


def check_positive(flags, *names):
    """Raises `UsageError` unless each flag in `names` is a positive integer (or `None`)."""
    for name in names:
        if flags[name] is not None and flags[name] < 1:
            option = "--" + name.replace("_", "-")
            raise UsageError(f"{option} must be a positive integer, got {flags[name]}")


def write_json(path, content):
    """Writes `content` as indented JSON, atomically (`kgan.utils.atomic`)."""
    atomic.write_json(path, content)


def environment():
    """Library versions, the machine, the command and the start time, for `settings.json`."""
    import kgan

    return {
        "versions": {
            "kgan": kgan.__version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "python": platform.python_version(),
        },
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
        "command": [os.path.basename(sys.argv[0] or "train.py"), *sys.argv[1:]],
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def check_resume(run_dir, flags, resumable=RESUMABLE_CHANGES):
    """Whether `run_dir` holds an interrupted run to resume; refuses one with other flags.

    Args:
        run_dir: The run directory.
        flags: This run's flags (a dict).
        resumable: Flags that may differ from the interrupted run's. Defaults to
            `RESUMABLE_CHANGES`.

    Returns:
        `True` if a backup and its `settings.json` exist (training will resume from them).

    Raises:
        UsageError: if the interrupted run was started with other values of other flags.
    """
    backup = os.path.join(run_dir, "backup")
    settings_path = os.path.join(run_dir, "settings.json")
    if not (os.path.isdir(backup) and os.path.isfile(settings_path)):
        return False
    with open(settings_path) as file:
        previous = json.load(file).get("flags", {})
    changed = sorted(
        name
        for name in flags
        if name not in resumable and previous.get(name, flags[name]) != flags[name]
    )
    if changed:
        raise UsageError(
            f"{run_dir} holds an interrupted run with other settings ({', '.join(changed)} "
            "differ); rerun with the same flags to resume, or choose another --out"
        )
    return True


def sample_grid(flags, **options):
    """The recipe's `SampleGrid`: grids into `samples/` and `logs/` of `flags["out"]` every
    `flags["samples_every"]` epochs; `options` go to `SampleGrid` (e.g. `seed`, `examples`)."""
    from kgan.callbacks import sample_grid as sample_grid_lib

    return sample_grid_lib.SampleGrid(
        directory=os.path.join(flags["out"], "samples"),
        log_dir=os.path.join(flags["out"], "logs"),
        every_n_epochs=flags["samples_every"],
        **options,
    )


def callbacks(run_dir, sample_grid, extra=()):
    """The recipe callbacks: backup (resume), `sample_grid`, `extra`, then TensorBoard.

    Args:
        run_dir: The run directory; the backup goes to `backup/`, summaries to `logs/`.
        sample_grid: A `kgan.callbacks.SampleGrid` (or `None`), writing to `samples/` and
            `logs/`.
        extra: More callbacks, run after the grid.

    Returns:
        A list of callbacks for `fit`.
    """
    log_dir = os.path.join(run_dir, "logs")
    found = [
        # First: on resume it restores the epoch counter before the others see an epoch.
        keras.callbacks.BackupAndRestore(os.path.join(run_dir, "backup")),
    ]
    found += [sample_grid] if sample_grid is not None else []
    found += list(extra)
    # The graph of a model with a custom train_step says little and slows the first step.
    found.append(keras.callbacks.TensorBoard(log_dir, write_graph=False))
    return found


def fit_and_record(model, dataset, flags, resolved, fit_callbacks, **fit_kwargs):
    """Writes `settings.json`, fits, saves `model.keras` and records the result.

    Args:
        model: The compiled model.
        dataset: What `fit` trains on.
        flags: The recipe's flags; `flags["out"]` is the run directory and `flags["epochs"]`
            and `flags["steps_per_epoch"]` are passed to `fit`.
        resolved: A dict of values resolved from the flags and data (network sizes...).
        fit_callbacks: The callbacks, e.g. from `callbacks()`. The steps recorded are
            `model.step`, the objective's step counter.
        **fit_kwargs: More arguments for `fit` (e.g. `validation_data`).

    Returns:
        The settings written, with a `result` entry (seconds, epochs, steps, last logs).
    """
    run_dir = flags["out"]
    resuming = check_resume(run_dir, flags)
    os.makedirs(run_dir, exist_ok=True)
    settings = {"flags": flags, "resolved": resolved, **environment(), "resumed": resuming}
    settings_path = os.path.join(run_dir, "settings.json")
    write_json(settings_path, settings)

    start = time.perf_counter()
    history = model.fit(
        dataset,
        epochs=flags["epochs"],
        steps_per_epoch=flags.get("steps_per_epoch"),
        callbacks=fit_callbacks,
        # Keras draws ANSI progress bars even into log files; one line per epoch reads well.
        verbose=2,
        **fit_kwargs,
    )
    seconds = time.perf_counter() - start
    model.save(os.path.join(run_dir, "model.keras"))
    settings["result"] = {
        "train_seconds": round(seconds, 1),
        "epochs_run_now": len(history.epoch),
        "steps": model.step,
        "final_logs": {key: float(values[-1]) for key, values in history.history.items()},
    }
    write_json(settings_path, settings)
    return settings


def run_main(parse_flags, train, argv=None):
    """Runs a recipe: `train(parse_flags(argv))`; returns its exit code.

    - **0**: trained (a one-line summary on stdout).
    - **2**, `error: ...` on stderr: a bad command line or setting: `UsageError`, or a
      `ValueError`/`TypeError`/`ImportError` that kgan's or the recipe's own code raised to
      refuse a setting.
    - **1**, `error: ...`: bad data or files (`kgan.data.DataError`, an `OSError` such as a
      missing file or a full disk), or training diverged (the backup is kept at the last
      finite epoch).
    - **1** with the traceback: a bug, i.e. any other exception, including a `ValueError`
      raised inside TensorFlow, Keras or NumPy.
    - **130**: interrupted (rerun the command to resume).

    Mapping every `ValueError` to "bad input" would hide kgan's own bugs behind a one-line
    message; only errors raised by kgan's or the recipe's own checks are reported that way.
    """
    from kgan import callbacks
    from kgan.data import errors

    try:
        flags = parse_flags(argv)
        # The policy must be set before the recipe builds its networks, and is put back after,
        # so that a recipe called from Python leaves the caller's policy as it was.
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(flags.get("precision") or previous.name)
        # Keras trims its own and TensorFlow's frames from tracebacks; `raised_by_own_check`
        # needs the frame that really raised (and a bug report the whole traceback).
        filtering = keras.config.is_traceback_filtering_enabled()
        keras.config.disable_traceback_filtering()
        try:
            settings = train(flags)
        finally:
            keras.config.set_dtype_policy(previous)
            if filtering:
                keras.config.enable_traceback_filtering()
    except SystemExit as exit:  # --help
        return exit.code
    except callbacks.NonFiniteLossError as error:
        print(f"error: training diverged: {_one_line(error)}", file=sys.stderr)
        return 1
    except UsageError as error:
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return 2
    except (errors.DataError, OSError) as error:
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return 1
    except (ValueError, TypeError, ImportError) as error:
        if not raised_by_own_check(error, train):
            raise  # a bug: the traceback is what a bug report needs
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: rerun the same command to resume from the last epoch", file=sys.stderr)
        return 130
    result = settings["result"]
    print(
        f"Trained {result['epochs_run_now']} epoch(s) in {result['train_seconds']:.0f} s, "
        f"{result['steps']} steps in all; model saved to "
        f"{os.path.join(flags['out'], 'model.keras')}"
    )
    return 0


def raised_by_own_check(error, train=None):
    """Whether `error` was raised by kgan's code or the recipe's (the file of `train`), rather
    than inside TensorFlow, Keras or NumPy: the frame that raised it is one of theirs.

    kgan raises `ValueError`/`TypeError` to refuse a setting, with a message that names it and
    the fix; the same types raised deep inside a dependency mean kgan passed it something wrong.
    """
    import kgan

    folders = [os.path.dirname(os.path.abspath(kgan.__file__))]
    if train is not None and getattr(train, "__code__", None) is not None:
        folders.append(os.path.dirname(os.path.abspath(train.__code__.co_filename)))
    traceback = error.__traceback__
    if traceback is None:
        return False
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    filename = os.path.abspath(traceback.tb_frame.f_code.co_filename)
    return any(filename.startswith(folder + os.sep) for folder in folders)


def _one_line(error):
    return " ".join(str(error).split()) or type(error).__name__
