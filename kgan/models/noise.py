"""Stateless, replica-consistent random draws for training steps.

Keras and TensorFlow save no random-generator state, so noise drawn from a stateful generator
differs after `BackupAndRestore` resumes or a model is reloaded. kgan's models instead draw every
training random number from a seed built from `(model seed, training step, stream)`: the
optimizer's step counter is saved and restored with the model, so the noise is too.

Under `tf.distribute`, every replica draws the noise for the *global* batch from the same seed
and keeps its own contiguous slice, matching how a distributed dataset splits the global batch.
N replicas then see exactly the noise one device would, so distributed training reproduces
single-device training (up to floating-point summation order). Drawing the global batch on each
replica costs `batch x latent_dim` extra random numbers, negligible next to the networks.
"""

import tensorflow as tf

# Separates (seed, stream) pairs in the first seed word: streams are small non-negative or -1.
_STREAM_STRIDE = 1_000_003


def step_seed(seed, step, stream):
    """A stateless seed, int64 of shape `[2]`, for one random draw of one training step.

    Args:
        seed: The model's integer seed.
        step: The training step (an int tensor, e.g. `optimizer.iterations`).
        stream: Small integer naming the draw within the step (generator noise, penalty, ...).

    Returns:
        An int64 tensor of shape `[2]` for `tf.random.stateless_*`.
    """
    first = tf.constant(int(seed) * _STREAM_STRIDE + int(stream), tf.int64)
    return tf.stack([first, tf.cast(step, tf.int64)])


def replica_slice(batch_size, inner_shape, seed, distribution="normal"):
    """This replica's rows of a `[global_batch, *inner_shape]` stateless draw.

    Args:
        batch_size: Per-replica batch size (a scalar int tensor).
        inner_shape: Shape of one example's draw, e.g. `(latent_dim,)` or `()`.
        seed: Stateless seed from `step_seed`.
        distribution: `"normal"` (standard normal) or `"uniform"` (`[0, 1)`).

    Returns:
        float32 tensor of shape `[batch_size, *inner_shape]`.
    """
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    shape = tf.concat([[batch_size * replicas], tf.constant(inner_shape, tf.int32)], axis=0)
    if distribution == "normal":
        values = tf.random.stateless_normal(shape, seed=seed)
    elif distribution == "uniform":
        values = tf.random.stateless_uniform(shape, seed=seed)
    else:
        raise ValueError(f"Unknown distribution {distribution!r}; use 'normal' or 'uniform'.")
    if replicas == 1:
        return values
    start = tf.cast(context.replica_id_in_sync_group, tf.int32) * batch_size
    return values[start : start + batch_size]
