"""Differentiable augmentation in front of a discriminator (DiffAugment), as a network wrapper.

With a small dataset the discriminator soon memorises the real images, and its gradients stop
teaching the generator anything. DiffAugment (Zhao et al. 2020) augments *both* real and
generated images on their way into the discriminator, with differentiable ops, so the
discriminator cannot tell them apart by the augmentation and the generator learns through it.
Augmenting the real images alone would instead teach the generator to draw augmented images.

`with_translation_augment` wraps any discriminator, one input or several (a conditional
discriminator's `labels`): only the input named `images` (else the first) is shifted; the others
pass through unchanged. The shift is Keras' `RandomTranslation`, which augments when the wrapper
is called with `training=True` (as kgan's objectives do in their training steps) and *also* when
`training` is not given, Keras' default for this layer; call it with `training=False` (as
`evaluate`, `predict` and kgan's metrics do) to judge the images as they are.
"""

import keras


def with_translation_augment(
    discriminator, fraction, fill_value=-1.0, interpolation="nearest", name=None
):
    """`discriminator` behind random shifts of its images, applied in training only.

    Args:
        discriminator: A functional `keras.Model`; its input named `"images"` (else its first
            input) is shifted.
        fraction: Largest shift, as a fraction of the height and width, in `(0, 1)`. The
            DiffAugment paper's "translation" policy shifts by up to 1/8 (`0.125`).
        fill_value: Value of the pixels shifted in. Defaults to `-1.0`, black in [-1, 1] (the
            background of digits).
        interpolation: `"nearest"` shifts by whole pixels, as DiffAugment does, so the images
            keep their sharpness; `"bilinear"` shifts by fractions of a pixel, which also blurs
            each image a little (kgan's digits recipes were tuned with it). Defaults to
            `"nearest"`.
        name: Name of the wrapper. Defaults to `"augmented_" + discriminator.name`.

    Returns:
        A functional `keras.Model` with the same inputs (names, shapes, dtypes) and outputs.

    Example:

    ```python
    discriminator = kgan.networks.with_translation_augment(
        kgan.networks.dcgan_discriminator(image_size=32, channels=1), fraction=0.125
    )
    ```

    Reference:
        Zhao et al., "Differentiable Augmentation for Data-Efficient GAN Training", NeurIPS 2020.
        https://arxiv.org/abs/2006.10738
    """
    if isinstance(fraction, bool) or not 0 < float(fraction) < 1:
        raise ValueError(f"`fraction` must be in (0, 1), got {fraction!r}.")
    try:
        originals = list(discriminator.inputs)
    except (AttributeError, ValueError) as error:
        raise ValueError(
            "with_translation_augment wraps a functional discriminator (one with symbolic "
            f"inputs); {type(discriminator).__name__} has none: {error}"
        ) from None
    names = [tensor.name for tensor in originals]
    images_index = names.index("images") if "images" in names else 0
    inputs = [
        keras.Input(tensor.shape[1:], dtype=tensor.dtype, name=tensor.name) for tensor in originals
    ]
    if len(inputs[images_index].shape) != 4:
        raise ValueError(
            "with_translation_augment shifts images [batch, height, width, channels]; the "
            f"input {names[images_index]!r} has shape {inputs[images_index].shape}."
        )
    shifted = keras.layers.RandomTranslation(
        fraction,
        fraction,
        fill_mode="constant",
        fill_value=fill_value,
        interpolation=interpolation,
        name="augment",
        # float32 under any policy: the projective transform it runs has no bfloat16 gradient
        # on CPU, and the shift is no place to save compute.
        dtype="float32",
    )(inputs[images_index])
    passed = [shifted if index == images_index else tensor for index, tensor in enumerate(inputs)]
    outputs = discriminator(passed if len(passed) > 1 else passed[0])
    return keras.Model(
        inputs if len(inputs) > 1 else inputs[0],
        outputs,
        name=name or f"augmented_{discriminator.name}",
    )
