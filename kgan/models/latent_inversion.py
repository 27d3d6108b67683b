"""Latent inversion: the latent vector whose sample matches a given image.

A GAN maps `z -> x` and has no encoder for the way back. Inversion finds `z*` by optimising the
latent vector itself (Creswell and Bharath 2018; Abdal et al. 2019, Image2StyleGAN's
optimisation route): starting from several random draws ("restarts", since the problem is not
convex), Adam descends

    L(z) = mean |G(z) - x|^2  +  prior_weight * mean(z^2)

for `steps` steps with the generator frozen, and the best restart per image is kept. The second
term is the negative log-density of the standard-normal prior (up to constants): it keeps `z`
where the generator was trained, so an image the generator cannot draw does not land on a
far-off vector that happens to fit it. The reconstruction error that remains says how well the
generator covers the image: small for its own samples and for data it models, large for
images it has never learnt to draw (a check on memorisation and on mode dropping).

The generator used is the one sampling uses (the EMA copy when there is one); for a conditional
model the labels of the images are held fixed.

Example:

```python
result = kgan.models.latent_inversion.invert(gan, images, steps=300)
result["latents"]          # [N, latent_dim]
result["errors"]           # [N] mean squared error of the best reconstruction, in [-1, 1] units
kgan.models.latent_space.generate_from(gan, result["latents"])  # the reconstructions
```

Reference:
    Creswell and Bharath, "Inverting the Generator of a Generative Adversarial Network",
    IEEE TNNLS 2018. https://arxiv.org/abs/1611.05644
"""

import keras
import numpy as np
import tensorflow as tf

from kgan.models import conditions


def invert(
    model,
    images,
    labels=None,
    steps=300,
    learning_rate=0.05,
    restarts=4,
    prior_weight=1e-3,
    batch_size=64,
    seed=0,
):
    """Finds for each image the latent vector whose sample is nearest to it.

    Args:
        model: A latent-vector objective (`kgan.GAN`, `kgan.ConditionalGAN`, ...).
        images: float `[N, H, W, C]` in `[-1, 1]`, the generator's sample shape.
        labels: For a conditional model, the images' conditions (class ids `[N]` or attribute
            vectors `[N, condition_dim]`); `None` otherwise.
        steps: Adam steps per restart. Defaults to `300`.
        learning_rate: Adam's learning rate on `z`. Defaults to `0.05`.
        restarts: Random starting vectors per image; the best result is kept. Defaults to `4`.
        prior_weight: Weight of the standard-normal prior term `mean(z^2)`. Defaults to `1e-3`.
        batch_size: Images optimised together. Defaults to `64`.
        seed: Seed of the starting vectors. Defaults to `0`.

    Returns:
        A dict of NumPy arrays: `latents` `[N, latent_dim]`, `reconstructions` `[N, H, W, C]`
        and `errors` `[N]` (each reconstruction's mean squared error).
    """
    network, latent_dim, images, labels = _checked(model, images, labels)
    for name, value in (("steps", steps), ("restarts", restarts), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if not learning_rate > 0 or prior_weight < 0:
        raise ValueError(
            f"learning_rate must be positive and prior_weight >= 0; got {learning_rate!r} and "
            f"{prior_weight!r}."
        )
    rng = np.random.default_rng(seed)
    starts = rng.standard_normal((restarts, len(images), latent_dim)).astype("float32")
    best_errors = np.full(len(images), np.inf, np.float32)
    best = np.zeros((len(images), latent_dim), np.float32)
    descend = _descent(network, steps, learning_rate, prior_weight, labels is not None)
    for restart in range(restarts):
        for start in range(0, len(images), batch_size):
            rows = slice(start, start + batch_size)
            condition = None if labels is None else tf.constant(labels[rows])
            latents, errors = descend(
                tf.constant(starts[restart, rows]), tf.constant(images[rows]), condition
            )
            errors = errors.numpy()
            better = errors < best_errors[rows]
            best_errors[rows] = np.where(better, errors, best_errors[rows])
            best[rows] = np.where(better[:, None], latents.numpy(), best[rows])
    inputs = best if labels is None else [best, labels]
    reconstructions = keras.ops.convert_to_numpy(network(inputs, training=False))
    return {
        "latents": best,
        "reconstructions": reconstructions.astype("float32"),
        "errors": np.mean((reconstructions - images) ** 2, axis=(1, 2, 3)).astype("float32"),
    }


def _descent(network, steps, learning_rate, prior_weight, conditional):
    """A compiled function `(z0, images, labels) -> (z, per-image error)` of `steps` Adam steps.

    Adam's moments are per coordinate of `z`, written out here (no optimizer object), so the
    restarts and batches share one traced function and start with fresh moments.
    """
    beta_1, beta_2, epsilon = 0.9, 0.999, 1e-8

    def errors_of(latents, images, labels):
        inputs = [latents, labels] if conditional else latents
        samples = tf.cast(network(inputs, training=False), "float32")
        return tf.reduce_mean(tf.square(samples - images), axis=[1, 2, 3])

    @tf.function(reduce_retracing=True)
    def descend(latents, images, labels):
        first = tf.zeros_like(latents)
        second = tf.zeros_like(latents)
        for step in tf.range(1, steps + 1):
            with tf.GradientTape() as tape:
                tape.watch(latents)
                errors = errors_of(latents, images, labels)
                # Each image's objective is its own: sum over images, not a batch mean, so the
                # step size per image does not depend on the batch size.
                loss = tf.reduce_sum(errors + prior_weight * tf.reduce_mean(latents**2, axis=1))
            gradient = tape.gradient(loss, latents)
            first = beta_1 * first + (1 - beta_1) * gradient
            second = beta_2 * second + (1 - beta_2) * tf.square(gradient)
            t = tf.cast(step, "float32")
            corrected = (first / (1 - beta_1**t)) / (tf.sqrt(second / (1 - beta_2**t)) + epsilon)
            latents = latents - learning_rate * corrected
        return latents, errors_of(latents, images, labels)

    return descend


def _checked(model, images, labels):
    """`(network, latent_dim, images, labels)` checked against `model`, as float32/labels."""
    latent_dim = getattr(model, "latent_dim", None)
    if latent_dim is None:
        raise ValueError(
            f"{type(model).__name__} has no latent space (no latent_dim): inversion finds the "
            "latent vector of a latent-vector GAN (kgan.GAN, kgan.ConditionalGAN)."
        )
    network = model.sampling_network()
    images = np.asarray(images)
    if images.dtype == np.uint8:
        raise ValueError(
            "images are uint8 (0..255); the generator draws floats in [-1, 1]: pass "
            "images / 127.5 - 1."
        )
    images = images.astype("float32")
    expected = tuple(network.output_shape[1:])
    if images.ndim != 4 or images.shape[1:] != expected or len(images) == 0:
        raise ValueError(
            f"images must be a batch [N, {', '.join(map(str, expected))}] of what the generator "
            f"draws; got shape {images.shape}."
        )
    if not np.isfinite(images).all() or images.min() < -1.001 or images.max() > 1.001:
        raise ValueError(
            f"images must be finite and in [-1, 1] like the generator's samples; got values in "
            f"[{np.nanmin(images):.3g}, {np.nanmax(images):.3g}]. Rescale them (x / 127.5 - 1 "
            "for 0..255)."
        )
    conditional = hasattr(model, "num_classes") or hasattr(model, "condition_dim")
    if conditional != (labels is not None):
        raise ValueError(
            f"This {type(model).__name__} is conditional: pass the images' labels."
            if conditional
            else f"This {type(model).__name__} takes no labels; leave labels out."
        )
    if labels is not None:
        labels = np.asarray(labels)
        if len(labels) != len(images):
            raise ValueError(
                f"labels must have one row per image: {len(labels)} for {len(images)}."
            )
        if getattr(model, "num_classes", None) is not None:
            conditions.check_class_id_range(labels, model.num_classes)
            labels = labels.astype("int32")
        else:
            labels = labels.astype("float32")
    return network, latent_dim, images, labels
