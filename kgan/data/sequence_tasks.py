"""Small sequence-to-sequence tasks with known answers: reversing and sorting token sequences.

A sequence-to-sequence model is judged by whether its outputs are *the* output of their source,
which these tasks make exactly checkable (exact-match and per-token accuracy against the one
right answer), offline and at any size. `kgan.Seq2SeqGAN`'s recipe and tests train on them.
"""

import numpy as np
import tensorflow as tf

from kgan.data import errors

TASKS = ("reverse", "sort")


def task_pairs(num, length=8, vocab_size=10, task="reverse", seed=0):
    """`num` random sources and their outputs under `task`, int32 `[num, length]` each.

    Args:
        num: Number of pairs.
        length: Tokens per sequence. Defaults to `8`.
        vocab_size: Sources are uniform over `[0, vocab_size)`. Defaults to `10`.
        task: `"reverse"` (the source backwards) or `"sort"` (its tokens in ascending order).
            Defaults to `"reverse"`.
        seed: Integer seed of the sources. Defaults to `0`.

    Returns:
        `(sources, targets)`, int32 `np.ndarray`s `[num, length]`.

    Example:

    ```python
    sources, targets = kgan.data.task_pairs(3, length=4, task="sort", seed=1)
    # sources[0] = [4, 5, 7, 9] ... targets[i] is np.sort(sources[i])
    ```
    """
    for name, value in (("num", num), ("length", length), ("vocab_size", vocab_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise errors.DataError(f"{name} must be a positive integer, got {value!r}.")
    if task not in TASKS:
        raise errors.DataError(f"task must be one of {TASKS}, got {task!r}.")
    sources = np.random.default_rng(seed).integers(0, vocab_size, (num, length)).astype(np.int32)
    targets = sources[:, ::-1] if task == "reverse" else np.sort(sources, axis=1)
    return sources, np.ascontiguousarray(targets, dtype=np.int32)


def task_dataset(num, batch_size=64, length=8, vocab_size=10, task="reverse", seed=0):
    """`task_pairs` as a shuffled, batched, prefetched `tf.data.Dataset` of `(source, target)`.

    The last incomplete batch is dropped, so every step sees `batch_size` pairs. See
    `task_pairs` for the arguments.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise errors.DataError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if batch_size > num:
        raise errors.DataError(
            f"batch_size={batch_size} is larger than the {num} pairs: no full batch to train on."
        )
    sources, targets = task_pairs(num, length, vocab_size, task, seed)
    dataset = tf.data.Dataset.from_tensor_slices((sources, targets))
    dataset = dataset.shuffle(num, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def task_accuracy(outputs, targets):
    """How well `outputs` `[N, T]` answer a task: `(exact-match share, per-token accuracy)`.

    Example:

    ```python
    kgan.data.task_accuracy([[1, 2], [3, 3]], [[1, 2], [3, 4]])  # (0.5, 0.75)
    ```
    """
    outputs, targets = np.asarray(outputs), np.asarray(targets)
    if outputs.shape != targets.shape:
        raise ValueError(f"outputs {outputs.shape} and targets {targets.shape} differ in shape.")
    return float(np.mean(np.all(outputs == targets, axis=1))), float(np.mean(outputs == targets))
