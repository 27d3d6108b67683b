"""Tests for kgan/metrics/mixture_modes.py: modes captured and high-quality share by hand."""

import math

import numpy as np
import pytest

from kgan.metrics import mixture_modes


def test_grid_means_are_the_25_modes():
    means = mixture_modes.grid_means()
    assert means.shape == (25, 2)
    assert {tuple(m) for m in means} == {(x, y) for x in range(-4, 5, 2) for y in range(-4, 5, 2)}


def test_counts_by_hand():
    means = mixture_modes.grid_means()
    samples = np.concatenate(
        [
            np.zeros((30, 2)),  # on the mode (0, 0)
            np.full((20, 2), 2.0) + [0.1, 0.0],  # 0.1 from (2, 2): within 3 std = 0.15
            np.full((10, 2), 4.0) + [0.0, 0.2],  # 0.2 from (4, 4): not high quality
            np.full((5, 2), -4.0),  # on (-4, -4), but only 5 points
        ]
    )
    stats = mixture_modes.mixture_modes(samples, means, std=0.05)
    assert stats["modes_captured"] == 2 and stats["num_modes"] == 25
    assert stats["high_quality"] == pytest.approx(55 / 65)
    counts = dict(zip(map(tuple, means), stats["counts"]))
    assert counts[(0.0, 0.0)] == 30 and counts[(2.0, 2.0)] == 20 and counts[(4.0, 4.0)] == 0
    assert counts[(-4.0, -4.0)] == 5 and sum(stats["counts"]) == 55
    shares = np.array([30, 20, 5]) / 55
    assert stats["mode_kl"] == pytest.approx(float(np.sum(shares * np.log(shares * 25))))
    # min_count and num_std move the thresholds.
    assert mixture_modes.mixture_modes(samples, means, 0.05, min_count=5)["modes_captured"] == 3
    assert mixture_modes.mixture_modes(samples, means, 0.05, num_std=5)["high_quality"] == 1.0


def test_balanced_modes_have_zero_kl_and_one_mode_has_log_k():
    means = mixture_modes.grid_means()
    balanced = mixture_modes.mixture_modes(np.repeat(means, 20, axis=0), means, 0.05)
    assert balanced["modes_captured"] == 25 and balanced["mode_kl"] == pytest.approx(0.0)
    collapsed = mixture_modes.mixture_modes(np.zeros((100, 2)), means, 0.05)
    assert collapsed["modes_captured"] == 1 and collapsed["mode_kl"] == pytest.approx(math.log(25))
    spread = mixture_modes.mixture_modes(np.full((10, 2), 1.0), means, 0.05)
    assert spread["high_quality"] == 0.0 and spread["mode_kl"] == pytest.approx(math.log(25))


def test_grid_points_are_drawn_from_the_mixture():
    points = mixture_modes.grid_points(5000, std=0.05, seed=3)
    assert points.dtype == np.float32 and points.shape == (5000, 2)
    stats = mixture_modes.mixture_modes(points, mixture_modes.grid_means(), 0.05)
    # 3 std in 2-D holds 1 - exp(-4.5) = 98.9% of a Gaussian's mass.
    assert stats["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.006)
    assert stats["modes_captured"] == 25 and stats["mode_kl"] < 0.01


@pytest.mark.parametrize(
    "samples, std, message",
    [
        (np.zeros((4, 3)), 0.05, "same size"),
        (np.zeros((0, 2)), 0.05, "at least one sample"),
        (np.full((4, 2), np.nan), 0.05, "NaN or infinite"),
        (np.zeros((4, 2)), 0.0, "std must be positive"),
    ],
)
def test_bad_input_is_refused(samples, std, message):
    with pytest.raises(ValueError, match=message):
        mixture_modes.mixture_modes(samples, mixture_modes.grid_means(), std)
