"""Updating networks: their optimizers, the global-batch mean, and applying one loss's gradient.

Three traps sit between a loss and a correct update, and every objective meets them:

- **Distribution.** Keras optimizers *sum* gradients across replicas, so a loss averaged over the
  replica's own batch gives updates N times too large on N replicas. `global_mean` divides the
  replica's sum by the *global* batch size (what `tf.nn.compute_average_loss` does, counted
  exactly when the last batch splits unevenly), so the summed gradients are those of the mean.
- **Mixed precision.** A `LossScaleOptimizer` must see `optimizer.scale_loss(loss)` on the tape;
  without it float16 gradients underflow silently (training runs with gradients 32768 times too
  small). `apply_gradients` scales, and the optimizer unscales.
- **Several networks, one loss.** CycleGAN's two generators minimise one total: one backward pass
  serves both unless their optimizers scale the loss differently.
"""

import keras
import tensorflow as tf

# `keras.Model.compile` arguments that assume one optimizer and one loss on `(x, y)`.
SINGLE_MODEL_ARGUMENTS = ("optimizer", "loss_weights", "metrics", "weighted_metrics")


def global_mean(per_example, layout):
    """Sum over this replica's examples divided by the *global* batch size.

    Args:
        per_example: Per-example losses, shape `[batch]`.
        layout: The batch's `kgan.models.noise.BatchLayout`.

    Returns:
        A scalar whose gradient, summed over the replicas, is the gradient of the global mean.
    """
    return tf.reduce_sum(per_example) / tf.cast(layout.global_size, per_example.dtype)


def make_optimizer(optimizer, auto_scale_loss=True):
    """The given optimizer (instance, name or config), or `Adam(2e-4, beta_1=0.5)` for `None`.

    Under the `mixed_float16` policy (and `auto_scale_loss`), the optimizer is wrapped in a
    `LossScaleOptimizer`, as `keras.Model.compile` does for its single optimizer.
    """
    if optimizer is None:
        # Radford et al. 2016 (DCGAN), the default of most GAN papers since.
        optimizer = keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
    optimizer = keras.optimizers.get(optimizer)
    policy = keras.config.dtype_policy()
    if (
        auto_scale_loss
        and policy.name == "mixed_float16"
        and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    ):
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def check_distinct(optimizers, owner):
    """Raises `ValueError` if one optimizer instance is given for two networks.

    Each optimizer keeps per-variable state (Adam's moments), built for one network's weights.
    """
    instances = [value for value in optimizers if isinstance(value, keras.optimizers.Optimizer)]
    if len({id(value) for value in instances}) < len(instances):
        raise ValueError(
            f"Each {owner} network needs its own optimizer instance (each keeps per-variable "
            f"state); pass {len(optimizers)} different optimizers."
        )


def collect_optimizers(owner, names, positional, kwargs):
    """The optimizers given to `compile`, by position or as `<role>_optimizer=` keywords.

    Args:
        owner: The objective's class name, for the messages.
        names: The optimizer attribute names, in the order of the networks.
        positional: The optimizers given by position.
        kwargs: `compile`'s other keyword arguments; the optimizers and `keras.Model.compile`'s
            single-model arguments (refused unless `None`) are removed from it.

    Returns:
        `{name: optimizer or None}`, one distinct optimizer per name.
    """
    reject_single_model_arguments(kwargs, owner, names)
    if len(positional) > len(names):
        raise TypeError(
            f"{owner}.compile takes at most {len(names)} optimizers ({', '.join(names)}); got "
            f"{len(positional)}. Pass the other settings by keyword."
        )
    given = dict(zip(names, positional))
    for name in names:
        if name in kwargs:
            if name in given:
                raise TypeError(f"{owner}.compile got {name} both by position and by name.")
            given[name] = kwargs.pop(name)
    unknown = [key for key in kwargs if key.endswith("_optimizer")]
    if unknown:
        raise TypeError(
            f"{owner}.compile got {', '.join(unknown)}, but its optimizers are {', '.join(names)}."
        )
    optimizers = {name: given.get(name) for name in names}
    check_distinct(list(optimizers.values()), owner)
    return optimizers


def reject_single_model_arguments(kwargs, owner, optimizer_names):
    """Refuses `keras.Model.compile`'s single-model arguments; drops them when `None`."""
    for name in SINGLE_MODEL_ARGUMENTS:
        if kwargs.get(name) is not None:
            raise ValueError(
                f"{owner}.compile does not take `{name}`: a {owner} has one optimizer per "
                f"network ({', '.join(f'`{n}=`' for n in optimizer_names)}) and an "
                "adversarial `loss=` family name."
            )
        kwargs.pop(name, None)


def apply_gradients(tape, loss, pairs):
    """Applies the gradient of `loss` to each `(optimizer, network)` pair.

    Args:
        tape: The `tf.GradientTape` that recorded `loss` (persistent when several optimizers
            scale the loss differently).
        loss: A scalar loss.
        pairs: `(optimizer, network)` pairs; each optimizer updates its network's trainable
            variables.
    """
    # The scaling must be recorded on the tape (re-entered here), or its gradient is None.
    with tape:
        scaled = [optimizer.scale_loss(loss) for optimizer, _ in pairs]
    if all(value is loss for value in scaled):
        # No loss scaling: one backward pass serves every network.
        variables = [network.trainable_variables for _, network in pairs]
        gradients = tape.gradient(loss, variables)
        for (optimizer, network), grads, weights in zip(pairs, gradients, variables):
            check_connected(network, grads)
            optimizer.apply_gradients(list(zip(grads, weights)))
        return
    for (optimizer, network), scaled_loss in zip(pairs, scaled):
        variables = network.trainable_variables
        gradients = tape.gradient(scaled_loss, variables)
        check_connected(network, gradients)
        optimizer.apply_gradients(list(zip(gradients, variables)))


def check_connected(network, gradients):
    """Refuses an update whose loss does not depend on `network` at all.

    Keras would only say "No gradients provided for any variable"; in a custom `train_step`
    the usual cause is a loss computed outside the tape or from another network's output.
    """
    if gradients and all(gradient is None for gradient in gradients):
        raise ValueError(
            f"The loss does not depend on network '{network.name}': none of its variables "
            "has a gradient. Compute the loss inside the `tf.GradientTape`, from this "
            "network's output, or update a different network."
        )


def replica_sum(value):
    """`value` summed over the replicas in sync (itself on one device)."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return value
    return context.all_reduce(tf.distribute.ReduceOp.SUM, value)


def replica_max(value):
    """The largest element of `value` over every replica in sync (of itself on one device)."""
    largest = tf.reduce_max(value)
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return largest
    # `tf.distribute` reduces only by SUM or MEAN: gather the per-replica maxima instead.
    return tf.reduce_max(context.all_gather(largest[None], axis=0))


def global_logsumexp(values):
    """`log sum exp(values)` over every replica's `values` `[batch]`, computed stably."""
    # Any shift common to all replicas is exact; the global maximum keeps exp() <= 1.
    largest = tf.stop_gradient(replica_max(values))
    return largest + tf.math.log(replica_sum(tf.reduce_sum(tf.exp(values - largest))))
