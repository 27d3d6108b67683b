"""The conditions of a `ConditionalGAN`: their two forms, their checks, and the wrong ones.

A condition is either a class id (int, a batch of shape `[batch]`, with `num_classes`) or an
attribute vector (multi-hot float, `[batch, condition_dim]`, with `condition_dim`). Labels are
checked at three places, because each catches what the others cannot:

- in the step (`check_labels`): shapes and dtypes when it is traced, class ids out of
  `[0, num_classes)` when it runs (an Embedding on GPU would silently return zeros for them);
- in the input pipeline (`checked_dataset`, `check_class_id_range`): XLA compiles the step's
  assertions away, so `fit` also checks a dataset's ids outside the step, and NumPy ids first;
- on the networks (`check_generator`, `check_discriminator`): the generator's `labels` input
  must take them, and the discriminator must see them unless it predicts them (AC-GAN).

Matching-aware training shows the discriminator real images with *wrong* conditions
(`wrong_labels`). They are stateless draws from `(seed, step, stream)`, like the latent noise,
so resumed training replays them exactly.
"""

import keras
import numpy as np
import tensorflow as tf

from kgan.models import noise

# Streams of the step's other random draws (see `kgan.models.noise`): the wrong conditions of
# discriminator update i are drawn from stream _MISMATCH_STREAM + i, and for attribute vectors
# the attribute flipped where a drawn vector equals the right one from _FLIP_STREAM + i.
_MISMATCH_STREAM = 200_000
_FLIP_STREAM = 300_000


def check_form(num_classes=None, condition_dim=None):
    """Checks that exactly one of `num_classes` and `condition_dim` is a positive integer.

    Args:
        num_classes: Number of classes, for int class ids. Defaults to `None`.
        condition_dim: Length of the attribute vectors, for multi-hot float labels. Defaults to
            `None`.

    Returns:
        `(num_classes, condition_dim)` as Python ints, one of them `None`.
    """
    if (num_classes is None) == (condition_dim is None):
        raise ValueError(
            "Pass exactly one of num_classes= (int class ids, shape [batch]) and "
            "condition_dim= (attribute vectors, shape [batch, condition_dim]); got "
            f"num_classes={num_classes!r}, condition_dim={condition_dim!r}."
        )
    for name, value in (("num_classes", num_classes), ("condition_dim", condition_dim)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1
        ):
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return (
        None if num_classes is None else int(num_classes),
        None if condition_dim is None else int(condition_dim),
    )


def check_weights(conditioning, num_classes, mismatch_weight, classification_weight):
    """`ConditionalGAN.compile`'s two weights, checked and resolved: `(mismatch, classification)`.

    `mismatch_weight=None` means `1.0` (Reed et al.) for discriminators that see the labels and
    `0` for `"acgan"`, which sees images alone and so cannot be shown wrong pairs.
    """
    acgan = conditioning == "acgan"
    if mismatch_weight is None:
        mismatch_weight = 0.0 if acgan else 1.0
    mismatch_weight = float(mismatch_weight)
    classification_weight = float(classification_weight)
    if mismatch_weight < 0 or classification_weight < 0:
        raise ValueError(
            "mismatch_weight and classification_weight must be >= 0, got "
            f"{mismatch_weight} and {classification_weight}."
        )
    if acgan and mismatch_weight > 0:
        raise ValueError(
            "conditioning='acgan' takes no mismatch_weight: its discriminator sees images "
            "alone, so it cannot be shown (real image, wrong condition) pairs. Use "
            "'concat' or 'projection' for matching-aware training."
        )
    if mismatch_weight > 0 and num_classes == 1:
        raise ValueError(
            "With num_classes=1 there is no wrong class to mismatch: pass mismatch_weight=0."
        )
    return mismatch_weight, classification_weight


def classification_loss(class_logits, labels, num_classes=None):
    """AC-GAN's per-example auxiliary loss: softmax cross-entropy for class ids (with
    `num_classes`), the mean sigmoid cross-entropy over attributes for vectors."""
    class_logits = tf.cast(class_logits, tf.float32)
    if num_classes is not None:
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels, class_logits)
    return tf.reduce_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(tf.cast(labels, tf.float32), class_logits),
        axis=-1,
    )


def example_labels(batch_size, num_classes=None, condition_dim=None):
    """All-zero labels of the right form, to build networks with."""
    if num_classes is not None:
        return keras.ops.zeros((batch_size,), "int32")
    return keras.ops.zeros((batch_size, condition_dim), "float32")


def check_labels(labels, batch_size, num_classes=None, condition_dim=None):
    """Labels in the model's form (int32 `[batch]` or float32 `[batch, k]`), or an error.

    Shapes and dtypes fail at trace time; class ids out of `[0, num_classes)` fail when the
    step runs (an Embedding on GPU would silently return zeros for them). XLA compiles
    assertions away, which is why `fit` also checks a dataset's ids in its pipeline.

    Args:
        labels: Class ids `[batch]` (or `[batch, 1]`) or attribute vectors
            `[batch, condition_dim]`.
        batch_size: The number of images the labels go with (an int or a scalar tensor).
        num_classes: Number of classes, for class ids. Defaults to `None`.
        condition_dim: Length of the attribute vectors. Defaults to `None`.

    Returns:
        int32 class ids `[batch]` or float32 attribute vectors `[batch, condition_dim]`.
    """
    labels = tf.convert_to_tensor(labels)
    if num_classes is not None:
        labels = _check_class_ids(labels, num_classes)
    else:
        if labels.shape.rank != 2 or labels.shape[-1] != condition_dim:
            raise ValueError(
                f"Attribute labels must have shape [batch, {condition_dim}] "
                f"(condition_dim={condition_dim}); got shape {tuple(labels.shape)}."
            )
        labels = tf.cast(labels, tf.float32)
    static_size = tf.get_static_value(batch_size)
    if static_size is not None and labels.shape[0] is not None:
        if int(labels.shape[0]) != int(static_size):
            raise ValueError(
                f"The batch has {int(static_size)} images but {labels.shape[0]} labels."
            )
        return labels
    return _with_checks(
        labels,
        [
            tf.debugging.assert_equal(
                tf.shape(labels)[0],
                tf.cast(batch_size, tf.int32),
                message="ConditionalGAN: images and labels differ in batch size",
            )
        ],
    )


def _check_class_ids(labels, num_classes):
    if labels.shape.rank == 2 and labels.shape[-1] == 1:
        labels = tf.reshape(labels, [-1])
    if labels.shape.rank != 1:
        hint = ""
        if labels.shape.rank == 2 and labels.shape[-1] == num_classes:
            hint = " (one-hot labels? pass their argmax)"
        raise ValueError(
            "Class-id labels must have shape [batch] (or [batch, 1]); got shape "
            f"{tuple(labels.shape)}{hint}. For attribute vectors, build the model with "
            "condition_dim= instead of num_classes=."
        )
    if not labels.dtype.is_integer:
        raise ValueError(
            f"Class-id labels must be integers; got {labels.dtype.name}. Cast them, or "
            "use condition_dim= for float attribute vectors."
        )
    labels = tf.cast(labels, tf.int32)
    return _with_checks(labels, _class_id_assertions(labels, num_classes))


def _class_id_assertions(labels, num_classes):
    """Graph assertions that the int `labels` lie in `[0, num_classes)`."""
    return [
        tf.debugging.assert_non_negative(labels, message="ConditionalGAN: class ids must be >= 0"),
        tf.debugging.assert_less(
            labels,
            tf.cast(num_classes, labels.dtype),
            message=f"ConditionalGAN: class ids must be < num_classes={num_classes}",
        ),
    ]


def check_class_id_range(labels, num_classes):
    """Raises `ValueError` unless the NumPy class ids `labels` lie in `[0, num_classes)`.

    Float arrays are left to `check_labels`, which refuses them with a clearer message.
    """
    labels = np.asarray(labels)
    if labels.size and labels.dtype.kind in "iu":
        if labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(
                f"Class ids must lie in [0, {num_classes}); got values from "
                f"{labels.min()} to {labels.max()}."
            )


def checked_dataset(dataset, num_classes):
    """`dataset` of `(images, class ids, ...)` with its ids checked in the pipeline.

    The step checks class ids too, but XLA (`jit_compile=True`, the default on GPU) compiles
    assertions away, and an out-of-range id then silently embeds as zeros. A `map` outside the
    step keeps the check. Anything but a `tf.data.Dataset` whose second element is an integer
    tensor is returned unchanged.
    """
    if not isinstance(dataset, tf.data.Dataset):
        return dataset
    spec = dataset.element_spec
    if not (
        isinstance(spec, tuple)
        and len(spec) >= 2
        and isinstance(spec[1], tf.TensorSpec)
        and spec[1].dtype.is_integer
    ):
        return dataset

    def check(images, labels, *rest):
        return (images, _with_checks(labels, _class_id_assertions(labels, num_classes)), *rest)

    return dataset.map(check)


def check_generator(generator, num_classes=None, condition_dim=None):
    """Checks a functional generator's inputs: `z`, then `labels` of the labels' form.

    Subclassed generators, whose inputs are unknown until called, pass unchecked.
    """
    names = _input_names(generator)
    if names is None:
        return
    if names != ["z", "labels"]:
        raise ValueError(
            "A conditional generator takes two inputs named 'z' and 'labels', in that order "
            f"(see kgan.networks.conditional_generators); this one takes {names}."
        )
    label_input = generator.inputs[1]
    integer = tf.as_dtype(label_input.dtype).is_integer
    if num_classes is not None and (not integer or len(label_input.shape) != 1):
        raise ValueError(
            "num_classes= means int class ids of shape [batch], but the generator's 'labels' "
            f"input is {label_input.dtype} of shape {tuple(label_input.shape)}."
        )
    if condition_dim is not None and tuple(label_input.shape[1:]) != (condition_dim,):
        raise ValueError(
            f"condition_dim={condition_dim} means attribute vectors of shape [batch, "
            f"{condition_dim}], but the generator's 'labels' input has shape "
            f"{tuple(label_input.shape)}."
        )


def check_discriminator(discriminator, conditioning):
    """Checks that a functional discriminator takes the labels as `conditioning` says.

    `"acgan"` needs a model on images alone returning `[logits, class_logits]`; `"concat"` and
    `"projection"` a model on `[images, labels]` returning logits. Subclassed discriminators
    pass unchecked.
    """
    names = _input_names(discriminator)
    if names is None:
        return
    if conditioning == "acgan":
        if len(names) != 1 or len(discriminator.outputs) != 2:
            raise ValueError(
                "conditioning='acgan' needs a discriminator on images alone returning "
                "[logits, class_logits]; this one takes "
                f"{names} and returns {len(discriminator.outputs)} output(s)."
            )
    elif len(names) != 2 or len(discriminator.outputs) != 1:
        raise ValueError(
            f"conditioning={conditioning!r} needs a discriminator on [images, labels] returning "
            f"logits; this one takes {names} and returns {len(discriminator.outputs)} "
            "output(s). (For a discriminator that predicts the labels use conditioning='acgan'.)"
        )


def _input_names(network):
    """The names of a functional network's inputs; `None` for a subclassed one."""
    try:
        inputs = network.inputs
    except (AttributeError, ValueError):
        return None
    return [tensor.name for tensor in inputs] if inputs else None


def wrong_labels(labels, seed, step, stream=0, num_classes=None, condition_dim=None):
    """The mismatched conditions a training step draws for `labels`.

    Every row differs from the corresponding row of `labels`. A class id gets a random offset
    in `[1, num_classes - 1]` modulo `num_classes`, so the wrong class is uniform over the other
    classes. An attribute vector is replaced by the vector of another example of the (global)
    batch (a random offset in `[1, batch - 1]`); where that vector equals the right one
    (repeated attribute sets are common), one random attribute `a` is flipped to `1` if
    `a < 0.5` else `0`, which always changes it. All draws are stateless functions of
    `(seed, step, stream)`, like the latent noise, so resumed training is exact; under
    `tf.distribute` the replicas gather the global batch's attribute vectors, so N replicas
    draw what one device does.

    Args:
        labels: Class ids `[batch]` or attribute vectors `[batch, condition_dim]`.
        seed: The model's integer seed.
        step: Training step (an int).
        stream: Which discriminator update of the step. Defaults to `0`.
        num_classes: Number of classes, for class ids. Defaults to `None`.
        condition_dim: Length of the attribute vectors. Defaults to `None`.

    Returns:
        A tensor like `labels` (int32 ids or float32 vectors).
    """
    labels = tf.convert_to_tensor(labels)
    labels = check_labels(labels, tf.shape(labels)[0], num_classes, condition_dim)
    layout = noise.batch_layout(tf.shape(labels)[0])
    return draw_wrong_labels(
        labels, layout, seed, tf.cast(step, tf.int64), stream, num_classes, condition_dim
    )


def draw_wrong_labels(labels, layout, seed, step, stream, num_classes=None, condition_dim=None):
    """`wrong_labels` for already checked `labels`, inside a step with batch `layout`."""
    uniform = noise.draw(
        layout, (), noise.step_seed(seed, step, _MISMATCH_STREAM + stream), "uniform"
    )
    if num_classes is not None:
        # Uniform over the other classes: an offset in [1, num_classes - 1].
        offset = _uniform_integers(uniform, num_classes - 1) + 1
        return tf.math.floormod(labels + offset, num_classes)
    wrong = other_rows(labels, layout, uniform)
    same = tf.reduce_all(tf.equal(wrong, labels), axis=-1, keepdims=True)
    flip_uniform = noise.draw(
        layout, (), noise.step_seed(seed, step, _FLIP_STREAM + stream), "uniform"
    )
    flipped_attribute = tf.one_hot(_uniform_integers(flip_uniform, condition_dim), condition_dim)
    # 1 where a < 0.5, else 0: never equal to a, whatever float a is.
    flipped = tf.where(labels < 0.5, tf.ones_like(labels), tf.zeros_like(labels))
    flipped = tf.where(flipped_attribute > 0, flipped, labels)
    return tf.where(same, flipped, wrong)


def other_rows(values, layout, uniform):
    """Each example's row of `values` replaced by another example's of the *global* batch.

    The other example is `offset` places on, each row's offset in `[1, batch - 1]` drawn from
    its `uniform` (0 for a batch of one: a row cannot differ from itself then). Under
    `tf.distribute` the replicas gather the global batch's rows, so N replicas draw what one
    device does. Rows that happen to be equal stay equal; callers that need a different row
    handle that (`draw_wrong_labels` flips an attribute).

    Args:
        values: This replica's rows, `[batch, ...]`.
        layout: The step's `noise.BatchLayout`.
        uniform: This replica's rows of uniforms in `[0, 1)` drawn for the global batch.

    Returns:
        A tensor like `values`.
    """
    size = layout.global_size
    offset = _uniform_integers(uniform, tf.maximum(size - 1, 1)) + tf.minimum(size - 1, 1)
    positions = layout.offset + tf.range(layout.size)
    return tf.gather(_global_batch(values), tf.math.floormod(positions + offset, size))


def draw_other_rows(values, layout, seed, step, stream):
    """`other_rows` with the offset a stateless draw of `(seed, step, stream)`: the (real
    source, other real output) pairs of a sequence-to-sequence discriminator."""
    uniform = noise.draw(
        layout, (), noise.step_seed(seed, step, _MISMATCH_STREAM + stream), "uniform"
    )
    return other_rows(values, layout, uniform)


def _global_batch(values):
    """The global batch's `values` on every replica (this replica's own on one device)."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return values
    return context.all_gather(values, axis=0)


def _uniform_integers(uniform, count):
    """Maps uniforms in [0, 1) to integers in [0, count), guarding against round-up to count."""
    count = tf.cast(count, tf.int32)
    values = tf.cast(tf.floor(uniform * tf.cast(count, tf.float32)), tf.int32)
    return tf.minimum(values, count - 1)


def _with_checks(tensor, assertions):
    """`tensor` made to depend on `assertions` (no-ops when run eagerly: they already ran)."""
    with tf.control_dependencies([a for a in assertions if a is not None]):
        return tf.identity(tensor)
