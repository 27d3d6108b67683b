"""Running a generator outside training: seeded latent vectors, and batches of any size.

`GAN.generate`, `ConditionalGAN.generate` and the translators' `translate` run their network
through `in_batches`, so memory holds one batch at a time, and draw latent vectors with
`latent_vectors`, so a seed gives the same vectors everywhere (the first `k` of `n` are those of
`k`).
"""

import keras
import numpy as np


def latent_vectors(num, latent_dim, seed=None):
    """`num` standard normal vectors `[num, latent_dim]` (float32) from `default_rng(seed)`."""
    return np.random.default_rng(seed).standard_normal((int(num), latent_dim)).astype("float32")


def in_batches(function, inputs, batch_size):
    """`function` run on `batch_size` rows of `inputs` at a time; outputs joined as float32.

    Args:
        function: Callable on a batch (an array, or a tuple of arrays sharing their first axis).
        inputs: An array or a tuple of arrays.
        batch_size: Rows per call.

    Returns:
        A float32 NumPy array of the concatenated outputs.
    """
    arrays = inputs if isinstance(inputs, tuple) else (inputs,)
    num = len(arrays[0])
    outputs = []
    for start in range(0, num, int(batch_size)):
        batch = tuple(array[start : start + int(batch_size)] for array in arrays)
        outputs.append(keras.ops.convert_to_numpy(function(batch if len(batch) > 1 else batch[0])))
    return np.concatenate(outputs, axis=0).astype("float32")
