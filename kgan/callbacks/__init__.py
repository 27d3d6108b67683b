"""Callbacks for GANs trained with `fit`: sample grids, metrics, best model, safety stops."""

from kgan.callbacks.best_checkpoint import BestCheckpoint
from kgan.callbacks.generative_metrics import GenerativeMetrics
from kgan.callbacks.linear_decay import LinearDecay
from kgan.callbacks.sample_grid import SampleGrid
from kgan.models.fit_guards import NonFiniteLossError
from kgan.models.fit_guards import TerminateOnNonFinite

__all__ = [
    "BestCheckpoint",
    "GenerativeMetrics",
    "LinearDecay",
    "NonFiniteLossError",
    "SampleGrid",
    "TerminateOnNonFinite",
]
