"""`MinibatchStdDev`: lets a discriminator see how varied a batch is, against mode collapse.

A discriminator that judges one image at a time cannot tell a generator that draws the same
good image every time from one that draws many: each sample on its own looks real. Appending
the batch's spread as a feature map gives it that view: a collapsed generator's batches have a
spread far below the real data's, which the discriminator then punishes (Karras et al. 2018,
Section 3; StyleGAN2 keeps it with groups of 4 and one feature).
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kgan")
class MinibatchStdDev(keras.layers.Layer):
    """Appends the standard deviation of each group of samples as extra feature maps.

    The batch is split into groups of `group_size` samples (sample `n` joins group
    `n mod (batch / group_size)`, as in StyleGAN2), the channels into `num_features` parts; for
    each group and part the standard deviation of every feature over the group's samples is
    averaged over height, width and the part's channels, and that one number is appended to each
    of the group's samples as a constant feature map. Put it near the end of a discriminator,
    before its last convolution.

    When the batch is not a multiple of `group_size`, the largest group size below it that
    divides the batch is used (down to 1, where the spread is 0): evaluation batches of any size
    work.

    It mixes the samples of a batch, like batch normalization: a penalty on per-example input
    gradients (`gradient_penalty_weight`, R1, R2) is then only approximately per example (StyleGAN2
    uses R1 with this layer all the same), and packing or distribution changes the groups (each
    replica groups its own samples).

    Args:
        group_size: Samples per group. Defaults to `4` (StyleGAN2).
        num_features: Feature maps appended: the channels are split into this many parts.
            Must divide the channel count. Defaults to `1`.
        epsilon: Added to the variance before the square root. Defaults to `1e-8`.
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Input shape:
        4D tensor `[batch, height, width, channels]` (channels last).

    Output shape:
        `[batch, height, width, channels + num_features]`.

    Example:

    ```python
    features = keras.layers.Conv2D(256, 3, padding="same")(inputs)
    features = kgan.layers.MinibatchStdDev(group_size=4)(features)
    ```

    Reference:
        - [Karras et al., 2018](https://arxiv.org/abs/1710.10196) (Progressive GAN, Section 3)
        - [Karras et al., 2020](https://arxiv.org/abs/1912.04958) (StyleGAN2, appendix B)
    """

    def __init__(self, group_size=4, num_features=1, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("group_size", group_size), ("num_features", num_features)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if not epsilon > 0:
            raise ValueError(f"epsilon must be positive, got {epsilon!r}.")
        self.group_size = group_size
        self.num_features = num_features
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"MinibatchStdDev takes images [batch, height, width, channels]; got an input of "
                f"shape {tuple(input_shape)}."
            )
        channels = input_shape[-1]
        if channels is not None and channels % self.num_features:
            raise ValueError(
                f"num_features={self.num_features} must divide the {channels} channels, which "
                "are split into that many parts."
            )
        self.built = True

    def call(self, inputs):
        shape = ops.shape(inputs)
        batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
        group = self._group(batch)
        groups = batch // group
        features = self.num_features
        # [group member, group, H, W, feature part, channels of the part]: sample n is member
        # n // groups of group n % groups, StyleGAN2's order.
        x = ops.reshape(
            ops.cast(inputs, "float32"),
            (group, groups, height, width, features, channels // features),
        )
        x = x - ops.mean(x, axis=0, keepdims=True)
        std = ops.sqrt(ops.mean(ops.square(x), axis=0) + self.epsilon)  # [groups, H, W, F, c]
        std = ops.mean(std, axis=(1, 2, 4))  # [groups, F]
        std = ops.tile(std, (group, 1))  # row n is group n % groups
        maps = ops.broadcast_to(
            ops.reshape(std, (batch, 1, 1, features)), (batch, height, width, features)
        )
        return ops.concatenate([inputs, ops.cast(maps, inputs.dtype)], axis=-1)

    def _group(self, batch):
        """The largest group size <= `group_size` that divides `batch` (a tensor or int)."""
        if isinstance(batch, int):
            return max(g for g in range(1, min(self.group_size, batch) + 1) if batch % g == 0)
        candidates = ops.arange(self.group_size, 0, -1, dtype="int32")
        divides = ops.equal(ops.mod(ops.cast(batch, "int32"), candidates), 0)
        return ops.take(candidates, ops.argmax(ops.cast(divides, "int32")))

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1]
        return (*input_shape[:-1], None if channels is None else channels + self.num_features)

    def get_config(self):
        config = super().get_config()
        config.update(
            group_size=self.group_size, num_features=self.num_features, epsilon=self.epsilon
        )
        return config
