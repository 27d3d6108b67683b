"""The quality/diversity curves of `temperature_sweep` as a picture: PNG and TensorBoard.

Caccia et al. (2020) compare language GANs by curves, not points: each model sampled over a range
of temperatures traces NLL_oracle (quality, down is better) against NLL_test (coverage, left is
better), and a model is better only where its curve lies below and left of the other's. This
draws those curves with Pillow (a dependency already; no plotting library needed): one coloured
line per model, each point marked with its temperature, axes with ticks, and a legend.

Example:

```python
sweeps = {"mle": temperature_sweep(mle.generator, oracle=oracle, test_tokens=test),
          "relgan": temperature_sweep(gan.generator, oracle=oracle, test_tokens=test)}
plot_temperature_sweeps(sweeps, path="sweep.png", log_dir="logs/sweep")
```
"""

import math

import numpy as np
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from kgan.utils import atomic

COLOURS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14)]
LABELS = {
    "nll_oracle": "NLL_oracle (quality, lower is better)",
    "nll_test": "NLL_test (coverage, lower is better)",
    "bleu": "BLEU (quality, higher is better)",
    "self_bleu": "self-BLEU (lower is more diverse)",
}


def plot_temperature_sweeps(
    sweeps, path=None, log_dir=None, x="nll_test", y="nll_oracle", size=(720, 540), step=0
):
    """Draws each model's sweep as a line of `y` against `x`; returns the RGB image.

    Args:
        sweeps: `{model name: rows}`, the rows of `temperature_sweep` (dicts with
            `temperature` and the scores).
        path: Also write a PNG here. Defaults to `None`.
        log_dir: Also write the image to TensorBoard here, as `temperature_sweep`. Defaults
            to `None`.
        x: The score on the horizontal axis. Defaults to `"nll_test"`.
        y: The score on the vertical axis. Defaults to `"nll_oracle"`.
        size: `(width, height)` in pixels. Defaults to `(720, 540)`.
        step: The TensorBoard step. Defaults to `0`.

    Returns:
        uint8 `np.ndarray` `[height, width, 3]`.

    Raises:
        ValueError: for no sweeps, or rows without the `x` or `y` score.
    """
    if not sweeps:
        raise ValueError("No sweeps to plot: pass {model name: temperature_sweep rows}.")
    for name, rows in sweeps.items():
        missing = [key for key in (x, y, "temperature") if not rows or key not in rows[0]]
        if missing:
            raise ValueError(
                f"The sweep of {name!r} has no {missing} scores: run temperature_sweep with "
                "the data they need (oracle= for nll_oracle, test_tokens= for nll_test, "
                "references= for bleu)."
            )
    width, height = size
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    left, right, top, bottom = 70, width - 20, 20, height - 60
    xs = [row[x] for rows in sweeps.values() for row in rows]
    ys = [row[y] for rows in sweeps.values() for row in rows]
    x_ticks, y_ticks = nice_ticks(min(xs), max(xs)), nice_ticks(min(ys), max(ys))
    x_low, x_high, y_low, y_high = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]

    def to_pixel(u, v):
        px = left + (u - x_low) / (x_high - x_low) * (right - left)
        py = bottom - (v - y_low) / (y_high - y_low) * (bottom - top)
        return px, py

    draw.rectangle([left, top, right, bottom], outline="black")
    for tick in x_ticks:
        px, _ = to_pixel(tick, y_low)
        draw.line([px, bottom, px, bottom + 5], fill="black")
        draw.text((px, bottom + 8), f"{tick:g}", fill="black", font=font, anchor="ma")
    for tick in y_ticks:
        _, py = to_pixel(x_low, tick)
        draw.line([left - 5, py, left, py], fill="black")
        draw.text((left - 8, py), f"{tick:g}", fill="black", font=font, anchor="rm")
    draw.text(((left + right) / 2, height - 25), LABELS.get(x, x), fill="black", font=font,
              anchor="ma")  # fmt: skip
    vertical = Image.new("RGB", (bottom - top, 14), "white")
    ImageDraw.Draw(vertical).text(
        ((bottom - top) / 2, 0), LABELS.get(y, y), fill="black", font=font, anchor="ma"
    )
    image.paste(vertical.rotate(90, expand=True), (8, top))

    for index, (name, rows) in enumerate(sweeps.items()):
        colour = COLOURS[index % len(COLOURS)]
        points = [to_pixel(row[x], row[y]) for row in sorted(rows, key=lambda r: r["temperature"])]
        draw.line(points, fill=colour, width=2)
        for (px, py), row in zip(points, sorted(rows, key=lambda r: r["temperature"])):
            draw.ellipse([px - 3, py - 3, px + 3, py + 3], fill=colour)
            draw.text((px + 5, py - 12), f"{row['temperature']:g}", fill=colour, font=font)
        legend_y = top + 10 + 16 * index
        draw.line([right - 130, legend_y, right - 110, legend_y], fill=colour, width=3)
        draw.text((right - 104, legend_y), name, fill="black", font=font, anchor="lm")

    pixels = np.asarray(image, dtype=np.uint8)
    if path is not None:
        atomic.write_file(path, lambda file: image.save(file, format="PNG"))
    if log_dir is not None:
        import tensorflow as tf

        writer = tf.summary.create_file_writer(str(log_dir))
        with writer.as_default():
            tf.summary.image("temperature_sweep", pixels[np.newaxis], step=step)
        writer.close()
    return pixels


def nice_ticks(low, high, count=5):
    """About `count` round tick values covering `[low, high]` (steps of 1, 2 or 5 x 10^k)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"Cannot plot non-finite scores (from {low} to {high}).")
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    spacing = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / spacing) * spacing
    last = math.ceil(high / spacing) * spacing
    ticks = np.arange(first, last + spacing / 2, spacing)
    return [round(float(tick), 10) for tick in ticks]
