"""`Vocabulary`: words to token ids and back, for the sequence GANs, counted and split by Keras.

The layout is Keras' `StringLookup` with `mask_token=""`: id 0 is padding (`""`), 1 the
out-of-vocabulary token (`"[UNK]"`), then kgan's start and end tokens (`"[SOS]"`, `"[EOS]"`),
then the words, likeliest first. So `keras.layers.StringLookup(mask_token="",
vocabulary=vocabulary.tokens)` maps words to the same ids, and text becomes ids exactly as a
`keras.layers.TextVectorization` with the same `standardize` and `split` would make them.

The recurrent generators keep their own start-token embedding row, so the data carry no
`[SOS]`; it has an id so that a model that does want one (or another library) finds it.
"""

import keras
import numpy as np
import tensorflow as tf

from kgan.data import errors

PAD, UNK, SOS, EOS = "", "[UNK]", "[SOS]", "[EOS]"
SPECIAL_TOKENS = (PAD, UNK, SOS, EOS)
PAD_ID, UNK_ID, SOS_ID, EOS_ID = range(len(SPECIAL_TOKENS))
# The text settings a saved vocabulary can restore; a callable could not be serialized.
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation", None)
SPLIT = ("whitespace", "character", None)
# Texts per call of the Keras layer when counting or encoding, to bound the ragged batch.
CHUNK = 4096


@keras.saving.register_keras_serializable(package="kgan")
class Vocabulary:
    """Maps text to int32 token ids `[N, max_length]` and ids back to text.

    Ids: 0 padding (`""`), 1 unknown words (`"[UNK]"`), 2 `"[SOS]"`, 3 `"[EOS]"`, then `words`
    from id 4. Text is standardized and split by `keras.layers.TextVectorization`, so ids are
    what that layer makes with `vocabulary=vocabulary.tokens`.

    Args:
        words: The words, in id order from 4, without the special tokens. `Vocabulary.build`
            makes them from a corpus.
        standardize: `keras.layers.TextVectorization`'s `standardize`:
            `"lower_and_strip_punctuation"`, `"lower"`, `"strip_punctuation"` or `None`.
            Defaults to `"lower_and_strip_punctuation"`.
        split: `TextVectorization`'s `split`: `"whitespace"`, `"character"` or `None`.
            Defaults to `"whitespace"`.

    Example:

    ```python
    vocabulary = kgan.data.Vocabulary.build(["The cat sat.", "The dog sat."])
    vocabulary.tokens      # ['', '[UNK]', '[SOS]', '[EOS]', 'sat', 'the', 'cat', 'dog']
    ids = vocabulary.encode(["the dog sat"], max_length=5)   # [[5, 7, 4, 3, 0]]
    vocabulary.decode(ids)  # ['the dog sat']
    ```
    """

    def __init__(self, words, standardize="lower_and_strip_punctuation", split="whitespace"):
        if standardize not in STANDARDIZE:
            raise ValueError(f"standardize must be one of {STANDARDIZE}; got {standardize!r}.")
        if split not in SPLIT:
            raise ValueError(f"split must be one of {SPLIT}; got {split!r}.")
        words = [str(word) for word in words]
        special = sorted(set(words) & set(SPECIAL_TOKENS))
        if special:
            raise ValueError(
                f"words hold the special tokens {special}, which have their own ids 0-3; "
                "leave them out."
            )
        if len(set(words)) != len(words):
            repeated = sorted({word for word in words if words.count(word) > 1})[:5]
            raise ValueError(f"words must be unique; repeated: {repeated}.")
        self.words = words
        self.standardize = standardize
        self.split = split
        self._layer = None  # the TextVectorization, made on first use (not saved)

    @classmethod
    def build(
        cls,
        texts,
        min_frequency=1,
        max_size=None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
    ):
        """Counts the words of `texts` with Keras and keeps the frequent ones.

        `TextVectorization.adapt` finds the words but exposes no counts (and orders ties as
        they fall out of its hash table), so the adapted layer encodes the corpus and
        `np.bincount` counts its ids: the words are exactly the layer's tokens, ordered by
        descending count, ties alphabetically, so the same corpus always gives the same ids.

        Args:
            texts: The sentences, a list of strings.
            min_frequency: Keep words seen at least this often (rarer ones become `[UNK]`).
                Defaults to `1`.
            max_size: The most tokens, the 4 special ones included (what the model's
                `vocab_size` will be); the likeliest words are kept. Defaults to `None` (all).
            standardize: As for `Vocabulary`. Defaults to `"lower_and_strip_punctuation"`.
            split: As for `Vocabulary`. Defaults to `"whitespace"`.

        Returns:
            A `Vocabulary`.

        Raises:
            DataError: for a corpus without words, or a `min_frequency` that leaves none.
        """
        if int(min_frequency) < 1:
            raise ValueError(f"min_frequency must be >= 1, got {min_frequency}.")
        if max_size is not None and int(max_size) <= len(SPECIAL_TOKENS):
            raise ValueError(
                f"max_size counts the {len(SPECIAL_TOKENS)} special tokens too: it must be > "
                f"{len(SPECIAL_TOKENS)}; got {max_size}."
            )
        texts = as_texts(texts)
        counter = keras.layers.TextVectorization(
            standardize=standardize, split=split, output_mode="int", ragged=True
        )
        if texts:
            counter.adapt(tf.constant(texts))
        found = counter.get_vocabulary()  # ["", "[UNK]", words...]
        if len(found) <= 2:
            raise errors.DataError(
                f"The corpus is empty: {len(texts)} texts hold no words after "
                f"standardize={standardize!r}, split={split!r}. Give it sentences of text."
            )
        counts = np.zeros(len(found), np.int64)
        for ids in _chunks_through(counter, texts):
            counts += np.bincount(ids.flat_values.numpy(), minlength=len(found))
        counted = [
            (int(count), str(word))
            for word, count in zip(found[2:], counts[2:])
            if str(word) not in SPECIAL_TOKENS
        ]
        kept = sorted(
            (item for item in counted if item[0] >= int(min_frequency)),
            key=lambda item: (-item[0], item[1]),
        )
        if not kept:
            raise errors.DataError(
                f"min_frequency={min_frequency} leaves no words: the commonest is seen "
                f"{_times(max(count for count, _ in counted))}. Lower min_frequency."
            )
        if max_size is not None:
            kept = kept[: int(max_size) - len(SPECIAL_TOKENS)]
        return cls([word for _, word in kept], standardize=standardize, split=split)

    # --- ids -----------------------------------------------------------------------------------

    @property
    def tokens(self):
        """Every token in id order: the 4 special ones, then the words."""
        return [*SPECIAL_TOKENS, *self.words]

    @property
    def size(self):
        """The number of ids, the `vocab_size` a model for this vocabulary takes."""
        return len(SPECIAL_TOKENS) + len(self.words)

    def __len__(self):
        return self.size

    pad_id = PAD_ID
    unk_id = UNK_ID
    start_id = SOS_ID
    end_id = EOS_ID

    def layer(self):
        """The `keras.layers.TextVectorization` (ragged int ids) that encodes text."""
        if self._layer is None:
            self._layer = keras.layers.TextVectorization(
                standardize=self.standardize,
                split=self.split,
                output_mode="int",
                ragged=True,
                vocabulary=self.tokens,
            )
        return self._layer

    def encode_ragged(self, texts):
        """The ids of each text, no end token or padding: an int32 `tf.RaggedTensor` `[N, None]`."""
        texts = as_texts(texts)
        if not texts:
            return tf.RaggedTensor.from_row_lengths(
                tf.zeros([0], tf.int32), tf.zeros([0], tf.int64)
            )
        return tf.concat(list(_chunks_through(self.layer(), texts)), axis=0)

    def lengths(self, texts):
        """The number of tokens of each text (without `[EOS]`), int64 `np.ndarray` `[N]`."""
        return self.encode_ragged(texts).row_lengths().numpy()

    def encode(self, texts, max_length, add_end=True, truncate=False):
        """Token ids of `texts`, int32 `np.ndarray` `[N, max_length]`, padded with `pad_id`.

        Args:
            texts: The sentences, a list of strings (or one string).
            max_length: Length of every row, the model's `max_length`.
            add_end: Put `end_id` after each sentence, so a model learns where sentences end.
                Defaults to `True`.
            truncate: Cut sentences longer than `max_length` to their first `max_length`
                tokens (a cut sentence gets no `[EOS]`: it did not end there). Defaults to
                `False` (a `DataError`).

        Returns:
            int32 `np.ndarray` `[N, max_length]`.
        """
        check_max_length(max_length)
        texts = as_texts(texts)
        ids = self.encode_ragged(texts)
        if add_end:
            ends = tf.fill([ids.nrows(), 1], tf.constant(EOS_ID, ids.dtype))
            ids = tf.concat([ids, ends], axis=1)
        lengths = ids.row_lengths().numpy()
        too_long = np.flatnonzero(lengths > max_length)
        if len(too_long) and not truncate:
            first = int(too_long[0])
            raise errors.DataError(
                f"{len(too_long)} of {len(texts)} sentences are longer than max_length="
                f"{max_length}, e.g. sentence {first} ({_preview(texts[first])}) has "
                f"{lengths[first]} tokens{' with [EOS]' if add_end else ''}: raise max_length, "
                "pass truncate=True, or leave the long sentences out."
            )
        # `to_tensor` with a fixed width pads shorter rows and cuts longer ones.
        tokens = ids.to_tensor(default_value=PAD_ID, shape=[None, int(max_length)])
        return tokens.numpy().astype(np.int32)

    def decode(self, ids):
        """Text of token ids `[N, T]` (or one sequence `[T]`): a list of `N` strings.

        Each sequence is read up to its first `[EOS]`; padding is dropped and unknown words
        read `"[UNK]"`. Words are joined by spaces (by nothing for `split="character"`).

        Raises:
            DataError: for ids outside `[0, size)` (a model of another vocabulary).
        """
        if isinstance(ids, (tf.Tensor, tf.Variable)):
            ids = ids.numpy()
        rows = list(ids)
        if rows and np.ndim(rows[0]) == 0:
            rows = [rows]
        tokens = self.tokens
        separator = "" if self.split == "character" else " "
        texts = []
        for row in rows:
            row = np.asarray(row, np.int64).reshape([-1])
            if row.size and (row.min() < 0 or row.max() >= self.size):
                raise errors.DataError(
                    f"Token ids from {row.min()} to {row.max()} are outside this vocabulary's "
                    f"[0, {self.size}): decode ids with the vocabulary the model was built for."
                )
            ends = np.flatnonzero(row == EOS_ID)
            row = row[: ends[0]] if len(ends) else row
            texts.append(separator.join(tokens[token] for token in row if token != PAD_ID))
        return texts

    # --- saving --------------------------------------------------------------------------------

    def get_config(self):
        return {"words": list(self.words), "standardize": self.standardize, "split": self.split}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and other.get_config() == self.get_config()

    __hash__ = None  # mutable words: equal vocabularies are not interchangeable dict keys

    def __repr__(self):
        shown = ", ".join(repr(word) for word in self.words[:5])
        more = ", ..." if len(self.words) > 5 else ""
        return f"<Vocabulary size={self.size} words=[{shown}{more}]>"


def check_matches(vocabulary, vocab_size, owner, label="vocabulary", attribute="vocab_size"):
    """Raises `ValueError` unless `vocabulary` (or `None`) has `vocab_size` ids.

    `label` names the vocabulary (`"source_vocabulary"`) and `attribute` the networks' size
    it must equal (`"source_vocab_size"`), for the messages.
    """
    if vocabulary is None:
        return
    if not isinstance(vocabulary, Vocabulary):
        raise TypeError(
            f"{owner}'s {label} must be a kgan.data.Vocabulary; got {type(vocabulary).__name__}."
        )
    if len(vocabulary) != vocab_size:
        raise ValueError(
            f"The {label} has {len(vocabulary)} tokens but {owner}'s generator has "
            f"{attribute}={vocab_size}: build the networks with {attribute}=len({label})."
        )


def generate_text(model, num, seed=0, **decoding):
    """`model.generate(num, seed, end_token=[EOS], **decoding)` read by `model.vocabulary`.

    What `SequenceGAN.generate_text` runs (a sequence-to-sequence model takes its source ids
    in place of `num`, as its `generate` does).

    Raises:
        ValueError: for a model without a vocabulary.
    """
    vocabulary = getattr(model, "vocabulary", None)
    if vocabulary is None:
        raise ValueError(
            f"This {type(model).__name__} has no vocabulary to turn token ids into text: build "
            "it with vocabulary=kgan.data.Vocabulary(...), or call generate() for the ids."
        )
    decoding.setdefault("end_token", vocabulary.end_id)
    return vocabulary.decode(model.generate(num, seed=seed, **decoding))


def check_max_length(max_length):
    """Raises `ValueError` unless `max_length` is a positive integer."""
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)):
        raise ValueError(f"max_length must be a positive integer, got {max_length!r}.")
    if max_length < 1:
        raise ValueError(f"max_length must be a positive integer, got {max_length}.")


def as_texts(texts):
    """`texts` (strings, bytes, an array or a string tensor; or one string) as a list of `str`."""
    if isinstance(texts, (tf.Tensor, tf.Variable)):
        texts = texts.numpy()
    if isinstance(texts, (str, bytes)):
        texts = [texts]
    result = []
    for text in np.asarray(texts, dtype=object).reshape([-1]).tolist():
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not isinstance(text, str):
            raise errors.DataError(
                f"Texts must be strings; got a {type(text).__name__} ({text!r:.40})."
            )
        result.append(text)
    return result


def _chunks_through(layer, texts):
    """`layer` applied to `texts` in chunks of `CHUNK`, as int32 ragged ids."""
    for start in range(0, len(texts), CHUNK):
        ids = layer(tf.constant(texts[start : start + CHUNK]))
        yield tf.cast(ids, tf.int32)


def _times(count):
    return f"{count} time{'' if count == 1 else 's'}"


def _preview(text, limit=40):
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")
