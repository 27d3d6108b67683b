"""Small helpers shared across kgan: image conversion, grids and PNG files."""

from kgan.utils import images
from kgan.utils.images import make_grid
from kgan.utils.images import save_png
from kgan.utils.images import to_uint8

__all__ = ["images", "make_grid", "save_png", "to_uint8"]
