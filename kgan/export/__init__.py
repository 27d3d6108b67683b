"""Deployment: export a kgan generator as SavedModel, LiteRT and ONNX models (and a web page),
checked for parity.

```python
report = kgan.export.export_generator(
    gan, "exported", format=["saved_model", "tflite"], quantize=[None, "float16", "int8"]
)
print(report.paths)
```

The exported models take plain inputs (latent vectors, labels, uint8 images) and return uint8
images `[N, H, W, C]`; see `kgan.export.signatures` for the serving signatures,
`kgan.export.tflite` for quantization, `kgan.export.litert_runner` to run a `.tflite` file
without TensorFlow, `kgan.export.onnx_format` for ONNX and `kgan.export.web` for the page.
"""

from kgan.export import parity
from kgan.export import signatures
from kgan.export.exporter import Artefact
from kgan.export.exporter import ExportReport
from kgan.export.exporter import export_generator
from kgan.export.parity import ParityError

__all__ = [
    "Artefact",
    "ExportReport",
    "ParityError",
    "export_generator",
    "parity",
    "signatures",
]
