"""Text for the sequence GANs: sentences to batches of token ids, with their `Vocabulary`.

Every loader returns `(dataset, vocabulary)`: a shuffled, batched (`drop_remainder=True`),
prefetched `tf.data.Dataset` of int32 ids `[batch, max_length]` (sentence, `[EOS]`, padding),
built by `kgan.data.from_token_ids` so its checks apply, and the `kgan.data.Vocabulary` that
made the ids, to build the model with (`vocab_size=len(vocabulary)`, `vocabulary=vocabulary`)
and to read its samples back. Pass a vocabulary to reuse it (held-out data must keep the
training ids); otherwise one is built from the sentences.

Sentences longer than `max_length` (counting `[EOS]`) are an error by default, since cutting
or dropping them silently changes what the model learns: `too_long="truncate"` cuts them,
`too_long="drop"` leaves them out (SeqGAN-style corpora keep only short sentences). Lines
without a word (blank, or only punctuation) are skipped.

Example:

```python
dataset, vocabulary = kgan.data.from_text_files("corpus/*.txt", max_length=20, batch_size=64)
model = kgan.models.SeqGAN(
    kgan.networks.RecurrentGenerator(len(vocabulary), 20),
    kgan.networks.SequenceDiscriminator(len(vocabulary), 20),
    vocabulary=vocabulary,
)
```
"""

import glob
import os

import tensorflow as tf

from kgan.data import errors
from kgan.data import tfds
from kgan.data import tokens
from kgan.data import vocabulary as vocabulary_lib

TOO_LONG = ("error", "truncate", "drop")
# Examples per batch when reading a tensorflow-datasets split into Python strings.
READ_BATCH = 4096


def from_text_lines(
    lines,
    max_length,
    batch_size=64,
    vocabulary=None,
    min_frequency=1,
    max_size=None,
    too_long="error",
    shuffle=True,
    seed=None,
    standardize="lower_and_strip_punctuation",
    split="whitespace",
    source="the lines",
):
    """Batches of token ids from sentences, one string each.

    Args:
        lines: The sentences, a list of strings.
        max_length: Tokens per row, `[EOS]` included: the model's `max_length`.
        batch_size: Sentences per batch. Defaults to `64`.
        vocabulary: A `kgan.data.Vocabulary` to encode with (for held-out data). Defaults to
            `None` (built from `lines`).
        min_frequency: For a built vocabulary, keep words seen this often. Defaults to `1`.
        max_size: For a built vocabulary, the most tokens (special ones included). Defaults
            to `None` (all).
        too_long: What to do with a sentence longer than `max_length`: `"error"`,
            `"truncate"` or `"drop"`. Defaults to `"error"`.
        shuffle: Shuffle the sentences every epoch. Defaults to `True`.
        seed: Seed of the shuffle. Defaults to `None`.
        standardize: For a built vocabulary, `TextVectorization`'s `standardize`. Defaults
            to `"lower_and_strip_punctuation"`.
        split: For a built vocabulary, `TextVectorization`'s `split`. Defaults to
            `"whitespace"`.
        source: How messages name the data. Defaults to `"the lines"`.

    Returns:
        `(dataset, vocabulary)`.

    Raises:
        DataError: for no sentences, sentences too long (with `too_long="error"`), fewer
            sentences than `batch_size`, or a vocabulary left without words.

    Example:

    ```python
    dataset, vocabulary = from_text_lines(["The cat sat.", "A dog ran."], 8, batch_size=2)
    ```
    """
    vocabulary_lib.check_max_length(max_length)
    if too_long not in TOO_LONG:
        raise ValueError(f"too_long must be one of {TOO_LONG}; got {too_long!r}.")
    if vocabulary is not None and not isinstance(vocabulary, vocabulary_lib.Vocabulary):
        raise TypeError(f"vocabulary must be a kgan.data.Vocabulary; got {type(vocabulary)}.")
    sentences = vocabulary_lib.as_texts(lines)
    # Token counts depend on standardize and split only, so an empty vocabulary measures them.
    settings = vocabulary or vocabulary_lib.Vocabulary([], standardize=standardize, split=split)
    lengths = settings.lengths(sentences)
    sentences = [sentence for sentence, length in zip(sentences, lengths) if length]
    lengths = lengths[lengths > 0]
    if not sentences:
        raise errors.DataError(f"{source} hold no sentences: every line is blank.")
    if too_long == "drop":
        sentences = [s for s, length in zip(sentences, lengths) if length + 1 <= max_length]
        if not sentences:
            raise errors.DataError(
                f"Every sentence of {source} is longer than max_length={max_length} (with "
                f"[EOS]; the shortest has {int(lengths.min())} words): raise max_length."
            )
    if vocabulary is None:
        vocabulary = vocabulary_lib.Vocabulary.build(
            sentences,
            min_frequency=min_frequency,
            max_size=max_size,
            standardize=standardize,
            split=split,
        )
    ids = vocabulary.encode(sentences, max_length, truncate=too_long == "truncate")
    dataset = tokens.from_token_ids(
        ids,
        vocab_size=len(vocabulary),
        max_length=max_length,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=True,
    )
    return dataset, vocabulary


def from_text_files(paths, max_length, batch_size=64, **kwargs):
    """Batches of token ids from UTF-8 text files of one sentence per line.

    Args:
        paths: A file, a glob pattern (`"corpus/*.txt"`, `"**"` recursive), or a list of
            them; files are read in sorted order of each pattern.
        max_length: Tokens per row, `[EOS]` included: the model's `max_length`.
        batch_size: Sentences per batch. Defaults to `64`.
        **kwargs: `from_text_lines`' (`vocabulary`, `min_frequency`, `too_long`, ...).

    Returns:
        `(dataset, vocabulary)`.

    Raises:
        DataError: for a missing file, a pattern matching none, a folder, a file that is not
            UTF-8, and `from_text_lines`' errors.

    Example:

    ```python
    train, vocabulary = from_text_files("data/train.txt", max_length=20)
    test, _ = from_text_files("data/test.txt", max_length=20, vocabulary=vocabulary)
    ```
    """
    files = text_files(paths)
    lines = read_text_lines(files)
    named = repr(files[0]) if len(files) == 1 else f"the {len(files)} files of {paths!r}"
    kwargs.setdefault("source", named)
    return from_text_lines(lines, max_length, batch_size, **kwargs)


def text_files(paths):
    """The files that `paths` (a path, a glob pattern, or a list of them) names, checked."""
    patterns = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not patterns:
        raise errors.DataError("No text files given: pass a path or a glob pattern.")
    files = []
    for pattern in map(os.fspath, patterns):
        if any(character in pattern for character in "*?["):
            matched = [
                path for path in sorted(glob.glob(pattern, recursive=True)) if os.path.isfile(path)
            ]
            if not matched:
                raise errors.DataError(
                    f"No files match {pattern!r}: check the folder and the pattern."
                )
            files.extend(matched)
        elif os.path.isdir(pattern):
            raise errors.DataError(
                f"{pattern!r} is a folder: give its files, e.g. {os.path.join(pattern, '*.txt')!r}."
            )
        elif not os.path.isfile(pattern):
            raise errors.DataError(
                f"No text file at {pattern!r}: give a UTF-8 file of one sentence per line."
            )
        else:
            files.append(pattern)
    return files


def read_text_lines(paths):
    """The non-empty lines (stripped) of the UTF-8 text files that `paths` names, in order.

    `paths` is what `from_text_files` takes; its errors are `text_files`' and a `DataError`
    for a file that is not UTF-8.
    """
    lines = []
    for path in text_files(paths):
        lines.extend(_read_lines(path))
    return lines


def _read_lines(path):
    try:
        with open(path, encoding="utf-8") as file:
            return [line.strip() for line in file if line.strip()]
    except UnicodeDecodeError as error:
        raise errors.DataError(
            f"{path!r} is not UTF-8 text ({error.reason} at byte {error.start}): save it as UTF-8."
        ) from None


def from_tfds_text(
    name,
    max_length,
    batch_size=64,
    split="train",
    text_key="text",
    data_dir=None,
    download=True,
    **kwargs,
):
    """Batches of token ids from a tensorflow-datasets text dataset (`lm1b`, `imdb_reviews`...).

    Every example's `text_key` string is one sentence. The split is read into memory to
    count words, so take a slice of a large one: `split="train[:100000]"` (lm1b has 30
    million sentences; imdb reviews are paragraphs, for which `too_long="truncate"`).

    Args:
        name: A tensorflow-datasets name, e.g. `"lm1b"`.
        max_length: Tokens per row, `[EOS]` included: the model's `max_length`.
        batch_size: Sentences per batch. Defaults to `64`.
        split: The split, in tensorflow-datasets syntax. Defaults to `"train"`.
        text_key: The string feature holding the text. Defaults to `"text"`.
        data_dir: Where the prepared data live. Defaults to `None` (tensorflow-datasets').
        download: Download and prepare missing data. Defaults to `True`.
        **kwargs: `from_text_lines`' (`vocabulary`, `min_frequency`, `too_long`, ...).

    Returns:
        `(dataset, vocabulary)`.

    Raises:
        DataError: for an unknown name, a failed download, data missing with
            `download=False`, a `text_key` that is not a string feature, and
            `from_text_lines`' errors.

    Example:

    ```python
    dataset, vocabulary = from_tfds_text("lm1b", 32, split="train[:5%]", too_long="drop")
    ```
    """
    examples = tfds.load_split(
        name,
        split,
        data_dir,
        download,
        loader="from_tfds_text",
        alternative="use from_text_files on text files",
    )
    spec = tfds.feature_spec(examples.element_spec, text_key, name, "text_key")
    if spec.dtype != tf.string or spec.shape.rank != 0:
        raise errors.DataError(
            f"{name!r} feature {text_key!r} is {spec.dtype.name} {spec.shape}, not one string "
            "per example: pass text_key= its text feature."
        )
    texts = examples.map(lambda example: tfds.lookup(example, text_key)).batch(READ_BATCH)
    lines = [text.decode("utf-8") for batch in texts.as_numpy_iterator() for text in batch]
    kwargs.setdefault("source", f"{name}[{split}]")
    return from_text_lines(lines, max_length, batch_size, **kwargs)
