"""Layers Keras lacks, registered so that models using them save and load by name."""

from kgan.layers.adaptive_augmentation import AdaptiveAugmentation
from kgan.layers.conditional_batch_normalization import ConditionalBatchNormalization
from kgan.layers.image_pool import ImagePool
from kgan.layers.minibatch_std import MinibatchStdDev
from kgan.layers.packing import PackSamples
from kgan.layers.packing import SpreadPackScores
from kgan.layers.reflection_padding import ReflectionPadding2D

__all__ = [
    "AdaptiveAugmentation",
    "ConditionalBatchNormalization",
    "ImagePool",
    "MinibatchStdDev",
    "PackSamples",
    "ReflectionPadding2D",
    "SpreadPackScores",
]
