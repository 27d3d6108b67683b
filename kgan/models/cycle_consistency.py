"""The generators' side of `kgan.CycleGAN`: their forward passes and the cycle-consistent loss.

With `a` from domain A and `b` from domain B, the generators jointly minimise

    L = w * (L_adv(G_ab, D_b) + L_adv(G_ba, D_a))
        + lambda * (|G_ba(G_ab(a)) - a|_1 + |G_ab(G_ba(b)) - b|_1)
        + identity_weight * lambda * (|G_ab(b) - b|_1 + |G_ba(a) - a|_1)

(`lambda = cycle_weight`, `w = adversarial_weight`). Nothing pairs an `a` with a `b`, so the
adversarial terms alone would let `G_ab` map A to *any* B-looking image; the cycle terms ask each
translation to be undone by the other generator, and the identity terms (section 5.2 of the
paper) keep colours when a generator is given an image already of its output domain.

Reference:
    Zhu et al., "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
    Networks", ICCV 2017. https://arxiv.org/abs/1703.10593
"""

from kgan.losses import reconstruction
from kgan.models import critic_augmentation


def forward(generator_ab, generator_ba, images_a, images_b, with_identity=False, training=False):
    """The generators' passes of a step, as a dict of image batches.

    `fake_b = G_ab(a)`, `rec_a = G_ba(fake_b)`, `fake_a = G_ba(b)`, `rec_b = G_ab(fake_a)`, and
    `with_identity` also `same_b = G_ab(b)` and `same_a = G_ba(a)`.
    """
    fake_b = generator_ab(images_a, training=training)
    fake_a = generator_ba(images_b, training=training)
    outputs = {
        "fake_b": fake_b,
        "rec_a": generator_ba(fake_b, training=training),
        "fake_a": fake_a,
        "rec_b": generator_ab(fake_a, training=training),
    }
    if with_identity:
        outputs["same_b"] = generator_ab(images_b, training=training)
        outputs["same_a"] = generator_ba(images_a, training=training)
    return outputs


def generator_losses(model, images_a, images_b, outputs, training=False):
    """The generators' per-example losses, without updating anything.

    Args:
        model: The `kgan.CycleGAN` (its discriminators, loss family and weights are read).
        images_a: Real A images.
        images_b: Real B images (as many).
        outputs: The `forward` dict for these images.
        training: Passed to the discriminators. Defaults to `False`.

    Returns:
        A dict of `[batch]` tensors: `g_loss_ab`, `g_loss_ba` (adversarial terms), `cycle_loss`
        (both L1 terms summed, unweighted), `identity_loss` (likewise, only with
        `identity_weight > 0`) and `total` (what the generators minimise).
    """
    # Each critic's passes take their own augmentation draws (CycleGAN's 10 i offset).
    stream = critic_augmentation.GENERATOR_STREAM
    g_loss_ab = model.adversarial_generator_loss(
        model.discriminator_b, images_b, outputs["fake_b"], training, stream + 10
    )
    g_loss_ba = model.adversarial_generator_loss(
        model.discriminator_a, images_a, outputs["fake_a"], training, stream
    )
    cycle = reconstruction.l1_loss(images_a, outputs["rec_a"]) + reconstruction.l1_loss(
        images_b, outputs["rec_b"]
    )
    losses = {"g_loss_ab": g_loss_ab, "g_loss_ba": g_loss_ba, "cycle_loss": cycle}
    total = model.adversarial_weight * (g_loss_ab + g_loss_ba) + model.cycle_weight * cycle
    if model.identity_weight > 0:
        identity = reconstruction.l1_loss(images_b, outputs["same_b"]) + reconstruction.l1_loss(
            images_a, outputs["same_a"]
        )
        losses["identity_loss"] = identity
        total += model.identity_weight * model.cycle_weight * identity
    losses["total"] = total
    return losses
