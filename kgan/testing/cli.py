"""Running the `kgan` command inside a test and reading what it printed."""

from kgan import cli
from kgan.models import gan as gan_lib
from kgan.models import pix2pix
from kgan.testing import networks
from kgan.testing import paired


def save_tiny_gan(path, image_size=8, seed=3):
    """Saves an untrained tiny image GAN (`image_size` square, gray) to `path`; returns `path`."""
    gan = gan_lib.GAN(
        networks.tiny_image_generator(image_size=image_size),
        networks.tiny_image_discriminator(image_size=image_size),
        seed=seed,
    )
    gan.compile()
    gan.save(path)
    return path


def run(argv, capsys):
    """Runs `kgan argv` (items converted with `str`), expecting success; returns its stdout."""
    code = cli.main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def run_error(argv, capsys):
    """Runs `kgan argv`, expecting a failure; returns `(exit code, the one stderr line)`.

    Asserts the command's promise: one line, `kgan: error: ...`, never a traceback.
    """
    code = cli.main([str(arg) for arg in argv])
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("kgan: error: "), lines[0]
    return code, lines[0]


def save_tiny_pix2pix(path, image_size=8, source_channels=1, channels=1, dropout=0.0, seed=3):
    """Saves an untrained tiny `Pix2Pix` (`image_size` square) to `path`; returns `path`.

    `dropout > 0` puts a dropout layer in the generator, for tests of test-time dropout noise.
    """
    model = pix2pix.Pix2Pix(
        paired.tiny_translation_generator(
            image_size, source_channels=source_channels, channels=channels, dropout=dropout
        ),
        paired.tiny_patch_discriminator(
            image_size, source_channels=source_channels, channels=channels
        ),
        seed=seed,
    )
    model.compile()
    model.save(path)
    return path


def save_tiny_cycle_gan(path, image_size=8, channels_a=1, channels_b=3, seed=3):
    """Saves an untrained tiny `CycleGAN` (A gray, B RGB by default) to `path`; returns `path`."""
    from kgan.models import cycle_gan

    model = cycle_gan.CycleGAN(
        paired.tiny_translation_generator(
            image_size, source_channels=channels_a, channels=channels_b
        ),
        paired.tiny_translation_generator(
            image_size, source_channels=channels_b, channels=channels_a
        ),
        paired.tiny_image_patch_discriminator(image_size, channels=channels_a),
        paired.tiny_image_patch_discriminator(image_size, channels=channels_b),
        pool_size=2,
        seed=seed,
    )
    model.compile(identity_weight=0.0 if channels_a != channels_b else 0.5)
    model.save(path)
    return path
