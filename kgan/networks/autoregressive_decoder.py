"""`AutoregressiveDecoder`: the decoding interface every token generator shares.

`RecurrentGenerator` and `TransformerGenerator` decode alike: the teacher-forced input is the
sequence shifted behind a start token, a step is "advance the state by one token, then the
softmax layer", and free running is `sequence_sampling.run_steps` over those steps. Only the
state differs (LSTM or GRU cells, a key/value cache), so that is all a generator implements:

- `initial_state(rows)`: the state before the first token;
- `advance(tokens, state, training)`: `(output, new state)`, one step without the softmax layer;
- optionally `_check_unroll(length, prefix, prefix_length)`: refuses what its state cannot run
  (a cache has room for `max_length` positions only).

The mixin holds no layers and no configuration, so it is not registered with Keras: a saved
generator is its own class, and its `.keras` file does not name this one.
"""

import tensorflow as tf

from kgan.networks import sequence_sampling


class AutoregressiveDecoder:
    """Mixin of a `keras.Model` token generator: teacher inputs, `step` and free-running `unroll`.

    The model provides the attributes `start_token` (the extra embedding row that starts every
    sequence, never produced), `max_length` and `to_logits` (the softmax layer, a `Dense` over
    the vocabulary), and the methods `initial_state` and `advance` (see the module docstring).

    Example:

    ```python
    @keras.saving.register_keras_serializable(package="kgan")
    class MyGenerator(AutoregressiveDecoder, keras.Model):
        ...  # __init__ sets start_token, max_length, to_logits
        def initial_state(self, rows): ...
        def advance(self, tokens, state, training=None): ...
    ```
    """

    def teacher_inputs(self, tokens):
        """`tokens` `[batch, T]` shifted right behind the start token: the teacher-forced input."""
        tokens = tf.convert_to_tensor(tokens, tf.int32)
        start = tf.fill([tf.shape(tokens)[0], 1], self.start_token)
        return tf.concat([start, tokens[:, :-1]], axis=1)

    def initial_state(self, rows):
        """The decoding state before the first token, for `rows` sequences: a list of tensors."""
        raise NotImplementedError(f"{type(self).__name__} must implement initial_state(rows).")

    def advance(self, tokens, state, training=None):
        """One decoding step without the softmax layer: `(output, new state)` after `tokens`."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement advance(tokens, state, training)."
        )

    def output_logits(self, output):
        """float32 logits `[..., vocab_size]` of `advance`'s `output` rows (or `call`'s)."""
        # float32 under mixed precision too: the losses and the sampling read these logits.
        return tf.cast(self.to_logits(output), tf.float32)

    def step(self, tokens, state, training=None):
        """One decoding step: `(logits [rows, vocab_size], new state)` after `tokens`."""
        output, new_state = self.advance(tokens, state, training=training)
        return self.output_logits(output), new_state

    def _check_unroll(self, length, prefix, prefix_length):
        """Raises `ValueError` for an `unroll` the state cannot run; by default, none.

        A recurrent state runs for any number of steps, so the default accepts everything;
        `TransformerGenerator` overrides it (its cache holds `max_length` positions).
        """
        # An explicit return: AutoGraph cannot convert a function whose body is only a
        # docstring, and warns about it on every trace.
        return None

    def unroll(
        self,
        choose,
        rows,
        prefix=None,
        prefix_length=None,
        length=None,
        keep_logits=False,
        training=None,
        state=None,
    ):
        """Runs the generator freely for `length` steps, each token chosen by `choose`.

        Args:
            choose: Callable `(logits [rows, vocab_size], t) -> token ids [rows]`, e.g. a
                seeded categorical choice (`kgan.networks.token_sampling.next_tokens`) or the
                argmax of Gumbel-perturbed logits.
            rows: Number of sequences.
            prefix: Optional int tensor `[rows, length]`: where `t < prefix_length`, token `t`
                is taken from it instead of chosen (Monte-Carlo rollouts continue a prefix).
            prefix_length: int tensor `[rows]`, the number of tokens each row takes from
                `prefix`. Needed with `prefix`.
            length: Steps to run. Defaults to `max_length`. A `TransformerGenerator` runs at
                most `max_length` (the size of its cache).
            keep_logits: Also return every step's logits, `[rows, length, vocab_size]` (memory
                grows with rows x length x vocabulary). Defaults to `False`.
            training: Passed to the layers.
            state: The state to start from (an encoder's, for a sequence-to-sequence
                generator). Defaults to `initial_state(rows)`.

        Returns:
            int32 token ids `[rows, length]`, and the logits when `keep_logits`.
        """
        length = self.max_length if length is None else int(length)
        self._check_unroll(length, prefix, prefix_length)
        return sequence_sampling.run_steps(
            self, choose, rows, length, prefix, prefix_length, keep_logits, training, state
        )
