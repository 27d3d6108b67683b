"""`ConditionalBatchNormalization`: batch norm whose scale and offset depend on a condition.

Keras has no such layer. It is registered (package `"kgan"`), so networks using it save and load
without `custom_objects`.
"""

import keras


@keras.saving.register_keras_serializable(package="kgan")
class ConditionalBatchNormalization(keras.layers.Layer):
    """Batch normalization whose per-channel scale and offset depend on a condition.

    `y = BN(x) * (1 + gamma(c)) + beta(c)`, with `BN` a batch normalization without its own
    scale and offset, and `gamma`, `beta` dense maps of the condition encoding `c` (one per
    channel). Both maps start at zero, so a fresh layer is plain batch normalization and the
    condition's influence is learned. Keras has no such layer.

    Args:
        momentum: Momentum of the moving statistics. Defaults to `0.9` (as in `dcgan`).
        epsilon: Added to the variance. Defaults to `1e-5`.
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Call arguments:
        inputs: `[x, condition]`: features `[batch, ..., channels]` and the condition encoding
            `[batch, d]` (e.g. from `kgan.networks.label_encoding.embed_labels`).
        training: Whether to normalize with the batch's statistics.

    Reference:
        - [de Vries et al., 2017](https://arxiv.org/abs/1707.00683)
        - [Dumoulin et al., 2017](https://arxiv.org/abs/1610.07629)
    """

    def __init__(self, momentum=0.9, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.normalization = keras.layers.BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, center=False, scale=False, name="norm"
        )
        self.gamma = None
        self.beta = None

    def build(self, input_shape):
        features_shape, condition_shape = input_shape
        channels = features_shape[-1]
        self.normalization.build(features_shape)
        self.gamma = keras.layers.Dense(channels, kernel_initializer="zeros", name="gamma")
        self.beta = keras.layers.Dense(channels, kernel_initializer="zeros", name="beta")
        self.gamma.build(condition_shape)
        self.beta.build(condition_shape)

    def call(self, inputs, training=None):
        features, condition = inputs
        normalized = self.normalization(features, training=training)
        # [batch, channels] -> [batch, 1, ..., 1, channels] to broadcast over the positions.
        shape = [-1] + [1] * (len(features.shape) - 2) + [features.shape[-1]]
        scale = keras.ops.reshape(1.0 + self.gamma(condition), shape)
        offset = keras.ops.reshape(self.beta(condition), shape)
        return normalized * keras.ops.cast(scale, normalized.dtype) + keras.ops.cast(
            offset, normalized.dtype
        )

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(momentum=self.momentum, epsilon=self.epsilon)
        return config
