"""`ReflectionPadding2D`: pads images by mirroring them at their borders.

Keras has `ZeroPadding2D` but no reflection padding. It is registered (package `"kgan"`), so
networks using it save and load without `custom_objects`, and it needs no `Lambda` layer (which
would not load without `safe_mode=False`).
"""

import keras
import numpy as np

DATA_FORMATS = ("channels_last", "channels_first")


@keras.saving.register_keras_serializable(package="kgan")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads the height and width of images by reflecting them at their borders.

    The border row or column itself is not repeated: padding `[a, b, c, d]` by 2 on each side
    gives `[c, b, a, b, c, d, c, b]`, as `numpy.pad(..., mode="reflect")` and PyTorch's
    `ReflectionPad2d` do. Image-to-image generators pad this way before their convolutions so
    that the borders see image-like statistics rather than a frame of zeros, which otherwise
    shows up as artefacts along the edges of the generated images (Zhu et al., 2017).

    Reflection takes its padding from inside the image, so each padding must be smaller than the
    size it pads: a padding of 3 needs images of at least 4x4. A `ValueError` says so when the
    size is known; with a size known only at run time TensorFlow raises its own error.

    Args:
        padding: An int `p` (pad `p` on every side), a tuple of two ints `(h, w)` (`h` above and
            below, `w` left and right), or a tuple of two pairs
            `((top, bottom), (left, right))`. Defaults to `(1, 1)`.
        data_format: `"channels_last"` (`[batch, height, width, channels]`) or
            `"channels_first"` (`[batch, channels, height, width]`). Defaults to
            `keras.config.image_data_format()`.
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Input shape:
        4D tensor `[batch, height, width, channels]` (or `[batch, channels, height, width]`).

    Output shape:
        4D tensor with `height + top + bottom` rows and `width + left + right` columns.

    Example:

    ```python
    images = keras.Input((None, None, 3))
    padded = kgan.layers.ReflectionPadding2D(3)(images)
    features = keras.layers.Conv2D(64, 7, padding="valid")(padded)  # same size as `images`
    ```

    Reference:
        - [Zhu et al., 2017](https://arxiv.org/abs/1703.10593) (CycleGAN, appendix 7.2)
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _normalize_padding(padding)
        if data_format is None:
            data_format = keras.config.image_data_format()
        if data_format not in DATA_FORMATS:
            raise ValueError(
                f"`data_format` must be one of {DATA_FORMATS}. "
                f"Received: data_format={data_format!r}"
            )
        self.data_format = data_format
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape):
        self._check_sizes(input_shape)

    def call(self, inputs):
        # Eagerly, a layer built for one size can be called on a smaller one: check again.
        self._check_sizes(inputs.shape)
        (top, bottom), (left, right) = self.padding
        if self.data_format == "channels_last":
            pad_width = [[0, 0], [top, bottom], [left, right], [0, 0]]
        else:
            pad_width = [[0, 0], [0, 0], [top, bottom], [left, right]]
        return keras.ops.pad(inputs, pad_width, mode="reflect")

    def compute_output_shape(self, input_shape):
        self._check_sizes(input_shape)
        output_shape = list(input_shape)
        for axis, (before, after) in zip(self._spatial_axes(), self.padding):
            if output_shape[axis] is not None:
                output_shape[axis] += before + after
        return tuple(output_shape)

    def get_config(self):
        config = super().get_config()
        config.update(padding=self.padding, data_format=self.data_format)
        return config

    def _spatial_axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def _check_sizes(self, input_shape):
        if len(input_shape) != 4:
            return  # the input spec reports the wrong rank with a clearer message
        for axis, pads, side in zip(self._spatial_axes(), self.padding, ("height", "width")):
            size = input_shape[axis]
            if size is not None and max(pads) >= size:
                raise ValueError(
                    f"ReflectionPadding2D '{self.name}' pads the {side} by {pads}, but "
                    f"reflection padding must be smaller than the size it pads, and the input "
                    f"{side} is {size}. Use inputs larger than {max(pads)} or a smaller "
                    f"padding. Input shape: {tuple(input_shape)}"
                )


def _normalize_padding(padding):
    """Returns `padding` as `((top, bottom), (left, right))` of non-negative ints, or raises."""
    received = padding
    if _is_count(padding):
        padding = ((padding, padding), (padding, padding))
    elif _is_pair(padding) and all(_is_count(value) for value in padding):
        padding = ((padding[0], padding[0]), (padding[1], padding[1]))
    if not (
        _is_pair(padding)
        and all(_is_pair(pads) and all(_is_count(value) for value in pads) for pads in padding)
    ):
        raise ValueError(
            "`padding` must be an int >= 0, a tuple of two such ints (height, width), or a "
            f"tuple of two pairs ((top, bottom), (left, right)). Received: padding={received!r}"
        )
    return tuple(tuple(int(value) for value in pads) for pads in padding)


def _is_count(value):
    integer = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    return integer and value >= 0


def _is_pair(value):
    return isinstance(value, (tuple, list)) and len(value) == 2
