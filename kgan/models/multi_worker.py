"""`fit` under `tf.distribute.MultiWorkerMirroredStrategy`: kgan's own loop on public APIs.

Keras 3's `Model.fit` fails under a multi-worker strategy (keras-team/keras#20585: its metric
reduction builds a `Sum` over a scalar), and its maintainers point to JAX's
`keras.distribution` instead. TensorFlow's strategy itself works, and every kgan objective's
`train_step` is already replica-exact (losses averaged over the global batch, each replica
taking its rows of the step's global noise draw). So an objective's `fit` hands over to `fit`
here when the model was built under a multi-worker strategy; users call `model.fit` as always:

- the dataset is split with `strategy.experimental_distribute_dataset` (give it the *global*
  batch, as for `MirroredStrategy`; the data is sharded by example, so every worker may read the
  same files);
- each step is `strategy.run(model.train_step, ...)` inside one `tf.function`;
- logs are the mean over replicas of each objective's tracked losses, and a Keras `CallbackList`
  runs the callbacks with `History` (and a progress bar with `verbose=1`), as `fit` does;
- only the chief (worker 0) runs the callbacks that write files (every callback but
  `TerminateOnNonFinite`; the others restore a `BackupAndRestore` backup but never write it),
  so checkpoints, sample grids and TensorBoard logs are written once;
  the other workers run the same steps (the collectives need every worker in every step).

Supported: `tf.data.Dataset` input, `epochs`, `steps_per_epoch`, `initial_epoch`, `callbacks`,
`verbose`, and `keras.callbacks.BackupAndRestore` for resuming after a worker dies (restart every
worker with the same command; the backup folder must be one they all see, since the chief writes
it and every worker restores it). Not yet: `validation_data`, parameter-server and TPU strategies.

Example (on each host, with its own `TF_CONFIG`):

```python
strategy = tf.distribute.MultiWorkerMirroredStrategy()
with strategy.scope():
    gan = kgan.GAN(generator, discriminator, seed=0)
    gan.compile()
gan.fit(dataset.batch(global_batch), epochs=10, callbacks=[kgan.callbacks.SampleGrid("runs/s")])
```
"""

import keras
import tensorflow as tf

from kgan.models import fit_guards

_SUPPORTED = ("x", "epochs", "steps_per_epoch", "initial_epoch", "callbacks", "verbose", "shuffle")


def active(model):
    """Whether `model` was built under a multi-worker strategy with more than one worker."""
    strategy = model.distribute_strategy
    resolver = getattr(strategy, "cluster_resolver", None)
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or resolver is None:
        return False
    return len(resolver.cluster_spec().as_dict().get("worker", [])) > 1


def is_chief(strategy):
    """Worker 0 is the chief (the TensorFlow guide's convention when no "chief" task exists)."""
    resolver = strategy.cluster_resolver
    return resolver.task_type in (None, "chief") or (
        resolver.task_type == "worker" and resolver.task_id == 0
    )


def fit(model, args, kwargs):
    """Trains `model` with its own `train_step` under its multi-worker strategy.

    Args:
        model: A compiled kgan objective built in a `MultiWorkerMirroredStrategy` scope.
        args: `fit`'s positional arguments (only `x`).
        kwargs: `fit`'s keyword arguments (see the module for those supported).

    Returns:
        A `keras.callbacks.History`.
    """
    if len(args) > 1:
        raise TypeError("Under MultiWorkerMirroredStrategy pass fit's arguments after x by name.")
    if args:
        kwargs = {**kwargs, "x": args[0]}
    unknown = sorted(key for key, value in kwargs.items() if key not in _SUPPORTED and value)
    if unknown:
        raise ValueError(
            f"fit under MultiWorkerMirroredStrategy (kgan's own loop) does not take "
            f"{', '.join(unknown)}; it takes {', '.join(_SUPPORTED)}."
        )
    dataset = kwargs.get("x")
    if not isinstance(dataset, tf.data.Dataset):
        raise TypeError(
            "fit under MultiWorkerMirroredStrategy takes a tf.data.Dataset of global batches "
            f"(e.g. kgan.data.load(..., batch_size=global_batch)); got {type(dataset).__name__}."
        )
    strategy = model.distribute_strategy
    chief = is_chief(strategy)
    callbacks = list(kwargs.get("callbacks") or [])
    if not chief:
        # The same steps run everywhere; only the chief writes checkpoints, grids and logs.
        # Every worker restores a BackupAndRestore backup, so that all resume from one state.
        kept = (fit_guards.TerminateOnNonFinite, keras.callbacks.BackupAndRestore)
        callbacks = [
            RestoreOnly(item) if isinstance(item, keras.callbacks.BackupAndRestore) else item
            for item in callbacks
            if isinstance(item, kept)
        ]
    epochs = int(kwargs.get("epochs", 1))
    initial_epoch = int(kwargs.get("initial_epoch", 0))
    steps = kwargs.get("steps_per_epoch")
    if steps is None:
        cardinality = int(dataset.cardinality())
        steps = cardinality if cardinality > 0 else None
    verbose = kwargs.get("verbose", "auto")
    verbose = 1 if verbose == "auto" else int(verbose)
    callback_list = keras.callbacks.CallbackList(
        callbacks,
        add_history=True,
        add_progbar=chief and verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
    )
    distributed = strategy.experimental_distribute_dataset(dataset)
    step_function = _step_function(model, strategy)
    model.stop_training = False
    model._initial_epoch = None
    callback_list.on_train_begin()
    # BackupAndRestore sets the epoch to resume from while it restores, as under Keras' fit.
    initial_epoch = model._initial_epoch or initial_epoch
    iterator = iter(distributed) if kwargs.get("steps_per_epoch") else None
    logs = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        epoch_iterator = iterator if iterator is not None else iter(distributed)
        batch = 0
        while steps is None or batch < steps:
            callback_list.on_train_batch_begin(batch)
            try:
                logs = step_function(epoch_iterator)
            except (StopIteration, tf.errors.OutOfRangeError):
                break
            logs = {key: float(value) for key, value in logs.items()}
            callback_list.on_train_batch_end(batch, logs)
            batch += 1
            if model.stop_training:
                break
        callback_list.on_epoch_end(epoch, dict(logs))
        if model.stop_training:
            break
    callback_list.on_train_end(dict(logs))
    return next(
        item for item in callback_list.callbacks if isinstance(item, keras.callbacks.History)
    )


class RestoreOnly(keras.callbacks.Callback):
    """A worker's view of the chief's `BackupAndRestore`: restores its backup at the start of
    training (the same files, so the backup folder must be shared by all workers, e.g. a network
    file system or `gs://`), and leaves saving and deleting it to the chief."""

    def __init__(self, backup):
        super().__init__()
        self.backup = backup

    def set_model(self, model):
        super().set_model(model)
        self.backup.set_model(model)

    def on_train_begin(self, logs=None):
        self.backup.on_train_begin(logs)


def _step_function(model, strategy):
    """One distributed training step: `train_step` on every replica, logs averaged."""

    @tf.function
    def step(iterator):
        outputs = strategy.run(model.train_step, args=(next(iterator),))
        return {
            key: strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None)
            for key, value in outputs.items()
        }

    return step
