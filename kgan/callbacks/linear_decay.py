"""`LinearDecay`: constant learning rates, then a linear decay to zero (CycleGAN, pix2pix)."""

import warnings

import keras

# Suffix of the model attributes taken as optimizers (`generator_optimizer`, ...).
_OPTIMIZER_SUFFIX = "_optimizer"


def decay_factor(position, constant_units, decay_units):
    """The schedule's multiplier of the base learning rate at a position of training.

    `(constant_units + decay_units - position) / (decay_units + 1)`, clipped to `[0, 1]`: exactly
    1 while `position < constant_units`, then falling by `1 / (decay_units + 1)` per unit, exactly
    0 from `position == constant_units + decay_units` (the end of training) on. With epochs as
    units this is the `lambda_rule` of the authors' pytorch-CycleGAN-and-pix2pix code.

    Args:
        position: Units (steps or epochs) completed before the one that will use the rate.
        constant_units: Length of the constant phase, in the same unit.
        decay_units: Length of the decay, in the same unit.

    Returns:
        A float in `[0, 1]`.
    """
    remaining = constant_units + decay_units - position
    return min(1.0, max(0.0, remaining / (decay_units + 1)))


@keras.saving.register_keras_serializable(package="kgan")
class LinearDecay(keras.callbacks.Callback):
    """Keeps learning rates constant, then decays them linearly to zero (CycleGAN's schedule).

    Every driven optimizer's rate is `base * decay_factor(t, constant_epochs * S,
    decay_epochs * S)`, where `S` is the number of steps per epoch and `t` the number of steps
    completed before the step about to run (`t = epoch * S + batch`):

        rate(t) = base * clip((T - t) / (decay_epochs * S + 1), 0, 1),  T = total steps.

    So every step of the first `constant_epochs` epochs uses exactly the base rate; from the
    first step of epoch `constant_epochs` on, the rate falls by `base / (decay_epochs * S + 1)`
    per step; the last step of training uses `base / (decay_epochs * S + 1)`, and after it the
    optimizers hold exactly `0`. No step trains at rate 0 (it would be wasted), and with `S = 1`
    this is exactly the authors' per-epoch rule (`lambda_rule` of pytorch-CycleGAN-and-pix2pix:
    `1 - max(0, epoch + 1 - n_epochs) / (n_epochs_decay + 1)`, applied per step instead).

    Rates are updated per batch (before the first step of each epoch and after every batch). If
    the number of steps per epoch is unknown (a dataset of unknown cardinality and no
    `steps_per_epoch`), they are updated per epoch instead: `t` counts epochs and `S = 1`,
    which is the authors' schedule exactly. With `steps_per_execution=N` the rate is updated
    every `N` steps.

    The optimizers driven are, by default, those of a kgan objective's `network_optimizers`
    (`generator_optimizer` and `discriminator_optimizer` of `kgan.GAN`, the four of
    `kgan.CycleGAN`), or for another model every attribute named `*_optimizer` that is a
    `keras.optimizers.Optimizer`, plus `model.optimizer` if set. Their rates keep their ratios
    (e.g. TTUR).

    Resuming continues the schedule: at the first epoch of each `fit` call (after
    `BackupAndRestore` has restored the optimizers and the starting epoch), the base rates are
    taken from `base_learning_rates` if given, else recovered as each optimizer's current rate
    divided by the factor at the starting position (at epoch 0, the current rate is the base).
    This is exact for `fit(initial_epoch=k)` after a `fit` that ended at epoch `k`, for a
    reloaded `.keras` model and for `BackupAndRestore` with `save_freq="epoch"` (the saved rate
    is the one for the next epoch; when rates are updated per epoch, list `LinearDecay` before
    `BackupAndRestore` for that).
    With an integer `save_freq`, Keras replays the interrupted epoch from its first batch with a
    rate saved mid-epoch, so pass `base_learning_rates` to keep the schedule exact. If the
    factor is 0 (training already at the end), the base cannot be recovered: pass
    `base_learning_rates`.

    Each optimizer's rate used by the epoch's last step is added to the epoch logs as
    `"<attribute>_lr"` (e.g. `"generator_optimizer_lr"`, `"optimizer_lr"`), as Keras'
    `LearningRateScheduler` adds `"learning_rate"`. List this callback before `CSVLogger` or
    `TensorBoard` so they see the keys.

    Args:
        constant_epochs: Epochs at the base rates (the paper uses `100`).
        decay_epochs: Epochs of the linear decay to zero (the paper uses `100`); with `0` the
            rates stay at the base and drop to 0 only after the last epoch.
        optimizers: Names of the model attributes to drive, e.g. `["generator_optimizer"]`
            (`"optimizer"` means `model.optimizer`). Defaults to all optimizers found.
        base_learning_rates: Dict from attribute name to base rate. Defaults to the rates read
            from the optimizers when `fit` starts (see above).

    Example:

    ```python
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    )
    gan.fit(dataset, epochs=200, callbacks=[kgan.callbacks.LinearDecay(100, 100)])
    ```

    Reference:
        Zhu et al., "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
        Networks", ICCV 2017, section 4. https://arxiv.org/abs/1703.10593
    """

    # Adds `*_lr` keys to the epoch logs: objectives run it before the other callbacks.
    adds_epoch_logs = True

    def __init__(self, constant_epochs, decay_epochs, optimizers=None, base_learning_rates=None):
        super().__init__()
        for name, value in (("constant_epochs", constant_epochs), ("decay_epochs", decay_epochs)):
            if isinstance(value, bool) or int(value) != value or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}.")
        if constant_epochs == 0 and decay_epochs == 0:
            raise ValueError("constant_epochs and decay_epochs are both 0: there is no schedule.")
        self.constant_epochs = int(constant_epochs)
        self.decay_epochs = int(decay_epochs)
        self.optimizers = None if optimizers is None else [str(name) for name in optimizers]
        self.base_learning_rates = (
            None
            if base_learning_rates is None
            else {str(name): float(rate) for name, rate in base_learning_rates.items()}
        )
        self._driven = {}
        self._bases = None
        self._steps = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self._driven = self._find_optimizers()
        if self.base_learning_rates is not None:
            unknown = set(self.base_learning_rates) ^ set(self._driven)
            if unknown:
                raise ValueError(
                    f"base_learning_rates has keys {sorted(self.base_learning_rates)}, but the "
                    f"optimizers driven are {sorted(self._driven)}."
                )
        self._steps = self.params.get("steps")
        self._bases = None  # read at the first epoch, once BackupAndRestore has restored state
        epochs = self.params.get("epochs")
        end = self.constant_epochs + self.decay_epochs
        if epochs is not None and epochs > end:
            warnings.warn(
                f"fit runs {epochs} epochs but LinearDecay reaches 0 after epoch {end}: the "
                f"learning rates stay 0 for the last {epochs - end} epochs.",
                stacklevel=2,
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        position = epoch * (self._steps or 1)
        if self._bases is None:
            self._bases = self._base_rates(position)
        self._set_rates(position)

    def on_train_batch_end(self, batch, logs=None):
        if self._steps:
            # Set the rate for the next step: the state between steps (and in a backup taken
            # now) is always the rate of the step to come.
            self._set_rates(self._epoch * self._steps + batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        steps = self._steps or 1
        if logs is not None:
            # The optimizers already hold the next step's rate (set after the last batch).
            factor = decay_factor((epoch + 1) * steps - 1, *self._units())
            for name in self._driven:
                logs[f"{name}_lr"] = self._bases[name] * factor
        # The next epoch's first rate (0 after the last epoch), set here as well so that
        # per-epoch updates, a backup taken at the epoch's end and a later resume all see it.
        self._set_rates((epoch + 1) * steps)

    def _units(self):
        steps = self._steps or 1
        return self.constant_epochs * steps, self.decay_epochs * steps

    def _set_rates(self, position):
        factor = decay_factor(position, *self._units())
        for name, optimizer in self._driven.items():
            optimizer.learning_rate = self._bases[name] * factor

    def _base_rates(self, position):
        if self.base_learning_rates is not None:
            return dict(self.base_learning_rates)
        # A fresh start (position 0) finds the optimizers at their base rates, even when the
        # decay starts at once (constant_epochs=0, factor below 1 at step 0); any later start
        # finds the rate this callback set for that position.
        factor = 1.0 if position == 0 else decay_factor(position, *self._units())
        if factor == 0:
            raise ValueError(
                f"LinearDecay starts at epoch {self._epoch}, where its learning rates are 0, so "
                "the base rates cannot be recovered from the optimizers. Pass "
                "base_learning_rates={attribute name: rate, ...}."
            )
        return {name: _read_rate(optimizer) / factor for name, optimizer in self._driven.items()}

    def _find_optimizers(self):
        model = self.model
        if self.optimizers is None:
            # A kgan objective lists its optimizers; another model is searched by name.
            listed = getattr(model, "network_optimizers", None)
            candidates = listed.items() if isinstance(listed, dict) else vars(model).items()
            names = sorted(
                name
                for name, value in candidates
                if name.endswith(_OPTIMIZER_SUFFIX)
                and not name.startswith("_")
                and isinstance(value, keras.optimizers.Optimizer)
            )
            if isinstance(getattr(model, "optimizer", None), keras.optimizers.Optimizer):
                if not any(getattr(model, name) is model.optimizer for name in names):
                    names.append("optimizer")
        else:
            names = list(self.optimizers)
        if not names:
            raise ValueError(
                "LinearDecay found no optimizer on the model: compile it first, or name the "
                "optimizer attributes with optimizers=[...]."
            )
        driven = {}
        for name in names:
            optimizer = getattr(model, name, None)
            if not isinstance(optimizer, keras.optimizers.Optimizer):
                raise ValueError(
                    f"The model's attribute {name!r} is not a keras.optimizers.Optimizer "
                    f"(got {type(optimizer).__name__})."
                )
            # The rate lives on the inner optimizer of a LossScaleOptimizer. Only a rate held in
            # a variable can be assigned: a schedule (or callable) computes its own.
            inner = getattr(optimizer, "inner_optimizer", optimizer)
            if not isinstance(getattr(inner, "_learning_rate", None), keras.Variable):
                raise ValueError(
                    f"The learning rate of {name!r} is a schedule or a callable, which "
                    "LinearDecay cannot drive. Give the optimizer a float learning rate, or "
                    "drop LinearDecay and put the schedule in the optimizer."
                )
            driven[name] = optimizer
        return driven

    def get_config(self):
        return {
            "constant_epochs": self.constant_epochs,
            "decay_epochs": self.decay_epochs,
            "optimizers": self.optimizers,
            "base_learning_rates": self.base_learning_rates,
        }


def _read_rate(optimizer):
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
