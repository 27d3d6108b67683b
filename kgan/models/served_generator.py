"""`ServedGenerator`: which network of an objective samples, and what it takes.

Export, the CLI and the sample grids ask an objective for it (`model.served_generator(...)`)
instead of reading its attributes or testing its class, so an objective written outside kgan
is served like kgan's own.
"""

import dataclasses

import keras

# What a served generator takes:
#   "latent"      z: float32 [N, latent_dim]
#   "classes"     z and labels: int32 class ids [N] (`condition_size` classes)
#   "attributes"  z and labels: float32 attribute vectors [N, condition_size]
#   "images"      source images [N, H, W, C] in [-1, 1]
#   "tokens"      a token generator (`unroll`, `vocab_size`, `max_length`, as
#                 `kgan.networks.RecurrentGenerator`): one uniform per token, float32
#                 [N, max_length], and a temperature in; int32 token ids [N, max_length] out
#                 (see `kgan.networks.sequence_sampling`)
INPUT_KINDS = ("latent", "classes", "attributes", "images", "tokens")
TOKEN_ATTRIBUTES = ("unroll", "vocab_size", "max_length")


@dataclasses.dataclass(frozen=True)
class ServedGenerator:
    """The network an objective samples or translates with, and the inputs it takes.

    Attributes:
        network: The Keras network that makes the samples.
        inputs: One of `INPUT_KINDS`: what the network takes, and so which serving
            signatures export gives it.
        condition_size: `num_classes` for `"classes"`, `condition_dim` for `"attributes"`;
            `None` otherwise.
        name: Names this generator among several of the objective (CycleGAN's `"a2b"` and
            `"b2a"`), used as a file-name suffix by export; `""` for an objective's only one.

    Example:

    ```python
    served = gan.served_generator()
    served.network, served.inputs  # (the generator, "latent")
    ```
    """

    network: keras.Model
    inputs: str
    condition_size: int = None
    name: str = ""

    def __post_init__(self):
        if self.inputs not in INPUT_KINDS:
            raise ValueError(f"inputs must be one of {INPUT_KINDS}; got {self.inputs!r}.")
        if (self.inputs in ("classes", "attributes")) != (self.condition_size is not None):
            raise ValueError(
                "condition_size is the number of classes or the attribute vector length of a "
                f"conditional generator, and only that; got inputs={self.inputs!r} with "
                f"condition_size={self.condition_size!r}."
            )
        missing = [name for name in TOKEN_ATTRIBUTES if not hasattr(self.network, name)]
        if self.inputs == "tokens" and missing:
            raise ValueError(
                f"A token generator needs {', '.join(TOKEN_ATTRIBUTES)} (as "
                f"kgan.networks.RecurrentGenerator has); {type(self.network).__name__} lacks "
                f"{', '.join(missing)}."
            )
