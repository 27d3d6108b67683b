"""`BestCheckpoint`: keeps the model of the best FID (or any generative metric) seen in `fit`.

A GAN's losses say little about its samples, and its samples often get worse late in training
(mode collapse, a discriminator that wins), so the model to keep is the one whose *metric* was
best, not the last one. Keras' `ModelCheckpoint(monitor="fid", save_best_only=True)` does this
for a validation loss, but a generative metric is computed only every few epochs
(`GenerativeMetrics(every_n_epochs=...)`), and `ModelCheckpoint` warns on every epoch without
it; it also forgets the best value when training resumes, so the first evaluation after a
restart overwrites a better model. `BestCheckpoint` skips the epochs without the metric quietly,
knows which direction is better for kgan's metrics, writes the model to a temporary file beside
the target and renames it into place (a crash mid-save leaves the previous best intact), and
records the best value in `<filepath>.best.json`, which it reads back when `fit` starts again.
"""

import json
import os
import re
import warnings

import keras

from kgan.utils import atomic
from kgan.utils import run_directory

# Metrics where lower is better (distances, likelihood losses, similarity between samples),
# and where higher is better (scores, coverage of the data, agreement with references).
_LOWER_IS_BETTER = re.compile(
    r"(fid|kid|nll_test|nll_oracle|self_bleu_\d+|class_kl|max_class_share|copy_rate|duplicate_rate)"
)
_HIGHER_IS_BETTER = re.compile(
    r"(is|precision|recall|density|coverage|bleu_\d+|classes_present|confident_share)"
)


def better_direction(monitor):
    """`"min"` or `"max"` for a metric key of `GenerativeMetrics`, or `None` if unknown."""
    key = monitor.rsplit("/", 1)[-1]
    for prefix in ("", "val_", "ema_"):
        if key.startswith(prefix):
            name = key[len(prefix) :]
            if _LOWER_IS_BETTER.fullmatch(name):
                return "min"
            if _HIGHER_IS_BETTER.fullmatch(name):
                return "max"
    return None


class BestCheckpoint(keras.callbacks.Callback):
    """Saves the model whenever a generative metric reaches its best value so far.

    Put it in the same `fit` as a `GenerativeMetrics` that computes `monitor`. kgan's models
    run `GenerativeMetrics` first in any callback list, so the metric is in the logs when this
    callback looks; with another model's `fit`, list it after `GenerativeMetrics`.

    Args:
        filepath: Where the best model is saved: a `.keras` file (or `.weights.h5` with
            `save_weights_only=True`).
        monitor: The log key to watch: `"fid"`, `"kid"`, `"is"`, `"precision"`, `"recall"`,
            `"density"`, `"coverage"`, `"bleu_4"`, `"self_bleu_4"`, `"nll_test"`, ... Defaults
            to `"fid"`.
        mode: `"min"`, `"max"`, or `"auto"` (the direction kgan knows for `monitor`; an error
            for a key it does not know). Defaults to `"auto"`.
        save_weights_only: Save only the weights (`model.save_weights`). Defaults to `False`.
        verbose: `1` prints a line when a new best is saved. Defaults to `0`.

    Attributes:
        best: The best value seen (read back from `<filepath>.best.json` on a resumed run).
        best_epoch: Its epoch (0-based), or `None` before the first evaluation.

    Example:

    ```python
    gan.fit(
        dataset,
        epochs=50,
        callbacks=[
            kgan.callbacks.GenerativeMetrics(["fid"], real_data=images, every_n_epochs=5),
            kgan.callbacks.BestCheckpoint("runs/best.keras", monitor="fid"),
        ],
    )
    best = keras.saving.load_model("runs/best.keras")
    ```
    """

    def __init__(self, filepath, monitor="fid", mode="auto", save_weights_only=False, verbose=0):
        super().__init__()
        filepath = os.fspath(filepath)
        suffix = ".weights.h5" if save_weights_only else ".keras"
        if not filepath.endswith(suffix):
            raise ValueError(
                f"BestCheckpoint saves {'weights' if save_weights_only else 'the model'} to a "
                f"`{suffix}` file; got filepath={filepath!r}."
            )
        if mode == "auto":
            mode = better_direction(monitor)
            if mode is None:
                raise ValueError(
                    f"BestCheckpoint does not know whether a higher or lower {monitor!r} is "
                    "better: pass mode='min' or mode='max'."
                )
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min', 'max' or 'auto'; got {mode!r}.")
        self.filepath = filepath
        self.monitor = monitor
        self.mode = mode
        self.save_weights_only = bool(save_weights_only)
        self.verbose = int(verbose)
        self.best = None
        self.best_epoch = None
        self._seen = False

    @property
    def record_path(self):
        """`<filepath>.best.json`: the best value and epoch, kept for a resumed run."""
        return f"{self.filepath}.best.json"

    def on_train_begin(self, logs=None):
        self._seen = False
        if self.best is not None or not os.path.exists(self.record_path):
            return
        try:
            with open(self.record_path, encoding="utf-8") as file:
                record = json.load(file)
            best, epoch = float(record["best"]), int(record["epoch"])
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise ValueError(
                f"{self.record_path} is not a record BestCheckpoint wrote ({error}); delete it "
                "(the best value is then taken afresh from this run)."
            ) from None
        # A record of another metric (or direction) says nothing about this one: start afresh.
        if record.get("monitor") == self.monitor and record.get("mode") == self.mode:
            if os.path.exists(self.filepath):
                self.best, self.best_epoch = best, epoch

    def is_better(self, value):
        """Whether `value` beats the best so far (any value but NaN beats none)."""
        if value != value:  # NaN: a broken evaluation is never the best model
            return False
        if self.best is None:
            return True
        return value < self.best if self.mode == "min" else value > self.best

    def on_epoch_end(self, epoch, logs=None):
        if not logs or self.monitor not in logs:
            return  # not an evaluated epoch
        self._seen = True
        value = float(logs[self.monitor])
        if not self.is_better(value):
            return
        previous = self.best
        self._save()
        self.best, self.best_epoch = value, int(epoch)
        run_directory.write_json(
            self.record_path,
            {"monitor": self.monitor, "mode": self.mode, "best": value, "epoch": int(epoch)},
        )
        if self.verbose:
            before = "" if previous is None else f" (was {previous:.4g})"
            print(
                f"\nEpoch {epoch + 1}: {self.monitor} {value:.4g}{before}, saved to {self.filepath}"
            )

    def on_train_end(self, logs=None):
        if not self._seen:
            warnings.warn(
                f"BestCheckpoint saw no {self.monitor!r} in any epoch's logs, so it saved "
                f"nothing: add kgan.callbacks.GenerativeMetrics computing it to the same fit.",
                stacklevel=2,
            )

    def _save(self):
        # Written to a temporary name beside the target and renamed over the previous best in
        # one step (kgan.utils.atomic): a crash mid-save keeps the last good checkpoint.
        save = self.model.save_weights if self.save_weights_only else self.model.save
        atomic.write_with(self.filepath, save)
