"""Grids of image-to-image models: fixed examples in, one row of panels per example out.

A translation model has no latent space to sample: its grid shows what it does to fixed inputs.
`SampleGrid` takes those inputs as `examples` (held-out pairs, arrays or a dataset), reads them once
with `read_examples`, asks the model for its panels (`model.sample_panels(...)`, e.g. source |
generated | target for `kgan.Pix2Pix`) and lays them out with `interleave_panels`: row `r` holds
the panels of example `r`, left to right.
"""

import numpy as np
import tensorflow as tf

from kgan.utils import images as images_lib


def is_image_to_image(model):
    """Whether `model` translates given images (it has `sample_panels`) rather than sampling."""
    return callable(getattr(model, "sample_panels", None))


def read_examples(examples, num, model_name="the model"):
    """The first `num` examples as a tuple of float32 NumPy arrays sharing their first axis.

    Args:
        examples: a tuple/list of arrays (e.g. `(sources, targets)`), a single array (sources
            only), or a `tf.data.Dataset` yielding such tuples in batches (read until `num`
            examples are in hand; shuffled datasets give other examples each run, so pass a
            fixed, unshuffled one to compare epochs).
        num: how many examples to keep; fewer are kept when fewer exist.
        model_name: the model's class name, for error messages.

    Returns:
        A tuple of arrays `[n, H, W, C]` with `n = min(num, available)`.
    """
    if examples is None:
        raise ValueError(
            f"SampleGrid shows what {model_name} does to fixed inputs: pass `examples`, e.g. "
            "held-out (source, target) pairs as arrays, or an unshuffled dataset of such "
            "batches: SampleGrid(directory='samples', examples=(sources, targets))."
        )
    if isinstance(examples, tf.data.Dataset):
        examples = _take_from_dataset(examples, num)
    elif not isinstance(examples, (tuple, list)):
        examples = (examples,)
    arrays = tuple(np.asarray(array)[:num] for array in examples)
    if not arrays or any(array.ndim != 4 for array in arrays):
        raise ValueError(
            "SampleGrid `examples` must be image batches [N, H, W, C] (a tuple of them, e.g. "
            f"(sources, targets)); got shapes {[np.shape(array) for array in arrays]}."
        )
    lengths = {len(array) for array in arrays}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(
            "SampleGrid `examples` must hold the same, non-zero number of images in each array; "
            f"got {[len(array) for array in arrays]}."
        )
    return tuple(_as_float(array) for array in arrays)


def _take_from_dataset(dataset, num):
    parts, count = [], 0
    for element in dataset:
        element = element if isinstance(element, (tuple, list)) else (element,)
        parts.append([np.asarray(item) for item in element])
        count += len(parts[-1][0])
        if count >= num:
            break
    if not parts:
        raise ValueError("SampleGrid `examples` is an empty dataset.")
    return tuple(np.concatenate(column, axis=0) for column in zip(*parts))


def _as_float(array):
    # uint8 pixels are mapped to the [-1, 1] floats every kgan model takes.
    if array.dtype == np.uint8:
        return images_lib.from_uint8(array)
    return array.astype(np.float32)


def interleave_panels(panels):
    """Lays out panels row by row: example `r`'s panels, left to right, form row `r`.

    Args:
        panels: a list of `P` image batches `[N, H, W, C_p]` in [-1, 1] (or uint8), all of the
            same height and width. Gray panels are repeated to RGB when others are in colour,
            so a gray source can sit beside a colour target.

    Returns:
        An array `[N * P, H, W, C]`: cell `r * P + p` is panel `p` of example `r`.
    """
    panels = [np.asarray(panel) for panel in panels]
    for index, panel in enumerate(panels):
        images_lib.check_image_batch(panel, name=f"Panel {index} of the grid")
    sizes = {panel.shape[1:3] for panel in panels}
    if len(sizes) != 1 or len({len(panel) for panel in panels}) != 1:
        raise ValueError(
            "The grid's panels must have one image per example and one image size; got shapes "
            f"{[panel.shape for panel in panels]}."
        )
    channels = max(panel.shape[-1] for panel in panels)
    if channels == 4 and any(panel.shape[-1] != 4 for panel in panels):
        raise ValueError(
            "Cannot tile RGBA panels beside panels without alpha; got channel counts "
            f"{[panel.shape[-1] for panel in panels]}."
        )
    panels = [
        images_lib.to_uint8(np.repeat(panel, channels, axis=-1) if panel.shape[-1] == 1 else panel)
        for panel in panels
    ]
    # [P, N, ...] -> [N, P, ...] -> [N * P, ...]: example-major, so each example is one row.
    stacked = np.stack(panels, axis=1)
    return stacked.reshape((-1, *stacked.shape[2:]))
