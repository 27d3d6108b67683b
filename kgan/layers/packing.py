"""`PackSamples` and `SpreadPackScores`: a discriminator that judges `m` samples at once (PacGAN).

A discriminator that scores one sample at a time cannot see that a generator draws the same few
points again and again: each one looks real on its own. PacGAN (Lin et al. 2018) gives it `m`
samples together, all real or all generated, concatenated along the feature axis. A collapsed
generator's packs hold near-copies, which real packs almost never do, so the packed
discriminator punishes collapse; the paper shows packing acts like a penalty on the generator's
mode collapse region (its Section 4), and PacGAN4 captures 24.8 of the 25 modes of the 2-D grid.

`PackSamples` makes the packs before the discriminator's body, and `SpreadPackScores` gives
every sample of a pack the pack's score after it, so the objectives' per-example losses need no
change: the mean over the batch of the repeated scores is the mean over packs, which keeps the
loss, its gradient and the global-batch averaging under `tf.distribute` exact.
`kgan.networks.packed_discriminator` puts the two around a discriminator.
"""

import keras
import tensorflow as tf
from keras import ops


def check_packing(packing):
    if isinstance(packing, bool) or not isinstance(packing, int) or packing < 1:
        raise ValueError(
            f"packing must be a positive integer (PacGAN uses 2 to 4); got {packing!r}."
        )
    return packing


@keras.saving.register_keras_serializable(package="kgan")
class PackSamples(keras.layers.Layer):
    """Concatenates each run of `packing` consecutive samples along the last axis.

    Samples `k * packing` to `k * packing + packing - 1` form pack `k`: `[batch, ..., C]` becomes
    `[batch / packing, ..., packing * C]`, the first sample's features first. Each replica's batch
    must be a multiple of `packing` (batch with `drop_remainder=True` and a batch size that is a
    multiple of `packing` times the replicas).

    Args:
        packing: Samples per pack, PacGAN's `m`.
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Input shape:
        `[batch, ..., channels]`: vectors or channels-last images.

    Output shape:
        `[batch / packing, ..., packing * channels]`.

    Example:

    ```python
    points = keras.Input((2,))
    packs = kgan.layers.PackSamples(4)(points)  # [batch / 4, 8]
    ```

    Reference:
        - [Lin et al., 2018](https://arxiv.org/abs/1712.04086) (PacGAN)
    """

    def __init__(self, packing, **kwargs):
        super().__init__(**kwargs)
        self.packing = check_packing(packing)

    def call(self, inputs):
        shape = ops.shape(inputs)
        batch = shape[0]
        tf.debugging.assert_equal(
            batch % self.packing,
            0,
            message=(
                f"PackSamples(packing={self.packing}) needs batches that are a multiple of "
                f"{self.packing}; batch the data with drop_remainder=True and a batch size "
                "divisible by the packing (times the number of replicas)."
            ),
        )
        rank = len(inputs.shape)
        # [packs, packing, *sample] -> [packs, *sample[:-1], packing, C], then merge the last two.
        grouped = ops.reshape(inputs, (-1, self.packing, *inputs.shape[1:]))
        order = (0, *range(2, rank), 1, rank)
        grouped = ops.transpose(grouped, order)
        return ops.reshape(grouped, (-1, *inputs.shape[1:-1], self.packing * inputs.shape[-1]))

    def build(self, input_shape):
        if len(input_shape) < 2 or any(size is None for size in input_shape[1:]):
            raise ValueError(
                "PackSamples needs samples of a known shape [batch, ..., channels]; got "
                f"{tuple(input_shape)}."
            )
        self.built = True

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        packs = None if batch is None else batch // self.packing
        return (packs, *input_shape[1:-1], self.packing * input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "packing": self.packing}


@keras.saving.register_keras_serializable(package="kgan")
class SpreadPackScores(keras.layers.Layer):
    """Repeats each pack's score for every sample of the pack: `[packs, ...]` to
    `[packs * packing, ...]`, the inverse of `PackSamples` for scores.

    Args:
        packing: Samples per pack, as given to `PackSamples`.
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Example:

    ```python
    scores = kgan.layers.SpreadPackScores(4)(body(packs))  # one score per sample again
    ```
    """

    def __init__(self, packing, **kwargs):
        super().__init__(**kwargs)
        self.packing = check_packing(packing)

    def call(self, inputs):
        return ops.repeat(inputs, self.packing, axis=0)

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        return (None if batch is None else batch * self.packing, *input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "packing": self.packing}
