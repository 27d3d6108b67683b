"""Shared helpers for kgan's tests (and for users testing their own objectives)."""

from kgan.testing import conditional
from kgan.testing import networks
from kgan.testing import paired
from kgan.testing import test_case

__all__ = ["conditional", "networks", "paired", "test_case"]
