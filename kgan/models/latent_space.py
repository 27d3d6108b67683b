"""Walking a generator's latent space: truncation, interpolation, and samples of given vectors.

Three tools every GAN user reaches for once the model trains:

- **Truncation** (`truncated_latents`): draw latent vectors from a standard normal truncated to
  `|z_i| <= threshold`, component by component, by redrawing the components outside. Samples
  from the dense middle of the prior are more typical, so quality rises and diversity falls as
  the threshold shrinks (the "truncation trick" of BigGAN, Brock et al. 2019, Section 3.1).
- **Interpolation** (`interpolate`): a path of latent vectors between two. `"lerp"` is the
  straight line; `"slerp"` follows the great circle (White 2016, "Sampling Generative
  Networks"): in high dimensions a standard normal vector lies near the sphere of radius
  `sqrt(d)`, and the straight line's midpoint is well inside it (norm `sqrt(d / 2)` between
  two orthogonal vectors), where the generator saw no training inputs; slerp keeps the norm.
- **Samples of given vectors** (`generate_from`): run a model's generator on latent vectors
  (with labels for a conditional model) in batches, exactly as `generate` runs its own draws,
  so a truncated draw or an interpolation path becomes images.

Example:

```python
z = kgan.models.latent_space.truncated_latents(16, gan.latent_dim, threshold=0.7, seed=0)
path = kgan.models.latent_space.interpolate(z[0], z[1], steps=8, method="slerp")
strip = kgan.models.latent_space.generate_from(gan, path)  # [8, H, W, C] in [-1, 1]
```
"""

import numpy as np

from kgan.models import conditions
from kgan.models import sampling

METHODS = ("lerp", "slerp")


def truncated_latents(num, latent_dim, threshold, seed=None):
    """`num` latent vectors `[num, latent_dim]` from a standard normal truncated at `threshold`.

    Each component is drawn from `N(0, 1)`; components with `|z| > threshold` are drawn again
    (from the same seeded generator, so the result is reproducible) until all are inside.

    Args:
        num: Number of vectors.
        latent_dim: Their length.
        threshold: The bound on every component, `> 0`. Around 0.5-1 trades diversity for
            quality; large values (>= 4) change almost nothing.
        seed: Integer seed. Defaults to a random one.

    Returns:
        float32 `np.ndarray` `[num, latent_dim]`.
    """
    number = isinstance(threshold, int | float | np.integer | np.floating)
    if isinstance(threshold, bool) or not number or not np.isfinite(threshold) or threshold <= 0:
        raise ValueError(
            f"threshold must be a positive number (the bound on each latent component); got "
            f"{threshold!r}. Use generate() for the untruncated prior."
        )
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((int(num), int(latent_dim)))
    outside = np.abs(latent) > threshold
    while outside.any():
        latent[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(latent) > threshold
    return latent.astype("float32")


def interpolate(start, end, steps, method="slerp"):
    """Latent vectors from `start` to `end`, both included, in `steps` equal steps of `t`.

    Args:
        start: A latent vector `[d]`, or a batch `[n, d]` (one path per row).
        end: The same shape as `start`.
        steps: Number of vectors on each path, `>= 2`.
        method: `"slerp"` (along the great circle, keeping the norm; the default) or `"lerp"`
            (the straight line).

    Returns:
        float32 `[steps, d]` for vectors, `[n, steps, d]` for batches.
    """
    start = np.asarray(start, np.float64)
    end = np.asarray(end, np.float64)
    if start.shape != end.shape or start.ndim not in (1, 2) or start.shape[-1] == 0:
        raise ValueError(
            "start and end must be latent vectors [d] or batches [n, d] of the same shape; got "
            f"{start.shape} and {end.shape}."
        )
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2 (both ends included); got {steps!r}.")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    single = start.ndim == 1
    a, b = np.atleast_2d(start)[:, None, :], np.atleast_2d(end)[:, None, :]
    t = np.linspace(0.0, 1.0, int(steps))[None, :, None]
    path = (1.0 - t) * a + t * b
    if method == "slerp":
        norms = np.linalg.norm(a, axis=-1, keepdims=True) * np.linalg.norm(
            b, axis=-1, keepdims=True
        )
        cosine = np.sum(a * b, axis=-1, keepdims=True) / np.maximum(norms, 1e-12)
        omega = np.arccos(np.clip(cosine, -1.0, 1.0))
        sine = np.sin(omega)
        # Nearly opposite vectors have no one great circle between them (every half circle
        # through both is one): refuse rather than pass through the origin.
        opposite = (sine <= 1e-6) & (cosine < 0)
        if opposite.any():
            raise ValueError(
                "slerp between (nearly) opposite latent vectors is not defined: every half "
                "circle joins them. Pick other ends, or use method='lerp'."
            )
        # Nearly parallel vectors: the great circle is the straight line (and sin(omega) -> 0).
        curved = sine > 1e-6
        safe = np.where(curved, sine, 1.0)
        arc = (np.sin((1.0 - t) * omega) * a + np.sin(t * omega) * b) / safe
        path = np.where(curved, arc, path)
    path = path.astype("float32")
    return path[0] if single else path


def generate_from(model, latents, labels=None, batch_size=256):
    """Samples of `model` for the given latent vectors (and labels), as `generate` makes them.

    Args:
        model: A latent-vector objective (`kgan.GAN`, `kgan.ConditionalGAN`, ...).
        latents: float `[num, latent_dim]` (e.g. from `truncated_latents` or `interpolate`;
            a `[n, steps, d]` batch of paths is flattened to `[n * steps, d]`).
        labels: For a conditional model, one label row per vector (class ids `[num]` or
            attributes `[num, condition_dim]`); `None` otherwise.
        batch_size: Vectors per forward pass. Defaults to `256`.

    Returns:
        float32 `np.ndarray` `[num, *sample_shape]` in `[-1, 1]`.
    """
    latent_dim = getattr(model, "latent_dim", None)
    if latent_dim is None:
        raise ValueError(
            f"{type(model).__name__} has no latent space (no latent_dim): it translates or "
            "samples tokens; generate_from serves latent-vector GANs."
        )
    latents = np.asarray(latents, np.float32)
    if latents.ndim == 3:
        latents = latents.reshape(-1, latents.shape[-1])
    if latents.ndim != 2 or latents.shape[1] != latent_dim or len(latents) == 0:
        raise ValueError(
            f"latents must be vectors [num, latent_dim={latent_dim}]; got shape {latents.shape}."
        )
    # ConditionalGAN (and its subclasses) name their condition: classes or attributes.
    conditional = hasattr(model, "num_classes") or hasattr(model, "condition_dim")
    if conditional and labels is None:
        raise ValueError(
            f"This {type(model).__name__} is conditional: pass labels, one per latent vector."
        )
    if not conditional and labels is not None:
        raise ValueError(f"This {type(model).__name__} takes no labels; leave labels out.")
    if labels is None:
        inputs = latents
    else:
        labels = np.asarray(labels)
        if len(labels) != len(latents):
            raise ValueError(
                f"labels must have one row per latent vector: {len(labels)} labels for "
                f"{len(latents)} vectors."
            )
        if getattr(model, "num_classes", None) is not None:
            conditions.check_class_id_range(labels, model.num_classes)
        inputs = (latents, labels)
    return sampling.in_batches(lambda batch: model(batch, training=False), inputs, batch_size)
