"""Tests for kgan/callbacks/sample_grid.py: fits a tiny model and reads back what was written."""

import io
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from tensorboard.backend.event_processing import event_accumulator

from kgan.callbacks import sample_grid
from kgan.utils import images as images_lib

HEIGHT, WIDTH = 6, 5  # not square, so a swapped axis shows up in the PNG size
ROWS, COLS = 2, 3
# make_grid's default padding of 2 pixels around and between cells.
GRID_SIZE = (COLS * (WIDTH + 2) + 2, ROWS * (HEIGHT + 2) + 2)  # PIL order: (width, height)


class TinyGAN(keras.Model):
    """Stand-in for a kgan model: `latent_dim`, and `model(z)` runs a Dense generator."""

    def __init__(self, latent_dim=4, channels=1, output_shape=None, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        output_shape = output_shape or (HEIGHT, WIDTH, channels)
        self.generator = keras.Sequential(
            [
                keras.Input((latent_dim,)),
                keras.layers.Dense(int(np.prod(output_shape))),
                keras.layers.Reshape(output_shape),
                keras.layers.Activation("tanh"),
            ]
        )

    def call(self, latents, training=False):
        return self.generator(latents, training=training)

    def train_step(self, images):
        # Trivial objective (pull generated images toward real ones) so `fit` changes weights.
        latents = tf.random.normal((tf.shape(images)[0], self.latent_dim))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.generator(latents, training=True) - images))
        variables = self.generator.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return {"loss": loss}


def fit(callbacks, epochs=3, channels=1, model=None):
    """Fits a TinyGAN for `epochs` epochs of 2 batches each and returns the model."""
    model = model or TinyGAN(channels=channels)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    real_images = np.random.uniform(-1, 1, (8, HEIGHT, WIDTH, channels)).astype("float32")
    model.fit(real_images, batch_size=4, epochs=epochs, callbacks=callbacks, verbose=0)
    return model


def read_images(log_dir):
    """Returns `{tag: [(step, width, height), ...]}` for the image summaries in `log_dir`."""
    # TF2 summaries are stored as tensors tagged with the "images" plugin: [width, height, png].
    accumulator = event_accumulator.EventAccumulator(
        str(log_dir), size_guidance={event_accumulator.TENSORS: 0}
    ).Reload()
    found = {}
    for tag in accumulator.Tags()["tensors"]:
        if accumulator.SummaryMetadata(tag).plugin_data.plugin_name != "images":
            continue
        found[tag] = []
        for event in accumulator.Tensors(tag):
            width, height, png = tf.make_ndarray(event.tensor_proto)
            with Image.open(io.BytesIO(png)) as image:
                assert image.size == (int(width), int(height))
            found[tag].append((event.step, image.size[0], image.size[1]))
    return found


@pytest.mark.parametrize(
    "every_n_epochs, channels, mode, expected_files",
    [
        # The third epoch is not a multiple of 2: on_train_end adds it.
        (2, 1, "L", ["epoch_0002.png", "epoch_0003.png"]),
        (1, 3, "RGB", ["epoch_0001.png", "epoch_0002.png", "epoch_0003.png"]),
    ],
)
def test_writes_pngs_every_n_epochs_and_after_the_last(
    tmp_path, every_n_epochs, channels, mode, expected_files
):
    callback = sample_grid.SampleGrid(
        directory=tmp_path, num_rows=ROWS, num_cols=COLS, every_n_epochs=every_n_epochs
    )
    fit([callback], channels=channels)

    assert sorted(os.listdir(tmp_path)) == expected_files
    assert callback.paths == [str(tmp_path / name) for name in expected_files]
    for path in callback.paths:
        with Image.open(path) as image:
            assert (image.size, image.mode) == (GRID_SIZE, mode)


def test_writes_image_summaries_at_epoch_steps(tmp_path):
    callback = sample_grid.SampleGrid(
        log_dir=tmp_path, num_rows=ROWS, num_cols=COLS, every_n_epochs=2, tag="fakes"
    )
    fit([callback])

    assert os.listdir(tmp_path) == ["samples"]
    # Steps are Keras's 0-based epoch index: epoch 2 (step 1), then the last epoch (step 2).
    assert read_images(tmp_path / "samples") == {"fakes": [(1, *GRID_SIZE), (2, *GRID_SIZE)]}
    assert callback.paths == []


def test_shares_log_dir_with_keras_tensorboard(tmp_path):
    # update_freq=3 leaves `record_if(step % 3 == 0)` active at epoch ends (2 batches per epoch):
    # the grids must be recorded anyway.
    callbacks = [
        keras.callbacks.TensorBoard(tmp_path, update_freq=3),
        sample_grid.SampleGrid(directory=tmp_path / "png", log_dir=tmp_path, num_rows=ROWS),
    ]
    fit(callbacks, epochs=2)

    assert sorted(os.listdir(tmp_path)) == ["png", "samples", "train"]
    steps = [step for step, _, _ in read_images(tmp_path / "samples")["samples"]]
    assert steps == [0, 1]
    # Keras's own scalars are readable beside ours. (Its epoch_* scalars fall under the same
    # record_if and are lost here, a Keras quirk; batch_loss is recorded at global step 3.)
    train_events = event_accumulator.EventAccumulator(str(tmp_path / "train")).Reload()
    assert [event.step for event in train_events.Tensors("batch_loss")] == [3]


def test_fixed_latents_give_identical_grids(tmp_path):
    model = TinyGAN()
    callback = sample_grid.SampleGrid(directory=tmp_path, num_rows=ROWS, num_cols=COLS, seed=3)
    callback.set_model(model)
    first, second = callback.write_grid(0), callback.write_grid(1)
    with open(first, "rb") as file_a, open(second, "rb") as file_b:
        assert file_a.read() == file_b.read()

    same_seed = sample_grid.SampleGrid(directory=tmp_path, seed=3, num_rows=ROWS, num_cols=COLS)
    other_seed = sample_grid.SampleGrid(directory=tmp_path, seed=4, num_rows=ROWS, num_cols=COLS)
    for other in (same_seed, other_seed):
        other.set_model(model)
    assert callback.inputs.shape == (ROWS * COLS, model.latent_dim)
    np.testing.assert_array_equal(same_seed.inputs, callback.inputs)
    assert not np.array_equal(other_seed.inputs, callback.inputs)


def test_generates_in_batches(tmp_path):
    model = TinyGAN()
    # 6 images: one batch of 4, then one of 2.
    batched = sample_grid.SampleGrid(directory=tmp_path, num_rows=ROWS, num_cols=COLS, batch_size=4)
    batched.set_model(model)
    whole = batched.generate(batched.inputs[:4])
    assert batched.make_grid_images().shape == (ROWS * COLS, HEIGHT, WIDTH, 1)
    np.testing.assert_allclose(batched.make_grid_images()[:4], whole, atol=1e-6)


def test_make_grid_images_override_controls_the_layout(tmp_path):
    class ConstantGrid(sample_grid.SampleGrid):
        def grid_inputs(self):
            return None  # this grid feeds the model nothing

        def make_grid_images(self):
            return np.stack([np.full((HEIGHT, WIDTH, 3), i * 40, np.uint8) for i in range(6)])

    callback = ConstantGrid(directory=tmp_path, num_rows=ROWS, num_cols=COLS)
    fit([callback], epochs=1)
    with Image.open(callback.paths[0]) as image:
        pixels = np.asarray(image)
    assert pixels[2, 2 + WIDTH + 2].tolist() == [40, 40, 40]  # first row, second cell


def test_requires_a_destination():
    with pytest.raises(ValueError, match="`directory`.*`log_dir`"):
        sample_grid.SampleGrid()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_rows": 0}, "`num_rows` must be a positive integer"),
        ({"every_n_epochs": 1.5}, "`every_n_epochs` must be a positive integer"),
        ({"file_format": "step_{step}.png"}, "`file_format`.*'step_{step}.png'"),
    ],
)
def test_rejects_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sample_grid.SampleGrid(directory=tmp_path, **kwargs)


def test_model_without_latent_dim_fails_before_training(tmp_path):
    model = TinyGAN()
    del model.latent_dim
    callback = sample_grid.SampleGrid(directory=tmp_path)
    with pytest.raises(ValueError, match="TinyGAN has `latent_dim` = None"):
        fit([callback], model=model)
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize(
    "output_shape, message",
    [
        ((30,), r"rank 4\), but got rank 2 with shape \(6, 30\)"),
        ((HEIGHT, WIDTH, 2), r"got 2 channels \(shape \(6, 6, 5, 2\)\)"),
    ],
)
def test_rejects_outputs_that_are_not_images(tmp_path, output_shape, message):
    model = TinyGAN(output_shape=output_shape)
    callback = sample_grid.SampleGrid(directory=tmp_path, num_rows=ROWS, num_cols=COLS)
    callback.set_model(model)
    with pytest.raises(ValueError, match=f"The output of TinyGAN must .*{message}"):
        callback.write_grid(0)


class ConditionalStandIn(keras.Model):
    """Stand-in for a `kgan.ConditionalGAN`: `model((z, labels))` maps the noise and/or the
    condition linearly to an image (`uses` is "both", "z" or "labels")."""

    def __init__(self, uses="both", num_classes=3, condition_dim=None, latent_dim=4):
        super().__init__()
        self.latent_dim, self.num_classes, self.condition_dim = latent_dim, num_classes, None
        if condition_dim is not None:
            self.num_classes, self.condition_dim = None, condition_dim
        rng = np.random.default_rng(0)
        self.from_z = rng.normal(size=(latent_dim, HEIGHT * WIDTH)).astype("float32")
        labels_size = condition_dim or num_classes
        self.from_labels = rng.normal(size=(labels_size, HEIGHT * WIDTH)).astype("float32")
        self.uses = uses

    def call(self, inputs, training=False):
        z, labels = inputs
        if self.num_classes is not None:
            labels = keras.ops.one_hot(labels, self.num_classes)
        flat = keras.ops.zeros((keras.ops.shape(z)[0], HEIGHT * WIDTH))
        if self.uses in ("both", "z"):
            flat = flat + keras.ops.matmul(z, self.from_z)
        if self.uses in ("both", "labels"):
            flat = flat + keras.ops.matmul(keras.ops.cast(labels, "float32"), self.from_labels)
        return keras.ops.reshape(keras.ops.tanh(flat), (-1, HEIGHT, WIDTH, 1))


def grid_cells(model, tmp_path, **kwargs):
    """Writes one grid of `model` and reads it back: `(PNG size, cells [rows, cols, H, W])`."""
    callback = sample_grid.SampleGrid(directory=tmp_path, num_cols=COLS, **kwargs)
    callback.set_model(model)
    with Image.open(callback.write_grid(0)) as image:
        size, pixels = image.size, np.asarray(image)
    cells = [
        [
            pixels[2 + r * (HEIGHT + 2) :][:HEIGHT, 2 + c * (WIDTH + 2) :][:, :WIDTH]
            for c in range(COLS)
        ]
        for r in range(callback.num_rows)
    ]
    return size, np.asarray(cells)


def conditional_grid_size(rows):
    return (COLS * (WIDTH + 2) + 2, rows * (HEIGHT + 2) + 2)


def test_conditional_grid_has_a_row_per_class_and_noise_fixed_per_column(tmp_path):
    size, cells = grid_cells(ConditionalStandIn("both"), tmp_path)
    assert size == conditional_grid_size(3) and cells.shape[:2] == (3, COLS)
    assert len({cell.tobytes() for cell in cells.reshape(-1, HEIGHT, WIDTH)}) == 3 * COLS
    # A generator that ignores the noise repeats one image along each row ...
    _, by_label = grid_cells(ConditionalStandIn("labels"), tmp_path)
    assert all((row == row[0]).all() for row in by_label)
    assert not (by_label[0] == by_label[1]).all()
    # ... and one that ignores the condition repeats each column down the rows.
    _, by_noise = grid_cells(ConditionalStandIn("z"), tmp_path)
    assert all((by_noise[r] == by_noise[0]).all() for r in range(3))
    assert not (by_noise[0, 0] == by_noise[0, 1]).all()


def test_conditional_grid_shows_given_classes_or_attribute_vectors(tmp_path):
    _, cells = grid_cells(ConditionalStandIn("labels"), tmp_path, labels=[2, 0])
    _, all_classes = grid_cells(ConditionalStandIn("labels"), tmp_path)
    np.testing.assert_array_equal(cells, all_classes[[2, 0]])
    attributes = np.array([[1, 0, 1, 0], [0, 1, 1, 0]], "float32")
    model = ConditionalStandIn("labels", condition_dim=4)
    size, cells = grid_cells(model, tmp_path, labels=attributes, num_rows=2)
    assert size == conditional_grid_size(2) and not (cells[0] == cells[1]).all()


@pytest.mark.parametrize(
    "condition_dim, kwargs, message",
    [
        (4, {}, "give SampleGrid `labels`"),
        (None, {"labels": [0, 3]}, r"class ids in \[0, 3\)"),
        (4, {"labels": [[1, 0]]}, r"\[rows, 4\]"),
        (None, {"num_rows": 2}, "3 conditions, but num_rows=2"),
        ("unconditional", {"labels": [0, 1]}, "TinyGAN is not conditional"),
    ],
)
def test_conditional_grid_errors(tmp_path, condition_dim, kwargs, message):
    if condition_dim == "unconditional":
        model = TinyGAN()
    else:
        model = ConditionalStandIn(condition_dim=condition_dim)
    callback = sample_grid.SampleGrid(directory=tmp_path, **kwargs)
    callback.set_model(model)
    with pytest.raises(ValueError, match=message):
        callback.on_train_begin()


def test_fits_a_conditional_gan_with_a_row_per_class(tmp_path):
    from kgan.models import conditional_gan
    from kgan.networks import conditional_discriminators
    from kgan.networks import conditional_generators

    shape = (HEIGHT, WIDTH, 1)
    model = conditional_gan.ConditionalGAN(
        conditional_generators.conditional_mlp_generator(
            4, shape, num_classes=3, hidden_units=(8,)
        ),
        conditional_discriminators.conditional_discriminator(
            conditional_discriminators.mlp_features(shape, hidden_units=(8,)),
            num_classes=3,
            hidden_units=(8,),
        ),
        num_classes=3,
        seed=0,
    )
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, *shape)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices((images, np.arange(8) % 3)).batch(4)
    callback = sample_grid.SampleGrid(directory=tmp_path, num_cols=COLS)
    model.fit(dataset, epochs=1, callbacks=[callback], verbose=0)
    with Image.open(callback.paths[0]) as image:
        assert image.size == conditional_grid_size(3)


def tiny_pix2pix(source_channels=1, channels=1):
    from kgan.models.pix2pix import Pix2Pix
    from kgan.testing import paired

    model = Pix2Pix(
        paired.tiny_translation_generator(8, source_channels=source_channels, channels=channels),
        paired.tiny_patch_discriminator(8, source_channels=source_channels, channels=channels),
        seed=0,
    )
    model.compile()
    return model


def test_image_to_image_grid_rows_are_source_generated_target(tmp_path):
    from kgan.testing import paired

    model = tiny_pix2pix()
    sources, targets = paired.negation_pairs(num=5, image_size=8)
    callback = sample_grid.SampleGrid(directory=tmp_path, examples=(sources, targets), num_rows=4)
    callback.set_model(model)
    with Image.open(callback.write_grid(0)) as image:
        pixels = np.asarray(image)
    assert pixels.shape == (4 * 10 + 2, 3 * 10 + 2)  # 4 examples, 3 panels, 8 px + 2 padding
    cell = lambda r, c: pixels[2 + r * 10 :][:8, 2 + c * 10 :][:, :8]  # noqa: E731
    generated = images_lib.to_uint8(model.translate(sources[:4]))
    for row in range(4):
        np.testing.assert_array_equal(cell(row, 0), images_lib.to_uint8(sources[row])[..., 0])
        np.testing.assert_array_equal(cell(row, 1), generated[row, ..., 0])
        np.testing.assert_array_equal(cell(row, 2), images_lib.to_uint8(targets[row])[..., 0])


def test_fits_a_pix2pix_with_held_out_examples_from_a_dataset(tmp_path):
    from kgan.testing import paired

    model = tiny_pix2pix(source_channels=1, channels=3)
    sources, _ = paired.negation_pairs(num=8, image_size=8)
    targets = np.repeat(-sources, 3, axis=-1)  # gray source, colour target
    held_out = tf.data.Dataset.from_tensor_slices((sources[:6], targets[:6])).batch(4)
    callback = sample_grid.SampleGrid(
        directory=tmp_path, log_dir=tmp_path / "logs", examples=held_out
    )
    model.fit(sources, targets, batch_size=4, epochs=2, callbacks=[callback], verbose=0)
    assert [os.path.basename(path) for path in callback.paths] == [
        "epoch_0001.png",
        "epoch_0002.png",
    ]
    with Image.open(callback.paths[-1]) as image:
        assert image.mode == "RGB" and image.size == (3 * 10 + 2, 6 * 10 + 2)
    assert [step for step, _, _ in read_images(tmp_path / "logs" / "samples")["samples"]] == [0, 1]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "pass `examples`"),
        ({"examples": np.zeros((2, 8, 8, 1)), "num_cols": 8}, r"one column per panel .*\(2\)"),
        ({"examples": np.zeros((2, 8, 8, 1)), "labels": [0]}, "translates images"),
    ],
)
def test_image_to_image_grid_errors(tmp_path, kwargs, message):
    callback = sample_grid.SampleGrid(directory=tmp_path, **kwargs)
    callback.set_model(tiny_pix2pix())
    with pytest.raises(ValueError, match=message):
        callback.on_train_begin()
        callback.write_grid(0)


def test_examples_are_refused_for_a_latent_model(tmp_path):
    callback = sample_grid.SampleGrid(directory=tmp_path, examples=np.zeros((2, 6, 5, 1)))
    callback.set_model(TinyGAN())
    with pytest.raises(ValueError, match="samples from latent vectors"):
        callback.on_train_begin()
