"""Tests for kgan/metrics/temperature_sweep_plot.py: curves drawn, PNG and TensorBoard written."""

import numpy as np
import pytest
from PIL import Image

from kgan.metrics import temperature_sweep_plot as plot_lib
from kgan.testing import recipes


def sweep(offset):
    return [
        {"temperature": t, "nll_test": 8 + 1 / t, "nll_oracle": 7 + 2 * t + offset}
        for t in (0.5, 0.8, 1.0, 1.5)
    ]


def test_draws_one_coloured_curve_per_model_and_writes_png_and_tensorboard(tmp_path):
    sweeps = {"mle": sweep(0.0), "gan": sweep(-0.5)}
    pixels = plot_lib.plot_temperature_sweeps(
        sweeps, path=tmp_path / "sweep.png", log_dir=tmp_path / "logs", size=(400, 300)
    )
    assert pixels.shape == (300, 400, 3) and pixels.dtype == np.uint8
    for colour in plot_lib.COLOURS[:2]:
        assert (pixels == colour).all(-1).sum() > 100  # the line, its points and legend
    assert not (pixels == plot_lib.COLOURS[2]).all(-1).any()  # no third model
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "sweep.png")), pixels)
    assert "temperature_sweep" in recipes.summary_tags(tmp_path / "logs")


def test_points_land_where_their_values_say():
    # One model, two points: the lower-left one (small x, small y) is drawn lower-left.
    rows = [
        {"temperature": 0.5, "nll_test": 1.0, "nll_oracle": 1.0},
        {"temperature": 1.0, "nll_test": 3.0, "nll_oracle": 5.0},
    ]
    pixels = plot_lib.plot_temperature_sweeps({"m": rows}, size=(400, 300))
    ys, xs = np.nonzero((pixels == plot_lib.COLOURS[0]).all(-1)[:, :300])  # left of the legend
    low_x, high_x = xs.min(), xs.max()
    assert ys[xs == low_x].mean() > ys[xs == high_x].mean()  # image rows grow downwards


def test_nice_ticks():
    assert plot_lib.nice_ticks(7.26, 10.46) == [7.0, 8.0, 9.0, 10.0, 11.0]
    assert plot_lib.nice_ticks(0.12, 0.31) == [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]
    assert plot_lib.nice_ticks(2.0, 2.0) == [1.5, 2.0, 2.5]


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="No sweeps to plot"):
        plot_lib.plot_temperature_sweeps({})
    rows = [{"temperature": 1.0, "nll_test": 8.0}]
    with pytest.raises(ValueError, match=r"'mle' has no \['nll_oracle'\] scores: .*oracle="):
        plot_lib.plot_temperature_sweeps({"mle": rows})
    with pytest.raises(ValueError, match="non-finite"):
        plot_lib.nice_ticks(float("nan"), 1.0)
