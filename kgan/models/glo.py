"""`GLO`: Generative Latent Optimization, the generator trained without a discriminator.

GLO (Bojanowski et al. 2018) asks how much of a GAN's success is the adversary and how much
the generator network. It gives every training image `i` its own learnable latent code `z_i`
and trains codes and generator together by reconstruction,

    min_{G, z_1..z_N}  sum_i  l1_weight * |G(z_i) - x_i|_1
                              + perceptual_weight * |F(G(z_i)) - F(x_i)|^2

with each code kept on the sphere of radius `sqrt(latent_dim)` (the paper projects onto the
unit sphere; the radius only rescales the generator's first layer, and this one keeps codes'
components near unit size, like a GAN's normal latent vectors). `F` is an optional frozen
feature network (the paper uses a Laplacian-pyramid loss; kgan's digits recipe uses the
bundled digits classifier's features). New samples come from a Gaussian fitted to the learnt
codes: `z = mean + L e` with `L L^T` their covariance and `e` standard normal, so `generate`,
`model(e)` and the exported generator all take standard-normal inputs as a GAN's do.

There is no adversary to fool, so training is stable and covers every image (no mode
collapse), but nothing pushes the samples to be sharp: the reconstructions are the mean of
what the codes cannot tell apart, and samples between codes are blurrier still. Set beside a
GAN on the same data it shows what the discriminator buys.

Reference:
    Bojanowski et al., "Optimizing the Latent Space of Generative Networks", ICML 2018.
    https://arxiv.org/abs/1707.05776
"""

import keras
import numpy as np
import tensorflow as tf

from kgan.models import adversarial_model
from kgan.models import network_info
from kgan.models import noise
from kgan.models import sampling
from kgan.models import served_generator
from kgan.models import updates


def latent_codes(num_images, latent_dim, seed=None, name="codes"):
    """A network holding one learnable code per training image: index `[batch]` -> code."""
    for label, value in (("num_images", num_images), ("latent_dim", latent_dim)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{label} must be a positive integer, got {value!r}.")
    indices = keras.Input((), dtype="int32", name="indices")
    codes = keras.layers.Embedding(
        int(num_images),
        int(latent_dim),
        embeddings_initializer=keras.initializers.RandomNormal(seed=seed),
        name="embedding",
        # float32 under mixed precision too: the codes are parameters read as they are (the
        # sphere projection and the fitted Gaussian), as a generator's latent input is float32.
        dtype="float32",
    )(indices)
    return keras.Model(indices, codes, name=name)


@keras.saving.register_keras_serializable(package="kgan")
class GLO(adversarial_model.AdversarialModel):
    """A generator and one latent code per image, trained by reconstruction with `fit`.

    `fit` takes the images with their indices: `fit(images)` on an array numbers them itself
    (Keras shuffles both together), a dataset yields `(images, indices)` with `indices` in
    `[0, num_images)`, each image always with its own index.

    Logs: `loss` (what is minimised), `l1_loss`, and with a feature network `perceptual_loss`.

    Args:
        generator: A model mapping latent vectors `[batch, latent_dim]` to images.
        num_images: Number of training images (one code each). Not needed with `codes`.
        codes: A code network (`latent_codes(...)`), e.g. from a saved model. Defaults to a
            new one with `num_images` codes.
        features: A frozen `keras.Model` mapping images to features for the perceptual term,
            or `None` for L1 alone. Defaults to `None`.
        l1_weight: Weight of the mean absolute pixel error. Defaults to `1.0`.
        perceptual_weight: Weight of the mean squared feature error. Defaults to `1.0`.
        seed: Seed of the codes' initialisation. Defaults to a random one.
        **kwargs: `ema_decay` and the other options of `kgan.models.AdversarialModel`, then
            `keras.Model` arguments.

    Example:

    ```python
    glo = kgan.models.GLO(kgan.networks.dcgan_generator(64, 32, 1), num_images=len(images))
    glo.compile()
    glo.fit(images, batch_size=32, epochs=50)
    samples = glo.generate(16, seed=0)
    ```
    """

    NETWORKS = ("generator", "codes")
    GENERATORS = ("generator",)
    LOGS = ("loss", "l1_loss", "perceptual_loss")
    CRITICS = ()
    AUGMENTS_IMAGES = False

    def __init__(
        self,
        generator,
        num_images=None,
        codes=None,
        features=None,
        l1_weight=1.0,
        perceptual_weight=1.0,
        seed=None,
        **kwargs,
    ):
        latent_dim = network_info.resolve_latent_dim(generator, None, owner="GLO")
        if codes is None:
            if num_images is None:
                raise ValueError("GLO needs num_images (one code per training image) or codes.")
            seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)
            codes = latent_codes(num_images, latent_dim, seed)
        if isinstance(features, dict):
            features = keras.saving.deserialize_keras_object(features)
        super().__init__(generator=generator, codes=codes, seed=seed, **kwargs)
        self.latent_dim = latent_dim
        self.num_images = int(codes.get_layer("embedding").input_dim)
        if l1_weight < 0 or perceptual_weight < 0 or l1_weight + perceptual_weight == 0:
            raise ValueError(
                f"l1_weight and perceptual_weight must be >= 0 and not both 0; got {l1_weight} "
                f"and {perceptual_weight}."
            )
        self.l1_weight, self.perceptual_weight = float(l1_weight), float(perceptual_weight)
        self.features = features
        if features is not None:
            features.trainable = False

    def logged_names(self):
        names = ["loss", "l1_loss"]
        return names + (["perceptual_loss"] if self.features is not None else [])

    # --- training ------------------------------------------------------------------------------

    def compile(self, *optimizers, **kwargs):
        """`AdversarialModel.compile` with `generator_optimizer` and `codes_optimizer`.

        Defaults to `Adam(1e-3)` for the generator and `Adam(1e-2)` for the codes: each code
        sees one image per epoch, so it needs the larger steps (the paper's codes also learn
        10x faster than the generator). The adversarial settings (loss family, critic steps,
        penalties) do not apply and are refused.
        """
        for name, default in (
            ("loss", (None, self.DEFAULT_LOSS)),
            ("discriminator_steps", (1,)),
            ("gradient_penalty_weight", (0, 0.0)),
            ("r1_weight", (0, 0.0)),
            ("r2_weight", (0, 0.0)),
        ):
            if kwargs.get(name, default[0]) not in default:
                raise ValueError(f"GLO has no discriminator: {name} does not apply; leave it out.")
        if not optimizers:
            kwargs.setdefault("generator_optimizer", keras.optimizers.Adam(1e-3))
            kwargs.setdefault("codes_optimizer", keras.optimizers.Adam(1e-2))
        super().compile(*optimizers, **kwargs)

    def fit(self, x=None, y=None, *args, **kwargs):
        if y is None and isinstance(x, np.ndarray):
            y = np.arange(len(x), dtype="int32")  # each image's own index, shuffled with it
        return super().fit(x, y, *args, **kwargs)

    def sphere_codes(self, indices, training=False):
        """The codes of `indices` projected onto the sphere of radius `sqrt(latent_dim)`."""
        codes = self.codes(indices, training=training)
        return tf.math.l2_normalize(codes, axis=-1) * np.sqrt(self.latent_dim)

    def reconstruction_losses(self, images, indices, training=False):
        """Per-example `{"loss", "l1_loss"[, "perceptual_loss"]}` of reconstructing `images`."""
        images = tf.convert_to_tensor(images)
        indices = tf.cast(tf.reshape(indices, [-1]), "int32")
        fake = self.generator(self.sphere_codes(indices, training), training=training)
        fake = tf.cast(fake, "float32")
        images = tf.cast(images, "float32")
        losses = {"l1_loss": tf.reduce_mean(tf.abs(fake - images), axis=[1, 2, 3])}
        total = self.l1_weight * losses["l1_loss"]
        if self.features is not None:
            difference = tf.cast(self.features(fake), "float32") - tf.cast(
                self.features(images), "float32"
            )
            losses["perceptual_loss"] = tf.reduce_mean(
                tf.reshape(tf.square(difference), [tf.shape(difference)[0], -1]), axis=1
            )
            total = total + self.perceptual_weight * losses["perceptual_loss"]
        losses["loss"] = total
        return losses

    def _unpack(self, data):
        images, indices, _ = keras.utils.unpack_x_y_sample_weight(data)
        if indices is None:
            raise ValueError(
                "GLO trains on (images, indices): each image with its own index in "
                f"[0, {self.num_images}). fit(images) on an array numbers them; a dataset must "
                "yield (images, indices), e.g. Dataset.zip((images, Dataset.range(N)))."
            )
        return images, indices

    def train_step(self, data):
        images, indices = self._unpack(data)
        layout = noise.batch_layout(tf.shape(images)[0])
        with tf.GradientTape() as tape:
            losses = self.reconstruction_losses(images, indices, training=True)
            loss = updates.global_mean(losses["loss"], layout)
        self.update(tape, loss, "generator", "codes")
        for name, value in losses.items():
            self.trackers[name].update_state(value)
        self.advance_step()
        return self.logs()

    def test_step(self, data):
        images, indices = self._unpack(data)
        for name, value in self.reconstruction_losses(images, indices).items():
            self.trackers[name].update_state(value)
        return self.logs(penalties=False)

    # --- sampling ------------------------------------------------------------------------------

    def code_gaussian(self):
        """`(mean [d], L [d, d])` of the Gaussian fitted to the learnt codes (`L L^T = cov`),
        float32 NumPy arrays."""
        return tuple(keras.ops.convert_to_numpy(value) for value in self._gaussian())

    def _gaussian(self):
        """`code_gaussian` as float32 tensors, in TensorFlow ops so `model(z)` also traces
        (e.g. in `predict`)."""
        table = tf.cast(self.codes.get_layer("embedding").embeddings, "float64")
        table = tf.math.l2_normalize(table, axis=1) * np.sqrt(self.latent_dim)
        mean = tf.reduce_mean(table, axis=0)
        centred = table - mean
        # The unbiased covariance (numpy.cov's), and a little jitter so L exists for few codes.
        covariance = tf.matmul(centred, centred, transpose_a=True) / max(self.num_images - 1, 1)
        covariance += 1e-6 * tf.eye(self.latent_dim, dtype="float64")
        return tf.cast(mean, "float32"), tf.cast(tf.linalg.cholesky(covariance), "float32")

    def call(self, inputs, training=None):
        """Samples for standard-normal `inputs`: the generator at `mean + L inputs`."""
        mean, factor = self._gaussian()
        # A cast, not a conversion: under a mixed policy Keras hands `call` bfloat16 inputs.
        latent = tf.matmul(tf.cast(inputs, "float32"), factor, transpose_b=True)
        return super().call(latent + mean, training=training)

    def served_generator(self):
        """The generator behind the fitted Gaussian, as one network of standard-normal input."""
        mean, factor = self.code_gaussian()
        normal = keras.Input((self.latent_dim,), name="latent")
        to_codes = keras.layers.Dense(self.latent_dim, trainable=False, name="code_gaussian")
        network = keras.Model(normal, self.sampling_network()(to_codes(normal)), name="glo")
        to_codes.set_weights([factor.T, mean])
        return served_generator.ServedGenerator(network, "latent")

    def generate(self, num, seed=None, batch_size=256):
        """`num` new images in `[-1, 1]` from the Gaussian of the codes (`seed` as in GAN)."""
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
            raise ValueError(f"num must be a positive integer number of samples, got {num!r}.")
        network = self.served_generator().network
        latent = sampling.latent_vectors(num, self.latent_dim, seed)
        return sampling.in_batches(lambda batch: network(batch, training=False), latent, batch_size)

    def reconstruct(self, indices, batch_size=256):
        """The generator's reconstructions of training images `indices`, as a NumPy array."""
        indices = np.asarray(indices, "int32").reshape(-1)
        if len(indices) == 0 or indices.min() < 0 or indices.max() >= self.num_images:
            raise ValueError(f"indices must lie in [0, {self.num_images}); got {indices}.")
        network = self.sampling_network()
        return sampling.in_batches(
            lambda batch: network(self.sphere_codes(batch), training=False), indices, batch_size
        )

    def get_config(self):
        config = super().get_config()
        config.update(l1_weight=self.l1_weight, perceptual_weight=self.perceptual_weight)
        if self.features is not None:
            config["features"] = keras.saving.serialize_keras_object(self.features)
        return config
