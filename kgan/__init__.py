"""kgan: generative adversarial networks for Keras 3.

Train GANs with plain `model.fit`, watch them in TensorBoard, and save them as `.keras` files.

Example:

```python
import kgan

dataset = kgan.data.load_digits(image_size=32, batch_size=64)
gan = kgan.GAN(
    generator=kgan.networks.dcgan_generator(latent_dim=64, image_size=32, channels=1),
    discriminator=kgan.networks.dcgan_discriminator(image_size=32, channels=1),
    latent_dim=64,
)
gan.compile(loss="non_saturating")
gan.fit(dataset, epochs=10)
images = gan.generate(16, seed=0)
```
"""

import importlib

from kgan import backend
from kgan import deferred_import

# Only the cheap part of the backend check runs here (the environment variable and keras.json,
# read without importing Keras), so that `kgan --help` imports no TensorFlow.
backend.check_backend_setting()

__version__ = "0.1.0"

# public name -> the module that defines it (a subpackage is its own module).
_PUBLIC = {
    "AdversarialModel": "kgan.models.adversarial_model",
    "ConditionalGAN": "kgan.models.conditional_gan",
    "CycleGAN": "kgan.models.cycle_gan",
    "GAN": "kgan.models.gan",
    "GLO": "kgan.models.glo",
    "MaliGAN": "kgan.models.mali_gan",
    "Pix2Pix": "kgan.models.pix2pix",
    "RelGAN": "kgan.models.rel_gan",
    "Seq2SeqGAN": "kgan.models.seq2seq_gan",
    "SeqGAN": "kgan.models.seq_gan",
    "callbacks": "kgan.callbacks",
    "data": "kgan.data",
    "export": "kgan.export",
    "layers": "kgan.layers",
    "losses": "kgan.losses",
    "metrics": "kgan.metrics",
    "models": "kgan.models",
    "networks": "kgan.networks",
}


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'kgan' has no attribute {name!r}")
    import_all()
    return globals()[name]


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))


def import_all():
    """Imports every subpackage and objective, which registers kgan's Keras classes.

    Run on first use of a public name, or as soon as Keras is imported (at `import kgan` if it
    already is; see `kgan.deferred_import`), so that `keras.saving.load_model` finds kgan's
    classes however the imports are ordered.
    """
    backend.check_backend()
    for name, module_name in _PUBLIC.items():
        module = importlib.import_module(module_name)
        globals()[name] = module if module_name == f"kgan.{name}" else getattr(module, name)


deferred_import.once_keras_is_imported(import_all)


__all__ = [
    "AdversarialModel",
    "ConditionalGAN",
    "CycleGAN",
    "GAN",
    "MaliGAN",
    "Pix2Pix",
    "RelGAN",
    "Seq2SeqGAN",
    "SeqGAN",
    "callbacks",
    "data",
    "export",
    "layers",
    "losses",
    "metrics",
    "models",
    "networks",
    "__version__",
]
