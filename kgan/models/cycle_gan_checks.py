"""Shape checks of `kgan.CycleGAN`: its four networks against each other, and data against them.

Each network fixes (part of) the image shape of a domain: `generator_ab` takes A images and
makes B images, `generator_ba` the reverse, and each discriminator judges its own domain's
images. These functions read those shapes, fail with a message naming the two networks that
disagree, and merge what is known into one shape per domain.
"""

from kgan.models import network_info
from kgan.models import translation


def domain_shapes(networks):
    """The `(height, width, channels)` of domains A and B, read from the four networks.

    Args:
        networks: A dict with the keys `generator_ab`, `generator_ba`, `discriminator_a` and
            `discriminator_b`.

    Returns:
        `(shape_a, shape_b)`: tuples (with `None` for sizes no network fixes), or `None` for a
        domain whose shape no network gives (subclassed networks).

    Raises:
        ValueError: if two networks disagree on a domain's shape.
    """
    views = {
        "A": [
            ("generator_ab's input", network_info.input_shape(networks["generator_ab"])),
            ("generator_ba's output", network_info.output_shape(networks["generator_ba"])),
            ("discriminator_a's input", network_info.input_shape(networks["discriminator_a"])),
        ],
        "B": [
            ("generator_ba's input", network_info.input_shape(networks["generator_ba"])),
            ("generator_ab's output", network_info.output_shape(networks["generator_ab"])),
            ("discriminator_b's input", network_info.input_shape(networks["discriminator_b"])),
        ],
    }
    return tuple(_merge(domain, views[domain]) for domain in ("A", "B"))


def _merge(domain, views):
    known = [(role, tuple(shape)) for role, shape in views if shape is not None]
    merged = None
    for index, (role, shape) in enumerate(known):
        for other_role, other in known[:index]:
            if not network_info.shapes_compatible(shape, other):
                raise ValueError(
                    f"The networks disagree on the images of domain {domain}: {other_role} has "
                    f"shape {other} but {role} has shape {shape}. Build all four networks for "
                    "the same image sizes and channel counts."
                )
        merged = (
            shape
            if merged is None
            else tuple(m if m is not None else s for m, s in zip(merged, shape))
        )
    return merged


def check_shapes_known(shape_a, shape_b):
    """Fails unless both domains' image shapes are fully known (the pools are built from them)."""
    for domain, shape in (("A", shape_a), ("B", shape_b)):
        if shape is None or None in shape:
            raise ValueError(
                f"CycleGAN needs the image shape of domain {domain} from its networks (to "
                f"build the image pools and check the data), but they leave it at {shape}. "
                "Build the networks for one image size, e.g. "
                "kgan.networks.resnet_generator(image_size=256)."
            )


def resolve_weights(loss, adversarial_weight=None, discriminator_loss_weight=None):
    """CycleGAN's two loss factors in the authors' units: `(adversarial, discriminator)`.

    The balance of the adversarial, cycle and identity terms is what `cycle_weight` tunes, so
    it must be measured in the authors' units. Their least-squares generator term is
    `MSE(D(G(x)), 1)`, while kgan's least-squares family (Mao et al.) is half of that,
    `0.5 * (D(G(x)) - 1)^2`: the adversarial factor defaults to `2.0` for `"least_squares"`
    (so that `cycle_weight=10` means the paper's lambda = 10) and `1.0` for the other families,
    whose generator terms equal the authors'. The authors halve the discriminator's loss; kgan's
    least-squares discriminator loss, `0.5 * ((D(real) - 1)^2 + D(fake)^2)`, already is that
    halved loss, so the discriminator factor defaults to `1.0` for it and `0.5` otherwise.

    Args:
        loss: The canonical family name.
        adversarial_weight: The factor given, or `None` for the default.
        discriminator_loss_weight: Likewise.

    Returns:
        `(adversarial_weight, discriminator_loss_weight)` as floats, checked.
    """
    least_squares = loss == "least_squares"
    if adversarial_weight is None:
        adversarial_weight = 2.0 if least_squares else 1.0
    if discriminator_loss_weight is None:
        discriminator_loss_weight = 1.0 if least_squares else 0.5
    if float(adversarial_weight) < 0:
        raise ValueError(f"adversarial_weight must be >= 0, got {adversarial_weight}.")
    if float(discriminator_loss_weight) <= 0:
        raise ValueError(
            f"discriminator_loss_weight must be positive, got {discriminator_loss_weight}."
        )
    return float(adversarial_weight), float(discriminator_loss_weight)


def check_identity_possible(shape_a, shape_b):
    """Fails unless both domains have the same channel count (the identity loss needs it).

    The identity loss runs `generator_ab` on B images and `generator_ba` on A images, which
    only fit when A and B images have the same shape.
    """
    if shape_a is None or shape_b is None:
        return
    if not network_info.shapes_compatible(shape_a, shape_b):
        raise ValueError(
            f"The identity loss runs generator_ab on B images and generator_ba on A images, but "
            f"domain A has images of shape {shape_a} and domain B {shape_b}. Pass "
            "identity_weight=0 to compile (the paper uses it only where colours should be "
            "kept, e.g. painting -> photo)."
        )


def check_batch(images_a, images_b, shape_a, shape_b):
    """Checks (at trace time where possible) a batch against the domains' shapes.

    Returns:
        `(images_a, images_b)`, unchanged.
    """
    for name, images, shape in (("images_a", images_a, shape_a), ("images_b", images_b, shape_b)):
        if images.shape.rank != 4:
            raise ValueError(
                "CycleGAN takes image batches [batch, height, width, channels]; got "
                f"{name} of shape {tuple(images.shape)}."
            )
        if shape is not None and not network_info.shapes_compatible(images.shape[1:], shape):
            raise ValueError(
                f"The batch's {name} have shape {tuple(images.shape[1:])}, but the networks take "
                f"{shape}. Load the data at the networks' size (or build the networks for it)."
            )
    message = (
        "A CycleGAN batch needs as many A images as B images (the losses pair them by "
        "position); batch the two datasets with the same batch_size and drop_remainder=True"
    )
    translation.check_same_count(images_a, images_b, message + "; got {} and {}.", message)
    return images_a, images_b
