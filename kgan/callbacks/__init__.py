"""Callbacks for training GANs with `fit`: sample grids, metrics and safety stops."""

from kgan.callbacks.generative_metrics import GenerativeMetrics
from kgan.callbacks.linear_decay import LinearDecay
from kgan.callbacks.sample_grid import SampleGrid
from kgan.callbacks.terminate_on_non_finite import NonFiniteLossError
from kgan.callbacks.terminate_on_non_finite import TerminateOnNonFinite

__all__ = [
    "GenerativeMetrics",
    "LinearDecay",
    "NonFiniteLossError",
    "SampleGrid",
    "TerminateOnNonFinite",
]
