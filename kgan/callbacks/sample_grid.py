"""`SampleGrid`: a callback that saves a grid of generated images as training goes on."""

import os

import keras
import numpy as np
import tensorflow as tf

from kgan.callbacks import grid_panels
from kgan.utils import images as images_lib

# Rows of an unconditional grid (and examples of an image-to-image one) when `num_rows` is not
# given, and columns when `num_cols` is not given.
DEFAULT_ROWS = 8
DEFAULT_COLS = 8


class SampleGrid(keras.callbacks.Callback):
    """Writes a grid of generated images every few epochs, to PNG files and/or TensorBoard.

    The latent vectors are drawn once, from `seed`, so every grid shows the same points of latent
    space and the grids of successive epochs (and of separate runs) can be compared side by side.
    Images are generated with `model(z, training=False)` in batches of `batch_size`.

    A grid is written at the end of every `every_n_epochs`-th epoch. The final model is always
    captured too: if the last epoch that ran was not a multiple of `every_n_epochs` (or training
    stopped early, e.g. by `EarlyStopping`), one more grid is written for it when training ends.

    Numbering follows the Keras callbacks that sit beside this one: PNG names count finished
    epochs from 1, like `ModelCheckpoint`'s `{epoch}` (the first epoch writes `epoch_0001.png`),
    while TensorBoard steps are Keras's 0-based epoch index, like the `epoch_*` scalars of
    `keras.callbacks.TensorBoard`, so images and losses line up on the same step axis.

    Summaries go to `log_dir/samples`, so `SampleGrid(log_dir=d)` and
    `keras.callbacks.TensorBoard(d)` (which writes `d/train` and `d/validation`) can share one
    log directory and show up as separate runs of one TensorBoard.

    What to feed the model and what to tile are the two methods to override for other objectives;
    file and TensorBoard writing stay shared:

    - `grid_inputs()` returns the fixed model inputs (by default latent vectors of shape
      `[num_rows * num_cols, model.latent_dim]`, or `(latents, labels)` for a conditional
      model); it is called at the start of training, so a model that does not fit fails before
      the first epoch, not after it.
    - `make_grid_images()` returns the `[num_rows * num_cols, H, W, C]` images to tile, row by row
      (by default the model's outputs for `grid_inputs()`).

    **Conditional models** (`kgan.ConditionalGAN`, or any model with `latent_dim` and
    `num_classes` or `condition_dim` that is called as `model((z, labels))`) get one row per
    condition and one column per latent vector: row `r` shows condition `labels[r]` (by default
    the classes `0 .. num_classes - 1`, one per row), and column `c` uses the same latent vector
    in every row, so reading down a column shows what the condition alone changes and reading
    along a row what the noise changes. An attribute model needs `labels` (its attribute
    vectors, one per row); a class model takes them to show selected classes only.

    **Image-to-image models** (`kgan.Pix2Pix`, or any model with a `sample_panels(*examples,
    batch_size)` method returning a list of image batches) have no latent space to sample:
    their grid shows what the model does to fixed `examples`, one example per row and one
    panel per column. For `Pix2Pix` a row reads source | generated | target; a gray source
    beside a colour target is shown in gray RGB.

    Args:
        directory: folder for the PNG files, created if missing; `None` writes no files.
            Defaults to `None`.
        log_dir: TensorBoard log directory; summaries go to its `samples` subfolder. `None` writes
            no summaries. Defaults to `None`. At least one of `directory` and `log_dir` is needed.
        num_rows: rows of the grid. Defaults to `None`: `8`, or one row per condition for a
            conditional model (given, it must equal the number of conditions).
        num_cols: columns of the grid. Defaults to `None`: `8`, or one column per panel for an
            image-to-image model (given, it must equal the number of panels).
        every_n_epochs: write a grid after every this many epochs. Defaults to `1`.
        seed: seed of the NumPy generator that draws the latent vectors; `None` draws different
            vectors each run (still fixed across the epochs of one run). Defaults to `0`.
        tag: name of the image summary in TensorBoard. Defaults to `"samples"`.
        file_format: PNG file name inside `directory`, formatted with `epoch` (1-based). Defaults
            to `"epoch_{epoch:04d}.png"`.
        batch_size: how many images to generate per model call. Defaults to `64`.
        labels: conditional models only: the condition of each row, class ids `[rows]` or
            attribute vectors `[rows, condition_dim]`. Defaults to `None`: every class, in
            order (required for attribute vectors).
        examples: image-to-image models only (required there): the inputs to show, fixed for
            the whole run: a tuple of image arrays such as `(sources, targets)` (uint8 pixels
            or floats in [-1, 1]), or a dataset of such batches (keep it unshuffled so every
            grid shows the same examples); one example per row, `num_rows` of them (default
            `8`, fewer if fewer are given). Use held-out pairs to see generalisation.

    Attributes:
        paths: list of the PNG paths written so far, oldest first.

    Example:

    ```python
    gan.fit(
        dataset,
        epochs=20,
        callbacks=[
            kgan.callbacks.SampleGrid(directory="samples", log_dir="logs", every_n_epochs=5),
            keras.callbacks.TensorBoard("logs"),
        ],
    )
    ```

    A conditional model gets one row per class (here 10), the noise fixed per column:

    ```python
    conditional_gan.fit(
        labelled_dataset,
        epochs=20,
        callbacks=[kgan.callbacks.SampleGrid(directory="samples", num_cols=8)],
    )
    # Selected classes, or attribute vectors, one per row:
    kgan.callbacks.SampleGrid(directory="samples", labels=[3, 5, 8])

    An image-to-image model shows held-out pairs, one per row:

    ```python
    pix2pix.fit(
        train_pairs,
        epochs=50,
        callbacks=[kgan.callbacks.SampleGrid(directory="samples", examples=(sources, targets))],
    )
    ```
    """

    # Subfolder of `log_dir` for the image event files; Keras's TensorBoard owns train/ and
    # validation/, and two writers on one folder would interleave their event files.
    summary_subdir = "samples"

    def __init__(
        self,
        directory=None,
        log_dir=None,
        num_rows=None,
        num_cols=None,
        every_n_epochs=1,
        seed=0,
        tag="samples",
        file_format="epoch_{epoch:04d}.png",
        batch_size=64,
        labels=None,
        examples=None,
    ):
        super().__init__()
        if directory is None and log_dir is None:
            raise ValueError(
                "SampleGrid needs somewhere to write: pass `directory` (PNG files), `log_dir` "
                "(TensorBoard summaries) or both."
            )
        for name, value in (
            ("num_rows", 1 if num_rows is None else num_rows),
            ("num_cols", DEFAULT_COLS if num_cols is None else num_cols),
            ("every_n_epochs", every_n_epochs),
            ("batch_size", batch_size),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
        try:
            file_format.format(epoch=1)
        except (KeyError, IndexError, ValueError, AttributeError) as error:
            raise ValueError(
                f"`file_format` must be a format string using only the field `epoch`, e.g. "
                f"'epoch_{{epoch:04d}}.png'; formatting {file_format!r} failed: {error!r}."
            ) from error

        self.directory = None if directory is None else os.fspath(directory)
        self.log_dir = None if log_dir is None else os.fspath(log_dir)
        # None until `grid_inputs` knows whether the model is conditional.
        self.num_rows = None if num_rows is None else int(num_rows)
        self._rows_given = num_rows is not None
        self.labels = None if labels is None else np.asarray(labels)
        self.num_cols = DEFAULT_COLS if num_cols is None else int(num_cols)
        self._cols_given = num_cols is not None
        self.examples = examples
        self.every_n_epochs = int(every_n_epochs)
        self.seed = seed
        self.tag = tag
        self.file_format = file_format
        self.batch_size = int(batch_size)
        self.paths = []
        self._inputs = None
        self._writer = None
        self._last_epoch = None
        self._last_written_epoch = None

    @property
    def num_images(self):
        """Number of cells in the grid, `num_rows * num_cols`."""
        return (self.num_rows or DEFAULT_ROWS) * self.num_cols

    @property
    def inputs(self):
        """The fixed model inputs, from `grid_inputs()`, computed on first use."""
        if self._inputs is None:
            self._inputs = self.grid_inputs()
        return self._inputs

    def grid_inputs(self):
        """Returns the fixed inputs that `make_grid_images` feeds the model.

        Override for models that take other inputs.

        Returns:
            A float32 array `[num_rows * num_cols, model.latent_dim]` of standard normal vectors,
            the same for every call with the same `seed` and `latent_dim`; for a conditional
            model, `(latents, labels)`, with `num_cols` vectors repeated in every row and each
            row's condition repeated along it.
        """
        if grid_panels.is_image_to_image(self.model):
            return self._translation_inputs()
        latent_dim = self._latent_dim()
        # A private Generator, not the global NumPy/Keras state: the vectors must not depend on
        # what else the program drew, or grids of two runs would not be comparable.
        rng = np.random.default_rng(self.seed)
        if self.examples is not None:
            raise ValueError(
                f"SampleGrid got `examples`, but {type(self.model).__name__} samples from "
                "latent vectors (it has no `sample_panels` method); leave `examples` out."
            )
        row_labels = self._row_labels()
        if row_labels is None:
            if self.labels is not None:
                raise ValueError(
                    f"SampleGrid got `labels`, but {type(self.model).__name__} is not "
                    "conditional (it has neither `num_classes` nor `condition_dim`)."
                )
            if not self._rows_given:
                self.num_rows = DEFAULT_ROWS
            return rng.standard_normal((self.num_images, latent_dim), dtype=np.float32)
        if self._rows_given and self.num_rows != len(row_labels):
            raise ValueError(
                f"SampleGrid shows one row per condition: {len(row_labels)} conditions, but "
                f"num_rows={self.num_rows}. Leave num_rows out, or give `labels` with one "
                "condition per row."
            )
        self.num_rows = len(row_labels)
        latents = rng.standard_normal((self.num_cols, latent_dim), dtype=np.float32)
        # Cell (row, col) is index row * num_cols + col: column col always gets latents[col].
        return np.tile(latents, (self.num_rows, 1)), np.repeat(row_labels, self.num_cols, axis=0)

    def _row_labels(self):
        """The condition of each row for a conditional model, or `None` for another model."""
        num_classes = getattr(self.model, "num_classes", None)
        condition_dim = getattr(self.model, "condition_dim", None)
        if num_classes is None and condition_dim is None:
            return None
        if self.labels is None:
            if num_classes is None:
                raise ValueError(
                    f"{type(self.model).__name__} is conditioned on attribute vectors "
                    f"(condition_dim={condition_dim}): give SampleGrid `labels`, the attribute "
                    "vector of each row."
                )
            return np.arange(int(num_classes), dtype=np.int32)
        labels = self.labels
        if labels.ndim == 0 or labels.shape[0] == 0:
            raise ValueError(f"SampleGrid `labels` needs one condition per row; got {labels!r}.")
        if num_classes is not None:
            if labels.ndim == 2 and labels.shape[1] == 1:
                labels = labels[:, 0]
            if (
                labels.ndim != 1
                or not np.issubdtype(labels.dtype, np.integer)
                or labels.min() < 0
                or labels.max() >= num_classes
            ):
                raise ValueError(
                    f"SampleGrid `labels` for a model with num_classes={num_classes} must be "
                    f"class ids in [0, {num_classes}), one per row; got {self.labels!r}."
                )
            return labels.astype(np.int32)
        if labels.ndim != 2 or labels.shape[1] != condition_dim:
            raise ValueError(
                f"SampleGrid `labels` for a model with condition_dim={condition_dim} must be "
                f"attribute vectors [rows, {condition_dim}]; got shape {labels.shape}."
            )
        return labels.astype(np.float32)

    def _latent_dim(self):
        """`model.latent_dim`, checked."""
        latent_dim = getattr(self.model, "latent_dim", None)
        if isinstance(latent_dim, bool) or not isinstance(latent_dim, (int, np.integer)):
            raise ValueError(
                f"SampleGrid draws latent vectors of size `model.latent_dim`, but "
                f"{type(self.model).__name__} has `latent_dim` = {latent_dim!r} (expected a "
                "positive int). Give the model an int `latent_dim` attribute, or subclass "
                "SampleGrid and override `grid_inputs` / `make_grid_images`."
            )
        if latent_dim < 1:
            raise ValueError(f"`model.latent_dim` must be positive, got {latent_dim}.")
        return int(latent_dim)

    def make_grid_images(self):
        """Returns the images to tile, row by row.

        Override to change the layout, e.g. to interleave source, generated and target images of
        an image-to-image model.

        Returns:
            An array `[num_rows * num_cols, H, W, C]` (fewer images leave empty cells) of floats in
            [-1, 1] or of uint8 pixels.
        """
        if grid_panels.is_image_to_image(self.model):
            panels = self.model.sample_panels(*self.inputs, batch_size=self.batch_size)
            if self._cols_given and self.num_cols != len(panels):
                raise ValueError(
                    f"SampleGrid shows one column per panel of {type(self.model).__name__} "
                    f"({len(panels)}), but num_cols={self.num_cols}. Leave num_cols out."
                )
            self.num_cols = len(panels)
            return grid_panels.interleave_panels(panels)
        return self.generate(self.inputs)

    def _translation_inputs(self):
        """The fixed `examples` of an image-to-image model, one per row."""
        if self.labels is not None:
            raise ValueError(
                f"SampleGrid got `labels`, but {type(self.model).__name__} translates images; "
                "give the images to translate as `examples`."
            )
        examples = grid_panels.read_examples(
            self.examples, self.num_rows or DEFAULT_ROWS, type(self.model).__name__
        )
        self.num_rows = len(examples[0])
        return examples

    def generate(self, inputs):
        """Runs `model(inputs, training=False)` in batches and checks the result is images.

        Args:
            inputs: an array, or a tuple/list/dict of arrays sharing their first axis.

        Returns:
            A NumPy array `[N, H, W, C]` with `C` in (1, 3, 4).
        """
        num_inputs = len(keras.tree.flatten(inputs)[0])
        if num_inputs == 0:
            raise ValueError("SampleGrid got no inputs to generate images from.")
        batches = []
        for start in range(0, num_inputs, self.batch_size):
            stop = start + self.batch_size
            batch = keras.tree.map_structure(
                lambda x, start=start, stop=stop: x[start:stop], inputs
            )
            outputs = self.model(batch, training=False)
            if isinstance(outputs, (list, tuple, dict)):
                raise ValueError(
                    f"SampleGrid expects `model(inputs, training=False)` to return one batch of "
                    f"images, but {type(self.model).__name__} returned a "
                    f"{type(outputs).__name__} of {len(outputs)} items. Override "
                    "`make_grid_images` to pick the images to show."
                )
            batches.append(keras.ops.convert_to_numpy(outputs))
        images = np.concatenate(batches, axis=0)
        images_lib.check_image_batch(images, name=f"The output of {type(self.model).__name__}")
        return images

    def write_grid(self, epoch):
        """Generates the grid and writes it to `directory` and/or TensorBoard.

        Args:
            epoch: Keras's 0-based epoch index; the PNG is named after `epoch + 1` and the
                summary is written at step `epoch`.

        Returns:
            The PNG path written, or `None` when `directory` is `None`.
        """
        images = np.asarray(self.make_grid_images())
        images_lib.check_image_batch(images, name="The images from `make_grid_images`")
        grid = images_lib.make_grid(images, rows=self.num_rows or DEFAULT_ROWS, cols=self.num_cols)

        path = None
        if self.directory is not None:
            path = os.path.join(self.directory, self.file_format.format(epoch=epoch + 1))
            images_lib.save_png(path, grid)
            self.paths.append(path)
        if self.log_dir is not None:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(
                    os.path.join(self.log_dir, self.summary_subdir)
                )
            # record_if(True): Keras's TensorBoard(update_freq=N) leaves a `record_if(step % N ==
            # 0)` condition active between batches, which would otherwise silently drop this image.
            with self._writer.as_default(), tf.summary.record_if(True):
                tf.summary.image(self.tag, grid[np.newaxis], step=epoch, max_outputs=1)
            # Flush now so TensorBoard shows the grid while training runs on.
            self._writer.flush()
        self._last_written_epoch = epoch
        return path

    def close(self):
        """Closes the TensorBoard writer; a later grid opens a new one."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def on_train_begin(self, logs=None):
        # Build the inputs now so a model without `latent_dim` fails before the first epoch.
        self._inputs = self.grid_inputs()
        self._last_epoch = None
        self._last_written_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        self._last_epoch = epoch
        # (epoch + 1): epochs finished so far, so with every_n_epochs=5 grids come after epochs
        # 5, 10, ... (also when resuming with `initial_epoch`).
        if (epoch + 1) % self.every_n_epochs == 0:
            self.write_grid(epoch)

    def on_train_end(self, logs=None):
        try:
            if self._last_epoch is not None and self._last_written_epoch != self._last_epoch:
                self.write_grid(self._last_epoch)
        finally:
            self.close()
