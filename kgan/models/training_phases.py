"""Training phases by epoch: maximum-likelihood pre-training, critic pre-training, adversarial.

Text GANs are trained in phases (Yu et al. 2017): the generator first learns the data by
maximum likelihood, the discriminator then learns real from generated, and only then do they
play. A sequence objective runs all three inside one `fit`, switched at epoch boundaries:

- The phase is a saved variable of the model, so an exact resume (`BackupAndRestore`,
  `initial_epoch`) continues in the right phase with the right state.
- Each phase has its own `train_step` body. Switching re-traces the train function once
  (`make_train_function(force=True)`, which Keras reads again every batch) instead of branching
  inside one graph, which keeps every phase's graph small and keeps `tf.cond` away from the
  cross-replica gradient sums of `tf.distribute`.
- The phase is logged as `phase` (0, 1, 2), so TensorBoard shows where each phase began.
"""

import keras

MLE = 0
PRETRAIN_DISCRIMINATOR = 1
ADVERSARIAL = 2
NAMES = ("mle", "pretrain_discriminator", "adversarial")


def phase_of_epoch(epoch, generator_epochs, discriminator_epochs):
    """The phase of `epoch` (0-based) for the given pre-training lengths."""
    if epoch < generator_epochs:
        return MLE
    if epoch < generator_epochs + discriminator_epochs:
        return PRETRAIN_DISCRIMINATOR
    return ADVERSARIAL


class PhaseSwitch(keras.callbacks.Callback):
    """Sets the model's phase at the start of each epoch (added by the objective's `fit`).

    The model's `enter_phase(phase)` does the switch (its own state changes, such as copying
    the generator into the rollout policy, and the re-trace).
    """

    def on_epoch_begin(self, epoch, logs=None):
        self.model.enter_phase(self.model.phase_of_epoch(epoch))


def check_epochs(name, value):
    """Raises `ValueError` unless `value` is an integer number of epochs >= 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an integer number of epochs >= 0, got {value!r}.")
    return value
