"""Gradient penalties that keep a discriminator (critic) smooth.

Every penalty returns **per-example** values of shape `[batch]`, like the adversarial losses, so
the model can average them over the global batch under `tf.distribute`.

The gradient of a batch's summed scores with respect to the inputs is the per-example gradient
only when examples do not interact inside the discriminator. Batch normalization mixes examples,
which breaks that: use layer normalization, spectral normalization or none in a penalised critic.
"""

import tensorflow as tf


def _per_example_gradient_norm(discriminator, images, training):
    """Returns `||d D(x_i) / d x_i||_2` for each example and the scores `D(x_i)`."""
    with tf.GradientTape() as tape:
        tape.watch(images)
        scores = discriminator(images, training=training)
        # Summing over the batch gives each example's own gradient because example i's score
        # depends only on x_i (see the module note on batch normalization).
        total = tf.reduce_sum(tf.cast(scores, tf.float32))
    gradients = tf.cast(tape.gradient(total, images), tf.float32)
    axes = list(range(1, gradients.shape.rank))
    # The small constant keeps the square root differentiable at zero gradient (its derivative
    # there is infinite, which would put NaN into the second-order update).
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=axes) + 1e-12)
    return norms


def interpolate(real_images, fake_images, alpha=None):
    """Random points on the lines between paired real and fake examples.

    `x_hat = alpha * x + (1 - alpha) * x_fake` with one `alpha ~ U[0, 1]` per example.

    Args:
        real_images: Real batch, shape `[batch, ...]`.
        fake_images: Generated batch, same shape.
        alpha: Optional mixing weights, shape `[batch]`, in `[0, 1]`. Passing them makes the
            result a pure function of its inputs (kgan's models draw them statelessly so that
            resumed and distributed training are exact). Defaults to a fresh uniform draw.

    Returns:
        The interpolated batch, same shape and dtype as `real_images`.
    """
    real_images = tf.convert_to_tensor(real_images)
    fake_images = tf.cast(fake_images, real_images.dtype)
    batch = tf.shape(real_images)[0]
    if alpha is None:
        alpha = tf.random.uniform([batch], dtype=real_images.dtype)
    alpha = tf.cast(alpha, real_images.dtype)
    # [batch] -> [batch, 1, ..., 1] so each example gets its own weight.
    alpha = tf.reshape(
        alpha, tf.concat([[batch], tf.ones([real_images.shape.rank - 1], tf.int32)], 0)
    )
    return alpha * real_images + (1.0 - alpha) * fake_images


def gradient_penalty(
    discriminator, real_images, fake_images, target=1.0, alpha=None, training=True
):
    """WGAN-GP two-sided gradient penalty: `((||grad D(x_hat)|| - target) / target)^2`.

    A differentiable function is 1-Lipschitz iff its gradient norm is at most 1 everywhere; the
    optimal WGAN critic has norm exactly 1 on the lines between coupled real and fake points, so
    Gulrajani et al. penalise the squared deviation from 1 at random points on those lines
    (`interpolate`). With `target != 1` (Karras et al. 2018 use 750 with a tiny weight) the
    deviation is divided by the target so the penalty's scale does not depend on it.

    Args:
        discriminator: Callable `images -> scores`.
        real_images: Real batch, shape `[batch, ...]`.
        fake_images: Generated batch, same shape; treated as constants.
        target: The gradient norm aimed at. Defaults to `1.0`.
        alpha: Optional interpolation weights, shape `[batch]` (see `interpolate`).
        training: Passed to the discriminator. Defaults to `True`.

    Returns:
        Per-example penalty, shape `[batch]`. Multiply its mean by the penalty weight
        (`lambda = 10` in the paper).

    Example:

    >>> gp = gradient_penalty(critic, real, fake)  # doctest: +SKIP
    >>> d_loss = wasserstein_d_loss + 10.0 * tf.reduce_mean(gp)  # doctest: +SKIP

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.
        https://arxiv.org/abs/1704.00028
    """
    if target <= 0:
        raise ValueError(f"The gradient penalty target must be positive, got {target}.")
    mixed = interpolate(real_images, tf.stop_gradient(fake_images), alpha=alpha)
    norms = _per_example_gradient_norm(discriminator, mixed, training)
    return tf.square((norms - target) / target)


def r1_penalty(discriminator, real_images, training=True):
    """R1 penalty: the squared gradient norm on real data, `||grad D(x)||^2` (halve and weight it).

    Penalising the discriminator's gradient on real data only makes the GAN game locally
    convergent where the unregularised one can oscillate (Mescheder et al. 2018); StyleGAN uses it
    with weight `gamma / 2`.

    Args:
        discriminator: Callable `images -> scores`.
        real_images: Real batch, shape `[batch, ...]`.
        training: Passed to the discriminator. Defaults to `True`.

    Returns:
        Per-example squared gradient norm, shape `[batch]`.

    Reference:
        Mescheder et al., "Which Training Methods for GANs do actually Converge?", ICML 2018.
        https://arxiv.org/abs/1801.04406
    """
    norms = _per_example_gradient_norm(discriminator, tf.convert_to_tensor(real_images), training)
    return tf.square(norms)


def r2_penalty(discriminator, fake_images, training=True):
    """R2 penalty: the squared gradient norm on generated data, `||grad D(G(z))||^2`.

    R1's twin on the other distribution (Mescheder et al. 2018, eq. 9). R3GAN pairs the two
    with the relativistic pairing loss: with both, the critic is smooth around real *and*
    generated samples, which that loss needs to converge (Huang et al. 2024, Section 2).
    The generated images are constants here: only the discriminator is penalised.

    Args:
        discriminator: Callable `images -> scores`.
        fake_images: Generated batch, shape `[batch, ...]`.
        training: Passed to the discriminator. Defaults to `True`.

    Returns:
        Per-example squared gradient norm, shape `[batch]`.

    Reference:
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN Baseline", NeurIPS
        2024. https://arxiv.org/abs/2501.05441
    """
    fake_images = tf.stop_gradient(tf.convert_to_tensor(fake_images))
    return r1_penalty(discriminator, fake_images, training)
