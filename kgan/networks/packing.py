"""`packed_discriminator`: PacGAN's discriminator, which judges `packing` samples at once.

See `kgan.layers.PackSamples` for why packing counters mode collapse. The builder wraps any
discriminator built for packs (its input's last axis `packing` times a sample's) so that it
takes single samples and returns one score per sample, which is what every objective expects.
"""

import keras

from kgan.layers import packing as packing_layers


def packed_discriminator(discriminator, packing, name=None):
    """Wraps a discriminator of packs into one that takes and scores single samples.

    Consecutive runs of `packing` samples of a batch form the packs (all real or all generated,
    as each objective scores real and generated batches apart); each sample receives its pack's
    score, so the mean per-example loss is the mean over packs.

    Args:
        discriminator: A functional discriminator whose input is a pack: shape `(..., packing *
            C)` for samples of shape `(..., C)`, e.g.
            `kgan.networks.mlp_discriminator(input_shape=packing * 2)` for 2-D points.
        packing: Samples per pack, PacGAN's `m` (2 to 4 in the paper).
        name: Name of the model. Defaults to `"packed<m>_<discriminator name>"`.

    Returns:
        A functional `keras.Model` taking `images` of one sample's shape and returning the
        discriminator's scores, one row per sample. The batch must be a multiple of `packing`
        on every replica (`drop_remainder=True`).

    Example:

    ```python
    body = kgan.networks.mlp_discriminator(input_shape=4 * 2)  # packs of four 2-D points
    discriminator = kgan.networks.packed_discriminator(body, packing=4)
    discriminator(keras.random.normal((8, 2))).shape  # (8, 1)
    ```

    Reference:
        - [Lin et al., 2018](https://arxiv.org/abs/1712.04086) (PacGAN)
    """
    packing = packing_layers.check_packing(packing)
    pack_shape = tuple(discriminator.input_shape[1:])
    channels = pack_shape[-1] if pack_shape else None
    if channels is None or channels % packing:
        raise ValueError(
            f"A discriminator of packs of {packing} takes {packing} samples' features side by "
            f"side on its last axis; this one takes inputs of shape {pack_shape}, whose last "
            f"axis is not a multiple of {packing}. Build it for {packing} times a sample's "
            "channels (e.g. mlp_discriminator(input_shape=packing * dim))."
        )
    samples = keras.Input((*pack_shape[:-1], channels // packing), name="images")
    packs = packing_layers.PackSamples(packing, name="pack")(samples)
    scores = packing_layers.SpreadPackScores(packing, name="spread_scores")(discriminator(packs))
    return keras.Model(samples, scores, name=name or f"packed{packing}_{discriminator.name}")
