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

from kgan import backend as _backend

_backend.check_backend()

from kgan import callbacks  # noqa: E402
from kgan import data  # noqa: E402
from kgan import export  # noqa: E402
from kgan import layers  # noqa: E402
from kgan import losses  # noqa: E402
from kgan import metrics  # noqa: E402
from kgan import networks  # noqa: E402
from kgan.models.conditional_gan import ConditionalGAN  # noqa: E402
from kgan.models.cycle_gan import CycleGAN  # noqa: E402
from kgan.models.gan import GAN  # noqa: E402
from kgan.models.pix2pix import Pix2Pix  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "ConditionalGAN",
    "CycleGAN",
    "GAN",
    "Pix2Pix",
    "callbacks",
    "data",
    "export",
    "layers",
    "losses",
    "metrics",
    "networks",
    "__version__",
]
