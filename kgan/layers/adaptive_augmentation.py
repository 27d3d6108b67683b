"""`AdaptiveAugmentation`: ADA, augmentations before the critic with a probability that adapts.

With little data a discriminator memorises the training images: its outputs on reals drift
towards "real" while its outputs on held-out reals fall, and the generator's gradients stop
meaning anything (FID rises after a few thousand steps). Augmenting *every* image the critic
sees, real and generated, with differentiable ops stops the memorising, and the generator
learns through the ops. Karras et al. (2020) show the augmentations do not "leak" into the
samples (the generator does not learn to draw flipped or rotated digits) as long as each is
applied with a probability `p` below about 0.8: the critic still sees enough clean images to
tell the augmented distribution of the data from that of a generator drawing augmented images.

How much augmentation is right depends on the data's size and the training's length, so ADA
adjusts `p` while training from an overfitting heuristic, the mean sign of the critic's outputs
on the (augmented) reals, `r_t = E[sign(D(x_real))]`: 0 when the critic cannot tell, 1 when it
is sure of every real. Every `interval` steps

    p <- clip(p + sign(r_t - target) * N / speed, 0, 1)

with `N` the real images seen since the last adjustment and `target = 0.6`: `p` can go from
0 to 1 in `speed` images (the paper's 500k; a shorter run needs a shorter one).

The operations, each applied to an image with probability `p` independently (ADA's "bgc"
pipeline without the interpolating geometric ones, plus DiffAugment's cutout):

| name | what it does |
|---|---|
| `"xflip"` | mirror left-right |
| `"rotate90"` | rotate by `k` quarter turns, `k` uniform in {0, 1, 2, 3} |
| `"translation"` | shift by whole pixels, up to `translation` of the size, reflecting at borders |
| `"brightness"` | add `N(0, 0.2^2)` to every pixel |
| `"contrast"` | scale the deviation from the image's mean by `2^N(0, 0.5^2)` |
| `"saturation"` | scale each pixel's deviation from its channel mean by `2^N(0, 1)` (RGB only) |
| `"cutout"` | set a square of side `cutout` of the size to 0 (mid-grey in [-1, 1]) |

The layer draws nothing itself: its caller passes `randoms` (uniforms in `[0, 1)`,
`num_randoms` per image), so kgan's objectives feed it their stateless step noise and training
stays exactly resumable and equal across replicas (see `kgan.models.noise`). kgan's objectives
take it as `augmentation=` and do the rest: augment reals and fakes in every critic pass of
training (critic and generator updates, not `evaluate` or the metrics), feed `observe` the
critic's outputs on reals, call `adjust` after each step, and log `p` as `augment_p`.

Reference:
    Karras et al., "Training Generative Adversarial Networks with Limited Data", NeurIPS 2020.
    https://arxiv.org/abs/2006.06676
    Zhao et al., "Differentiable Augmentation for Data-Efficient GAN Training", NeurIPS 2020.
    https://arxiv.org/abs/2006.10738
"""

import keras
import tensorflow as tf

OPERATIONS = (
    "xflip",
    "rotate90",
    "translation",
    "brightness",
    "contrast",
    "saturation",
    "cutout",
)
DEFAULT_POLICY = ("xflip", "rotate90", "translation", "brightness", "contrast", "saturation")
# Uniforms per operation: whether to apply it, then up to two parameters.
_DRAWS = 3
# Standard deviations of ADA's colour transformations (Karras et al. 2020, appendix B.2).
_BRIGHTNESS_STD = 0.2
_CONTRAST_STD = 0.5
_SATURATION_STD = 1.0


@keras.saving.register_keras_serializable(package="kgan")
class AdaptiveAugmentation(keras.layers.Layer):
    """Augments images with probability `p`, adapted to keep the critic from overfitting.

    Args:
        target: The mean sign of the critic on reals that `p` is steered to (ADA's 0.6);
            `None` keeps `p` fixed at `probability` (the paper's fixed-p baseline, or plain
            DiffAugment with `probability=1`). Defaults to `0.6`.
        speed: Real images over which `p` can move from 0 to 1. Defaults to `500_000` (the
            paper's); a run of a few hundred thousand images wants about a tenth of its length.
        interval: Training steps between adjustments of `p`. Defaults to `4` (the paper's).
        probability: The starting (or, with `target=None`, fixed) `p`, in `[0, 1]`.
            Defaults to `0.0`.
        policy: The operations to apply, names from the table in the module docstring.
            Defaults to `DEFAULT_POLICY` (all but cutout).
        translation: Largest shift of `"translation"`, as a fraction of height and width.
            Defaults to `0.125` (ADA's and DiffAugment's).
        cutout: Side of `"cutout"`'s square as a fraction of the size. Defaults to `0.5`.
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Call arguments:
        images: `[batch, height, width, channels]` float images in `[-1, 1]`; `"rotate90"`
            needs square ones.
        randoms: `[batch, num_randoms]` uniforms in `[0, 1)`.

    Example:

    ```python
    gan = kgan.GAN(generator, discriminator,
                   augmentation=kgan.layers.AdaptiveAugmentation(target=0.6, speed=50_000))
    gan.compile()
    gan.fit(images, epochs=100)   # logs augment_p
    ```
    """

    def __init__(
        self,
        target=0.6,
        speed=500_000,
        interval=4,
        probability=0.0,
        policy=DEFAULT_POLICY,
        translation=0.125,
        cutout=0.5,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if target is not None and not 0.0 <= float(target) < 1.0:
            raise ValueError(
                f"target must be in [0, 1) (ADA uses 0.6), or None for a fixed p; got {target!r}."
            )
        if not float(speed) > 0:
            raise ValueError(f"speed must be a positive number of images, got {speed!r}.")
        if isinstance(interval, bool) or int(interval) != interval or interval < 1:
            raise ValueError(f"interval must be a positive integer of steps, got {interval!r}.")
        if not 0.0 <= float(probability) <= 1.0:
            raise ValueError(f"probability must be in [0, 1], got {probability!r}.")
        policy = (policy,) if isinstance(policy, str) else tuple(policy)
        unknown = [name for name in policy if name not in OPERATIONS]
        if unknown or not policy:
            problem = f"Unknown augmentation {unknown[0]!r}" if unknown else "An empty policy"
            raise ValueError(f"{problem}: choose operations from {', '.join(OPERATIONS)}.")
        for name, value in (("translation", translation), ("cutout", cutout)):
            if not 0.0 < float(value) < 1.0:
                raise ValueError(f"{name} must be a fraction of the size in (0, 1), got {value!r}.")
        self.target = None if target is None else float(target)
        self.speed = float(speed)
        self.interval = int(interval)
        self.initial_probability = float(probability)
        self.policy = policy
        self.translation = float(translation)
        self.cutout = float(cutout)
        # Replicas compute the same update from all-reduced statistics; they keep the first's.
        self.probability = self._state("probability", self.initial_probability)
        self.sign_sum = self._state("sign_sum", 0.0)
        self.sign_count = self._state("sign_count", 0.0)
        self.built = True

    def _state(self, name, value):
        return self.add_weight(
            name=name,
            shape=(),
            dtype="float32",
            initializer=keras.initializers.Constant(value),
            trainable=False,
            aggregation="only_first_replica",
        )

    @property
    def num_randoms(self):
        """Uniforms `call` needs per image."""
        return _DRAWS * len(self.policy)

    @property
    def adaptive(self):
        """Whether `p` adapts (a `target` is set)."""
        return self.target is not None

    def call(self, images, randoms):
        dtype = images.dtype
        x = tf.cast(images, "float32")
        randoms = tf.cast(randoms, "float32")
        p = tf.convert_to_tensor(self.probability)
        for index, name in enumerate(self.policy):
            draws = randoms[:, _DRAWS * index : _DRAWS * (index + 1)]
            applied = draws[:, 0] < p
            x = getattr(self, f"_{name}")(x, applied, draws[:, 1], draws[:, 2])
        return tf.cast(x, dtype)

    # --- the operations: each maps (x, applied [B] bool, a, b [B] uniforms) -> x ---------------

    def _xflip(self, x, applied, a, b):
        return tf.where(_per_image(applied), tf.reverse(x, axis=[2]), x)

    def _rotate90(self, x, applied, a, b):
        if x.shape[1] is not None and x.shape[1] != x.shape[2]:
            raise ValueError(
                f"'rotate90' needs square images, got {x.shape[1]}x{x.shape[2]}; leave it out "
                "of the policy."
            )
        quarter_turns = tf.where(applied, tf.cast(tf.floor(a * 4.0), tf.int32), 0)
        quarter_turns = tf.minimum(quarter_turns, 3)  # a < 1, but guard round-off
        result = x
        for k in (1, 2, 3):
            result = tf.where(_per_image(tf.equal(quarter_turns, k)), tf.image.rot90(x, k), result)
        return result

    def _translation(self, x, applied, a, b):
        height, width = tf.shape(x)[1], tf.shape(x)[2]
        zero = tf.zeros_like(a)
        # Whole-pixel shifts in [-translation, translation] of the size (ADA's "xint").
        shift_y = tf.where(applied, (2.0 * a - 1.0) * self.translation, zero)
        shift_x = tf.where(applied, (2.0 * b - 1.0) * self.translation, zero)
        rows = _reflected_indices(height, tf.round(shift_y * tf.cast(height, "float32")))
        cols = _reflected_indices(width, tf.round(shift_x * tf.cast(width, "float32")))
        x = tf.gather(x, rows, axis=1, batch_dims=1)
        return tf.gather(x, cols, axis=2, batch_dims=1)

    # The colour operations leave images not drawn exactly as they were (`tf.where`, not a
    # factor of 1, which would round).
    def _brightness(self, x, applied, a, b):
        shifted = x + (_normal(a) * _BRIGHTNESS_STD)[:, None, None, None]
        return tf.where(_per_image(applied), shifted, x)

    def _contrast(self, x, applied, a, b):
        factor = tf.pow(2.0, _normal(a) * _CONTRAST_STD)[:, None, None, None]
        mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
        return tf.where(_per_image(applied), mean + (x - mean) * factor, x)

    def _saturation(self, x, applied, a, b):
        if x.shape[-1] != 3:
            return x  # Saturation is a colour operation: grey images have none.
        factor = tf.pow(2.0, _normal(a) * _SATURATION_STD)[:, None, None, None]
        grey = tf.reduce_mean(x, axis=-1, keepdims=True)
        return tf.where(_per_image(applied), grey + (x - grey) * factor, x)

    def _cutout(self, x, applied, a, b):
        height, width = tf.shape(x)[1], tf.shape(x)[2]
        # The square's centre is uniform over the image; it is cut where it overlaps.
        inside_y = _within(height, a, self.cutout)
        inside_x = _within(width, b, self.cutout)
        cut = inside_y[:, :, None] & inside_x[:, None, :] & applied[:, None, None]
        return tf.where(cut[..., None], tf.zeros_like(x), x)

    # --- the controller ------------------------------------------------------------------------

    @staticmethod
    def example_signs(real_logits):
        """`[batch]`: the mean sign of each example's critic outputs (one, or a PatchGAN's map)."""
        logits = tf.cast(real_logits, "float32")
        return tf.reduce_mean(tf.reshape(tf.sign(logits), [tf.shape(logits)[0], -1]), axis=1)

    def accumulate(self, sign_total, count):
        """Adds the summed example signs of `count` reals (of the global batch) to the statistic."""
        self.sign_sum.assign_add(tf.cast(sign_total, "float32"))
        self.sign_count.assign_add(tf.cast(count, "float32"))

    def adjust(self, steps_done):
        """Moves `p` on steps where `steps_done` is a multiple of `interval` (ADA's update).

        Args:
            steps_done: Training steps done, this one included (an int tensor).
        """
        if not self.adaptive:
            return
        due = tf.equal(tf.math.floormod(steps_done, self.interval), 0) & (self.sign_count > 0)
        mean_sign = self.sign_sum / tf.maximum(self.sign_count, 1.0)
        step = tf.sign(mean_sign - self.target) * self.sign_count / self.speed
        moved = tf.clip_by_value(self.probability + step, 0.0, 1.0)
        self.probability.assign(tf.where(due, moved, self.probability))
        self.sign_sum.assign(tf.where(due, 0.0, self.sign_sum))
        self.sign_count.assign(tf.where(due, 0.0, self.sign_count))

    def get_config(self):
        config = super().get_config()
        config.update(
            target=self.target,
            speed=self.speed,
            interval=self.interval,
            probability=self.initial_probability,
            policy=list(self.policy),
            translation=self.translation,
            cutout=self.cutout,
        )
        return config


def _per_image(flags):
    """`[B]` booleans broadcast over `[B, H, W, C]`."""
    return flags[:, None, None, None]


def _normal(uniform):
    """A standard normal from a uniform in [0, 1) by the inverse CDF, clear of +-inf."""
    return tf.math.ndtri(tf.clip_by_value(uniform, 1e-6, 1.0 - 1e-6))


def _reflected_indices(size, shifts):
    """`[B, size]` source indices of each output pixel for a shift, reflecting at the borders.

    Output pixel `i` reads `i - shift`, folded back into `[0, size - 1]` like a mirror
    (`-1 -> 1`, `size -> size - 2`), as ADA pads with reflection before translating.
    """
    positions = tf.range(size)[None, :] - tf.cast(shifts, tf.int32)[:, None]
    last = tf.maximum(size - 1, 1)
    folded = tf.math.floormod(positions, 2 * last)
    return last - tf.abs(folded - last)


def _within(size, centre, fraction):
    """`[B, size]` booleans: which rows (or columns) a square of side `fraction` covers."""
    size_float = tf.cast(size, "float32")
    half = 0.5 * fraction * size_float
    middle = centre[:, None] * size_float
    positions = tf.cast(tf.range(size), "float32")[None, :] + 0.5
    return tf.abs(positions - middle) < half
