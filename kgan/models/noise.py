"""Stateless, replica-consistent random draws for training steps.

Keras and TensorFlow save no random-generator state, so noise drawn from a stateful generator
differs after `BackupAndRestore` resumes or a model is reloaded. kgan's models instead draw every
training random number from a seed built from `(model seed, training step, stream)`: the
optimizer's step counter is saved and restored with the model, so the noise is too.

Under `tf.distribute`, every replica draws the noise for the *global* batch from the same seed
and keeps the rows of its own examples (a distributed dataset hands replica r the r-th
contiguous part of the global batch). N replicas then see exactly the noise one device would, so
distributed training reproduces single-device training up to floating-point summation order.
Drawing the global batch on each replica costs `batch x latent_dim` extra random numbers,
negligible next to the networks.

The values of a stateless draw depend on the kernel that makes them: eager/graph and XLA
(`jit_compile=True`) kernels give different floats from the same seed. Exact resume and the
distributed equality therefore hold for runs with the same `jit_compile` setting.
"""

from typing import NamedTuple

import tensorflow as tf

# Separates (seed, stream) pairs in the first seed word: streams are small integers.
_STREAM_STRIDE = 1_000_003

# Streams of the draws of one step. Each random draw of a step has its own stream, so the draws
# are independent; the ids only need to be distinct within one objective.
#   0 .. k-1                 latent noise of discriminator update i (the last also feeds the
#                            generator update), in `GAN` and `ConditionalGAN`
#   PENALTY_STREAM + i       the gradient penalty's interpolation weights of critic update i
#                            (CycleGAN: + 0 for discriminator_a, + 1 for discriminator_b)
#   200_000 + i, 300_000 + i ConditionalGAN's wrong conditions and attribute flips
#                            (`kgan.models.conditions`); CycleGAN's pools use 200_000 and 200_001
#   EVALUATION_STREAM        `evaluate`'s noise, stepped by the examples evaluated so far
PENALTY_STREAM = 100_000
EVALUATION_STREAM = -1


class BatchLayout(NamedTuple):
    """Where this replica's examples sit in the global batch.

    Attributes:
        size: Examples on this replica (a scalar int32 tensor).
        offset: Index of this replica's first example in the global batch.
        global_size: Examples on all replicas together.
    """

    size: tf.Tensor
    offset: tf.Tensor
    global_size: tf.Tensor


def batch_layout(batch_size):
    """The `BatchLayout` of a per-replica batch of `batch_size` examples.

    On one device this is `(batch_size, 0, batch_size)` with no communication. With several
    replicas the per-replica sizes are gathered (one small collective per step), because the last
    batch of a dataset without `drop_remainder` splits unevenly (e.g. 3 + 2): assuming equal
    parts would give replicas overlapping noise and divide losses by the wrong global size.
    """
    batch_size = tf.cast(batch_size, tf.int32)
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return BatchLayout(batch_size, tf.constant(0, tf.int32), batch_size)
    sizes = context.all_gather(tf.reshape(batch_size, [1]), axis=0)
    replica = tf.cast(context.replica_id_in_sync_group, tf.int32)
    offset = tf.reduce_sum(sizes[:replica])
    return BatchLayout(batch_size, offset, tf.reduce_sum(sizes))


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


def draw(layout, inner_shape, seed, distribution="normal"):
    """This replica's rows of a `[global_size, *inner_shape]` stateless draw.

    Args:
        layout: The `BatchLayout` of the current batch.
        inner_shape: Shape of one example's draw, e.g. `(latent_dim,)` or `()`.
        seed: Stateless seed from `step_seed`.
        distribution: `"normal"` (standard normal) or `"uniform"` (`[0, 1)`).

    Returns:
        float32 tensor of shape `[layout.size, *inner_shape]`.
    """
    shape = tf.concat([[layout.global_size], tf.constant(inner_shape, tf.int32)], axis=0)
    if distribution == "normal":
        values = tf.random.stateless_normal(shape, seed=seed)
    elif distribution == "uniform":
        values = tf.random.stateless_uniform(shape, seed=seed)
    else:
        raise ValueError(f"Unknown distribution {distribution!r}; use 'normal' or 'uniform'.")
    return values[layout.offset : layout.offset + layout.size]
