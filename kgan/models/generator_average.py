"""The EMA generator: an exponential moving average of the generator's weights, kept beside it.

A GAN's generator weights keep moving at the end of training: each step chases the current
discriminator, so the last iterate sits somewhere on an orbit around a good solution. The
average of recent iterates lies much nearer its centre. Karras et al. (ProGAN 2018, StyleGAN
2019, StyleGAN2-ADA 2020) sample from such an average, Yazici et al. (2019) measure what it buys
(FID falls on every data set they tried), and R3GAN (2024) keeps it too.

After every training step (in `advance_step`, which every objective calls once per step) each
averaged network `ema` of a generator `g` is updated as StyleGAN2-ADA does it:

    ema <- g + beta * (ema - g)          (= beta * ema + (1 - beta) * g)

with trainable weights averaged and the rest (batch-norm statistics) copied, and

    beta = 0.5 ** (1 / half_life),   half_life = min(log(0.5) / log(decay), ramp_up * t)

at step `t` (steps done, this one included): `decay` is the target, and the ramp-up shortens the
half-life early in training, when averaging over the first, random iterates would only hold
the average back (StyleGAN2-ADA's `ema_rampup`, MMGeneration's ramp-up EMA). Up to
`start_step`, `beta = 0`: the average is the generator itself (MMGeneration's `start_iter`).
Every replica computes the same update from the same (all-reduced) generator weights, so the
averages stay identical across replicas under `tf.distribute`.

Reference:
    Yazici et al., "The Unusual Effectiveness of Averaging in GAN Training", ICLR 2019.
    https://arxiv.org/abs/1806.04498
    Karras et al., "Training Generative Adversarial Networks with Limited Data", NeurIPS 2020.
    https://arxiv.org/abs/2006.06676
"""

import math

import keras
import tensorflow as tf

EMA_SETTINGS = ("ema_decay", "ema_ramp_up", "ema_start_step")


def check_settings(decay, ramp_up, start_step):
    """Validates the EMA settings; returns them as `(float or None, float or None, int)`."""
    if decay is None:
        if ramp_up is not None or start_step:
            raise ValueError(
                "ema_ramp_up and ema_start_step shape the EMA generator; set ema_decay (e.g. "
                "0.999) to keep one."
            )
        return None, None, 0
    decay = float(decay)
    if not 0.0 < decay < 1.0:
        raise ValueError(f"ema_decay must be in (0, 1), e.g. 0.999; got {decay}.")
    if ramp_up is not None:
        ramp_up = float(ramp_up)
        if ramp_up <= 0:
            raise ValueError(f"ema_ramp_up must be positive (StyleGAN2 uses 0.05); got {ramp_up}.")
    start_step = int(start_step)
    if start_step < 0:
        raise ValueError(f"ema_start_step must be >= 0; got {start_step}.")
    return decay, ramp_up, start_step


def decay_at(steps_done, decay, ramp_up=None, start_step=0):
    """The EMA's `beta` after `steps_done` steps (a float32 tensor; see the module).

    Args:
        steps_done: Training steps done, the current one included (an int or int tensor).
        decay: The target decay, e.g. `0.999` (a half-life of 693 steps).
        ramp_up: Ramp-up ratio: the half-life is at most `ramp_up * steps_done`. `None` turns
            it off.
        start_step: Up to this step the average copies the generator (`beta = 0`).

    Returns:
        Scalar float32 tensor in `[0, decay]`.
    """
    steps = tf.cast(steps_done, tf.float32)
    beta = tf.constant(decay, tf.float32)
    if ramp_up is not None:
        half_life = math.log(0.5) / math.log(decay)
        ramped = tf.minimum(half_life, ramp_up * steps)
        beta = tf.pow(0.5, 1.0 / tf.maximum(ramped, 1e-8))
    return tf.where(steps <= float(start_step), 0.0, beta)


def average_copy(network):
    """A new network of `network`'s architecture, named `<name>_ema`, with its weights."""
    config = keras.saving.serialize_keras_object(network)
    config["config"] = dict(config["config"], name=f"{network.name}_ema")
    copy = keras.saving.deserialize_keras_object(config)
    if not copy.built:
        copy.build_from_config(network.get_build_config())
    if len(copy.weights) != len(network.weights):
        raise ValueError(
            f"The EMA generator could not rebuild '{network.name}' from its config (it has "
            f"{len(copy.weights)} weights, the network {len(network.weights)}). Give the network "
            "a get_config() that rebuilds it, or train without ema_decay."
        )
    copy.set_weights(network.get_weights())
    copy.trainable = False
    return copy


class GeneratorAverage:
    """The EMA generator of `AdversarialModel` (see the module). A mixin of the base.

    Uses `ema_decay`, `ema_ramp_up`, `ema_start_step` (set by the base's constructor) and
    `GENERATORS`, the roles that are averaged.
    """

    # Roles of the networks that generate (averaged with `ema_decay`); the first network's
    # role when `None`.
    GENERATORS = None
    # Whether sampling (`generate`, `model(x)`, `served_generator`, export and the CLI) uses
    # the EMA generator when there is one; set it to `False` to sample the raw generator.
    sample_with_ema = True

    @property
    def generator_roles(self):
        """The roles of the generating networks (`GENERATORS`, or the first network)."""
        return tuple(self.GENERATORS or self.NETWORKS[:1])

    @property
    def has_ema(self):
        """Whether this model keeps EMA generators (`ema_decay` was set)."""
        return self.ema_decay is not None

    def build_averages(self):
        """Creates `<role>_ema` for every generator role (at build, before any step)."""
        if self.has_ema:
            for role in self.generator_roles:
                setattr(self, f"{role}_ema", average_copy(getattr(self, role)))

    def averaged_network(self, role=None):
        """The EMA copy of the generator `role` (the first generator by default)."""
        if not self.has_ema:
            raise ValueError(
                f"This {type(self).__name__} keeps no EMA generator: construct it with "
                "ema_decay=... (e.g. 0.999)."
            )
        return getattr(self, f"{role or self.generator_roles[0]}_ema")

    def sampling_network(self, role=None, ema=None):
        """The network that samples for `role`: its EMA copy when kept (and wanted), else it.

        Args:
            role: A generator role. Defaults to the first of `generator_roles`.
            ema: `True` for the EMA copy, `False` for the raw generator; `None` follows
                `sample_with_ema` (the EMA copy when the model has one).
        """
        role = role or self.generator_roles[0]
        wanted = self.sample_with_ema if ema is None else bool(ema)
        if wanted and self.has_ema:
            return self.averaged_network(role)
        if ema and not self.has_ema:
            self.averaged_network(role)  # raises, naming the fix
        return getattr(self, role)

    def update_averages(self, steps_done):
        """Moves every EMA copy towards its generator (inside the train step)."""
        if not self.has_ema:
            return
        beta = decay_at(steps_done, self.ema_decay, self.ema_ramp_up, self.ema_start_step)
        for role in self.generator_roles:
            network, average = getattr(self, role), getattr(self, f"{role}_ema")
            trainable = {id(variable) for variable in network.trainable_weights}
            for source, target in zip(network.weights, average.weights):
                value = tf.cast(source.value, target.dtype)
                if id(source) in trainable:
                    value = value + tf.cast(beta, target.dtype) * (target.value - value)
                target.assign(value)

    def ema_config(self):
        """The EMA settings, for `get_config`."""
        return {name: getattr(self, name) for name in EMA_SETTINGS}
