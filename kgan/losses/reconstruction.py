"""Reconstruction losses: how far a generated image is from the one it should reproduce.

Like the adversarial losses, each function returns a **per-example** loss of shape `[batch]`
(the mean over every non-batch axis), and leaves averaging over the batch to the model, which
divides by the *global* batch size under `tf.distribute` (see `tf.nn.compute_average_loss`).

Example:

```python
from kgan.losses import reconstruction

per_example = reconstruction.l1_loss(target, generated)  # shape [batch]
```
"""

import tensorflow as tf


def l1_loss(target, generated):
    """Mean absolute error per example: `mean(|target - generated|)` over all but the batch axis.

    Pix2Pix adds this term, weighted by lambda = 100, to the generator's adversarial loss: the
    adversarial term makes the output sharp (it judges high frequencies, patch by patch), the L1
    term makes it right at low frequencies (it keeps the output close to the target). L1 is used
    rather than L2 because it blurs less: the L2-optimal output is the mean of the plausible
    targets, the L1-optimal one their median. CycleGAN's cycle-consistency loss is the same term.

    Args:
        target: The wanted images, shape `[batch, ...]`.
        generated: The generated images, the same shape.

    Returns:
        float32 tensor of shape `[batch]`.

    Example:

    >>> l1_loss(tf.zeros([2, 4, 4, 3]), tf.fill([2, 4, 4, 3], 0.5)).numpy()
    array([0.5, 0.5], dtype=float32)

    Reference:
        Isola et al., "Image-to-Image Translation with Conditional Adversarial Networks",
        CVPR 2017, equation (3). https://arxiv.org/abs/1611.07004
    """
    target = tf.cast(target, tf.float32)
    generated = tf.cast(generated, tf.float32)
    if target.shape.rank is not None and target.shape.rank == 0:
        raise ValueError("l1_loss needs a batch axis: got scalar tensors.")
    if not target.shape.is_compatible_with(generated.shape):
        raise ValueError(
            f"l1_loss compares tensors of the same shape; got target {target.shape} and "
            f"generated {generated.shape}."
        )
    error = tf.abs(target - generated)
    if error.shape.rank == 1:
        return error
    return tf.reduce_mean(error, axis=list(range(1, error.shape.rank)))
