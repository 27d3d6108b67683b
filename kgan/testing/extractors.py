"""A tiny feature extractor for fast tests of metrics, the evaluator, callbacks and the CLI.

Real extractors (InceptionV3, the FID graph, the digits classifier) take seconds to build or
need downloads. `tiny_extractor()` keeps their contract, images `[N, H, W, C]` to
`{"features": [N, d], "logits": [N, k]}`, with a few hundred random weights (seeded by
`keras.utils.set_random_seed`), and counts its calls, so a test can check how often an
evaluation ran it.

Example:

```python
from kgan import metrics
from kgan.testing import extractors

extractor = extractors.tiny_extractor()  # 8x8x1 images -> 4 features, 3 logits
results = metrics.Evaluator(("fid", "is"), extractor, real_images).evaluate(fake_images)
extractor.calls  # one per batch, real and generated
features = extractor.numpy(fake_images)  # what the metrics were fed, without a call counted
extractor.model.save("extractor.keras")  # the same network, e.g. for `kgan evaluate`
```
"""

import keras


class TinyExtractor:
    """A callable extractor around a small functional model, counting its calls.

    Build it with `tiny_extractor`.

    Attributes:
        model: The functional `keras.Model` from images to the dict `{"features", "logits"}`
            (features only without classes): flattened pixels through one `Dense` layer per
            output. Saveable as `.keras` and loadable with `safe_mode`.
        name: `"tiny_extractor"`, the name error messages give it.
        calls: How many times it was called.
    """

    name = "tiny_extractor"

    def __init__(self, model):
        self.model = model
        self.calls = 0

    def __call__(self, images):
        self.calls += 1
        return self.model(images)

    def numpy(self, images, key="features"):
        """One output of the model on `images` as a NumPy array; not counted in `calls`."""
        return keras.ops.convert_to_numpy(self.model(images)[key])


def tiny_extractor(image_size=8, channels=1, features=4, classes=3):
    """Builds a `TinyExtractor`: images `[N, image_size, image_size, channels]` to a dict.

    Args:
        image_size: Height and width of the input images. Defaults to `8`.
        channels: Channels of the input images. Defaults to `1`.
        features: Size of the `"features"` output. Defaults to `4`.
        classes: Size of the `"logits"` output, or `None` for an extractor without logits
            (which metrics such as the Inception Score refuse). Defaults to `3`.

    Returns:
        A `TinyExtractor` returning `{"features": [N, features], "logits": [N, classes]}`.

    Example:

    ```python
    extractor = tiny_extractor(classes=None)  # features only
    extractor(images)["features"].shape  # (N, 4)
    ```
    """
    images = keras.Input((image_size, image_size, channels), name="images")
    flat = keras.layers.Flatten()(images)
    outputs = {"features": keras.layers.Dense(features, name="features")(flat)}
    if classes is not None:
        outputs["logits"] = keras.layers.Dense(classes, name="logits")(flat)
    return TinyExtractor(keras.Model(images, outputs, name=TinyExtractor.name))
