"""Tests for kgan/cli/sample.py: `kgan sample` on a tiny saved GAN, and its one-line errors."""

import keras
import numpy as np
import pytest
from PIL import Image

from kgan import cli
from kgan.testing.cli import run_error
from kgan.utils import images as images_lib

IMAGE_SIZE = 8


def test_sample_npy_equals_generate(model_path, tmp_path):
    out = tmp_path / "samples.npy"
    argv = ["sample", model_path, "--num", 5, "--seed", 11, "--out", out, "--batch-size", 2]
    assert cli.main([str(arg) for arg in argv]) == 0
    samples = np.load(out)
    assert samples.shape == (5, IMAGE_SIZE, IMAGE_SIZE, 1)
    assert samples.dtype == np.float32
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    expected = keras.saving.load_model(model_path).generate(5, seed=11, batch_size=2)
    np.testing.assert_allclose(samples, expected, atol=1e-6)


def test_sample_png_is_a_grid(model_path, tmp_path, capsys):
    out = tmp_path / "nested" / "grid.png"  # missing folders are created
    assert cli.main(["sample", str(model_path), "--num", "6", "--out", str(out)]) == 0
    assert "Wrote 6 samples" in capsys.readouterr().out
    grid = images_lib.make_grid(np.zeros((6, IMAGE_SIZE, IMAGE_SIZE, 1), np.float32))
    with Image.open(out) as image:
        assert image.size == (grid.shape[1], grid.shape[0])  # PIL: (width, height)


def test_missing_model(tmp_path, capsys):
    out = tmp_path / "new" / "a.npy"
    code, line = run_error(["sample", tmp_path / "nope.keras", "--out", out], capsys)
    assert code == cli.RUN_ERROR and "no model file" in line
    assert not out.parent.exists()  # a failed command leaves no folders behind


def test_not_a_kgan_model(tmp_path, capsys):
    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    plain.save(tmp_path / "plain.keras")
    (tmp_path / "junk.keras").write_text("not a zip file")
    code, line = run_error(
        ["sample", tmp_path / "plain.keras", "--out", tmp_path / "a.npy"], capsys
    )
    assert code == cli.RUN_ERROR and "not a kgan model" in line
    code, line = run_error(["sample", tmp_path / "junk.keras", "--out", tmp_path / "a.npy"], capsys)
    assert code == cli.RUN_ERROR and "cannot load a model" in line


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--num", "0", "--out", "a.npy"], "--num must be at least 1"),
        (["--out", "samples.jpg"], "extension must be one of .npy, .png"),
        (["--out", "samples"], "extension must be one of"),
        (["--num", "many", "--out", "a.npy"], "invalid int value"),
        ([], "required: --out"),
    ],
)
def test_usage_errors(model_path, capsys, extra, message):
    code, line = run_error(["sample", model_path, *extra], capsys)
    assert code == cli.USAGE_ERROR and message in line, line


def test_unwritable_output(model_path, tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    code, line = run_error(["sample", model_path, "--out", blocker / "out.npy"], capsys)
    assert code == cli.RUN_ERROR and "cannot write" in line
    (tmp_path / "folder.png").mkdir()
    code, line = run_error(["sample", model_path, "--out", tmp_path / "folder.png"], capsys)
    assert code == cli.RUN_ERROR and "is a directory" in line


def test_unknown_command_and_help(capsys):
    code, line = run_error(["paint"], capsys)
    assert code == cli.USAGE_ERROR and "invalid choice" in line
    assert cli.main(["sample", "--help"]) == 0
    assert "--batch-size" in capsys.readouterr().out


def sample(argv, tmp_path, name="samples.npy"):
    """Runs `kgan sample` with `argv` plus `--out`; returns the samples written."""
    out = tmp_path / name
    assert cli.main([str(arg) for arg in [*argv, "--out", out]]) == 0
    return np.load(out)


def test_conditional_model_cycles_its_classes_or_the_labels_given(conditional_model_path, tmp_path):
    model = keras.saving.load_model(conditional_model_path)
    every_class = sample(["sample", conditional_model_path, "--num", 5, "--seed", 2], tmp_path)
    np.testing.assert_allclose(every_class, model.generate([0, 1, 2, 0, 1], seed=2), atol=1e-6)
    argv = ["sample", conditional_model_path, "--num", 5, "--labels", "2,0", "--force"]
    given = sample(argv, tmp_path)  # --force: the same --out again
    np.testing.assert_allclose(given, model.generate([2, 0, 2, 0, 2], seed=0), atol=1e-6)


def test_labels_file_gives_one_sample_per_row(
    conditional_model_path, attribute_model_path, tmp_path
):
    np.save(tmp_path / "ids.npy", np.array([1, 1, 0]))
    ids = sample(["sample", conditional_model_path, "--labels", tmp_path / "ids.npy"], tmp_path)
    expected = keras.saving.load_model(conditional_model_path).generate([1, 1, 0], seed=0)
    np.testing.assert_allclose(ids, expected, atol=1e-6)
    attributes = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], "float32")
    np.save(tmp_path / "attributes.npy", attributes)
    argv = ["sample", attribute_model_path, "--labels", tmp_path / "attributes.npy", "--num", 4]
    expected = keras.saving.load_model(attribute_model_path).generate(attributes, seed=0)
    np.testing.assert_allclose(sample(argv, tmp_path, "attributes_out.npy"), expected, atol=1e-6)


def test_labels_file_png_grid(attribute_model_path, tmp_path, capsys):
    np.save(tmp_path / "attributes.npy", np.array([[1, 0], [0, 1], [1, 1]], "float32"))
    out = tmp_path / "grid.png"
    argv = ["sample", attribute_model_path, "--labels", tmp_path / "attributes.npy", "--out", out]
    assert cli.main([str(arg) for arg in argv]) == 0
    assert "Wrote 3 samples" in capsys.readouterr().out
    grid = images_lib.make_grid(np.zeros((3, IMAGE_SIZE, IMAGE_SIZE, 1), np.float32))
    with Image.open(out) as image:
        assert image.size == (grid.shape[1], grid.shape[0])


@pytest.mark.parametrize(
    "model, extra, message",
    [
        ("plain", ["--labels", "0,1"], "--labels is for conditional models"),
        ("classes", ["--labels", "0,3"], "Class ids must lie in [0, 3)"),
        ("classes", ["--labels", "a,b"], "give comma-separated class ids"),
        ("classes", ["--labels", "ids.npy", "--num", "5"], "--num 5 does not match the 2 label"),
        ("classes", ["--labels", "attributes.npy"], "takes class ids, one per sample"),
        ("attributes", [], "give them with --labels FILE.npy"),
        ("attributes", ["--labels", "0,1"], "not class ids"),
        ("attributes", ["--labels", "ids.npy"], "not class ids"),
    ],
)
def test_label_usage_errors(request, tmp_path, capsys, model, extra, message):
    np.save(tmp_path / "ids.npy", np.array([0, 1]))
    np.save(tmp_path / "attributes.npy", np.ones((2, 2), "float32"))
    fixture = {"plain": "model_path", "classes": "conditional_model_path"}
    path = request.getfixturevalue(fixture.get(model, "attribute_model_path"))
    extra = [str(tmp_path / item) if item.endswith(".npy") else item for item in extra]
    code, line = run_error(["sample", path, *extra, "--out", tmp_path / "a.npy"], capsys)
    assert code == cli.USAGE_ERROR and message in line, line


# --- --truncation and --interpolate --------------------------------------------------------


def test_truncation_samples_truncated_latent_vectors(model_path, tmp_path):
    from kgan.models import latent_space

    model = keras.saving.load_model(model_path)
    samples = sample(["sample", model_path, "--num", 6, "--seed", 3, "--truncation", 0.5], tmp_path)
    latent = latent_space.truncated_latents(6, model.latent_dim, 0.5, seed=3)
    np.testing.assert_allclose(samples, latent_space.generate_from(model, latent), atol=1e-6)
    assert not np.allclose(samples, model.generate(6, seed=3), atol=1e-3)


def test_interpolate_writes_paths_between_the_seeds_vectors(model_path, tmp_path, capsys):
    model = keras.saving.load_model(model_path)
    argv = ["sample", model_path, "--num", 3, "--seed", 1, "--interpolate", 4]
    paths = sample([*argv, "--interpolation", "lerp"], tmp_path).reshape(3, 4, 8, 8, 1)
    ends = model.generate(6, seed=1)  # path i: vector i to vector 3 + i of the seed
    np.testing.assert_allclose(paths[:, 0], ends[:3], atol=1e-5)
    np.testing.assert_allclose(paths[:, -1], ends[3:], atol=1e-5)
    slerp = sample(argv, tmp_path, "slerp.npy").reshape(3, 4, 8, 8, 1)
    np.testing.assert_allclose(slerp[:, [0, -1]], paths[:, [0, -1]], atol=1e-5)
    assert not np.allclose(slerp[:, 1], paths[:, 1], atol=1e-4)  # the middles differ
    out = tmp_path / "paths.png"
    assert cli.main([str(arg) for arg in [*argv, "--out", out]]) == 0
    assert "Wrote 3 paths of 4 samples" in capsys.readouterr().out
    grid = images_lib.make_grid(np.zeros((12, 8, 8, 1), np.float32), cols=4)
    with Image.open(out) as image:
        assert image.size == (grid.shape[1], grid.shape[0])


def test_interpolate_gif_walks_every_path_there_and_back(model_path, tmp_path, capsys):
    argv = ["sample", model_path, "--num", 3, "--seed", 1, "--interpolate", 4]
    paths = sample(argv, tmp_path).reshape(3, 4, 8, 8, 1)
    out = tmp_path / "walk.gif"
    assert cli.main([str(arg) for arg in [*argv, "--out", out]]) == 0
    assert "Wrote 3 paths of 4 samples" in capsys.readouterr().out
    with Image.open(out) as animation:
        assert animation.n_frames == 4 + 2  # steps 0..3, then 2 and 1 on the way back
        frames = []
        for index in range(animation.n_frames):
            animation.seek(index)
            frames.append(np.asarray(animation.convert("L")))
    for step, frame in zip([0, 1, 2, 3, 2, 1], frames):
        expected = images_lib.make_grid(paths[:, step])[..., 0]
        np.testing.assert_array_equal(frame, expected)


def test_interpolate_keeps_each_paths_label(conditional_model_path, tmp_path):
    from kgan.models import latent_space
    from kgan.models import sampling

    model = keras.saving.load_model(conditional_model_path)
    argv = ["sample", conditional_model_path, "--num", 2, "--labels", "2,0", "--interpolate", 3]
    samples = sample(argv, tmp_path)
    latent = sampling.latent_vectors(4, model.latent_dim, seed=0)
    path = latent_space.interpolate(latent[:2], latent[2:], 3).reshape(-1, model.latent_dim)
    expected = latent_space.generate_from(model, path, [2, 2, 2, 0, 0, 0])
    np.testing.assert_allclose(samples, expected, atol=1e-6)


def test_an_exported_model_walks_the_same_latent_space(model_path, tmp_path):
    from kgan import export

    export.export_generator(keras.saving.load_model(model_path), tmp_path / "e", verbose=False)
    argv = ["--num", 2, "--interpolate", 3, "--truncation", 0.8]
    exported = sample(["sample", tmp_path / "e" / "saved_model", *argv], tmp_path, "e.npy")
    keras_samples = sample(["sample", model_path, *argv], tmp_path, "k.npy")
    # The export returns uint8 pixels: equal within one level.
    np.testing.assert_allclose(exported, keras_samples, atol=1.01 / 127.5)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--truncation", "0"], "--truncation must be > 0"),
        (["--interpolate", "1"], "--interpolate must be at least 2"),
        (["--interpolation", "cubic"], "invalid choice: 'cubic'"),
        (["--out", "walk.gif"], "--out .gif animates interpolation paths"),
    ],
)
def test_latent_option_errors(model_path, tmp_path, capsys, extra, message):
    argv = ["sample", model_path, "--out", tmp_path / "a.npy", *extra]
    code, line = run_error(argv, capsys)
    assert code == cli.USAGE_ERROR and message in line


def test_latent_options_refused_without_a_latent_space(tmp_path, capsys):
    from kgan.testing import sequences

    path = sequences.save_tiny_sequence_gan(tmp_path / "seq.keras")
    argv = ["sample", path, "--truncation", "0.5", "--out", tmp_path / "t.npy"]
    code, line = run_error(argv, capsys)
    assert code == cli.USAGE_ERROR and "--truncation is for latent image models" in line


def test_interpolate_takes_one_path_per_row_of_a_labels_file(attribute_model_path, tmp_path):
    labels = tmp_path / "attributes.npy"
    np.save(labels, np.array([[0, 1], [1, 0], [1, 1]], np.float32))
    argv = ["sample", attribute_model_path, "--labels", labels, "--interpolate", 2]
    assert sample(argv, tmp_path).shape == (3 * 2, 8, 8, 1)  # 3 rows, not the default 8


@pytest.fixture
def ema_model_path(tmp_path):
    """A tiny GAN with an EMA generator, trained one epoch so the average and the raw differ."""
    from kgan.models import gan as gan_lib
    from kgan.testing import networks
    from kgan.testing import test_case

    keras.utils.set_random_seed(2)
    gan = gan_lib.GAN(
        networks.tiny_image_generator(), networks.tiny_image_discriminator(), ema_decay=0.9, seed=2
    )
    gan.compile(generator_optimizer=keras.optimizers.Adam(0.01))  # moves fast, the average lags
    gan.fit(test_case.image_dataset(num=32), epochs=1, verbose=0)
    gan.save(tmp_path / "ema.keras")
    return str(tmp_path / "ema.keras")


def test_sample_uses_the_ema_generator_and_raw_generator_the_trained_one(ema_model_path, tmp_path):
    model = keras.saving.load_model(ema_model_path)
    averaged = model.generate(4, seed=1)
    model.sample_with_ema = False
    raw = model.generate(4, seed=1)
    assert not np.allclose(averaged, raw)
    for extra, expected in (([], averaged), (["--raw-generator"], raw)):
        out = tmp_path / f"samples{len(extra)}.npy"
        argv = ["sample", ema_model_path, "--num", 4, "--seed", 1, "--out", out, *extra]
        assert cli.main([str(arg) for arg in argv]) == 0
        np.testing.assert_allclose(np.load(out), expected, atol=1e-6)
    # Exported with --raw-generator, the artefact serves the trained generator.
    export_dir = tmp_path / "export"
    argv = [
        "export",
        ema_model_path,
        "--out",
        export_dir,
        "--raw-generator",
        "--format",
        "saved_model",
    ]
    assert cli.main([str(arg) for arg in argv]) == 0
    out = tmp_path / "exported.npy"
    assert (
        cli.main(
            [
                "sample",
                str(export_dir / "saved_model"),
                "--num",
                "4",
                "--seed",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    # An export serves uint8 pixels: the raw generator's to a level, not the average's.
    exported = images_lib.to_uint8(np.load(out))
    assert np.mean(exported == images_lib.to_uint8(raw)) > 0.99
    assert np.mean(exported == images_lib.to_uint8(averaged)) < 0.5


def test_raw_generator_errors_name_the_model_and_the_fix(
    model_path, ema_model_path, tmp_path, capsys
):
    code, line = run_error(
        ["sample", model_path, "--out", tmp_path / "a.npy", "--raw-generator"], capsys
    )
    assert code == 1 and "keeps no EMA generator" in line and "leave the flag out" in line
    assert not (tmp_path / "a.npy").exists()
