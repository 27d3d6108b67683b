"""Small helpers shared across kgan: image conversion, grids and PNG files, run directories."""

import importlib

from kgan.utils import images
from kgan.utils.images import make_grid
from kgan.utils.images import save_png
from kgan.utils.images import to_uint8

__all__ = ["images", "make_grid", "run_directory", "save_png", "to_uint8"]


def __getattr__(name):
    # `run_directory` imports TensorFlow; the image helpers (used by `kgan --help`'s modules)
    # must not, so it is imported on first use (PEP 562).
    if name == "run_directory":
        return importlib.import_module("kgan.utils.run_directory")
    raise AttributeError(f"module 'kgan.utils' has no attribute {name!r}")
