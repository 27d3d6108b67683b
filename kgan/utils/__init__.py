"""Small helpers shared across kgan: image conversion, grids and PNG files, run directories."""

from kgan.utils import images
from kgan.utils import run_directory
from kgan.utils.images import make_grid
from kgan.utils.images import save_png
from kgan.utils.images import to_uint8

__all__ = ["images", "make_grid", "run_directory", "save_png", "to_uint8"]
