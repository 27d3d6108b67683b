"""Layers Keras lacks, registered so that models using them save and load by name."""

from kgan.layers.conditional_batch_normalization import ConditionalBatchNormalization

__all__ = ["ConditionalBatchNormalization"]
