"""What every objective's `fit` guarantees beyond Keras': a non-finite stop, callback order, EMA.

`kgan.models.AdversarialModel.fit` calls `fit_arguments` (which arranges the callbacks) and
`fold_averages` around `keras.Model.fit`:

- **Non-finite losses stop training.** Keras' `TerminateOnNaN` reads only `logs["loss"]`, which
  an adversarial objective does not log; `TerminateOnNonFinite` (also exported as
  `kgan.callbacks.TerminateOnNonFinite`) watches every log key and is added unless the model was
  compiled with `terminate_on_non_finite=False` or one is given. It is the objectives' own guard,
  as `History` is Keras', which is why it lives beside them.
- **Callbacks that add epoch logs run first.** Keras hands one logs dict to the callbacks in list
  order; a callback with a true `adds_epoch_logs` attribute (`GenerativeMetrics`' `fid`, `kid`,
  `LinearDecay`'s `*_lr`) is moved to the front so TensorBoard, CSVLogger, EarlyStopping or
  BackupAndRestore see its keys wherever the user listed it. The objectives read that attribute
  and never import the callbacks.
- **EMA weights are folded into their own network.** An optimizer with `use_ema=True` keeps a
  moving average of its variables, but Keras folds it in only for `model.optimizer`, which an
  objective with one optimizer per network does not have.
"""

import math

import keras
import tensorflow as tf


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

    Every kgan objective's `fit` adds one automatically unless
    `compile(terminate_on_non_finite=False)`.
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
        """Training steps run so far: a kgan objective's `step`, else `model.optimizer`'s."""
        step = getattr(self.model, "step", None)
        if isinstance(step, int):
            return step
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            return int(optimizer.iterations.numpy())
        return batch + 1

    def get_config(self):
        return {"keys": self.keys, "raise_error": self.raise_error}


def fit_arguments(args, kwargs, add_guard=True):
    """`fit`'s `(args, kwargs)` with the callbacks arranged (`arrange_callbacks`) and, for a
    `tf.data.Dataset`, `shuffle=False` (a pipeline shuffles itself; Keras would only warn)."""
    callbacks_position = 5  # fit(x, y, batch_size, epochs, verbose, callbacks, ...)
    if len(args) > callbacks_position:
        args = list(args)
        kwargs["callbacks"] = args.pop(callbacks_position)
        if len(args) > callbacks_position:
            raise TypeError("Pass fit's arguments after `callbacks` by keyword.")
    kwargs["callbacks"] = arrange_callbacks(kwargs.get("callbacks"), add_guard=add_guard)
    x = args[0] if args else kwargs.get("x")
    if isinstance(x, tf.data.Dataset):
        kwargs.setdefault("shuffle", False)
    return args, kwargs


def arrange_callbacks(callbacks, add_guard=True):
    """`callbacks` as a new list: log-adding ones first, a `TerminateOnNonFinite` at the end.

    Args:
        callbacks: The callbacks given to `fit` (or `None`).
        add_guard: Append a `TerminateOnNonFinite` unless one is in the list. Defaults to `True`.

    Returns:
        A list; the relative order of the other callbacks is kept (the sort is stable).
    """
    callbacks = list(callbacks or [])
    callbacks.sort(key=lambda callback: not getattr(callback, "adds_epoch_logs", False))
    if add_guard and not any(isinstance(item, TerminateOnNonFinite) for item in callbacks):
        callbacks.append(TerminateOnNonFinite())
    return callbacks


def fold_averages(pairs):
    """Folds each optimizer's moving average (`use_ema=True`) into the network it trains.

    Args:
        pairs: `(optimizer, network)` pairs.
    """
    for optimizer, network in pairs:
        # A LossScaleOptimizer (mixed precision) reports use_ema=False for its inner one.
        inner = getattr(optimizer, "inner_optimizer", optimizer)
        if inner is not None and inner.use_ema:
            optimizer.finalize_variable_values(network.trainable_variables)
