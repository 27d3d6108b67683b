"""Adversarial loss families as pure function pairs on discriminator logits.

Every family is a pair `<family>_generator_loss(fake_logits)` and
`<family>_discriminator_loss(real_logits, fake_logits)`, named as in TF-GAN; the relativistic
family's generator loss takes `(fake_logits, real_logits)` (see `needs_real_logits`). Each
function returns a **per-example** loss of shape `[batch]`; for a logit map such as a PatchGAN's
`[batch, h, w, 1]`, the loss of each output is averaged over the non-batch axes. Averaging over
the batch is left to the caller on purpose: under `tf.distribute` the model divides the
per-replica sum by the *global* batch size (see `tf.nn.compute_average_loss`), which a function
that returned a mean could not do.

The logits are raw scores (no sigmoid), which keeps the log-sigmoid terms numerically stable:
`-log(sigmoid(x)) == softplus(-x)` and `-log(1 - sigmoid(x)) == softplus(x)`.

Example:

```python
from kgan.losses import adversarial

generator_loss, discriminator_loss = adversarial.get("hinge")
d_loss = discriminator_loss(real_logits, fake_logits)  # shape [batch]
```
"""

import tensorflow as tf


def _as_float(logits):
    return tf.cast(logits, tf.float32)


def _per_example(logits):
    """Casts to float32 and averages every axis but the batch axis, giving shape `[batch]`.

    Losses apply their element-wise function *before* this average, so each output of a logit map
    (a PatchGAN's patches) is judged on its own: the cross-entropy of the mean logit is not the
    mean cross-entropy.
    """
    logits = tf.cast(logits, tf.float32)
    if logits.shape.rank is None:
        raise ValueError("Discriminator logits must have a known rank.")
    if logits.shape.rank == 0:
        raise ValueError(
            "Discriminator logits must have a batch axis, e.g. shape [batch, 1]; got a scalar."
        )
    if logits.shape.rank == 1:
        return logits
    return tf.reduce_mean(logits, axis=list(range(1, logits.shape.rank)))


# --- minimax (Goodfellow et al. 2014): the original, saturating game ---------------------------


def minimax_discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the original GAN: binary cross-entropy, real = 1, fake = 0.

    `-log D(x) - log(1 - D(G(z)))` with `D = sigmoid(logits)`. For a fixed generator the best
    discriminator is `D* = p_data / (p_data + p_g)`, at which the game's value is
    `2 * JSD(p_data || p_g) - log 4`: the minimax GAN minimises the Jensen-Shannon divergence.

    Args:
        real_logits: Discriminator logits on real data, shape `[batch, ...]`.
        fake_logits: Discriminator logits on generated data, same batch size.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
        https://arxiv.org/abs/1406.2661
    """
    return _per_example(tf.nn.softplus(-_as_float(real_logits))) + _per_example(
        tf.nn.softplus(_as_float(fake_logits))
    )


def minimax_generator_loss(fake_logits):
    """Generator loss of the original game: minimise `log(1 - D(G(z)))`.

    This is exactly the negative of the discriminator's fake term, so the pair is a zero-sum game
    whose equilibrium minimises the Jensen-Shannon divergence. It saturates: when the
    discriminator confidently rejects samples (early training) its gradient vanishes, which is why
    `non_saturating` is the default in practice.

    Args:
        fake_logits: Discriminator logits on generated data, shape `[batch, ...]`.

    Returns:
        Per-example loss, shape `[batch]` (negative: `log(1 - D) <= 0`).

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
        https://arxiv.org/abs/1406.2661
    """
    # log(1 - sigmoid(x)) = -softplus(x)
    return -_per_example(tf.nn.softplus(_as_float(fake_logits)))


# --- non-saturating (Goodfellow et al. 2014, section 3) ----------------------------------------


def non_saturating_discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the non-saturating GAN: the same cross-entropy as `minimax`.

    Args:
        real_logits: Discriminator logits on real data, shape `[batch, ...]`.
        fake_logits: Discriminator logits on generated data, same batch size.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
        https://arxiv.org/abs/1406.2661
    """
    return minimax_discriminator_loss(real_logits, fake_logits)


def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss: maximise `log D(G(z))`, i.e. minimise `-log D(G(z))`.

    Same fixed point as the minimax game but strong gradients when the discriminator wins. Against
    the optimal discriminator its expected gradient is that of
    `KL(p_g || p_data) - 2 * JSD(p_data || p_g)` (Arjovsky & Bottou 2017): a reverse-KL flavoured
    objective, which explains its tendency to drop modes rather than to blur.

    Args:
        fake_logits: Discriminator logits on generated data, shape `[batch, ...]`.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014;
        Arjovsky & Bottou, "Towards Principled Methods for Training GANs", ICLR 2017.
        https://arxiv.org/abs/1701.04862
    """
    # -log(sigmoid(x)) = softplus(-x)
    return _per_example(tf.nn.softplus(-_as_float(fake_logits)))


# --- least squares (Mao et al. 2017) -----------------------------------------------------------


def least_squares_discriminator_loss(real_logits, fake_logits):
    """LSGAN discriminator loss with the 0-1 coding: `((D(x) - 1)^2 + D(G(z))^2) / 2`.

    The discriminator regresses real to 1 and fake to 0 (coding `a=0, b=1, c=1`). Mao et al. show
    that with `b - c = 1` and `b - a = 2` the generator minimises the Pearson chi-squared
    divergence `chi2(p_data + p_g || 2 p_g)`; the 0-1 coding used here (the common choice, and
    TF-GAN's) behaves the same in practice, as the paper reports.

    Args:
        real_logits: Discriminator outputs on real data (no activation), shape `[batch, ...]`.
        fake_logits: Discriminator outputs on generated data, same batch size.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017.
        https://arxiv.org/abs/1611.04076
    """
    real = _per_example_squared_error(real_logits, 1.0)
    fake = _per_example_squared_error(fake_logits, 0.0)
    return 0.5 * (real + fake)


def least_squares_generator_loss(fake_logits):
    """LSGAN generator loss: `(D(G(z)) - 1)^2 / 2` (the generator wants fakes scored as real).

    Args:
        fake_logits: Discriminator outputs on generated data, shape `[batch, ...]`.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017.
        https://arxiv.org/abs/1611.04076
    """
    return 0.5 * _per_example_squared_error(fake_logits, 1.0)


def _per_example_squared_error(logits, target):
    """Squares each output's error *before* averaging a logit map (a PatchGAN's, say)."""
    squared = tf.square(_as_float(logits) - target)
    return _per_example(squared)


# --- Wasserstein (Arjovsky et al. 2017) ---------------------------------------------------------


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """WGAN critic loss: `D(G(z)) - D(x)`.

    By Kantorovich-Rubinstein duality, `sup_{||D||_L <= 1} E[D(x)] - E[D(G(z))]` is the
    Wasserstein-1 (earth mover's) distance. The supremum is only over 1-Lipschitz critics, so this
    loss needs a Lipschitz constraint beside it: the gradient penalty (`gradient_penalty_weight`
    in `GAN.compile`, WGAN-GP) or spectral normalization in the critic.

    Args:
        real_logits: Critic scores on real data, shape `[batch, ...]`.
        fake_logits: Critic scores on generated data, same batch size.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Arjovsky et al., "Wasserstein GAN", ICML 2017. https://arxiv.org/abs/1701.07875
    """
    return _per_example(fake_logits) - _per_example(real_logits)


def wasserstein_generator_loss(fake_logits):
    """WGAN generator loss: `-D(G(z))`, the generator's part of the Wasserstein-1 estimate.

    Args:
        fake_logits: Critic scores on generated data, shape `[batch, ...]`.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Arjovsky et al., "Wasserstein GAN", ICML 2017. https://arxiv.org/abs/1701.07875
    """
    return -_per_example(fake_logits)


# --- hinge (Lim & Ye 2017; Miyato et al. 2018) --------------------------------------------------


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge discriminator loss: `max(0, 1 - D(x)) + max(0, 1 + D(G(z)))`.

    An SVM margin loss on the scores. Over critics bounded in `[-1, 1]` the best one is
    `D* = sign(p_data - p_g)`, at which the discriminator's objective equals
    `2 * TV(p_data, p_g) - 2`: the game minimises the total variation distance. The scores are
    unbounded in practice, so pair it with spectral normalization (as SNGAN, SAGAN and BigGAN do).

    Args:
        real_logits: Discriminator scores on real data, shape `[batch, ...]`.
        fake_logits: Discriminator scores on generated data, same batch size.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Lim & Ye, "Geometric GAN", 2017. https://arxiv.org/abs/1705.02894;
        Miyato et al., "Spectral Normalization for GANs", ICLR 2018.
        https://arxiv.org/abs/1802.05957
    """
    real = _per_example(tf.nn.relu(1.0 - _as_float(real_logits)))
    fake = _per_example(tf.nn.relu(1.0 + _as_float(fake_logits)))
    return real + fake


def hinge_generator_loss(fake_logits):
    """Hinge-GAN generator loss: `-D(G(z))` (no margin: the generator pushes scores up freely).

    Args:
        fake_logits: Discriminator scores on generated data, shape `[batch, ...]`.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Miyato et al., "Spectral Normalization for GANs", ICLR 2018.
        https://arxiv.org/abs/1802.05957
    """
    return -_per_example(fake_logits)


# --- relativistic pairing (Jolicoeur-Martineau 2019; the loss of R3GAN) ------------------------


def relativistic_pairing_discriminator_loss(real_logits, fake_logits):
    """RpGAN discriminator loss: `softplus(-(D(x) - D(G(z))))`, real and fake paired up.

    The discriminator judges not whether a sample is real but whether the real one of a pair
    (real example `i`, generated example `i`) is more real than the generated one. Against the
    paired critic the game has no local minima where the generator drops modes, unlike the
    standard loss (Sun et al. 2020, "Towards a Better Global Loss Landscape of GANs"), and with
    R1 and R2 (`r1_weight`, `r2_weight`) it converges locally (Huang et al. 2024, R3GAN).

    Args:
        real_logits: Discriminator logits on real data, shape `[batch, ...]`.
        fake_logits: Logits on generated data, the same shape: example `i` is paired with
            real example `i`.

    Returns:
        Per-example loss, shape `[batch]`.

    Reference:
        Jolicoeur-Martineau, "The relativistic discriminator: a key element missing from standard
        GAN", ICLR 2019. https://arxiv.org/abs/1807.00734
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN Baseline", NeurIPS 2024.
        https://arxiv.org/abs/2501.05441
    """
    difference = _as_float(real_logits) - _as_float(fake_logits)
    return _per_example(tf.nn.softplus(-difference))


def relativistic_pairing_generator_loss(fake_logits, real_logits):
    """RpGAN generator loss: `softplus(-(D(G(z)) - D(x)))`, the pair's roles swapped.

    Unlike every other family, the generator's loss needs the real logits too (the objectives
    compute them in the generator step when this family is chosen; see `needs_real_logits`).

    Args:
        fake_logits: Discriminator logits on generated data, shape `[batch, ...]`.
        real_logits: Logits on the paired real data, the same shape.

    Returns:
        Per-example loss, shape `[batch]`.
    """
    difference = _as_float(fake_logits) - _as_float(real_logits)
    return _per_example(tf.nn.softplus(-difference))


# --- registry ----------------------------------------------------------------------------------

_FAMILIES = {
    "minimax": (minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": (non_saturating_generator_loss, non_saturating_discriminator_loss),
    "least_squares": (least_squares_generator_loss, least_squares_discriminator_loss),
    "wasserstein": (wasserstein_generator_loss, wasserstein_discriminator_loss),
    "hinge": (hinge_generator_loss, hinge_discriminator_loss),
    "relativistic_pairing": (
        relativistic_pairing_generator_loss,
        relativistic_pairing_discriminator_loss,
    ),
}

# Families whose generator loss takes `(fake_logits, real_logits)`.
_RELATIVISTIC = ("relativistic_pairing",)

# Names users reach for, mapped to the canonical family.
_ALIASES = {
    "saturating": "minimax",
    "nonsaturating": "non_saturating",
    "ns": "non_saturating",
    "lsgan": "least_squares",
    "wgan": "wasserstein",
    "rpgan": "relativistic_pairing",
    "relativistic": "relativistic_pairing",
}

FAMILIES = tuple(_FAMILIES)


def canonical_name(name):
    """Returns the registered family name for `name` (accepting aliases such as `"wgan"`).

    Raises:
        ValueError: if `name` is not a known family; the message lists the families.
    """
    if not isinstance(name, str):
        raise TypeError(f"A loss family is named by a string, one of {FAMILIES}; got {name!r}.")
    key = name.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in _FAMILIES:
        raise ValueError(
            f"Unknown adversarial loss {name!r}. Choose one of: {', '.join(FAMILIES)}."
        )
    return key


def needs_real_logits(name):
    """Whether the family's generator loss also takes the real logits (relativistic ones)."""
    return canonical_name(name) in _RELATIVISTIC


# Families whose discriminator loss is the cross-entropy that label smoothing changes.
_CROSS_ENTROPY = ("minimax", "non_saturating")


def one_sided_label_smoothing(discriminator_loss, smoothing):
    """`discriminator_loss` with real targets `1 - smoothing` instead of 1 (fakes keep 0).

    A discriminator trained to answer exactly 1 on reals grows its logits without bound on
    them and sends the generator steep, overconfident gradients; aiming at `0.9` keeps it
    calibrated (Salimans et al. 2016, section 3.4). Only the real side is smoothed: smoothing
    the fakes' target too would reward the generator for samples where the data has no mass.
    With `s` the smoothing, the real term `(1 - s) softplus(-r) + s softplus(r)` equals
    `softplus(-r) + s r`, since `softplus(r) - softplus(-r) = r`, so the smoothed loss is the
    plain one plus `s` times the mean real logit of each example.

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016.
        https://arxiv.org/abs/1606.03498
    """

    def smoothed(real_logits, fake_logits):
        return discriminator_loss(real_logits, fake_logits) + smoothing * _per_example(real_logits)

    return smoothed


def get(name, label_smoothing=0.0):
    """Returns the `(generator_loss, discriminator_loss)` pair for a family name.

    Args:
        name: One of `"minimax"`, `"non_saturating"`, `"least_squares"`, `"wasserstein"`,
            `"hinge"`, `"relativistic_pairing"` (aliases: `"saturating"`, `"ns"`, `"lsgan"`,
            `"wgan"`, `"rpgan"`, `"relativistic"`).
        label_smoothing: One-sided label smoothing of the discriminator's real targets, in
            `[0, 1)` (Salimans et al. use 0.1), for the cross-entropy families. Defaults to
            `0.0`.

    Returns:
        A tuple of two functions on logits, each returning per-example losses.

    Example:

    >>> generator_loss, discriminator_loss = get("least_squares")
    """
    key = canonical_name(name)
    generator_loss, discriminator_loss = _FAMILIES[key]
    if isinstance(label_smoothing, bool) or not 0.0 <= float(label_smoothing) < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing!r}.")
    if label_smoothing == 0:
        return generator_loss, discriminator_loss
    if key not in _CROSS_ENTROPY:
        raise ValueError(
            f"label_smoothing changes the cross-entropy's real target; the {key!r} family has "
            f"none. Use loss='non_saturating' or 'minimax', or leave label_smoothing at 0."
        )
    return generator_loss, one_sided_label_smoothing(discriminator_loss, float(label_smoothing))
