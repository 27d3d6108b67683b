"""Callbacks for training GANs with `fit`: sample grids, metrics and safety stops."""

from kgan.callbacks.generative_metrics import GenerativeMetrics
from kgan.callbacks.linear_decay import LinearDecay
from kgan.callbacks.sample_grid import SampleGrid
from kgan.models.fit_guards import NonFiniteLossError
from kgan.models.fit_guards import TerminateOnNonFinite

__all__ = [
    "GenerativeMetrics",
    "LinearDecay",
    "NonFiniteLossError",
    "SampleGrid",
    "TerminateOnNonFinite",
]
