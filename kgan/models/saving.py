"""How every kgan objective saves and loads: atomically, and from files of older versions.

`AdversarialModel` mixes in `Saving`:

- **`save` and `save_weights` are atomic.** Keras writes a `.keras` zip (or `.weights.h5`)
  straight to its path, so a crash, a `SIGKILL` or a full disk in the middle leaves a
  truncated file where the previous checkpoint was. An objective writes to a temporary name in
  the same folder and renames it into place (`kgan.utils.atomic`), so every caller gets that for
  free: `model.save` in a script, `keras.callbacks.ModelCheckpoint`, the weights that
  `keras.callbacks.BackupAndRestore` keeps for resuming, kgan's `BestCheckpoint`. A failed write
  raises `kgan.utils.atomic.WriteError` and leaves the previous file intact.
- **Files from before kgan kept its own step counter (0.1)** load: the step is then read from
  the first network's optimizer's `iterations` at the first `fit`.
"""

import os

from kgan.utils import atomic


class Saving:
    """Atomic `save`/`save_weights` and the step counter of older files (see the module)."""

    def save(self, filepath, overwrite=True, **kwargs):
        """`keras.Model.save`, written to a temporary file and renamed into place.

        Args:
            filepath: The `.keras` (or legacy `.h5`) path. URLs such as `gs://` are written by
                Keras directly.
            overwrite: Replace an existing file. With `False` Keras asks first, as it does for
                any model.
            **kwargs: Passed to `keras.Model.save`.
        """
        parent = super()
        if not overwrite and os.path.exists(os.fspath(filepath)):
            return parent.save(filepath, overwrite=False, **kwargs)
        atomic.write_with(filepath, lambda path: parent.save(path, overwrite=True, **kwargs))

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """`keras.Model.save_weights` (`.weights.h5`), written atomically as `save` is."""
        parent = super()
        if not overwrite and os.path.exists(os.fspath(filepath)):
            return parent.save_weights(filepath, overwrite=False, **kwargs)
        atomic.write_with(
            filepath, lambda path: parent.save_weights(path, overwrite=True, **kwargs)
        )

    def load_own_variables(self, store):
        if len(store.keys()) == 0:
            # A file from before kgan kept its own step counter (0.1): the step is the first
            # network's optimizer's iterations, which load after this; read them at first use.
            self._step_from_optimizer = True
            return
        super().load_own_variables(store)

    def _restore_step_of_older_file(self):
        if self._step_from_optimizer:
            optimizer = getattr(self, self.optimizer_names[0])
            self.step_counter.assign(int(optimizer.iterations.numpy()))
            self._step_from_optimizer = False
