"""Every loss family against values computed by hand from its paper's formula."""

import math

import numpy as np
import pytest

from kgan.losses import adversarial

REAL = np.array([[2.0], [-1.0]], "float32")
FAKE = np.array([[0.5], [-3.0]], "float32")


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def per_example(function, *rows):
    """Applies a scalar formula to each example of the (real, fake) pairs above."""
    return np.array([function(*values) for values in zip(*(r[:, 0] for r in rows))])


# Each row: family, discriminator formula (r, f), generator formula (f); written as in the papers.
CASES = [
    (
        "minimax",
        lambda r, f: -math.log(sigmoid(r)) - math.log(1 - sigmoid(f)),
        lambda f: math.log(1 - sigmoid(f)),
    ),
    (
        "non_saturating",
        lambda r, f: -math.log(sigmoid(r)) - math.log(1 - sigmoid(f)),
        lambda f: -math.log(sigmoid(f)),
    ),
    ("least_squares", lambda r, f: 0.5 * ((r - 1) ** 2 + f**2), lambda f: 0.5 * (f - 1) ** 2),
    ("wasserstein", lambda r, f: f - r, lambda f: -f),
    ("hinge", lambda r, f: max(0, 1 - r) + max(0, 1 + f), lambda f: -f),
]


@pytest.mark.parametrize("family, d_formula, g_formula", CASES, ids=[c[0] for c in CASES])
def test_losses_match_hand_computed_values(family, d_formula, g_formula):
    generator_loss, discriminator_loss = adversarial.get(family)
    np.testing.assert_allclose(
        discriminator_loss(REAL, FAKE).numpy(), per_example(d_formula, REAL, FAKE), rtol=1e-6
    )
    np.testing.assert_allclose(
        generator_loss(FAKE).numpy(), per_example(g_formula, FAKE), rtol=1e-6
    )


def test_relativistic_pairing_compares_each_real_with_its_fake():
    # D: -log sigmoid(r_i - f_i); G: -log sigmoid(f_i - r_i) (Jolicoeur-Martineau 2019, RpGAN).
    generator_loss, discriminator_loss = adversarial.get("relativistic_pairing")
    d_expected = per_example(lambda r, f: -math.log(sigmoid(r - f)), REAL, FAKE)
    g_expected = per_example(lambda r, f: -math.log(sigmoid(f - r)), REAL, FAKE)
    np.testing.assert_allclose(discriminator_loss(REAL, FAKE).numpy(), d_expected, rtol=1e-6)
    np.testing.assert_allclose(generator_loss(FAKE, REAL).numpy(), g_expected, rtol=1e-6)
    # Only the differences count: shifting every score changes nothing.
    np.testing.assert_allclose(
        discriminator_loss(REAL + 5, FAKE + 5).numpy(), d_expected, rtol=1e-5
    )


def test_hand_values_spot_check():
    # Written out once in full, so the table above is itself checked: hinge on (2, 0.5) and
    # (-1, -3) is (0 + 1.5, 2 + 0); least squares is (0.5 * (1 + 0.25), 0.5 * (4 + 9)).
    _, hinge_d = adversarial.get("hinge")
    np.testing.assert_allclose(hinge_d(REAL, FAKE).numpy(), [1.5, 2.0])
    _, lsgan_d = adversarial.get("least_squares")
    np.testing.assert_allclose(lsgan_d(REAL, FAKE).numpy(), [0.625, 6.5])


@pytest.mark.parametrize("family, d_formula, g_formula", CASES, ids=[c[0] for c in CASES])
def test_logit_maps_take_the_loss_of_each_output_then_average(family, d_formula, g_formula):
    # A PatchGAN-style map [batch=2, 2, 2, 1]: the loss of each patch, averaged per example. One
    # patch confidently real and one confidently fake must not cancel out before the loss.
    real_map = np.array([[6.0, -6.0, 1.0, 0.5], [2.0, 2.0, -1.0, 0.0]], "float32")
    fake_map = np.array([[-4.0, 3.0, 0.0, 1.5], [0.5, -0.5, 2.5, -2.0]], "float32")
    generator_loss, discriminator_loss = adversarial.get(family)
    expected_d = [
        np.mean([d_formula(r, f) for r, f in zip(*rows)]) for rows in zip(real_map, fake_map)
    ]
    expected_g = [np.mean([g_formula(f) for f in row]) for row in fake_map]
    as_map = lambda values: values.reshape(2, 2, 2, 1)  # noqa: E731
    np.testing.assert_allclose(
        discriminator_loss(as_map(real_map), as_map(fake_map)).numpy(), expected_d, rtol=1e-5
    )
    np.testing.assert_allclose(generator_loss(as_map(fake_map)).numpy(), expected_g, rtol=1e-5)


def test_saturating_losses_stay_finite_for_extreme_logits():
    big = np.array([[100.0], [-100.0]], "float32")
    for family in ("minimax", "non_saturating"):
        generator_loss, discriminator_loss = adversarial.get(family)
        assert np.all(np.isfinite(discriminator_loss(big, -big).numpy()))
        assert np.all(np.isfinite(generator_loss(big).numpy()))
    # -log(sigmoid(-100)) is 100, not inf.
    np.testing.assert_allclose(adversarial.non_saturating_generator_loss(big)[1], 100.0)


def test_minimax_generator_is_the_negated_fake_term_of_the_discriminator():
    # The zero-sum game: at real logits of +inf the discriminator loss is its fake term alone.
    very_real = np.full_like(REAL, 60.0)
    d = adversarial.minimax_discriminator_loss(very_real, FAKE).numpy()
    np.testing.assert_allclose(adversarial.minimax_generator_loss(FAKE).numpy(), -d, rtol=1e-6)


def test_registry_names_and_aliases():
    assert adversarial.FAMILIES == (
        "minimax",
        "non_saturating",
        "least_squares",
        "wasserstein",
        "hinge",
        "relativistic_pairing",
    )
    assert adversarial.get("rpgan") == adversarial.get("relativistic_pairing")
    assert adversarial.needs_real_logits("RpGAN") and not adversarial.needs_real_logits("hinge")
    assert adversarial.get("wgan") == adversarial.get("wasserstein")
    assert adversarial.get("Non-Saturating") == adversarial.get("non_saturating")
    assert adversarial.canonical_name("lsgan") == "least_squares"


def test_unknown_family_lists_the_choices():
    with pytest.raises(ValueError, match="Unknown adversarial loss 'softmax'.*hinge"):
        adversarial.get("softmax")
    with pytest.raises(TypeError, match="named by a string"):
        adversarial.get(3)


def test_scalar_logits_are_rejected():
    with pytest.raises(ValueError, match="batch axis"):
        adversarial.hinge_generator_loss(np.float32(1.0))


@pytest.mark.parametrize("family", ["minimax", "non_saturating"])
def test_one_sided_label_smoothing_aims_reals_at_one_minus_s(family):
    _, smoothed = adversarial.get(family, label_smoothing=0.1)

    def cross_entropy(r, f):  # real target 0.9, fake target 0
        return -(0.9 * math.log(sigmoid(r)) + 0.1 * math.log(1 - sigmoid(r))) - math.log(
            1 - sigmoid(f)
        )

    np.testing.assert_allclose(smoothed(REAL, FAKE), per_example(cross_entropy, REAL, FAKE), 1e-6)
    # The smoothed loss is smallest where sigmoid(real logit) = 0.9, not at +infinity.
    logits = np.linspace(0.0, 6.0, 601, dtype="float32")[:, None]
    losses = smoothed(logits, np.full_like(logits, -20.0)).numpy()
    assert abs(1 / (1 + np.exp(-logits[losses.argmin(), 0])) - 0.9) < 0.01


def test_label_smoothing_is_refused_where_there_is_no_cross_entropy():
    with pytest.raises(ValueError, match="'hinge' family has none"):
        adversarial.get("hinge", label_smoothing=0.1)
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        adversarial.get("non_saturating", label_smoothing=1.0)
    assert adversarial.get("hinge", label_smoothing=0.0) == adversarial.get("hinge")
