"""Serving signatures: what an app calls on an exported generator, without kgan's conventions.

Every image signature returns `{"images": uint8 [N, H, W, C]}`, with the de-normalisation of
`kgan.utils.images.to_uint8` (`floor((x + 1) * 127.5 + 0.5)`, clipped to [0, 255]) baked in; a
token generator's return `{"tokens": int32 [N, T]}`. All take a batch of any size `N`:

| objective | signatures |
|---|---|
| `GAN` | `generate(z: float32 [N, latent_dim])`, `sample(seed: int32 [], num: int32 [])` |
| `ConditionalGAN` (class ids) | `generate(z, labels: int32 [N])`, `sample(seed, labels)` |
| `ConditionalGAN` (attributes) | `generate(z, labels: float32 [N, dim])`, `sample(seed, labels)` |
| `Pix2Pix`, `CycleGAN` | `translate(images: uint8 [N, H, W, C])` |
| `SeqGAN`, `MaliGAN`, `RelGAN` | `generate(uniforms, temperature)`, `sample(seed, num, ...)` |

A token generator's `generate` takes `uniforms: float32 [N, T]` and `temperature: float32 []`
and is deterministic: `uniforms[i, t]` in `[0, 1)` picks token `t` of sequence `i` by inverting
the (temperature-scaled, top-k / top-p filtered) categorical distribution, with the ops of
`kgan.networks.sequence_sampling.tokens_from_uniforms`. Fed the uniforms
`np.random.default_rng(seed).random((N, T), np.float32)`, it returns `model.generate(N, seed)`
exactly. Its `sample` takes `seed`, `num` and `temperature`. `top_k` and `top_p` are fixed when
exporting (`GeneratorSpec.decoding`); the temperature must be > 0 (the graph does not check).

The SavedModel also names its first signature (`generate` or `translate`) `serving_default`,
as Keras does, for servers that call a model without a signature name.

`sample` draws its latent vectors inside the graph with
`tf.random.stateless_normal([N, latent_dim], seed=[seed, 0])` (a token generator's uniforms with
`tf.random.stateless_uniform([N, T], seed=[seed, 0])`): the same seed gives the same samples on
every run and machine, but not the same samples as kgan's own `model.generate(num, seed)`, which
draws with NumPy. A `CycleGAN` exports one direction (`direction="a2b"` or `"b2a"`) as
`translate`, so an app never needs to know which generator it holds; export twice for both
directions.
"""

import dataclasses

import keras
import numpy as np
import tensorflow as tf

# The export kind of each `ServedGenerator.inputs`.
_KINDS = {
    "latent": "unconditional",
    "classes": "classes",
    "attributes": "attributes",
    "images": "translation",
    "tokens": "tokens",
}
# What each kind of model serves; `sample` needs a random-number op (see `tflite.py`).
SIGNATURES = {
    "unconditional": ("generate", "sample"),
    "classes": ("generate", "sample"),
    "attributes": ("generate", "sample"),
    "translation": ("translate",),
    "tokens": ("generate", "sample"),
}
# The one signature of each kind without a random op: what LiteRT and ONNX serve (their
# runtimes have no TensorFlow's stateless Philox generator, which `sample` draws with).
DETERMINISTIC_SIGNATURES = {kind: names[:1] for kind, names in SIGNATURES.items()}
# What each kind's signatures return.
OUTPUTS = {"tokens": "tokens"}  # every other kind: "images"
# Decoding settings a token generator is exported with (fixed in its graph).
DEFAULT_DECODING = {"top_k": 0, "top_p": 1.0}


@dataclasses.dataclass
class GeneratorSpec:
    """What the export needs to know about a model's generator.

    Attributes:
        kind: `"unconditional"`, `"classes"`, `"attributes"`, `"translation"` or `"tokens"`.
        generator: the Keras network that makes the images (or token ids).
        input_shape: `(latent_dim,)`, the source image shape `(H, W, C)`, or `(T,)` (one
            uniform per token).
        output_shape: the image shape `(H, W, C)`, or `(T,)`.
        condition_size: `num_classes` or `condition_dim`; `None` for other kinds.
        name: the generator's name among several of its model (CycleGAN's `"a2b"`), else `""`.
        decoding: `"tokens"` only: `{"top_k": int, "top_p": float}`, fixed in the graph.
    """

    kind: str
    generator: keras.Model
    input_shape: tuple
    output_shape: tuple
    condition_size: int = None
    name: str = ""
    decoding: dict = None

    @property
    def signatures(self):
        return SIGNATURES[self.kind]

    @property
    def output(self):
        """The name of the signatures' one output: `"images"` or `"tokens"`."""
        return OUTPUTS.get(self.kind, "images")


def describe(model, direction=None, top_k=None, top_p=None):
    """The `GeneratorSpec` of a kgan objective, or a `ValueError` saying why it cannot export.

    The model says which network it serves and what that network takes through
    `model.served_generator(...)` (see `kgan.models.ServedGenerator`), so any objective on
    `kgan.models.AdversarialModel`, kgan's or a user's, exports the same way.

    Args:
        model: a kgan objective (`kgan.GAN`, `ConditionalGAN`, `Pix2Pix`, `CycleGAN`, ...).
        direction: for objectives with several generators (`CycleGAN`: `"a2b"` or `"b2a"`),
            which one; `None` takes the objective's default. Defaults to `None`.
        top_k: token generators only: sample among the `top_k` likeliest tokens (`0`: all).
            Defaults to `None` (`0`).
        top_p: token generators only: nucleus mass (`1`: all). Defaults to `None` (`1.0`).

    Returns:
        A `GeneratorSpec`.
    """
    served = served_generator_of(model, direction)
    generator, kind = served.network, _KINDS[served.inputs]
    if kind == "tokens":
        return _describe_tokens(generator, top_k, top_p)
    if top_k is not None or top_p is not None:
        raise ValueError(
            "top_k and top_p are decoding settings of token generators (SeqGAN, MaliGAN, "
            f"RelGAN); this {type(model).__name__} makes images. Leave them out."
        )
    if not generator.built:
        raise ValueError(
            f"The generator of this {type(model).__name__} was never built, so its input shape "
            "is unknown and it cannot be exported. Build it on a batch first (e.g. "
            "`model(inputs)`, or fit one step), or give it `keras.Input` layers."
        )
    if not getattr(generator, "inputs", None):
        raise ValueError(
            f"The generator of this {type(model).__name__} is a subclassed model without "
            "symbolic inputs, so its input shape is unknown. Wrap it in a functional model: "
            "`inputs = keras.Input(shape); keras.Model(inputs, generator(inputs))`."
        )
    input_shape = tuple(generator.inputs[0].shape[1:])
    output_shape = tuple(generator.outputs[0].shape[1:])
    if len(output_shape) != 3 or None in output_shape:
        raise ValueError(
            "Export serves uint8 images [N, H, W, C], but the generator makes samples of shape "
            f"{output_shape}. Export a generator of fixed-size images."
        )
    if None in input_shape:
        raise ValueError(
            f"The generator takes inputs of shape {input_shape} with unknown sizes; export needs "
            "a fixed input size (rebuild it with `keras.Input((H, W, C))`)."
        )
    return GeneratorSpec(
        kind, generator, input_shape, output_shape, served.condition_size, served.name
    )


def _describe_tokens(generator, top_k, top_p):
    from kgan.networks import token_sampling

    decoding = dict(DEFAULT_DECODING)
    decoding.update({k: v for k, v in (("top_k", top_k), ("top_p", top_p)) if v is not None})
    token_sampling.check_decoding(1.0, decoding["top_k"], decoding["top_p"])
    decoding = {"top_k": int(decoding["top_k"]), "top_p": float(decoding["top_p"])}
    shape = (int(generator.max_length),)
    return GeneratorSpec("tokens", generator, shape, shape, decoding=decoding)


def served_generator_of(model, direction=None):
    """`model.served_generator(...)` (with `direction` when given), or a `ValueError`."""
    serve = getattr(model, "served_generator", None)
    if not callable(serve):
        raise ValueError(
            "export_generator takes a kgan objective (kgan.GAN, ConditionalGAN, Pix2Pix, "
            "CycleGAN or a kgan.models.AdversarialModel of your own); got "
            f"{type(model).__name__}."
        )
    if direction is None:
        return serve()
    try:
        return serve(direction=direction)
    except TypeError:
        raise ValueError(
            f"{type(model).__name__} has one generator: leave the direction out."
        ) from None


def to_uint8(images):
    """`kgan.utils.images.to_uint8` in TensorFlow ops that convert to LiteRT built-ins.

    `floor(clip(x * 127.5 + 128, 0, 255))` is `floor((x + 1) * 127.5 + 0.5)` clipped, written
    so that int8 quantization keeps it exact to a level: the affine map is one quantized op
    on the tanh output, and the floor and clip act on values already in pixel units (the
    textbook form, with its separate `+ 1` and `+ 0.5`, quantized to errors of 40 levels).
    float32 arithmetic can put a value a hair away from a .5 boundary on the other side than
    NumPy's float64 does, so an export may differ from `to_uint8` by one level on rare pixels;
    `parity.py` measures it. NaN becomes 0, as in `to_uint8`.
    """
    pixels = tf.floor(tf.clip_by_value(images * 127.5 + 128.0, 0.0, 255.0))
    pixels = tf.where(tf.math.is_nan(pixels), tf.zeros_like(pixels), pixels)
    return tf.cast(pixels, tf.uint8)


def from_uint8(images):
    """uint8 pixels [0, 255] -> float32 in [-1, 1], the range kgan's generators take."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def latent_from_seed(seed, num, latent_dim):
    """The `sample` signature's latent vectors: stateless, so a seed fixes them everywhere."""
    shape = tf.stack([num, latent_dim])
    return tf.random.stateless_normal(shape, seed=tf.stack([seed, 0]))


def _label_spec(spec):
    if spec.kind == "classes":
        return tf.TensorSpec([None], tf.int32, name="labels")
    return tf.TensorSpec([None, spec.condition_size], tf.float32, name="labels")


def build_archive(spec):
    """A `keras.export.ExportArchive` serving `spec.signatures` (see the module docstring).

    Args:
        spec: a `GeneratorSpec` from `describe`.

    Returns:
        The archive; `archive.write_out(path)` writes it as a SavedModel.
    """
    generator = spec.generator
    archive = keras.export.ExportArchive()
    archive.track(generator)

    def images(*inputs):
        outputs = generator(list(inputs) if len(inputs) > 1 else inputs[0], training=False)
        return {"images": to_uint8(tf.cast(outputs, tf.float32))}

    if spec.kind == "tokens":
        return _token_archive(archive, spec)
    if spec.kind == "translation":
        source = tf.TensorSpec([None, *spec.input_shape], tf.uint8, name="images")
        archive.add_endpoint(
            "translate", lambda pixels: images(from_uint8(pixels)), input_signature=[source]
        )
        return archive

    latent_dim = spec.input_shape[0]
    z = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
    seed = tf.TensorSpec([], tf.int32, name="seed")
    if spec.kind == "unconditional":
        archive.add_endpoint("generate", images, input_signature=[z])
        num = tf.TensorSpec([], tf.int32, name="num")
        archive.add_endpoint(
            "sample",
            lambda seed, num: images(latent_from_seed(seed, num, latent_dim)),
            input_signature=[seed, num],
        )
    else:
        labels = _label_spec(spec)
        archive.add_endpoint("generate", images, input_signature=[z, labels])
        archive.add_endpoint(
            "sample",
            lambda seed, labels: images(
                latent_from_seed(seed, tf.shape(labels)[0], latent_dim), labels
            ),
            input_signature=[seed, labels],
        )
    return archive


def uniforms_from_seed(seed, num, length):
    """The token `sample` signature's uniforms: stateless, so a seed fixes them everywhere."""
    return tf.random.stateless_uniform(tf.stack([num, length]), seed=tf.stack([seed, 0]))


def _token_archive(archive, spec):
    from kgan.networks import sequence_sampling

    generator, length = spec.generator, spec.input_shape[0]

    def tokens(uniforms, temperature):
        ids = sequence_sampling.tokens_from_uniforms(
            generator, uniforms, temperature, spec.decoding["top_k"], spec.decoding["top_p"]
        )
        return {"tokens": tf.cast(ids, tf.int32)}

    temperature = tf.TensorSpec([], tf.float32, name="temperature")
    uniforms = tf.TensorSpec([None, length], tf.float32, name="uniforms")
    archive.add_endpoint("generate", tokens, input_signature=[uniforms, temperature])
    seed = tf.TensorSpec([], tf.int32, name="seed")
    num = tf.TensorSpec([], tf.int32, name="num")
    archive.add_endpoint(
        "sample",
        lambda seed, num, temperature: tokens(uniforms_from_seed(seed, num, length), temperature),
        input_signature=[seed, num, temperature],
    )
    return archive


def example_inputs(spec, signature, num, seed, images=None):
    """Fixed inputs for `signature`, as a dict of NumPy arrays named like its inputs.

    Args:
        spec: a `GeneratorSpec`.
        signature: a name from `spec.signatures`.
        num: the batch size.
        seed: the seed of the latent vectors and attribute vectors.
        images: `translate` only: uint8 source images to use instead of random pixels.

    Returns:
        `{input name: array}`.
    """
    rng = np.random.default_rng(seed)
    if spec.kind == "tokens":
        # One uniform per token, drawn as `SequenceGAN.generate` draws them for this seed.
        if signature == "generate":
            inputs = {"uniforms": rng.random((num, spec.input_shape[0]), np.float32)}
        else:
            inputs = {"seed": np.int32(seed), "num": np.int32(num)}
        inputs["temperature"] = np.float32(1.0)
        return inputs
    if signature == "translate":
        if images is None:
            images = rng.integers(0, 256, (num, *spec.input_shape), dtype=np.uint8)
        return {"images": np.asarray(images[:num], np.uint8)}
    inputs = {}
    if signature == "generate":
        inputs["z"] = rng.standard_normal((num, spec.input_shape[0])).astype(np.float32)
    else:
        inputs["seed"] = np.int32(seed)
        if spec.kind == "unconditional":
            inputs["num"] = np.int32(num)
    if spec.kind == "classes":
        inputs["labels"] = (np.arange(num) % spec.condition_size).astype(np.int32)
    elif spec.kind == "attributes":
        inputs["labels"] = rng.integers(0, 2, (num, spec.condition_size)).astype(np.float32)
    return inputs


def keras_images(spec, signature, inputs):
    """What the Keras generator makes of a signature's `inputs`, as uint8 (NumPy rounding)."""
    from kgan.utils import images as images_lib

    if signature == "translate":
        source = inputs["images"].astype(np.float32) / np.float32(127.5) - np.float32(1.0)
        outputs = spec.generator(source, training=False)
    else:
        if signature == "generate":
            latent = inputs["z"]
        else:
            num = inputs["num"] if "num" in inputs else len(inputs["labels"])
            latent = latent_from_seed(int(inputs["seed"]), int(num), spec.input_shape[0])
        if spec.kind == "unconditional":
            outputs = spec.generator(latent, training=False)
        else:
            labels = tf.convert_to_tensor(inputs["labels"])
            outputs = spec.generator([tf.convert_to_tensor(latent), labels], training=False)
    return images_lib.to_uint8(keras.ops.convert_to_numpy(outputs).astype(np.float32))


def keras_tokens(spec, signature, inputs):
    """What the Keras generator samples for a token signature's `inputs`: int32 `[N, T]`."""
    from kgan.networks import sequence_sampling

    if signature == "generate":
        uniforms = inputs["uniforms"]
    else:
        length = spec.input_shape[0]
        uniforms = uniforms_from_seed(int(inputs["seed"]), int(inputs["num"]), length).numpy()
    temperature = float(inputs["temperature"])
    return sequence_sampling.sample_uniforms(spec.generator, uniforms, temperature, **spec.decoding)


def keras_outputs(spec, signature, inputs):
    """`keras_images` or `keras_tokens`, by the kind of `spec`: the parity reference."""
    if spec.kind == "tokens":
        return keras_tokens(spec, signature, inputs)
    return keras_images(spec, signature, inputs)
