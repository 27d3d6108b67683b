"""`ImagePool`: a history buffer of generated images for the discriminator (CycleGAN).

Keras has no such layer. Its state (the stored images and their count) is made of non-trainable
Keras variables, so it is saved with the model's weights, as batch-norm statistics are, and
`BackupAndRestore` or a reloaded `.keras` model resumes with the same pool.
"""

import keras
import tensorflow as tf


def query_pool(buffer, count, images, seed, pool_size):
    """Exchanges a batch of images with a history pool; a pure function.

    Follows `ImagePool.query` of the authors' pytorch-CycleGAN-and-pix2pix code image by image, in
    batch order: while the pool holds fewer than `pool_size` images, the image is stored and
    returned; once it is full, with probability 0.5 a uniformly chosen stored image is returned
    and the new image takes its place, otherwise the new image is returned and the pool is left
    as it was. The order matters: an image stored early in a batch can come back later in the
    same batch, so the batch is walked with a `tf.while_loop` rather than vectorized.

    The coin flips and slot indices come only from `tf.random.stateless_*` with `seed`, so the
    result is a pure function of the inputs: equal inputs give equal outputs and state.

    Args:
        buffer: Stored images, `[pool_size, height, width, channels]`; only the first `count`
            rows are meaningful.
        count: Number of stored images, a scalar int32 tensor in `[0, pool_size]`.
        images: A batch `[batch, height, width, channels]`.
        seed: A stateless seed, an int32 or int64 tensor of shape `[2]` (e.g. from
            `kgan.models.noise.step_seed`).
        pool_size: The pool's capacity, a Python int; `0` returns `images` unchanged.

    Returns:
        `(outputs, new_buffer, new_count)`: the batch to show the discriminator (shape and dtype
        of `images`), the updated buffer and the updated count.

    Example:

    >>> buffer = tf.zeros([4, 8, 8, 3])
    >>> fakes = tf.random.uniform([2, 8, 8, 3])
    >>> outputs, buffer, count = query_pool(buffer, 0, fakes, tf.constant([1, 2]), 4)
    >>> int(count)  # the pool was not full: both images stored and returned as they were
    2
    """
    pool_size = int(pool_size)
    count = tf.convert_to_tensor(count, tf.int32)
    images = tf.convert_to_tensor(images)
    buffer = tf.convert_to_tensor(buffer)
    if pool_size == 0:
        return images, buffer, count
    _check_images(images, buffer.shape[1:])
    batch = tf.shape(images)[0]
    coin_seed, slot_seed = tf.unstack(tf.random.experimental.stateless_split(seed, num=2))
    # One coin and one slot per image, drawn up front; a draw is ignored while the pool fills,
    # as the reference draws only once the pool is full (same distribution).
    coins = tf.random.stateless_uniform([batch], seed=coin_seed)
    slots = tf.random.stateless_uniform(
        [batch], seed=slot_seed, minval=0, maxval=pool_size, dtype=tf.int32
    )
    # The pool keeps images in its own dtype (float32 under mixed precision: float16 and
    # bfloat16 values round-trip exactly), and hands them back in the caller's.
    stored_images = tf.cast(images, buffer.dtype)
    outputs = tf.TensorArray(buffer.dtype, size=batch, element_shape=buffer.shape[1:])

    def body(index, buffer, count, outputs):
        image = stored_images[index]
        filling = count < pool_size
        swap = tf.logical_and(tf.logical_not(filling), coins[index] < 0.5)
        slot = tf.where(filling, count, slots[index])
        old_image = buffer[slot]
        outputs = outputs.write(index, tf.where(swap, old_image, image))
        # Filling or swapping writes the new image into the slot; otherwise the slot's own
        # image is written back, a no-op that spares a tf.cond.
        written = tf.where(tf.logical_or(filling, swap), image, old_image)
        buffer = tf.tensor_scatter_nd_update(buffer, [[slot]], written[tf.newaxis])
        count = tf.where(filling, count + 1, count)
        return index + 1, buffer, count, outputs

    _, buffer, count, outputs = tf.while_loop(
        lambda index, *_: index < batch,
        body,
        (tf.constant(0, tf.int32), buffer, count, outputs),
    )
    outputs = tf.cast(outputs.stack(), images.dtype)
    return outputs, buffer, count


@keras.saving.register_keras_serializable(package="kgan")
class ImagePool(keras.layers.Layer):
    """A history of generated images, shown to the discriminator instead of the newest ones.

    Updating the discriminator with images from the generator's history, not only its latest
    output, damps the oscillation of adversarial training (Shrivastava et al. 2017); CycleGAN
    keeps 50 images (Zhu et al. 2017, section 4). `pool(fakes, seed)` returns a batch of the same
    shape: while the pool fills, each image is stored and returned; once it is full, each image
    is, with probability 0.5, swapped for a uniformly chosen stored one (returned, and replaced
    by the new image), or else returned itself. See `query_pool` for the exact rule.

    The state is two non-trainable variables, built from the first batch's shape: the buffer
    `[pool_size, height, width, channels]` and the number of images stored. Being weights, they
    are saved and restored with the model (`.keras` files, `BackupAndRestore`).

    Randomness comes only from the `seed` argument, through `tf.random.stateless_*`, so the pool
    is a pure function of its inputs and resumes bit-exactly. Under `tf.distribute`, give every
    replica the *global* batch (all-gathered) and the same seed: each replica then makes the same
    update, and the variables (aggregated `"only_first_replica"`) stay in sync. Feeding each
    replica only its own slice would desynchronize the copies.

    The output is wrapped in `tf.stop_gradient`: the pool feeds the discriminator's update, for
    which generated images are constants, and a returned image may be an old tensor with no path
    to the current generator anyway.

    Args:
        pool_size: Number of images kept; `0` disables the pool (images are returned
            unchanged). Defaults to `50` (the paper's value).
        **kwargs: Passed to `keras.layers.Layer` (e.g. `name`).

    Call arguments:
        images: A batch `[batch, height, width, channels]`; later calls must have the same
            height, width and channels as the first.
        seed: A stateless seed tensor of shape `[2]` (int32 or int64), e.g.
            `kgan.models.noise.step_seed(model_seed, step, stream)`.

    Returns:
        A batch of the shape and dtype of `images`.

    Example:

    ```python
    pool = kgan.layers.ImagePool(pool_size=50)
    seed = kgan.models.noise.step_seed(model.seed, step, stream=7)
    fake_for_discriminator = pool(fake_images, seed)
    ```

    Reference:
        - [Zhu et al., 2017](https://arxiv.org/abs/1703.10593), section 4.
        - [Shrivastava et al., 2017](https://arxiv.org/abs/1612.07828), section 2.3.
    """

    def __init__(self, pool_size=50, **kwargs):
        # The pool hands back images in the dtype it receives: inputs are not autocast to the
        # dtype policy's compute dtype (the buffer is kept in its variable dtype).
        kwargs["autocast"] = False
        super().__init__(**kwargs)
        if isinstance(pool_size, bool) or int(pool_size) != pool_size or pool_size < 0:
            raise ValueError(f"pool_size must be an integer >= 0, got {pool_size!r}.")
        self.pool_size = int(pool_size)
        self.buffer = None
        self.count = None

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 4 or any(size is None for size in input_shape[1:]):
            raise ValueError(
                "ImagePool takes image batches [batch, height, width, channels] with known "
                f"height, width and channels; got shape {input_shape}."
            )
        # Every replica makes the same update from the same global batch and seed (see the class
        # docstring), so the first replica's value is the value.
        self.buffer = self.add_weight(
            shape=(self.pool_size, *input_shape[1:]),
            initializer="zeros",
            dtype=self.variable_dtype,
            trainable=False,
            autocast=False,
            aggregation="only_first_replica",
            name="buffer",
        )
        self.count = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            aggregation="only_first_replica",
            name="count",
        )

    def call(self, images, seed):
        images = tf.convert_to_tensor(images)
        _check_images(images, tuple(self.buffer.shape[1:]))
        if self.pool_size == 0:
            return tf.stop_gradient(images)
        outputs, buffer, count = query_pool(
            self.buffer.value, self.count.value, images, seed, self.pool_size
        )
        self.buffer.assign(buffer)
        self.count.assign(count)
        return tf.stop_gradient(outputs)

    def query_replicated(self, images, seed, offset, size):
        """This replica's rows of the pool's answer to the *global* batch of `images`.

        Under `tf.distribute`, every replica gathers all replicas' images and queries its copy
        of the pool with the same seed, so all copies make the same update; it then keeps rows
        `offset .. offset + size` (its own examples). On one device this is `self(images, seed)`.

        Args:
            images: This replica's batch.
            seed: The stateless seed, the same on every replica.
            offset: Index of this replica's first example in the global batch.
            size: Examples on this replica.
        """
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return self(images, seed)
        # all_gather loses the static image shape, which the pool checks at trace time.
        gathered = tf.ensure_shape(context.all_gather(images, axis=0), [None, *images.shape[1:]])
        return self(gathered, seed)[offset : offset + size]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=self.pool_size)
        return config


def _check_images(images, image_shape):
    """Fails at trace time, naming both shapes, unless `images` are `[batch, *image_shape]`."""
    if images.shape.rank != 4:
        raise ValueError(
            "ImagePool takes image batches [batch, height, width, channels]; got shape "
            f"{tuple(images.shape)}."
        )
    if tuple(images.shape[1:]) != tuple(image_shape):
        raise ValueError(
            f"ImagePool was built for images of shape {tuple(image_shape)}, but got a batch of "
            f"shape {tuple(images.shape)}. Use one pool per image shape."
        )
