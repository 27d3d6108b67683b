"""Stops training when any logged loss becomes NaN or infinite."""

import math

import keras


class NonFiniteLossError(FloatingPointError):
    """Raised when a logged loss becomes NaN or infinite during `fit`.

    Attributes:
        key: The log key, e.g. `"d_loss"`.
        value: The non-finite value.
        step: The training step (optimizer updates so far) when it was seen.
    """

    def __init__(self, key, value, step, epoch, batch):
        self.key = key
        self.value = value
        self.step = step
        self.epoch = epoch
        self.batch = batch
        super().__init__(
            f"Training stopped: {key} is {value} at training step {step} "
            f"(epoch {epoch + 1}, batch {batch + 1}). Common fixes: lower the learning rates, "
            "add a gradient penalty or spectral normalization, or check the data for NaN/Inf. "
            "A BackupAndRestore backup, if any, is kept so you can resume from before the failure."
        )


@keras.saving.register_keras_serializable(package="kgan")
class TerminateOnNonFinite(keras.callbacks.Callback):
    """Stops `fit` as soon as any watched loss in the batch logs is NaN or infinite.

    Keras' `TerminateOnNaN` reads only `logs["loss"]`, which a GAN does not log, so a diverged
    `d_loss` or `g_loss` would otherwise run on for hours. This callback checks every numeric log
    entry (or the given `keys`) after each batch and raises `NonFiniteLossError`, whose message
    names the loss, its value and the training step. Raising (rather than setting
    `model.stop_training`) skips `on_train_end`, so `keras.callbacks.BackupAndRestore` keeps its
    last good backup instead of deleting it as it does after a graceful stop.

    `kgan.GAN.fit` adds one automatically unless `compile(terminate_on_non_finite=False)`.
    With `steps_per_execution=N` the logs, and so the check, arrive every N steps.

    Args:
        keys: Log keys to watch. Defaults to every numeric entry.
        raise_error: Raise `NonFiniteLossError` (default) or only set `model.stop_training`.

    Example:

    >>> model.fit(dataset, callbacks=[TerminateOnNonFinite(keys=["d_loss"])])  # doctest: +SKIP
    """

    def __init__(self, keys=None, raise_error=True):
        super().__init__()
        self.keys = None if keys is None else tuple(keys)
        self.raise_error = raise_error
        self.error = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for key, value in (logs or {}).items():
            if self.keys is not None and key not in self.keys:
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue  # not a scalar (e.g. a per-class vector): nothing to check
            if math.isfinite(number):
                continue
            self.error = NonFiniteLossError(key, number, self._step(batch), self._epoch, batch)
            if self.raise_error:
                raise self.error
            print(str(self.error))
            self.model.stop_training = True
            return

    def _step(self, batch):
        """The number of training steps run so far, from the model's optimizer when it has one."""
        optimizer = getattr(self.model, "generator_optimizer", None) or getattr(
            self.model, "optimizer", None
        )
        if optimizer is not None:
            return int(optimizer.iterations.numpy())
        return batch + 1

    def get_config(self):
        return {"keys": self.keys, "raise_error": self.raise_error}
