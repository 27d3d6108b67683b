"""The vocabulary of an exported token generator, written beside the artefact.

A SavedModel or `.tflite` token generator returns int32 ids; what those ids mean lives in the
model's `kgan.data.Vocabulary`, which the graph does not carry (LiteRT has no string tensors in
its built-in ops, and TensorFlow Serving clients want ids anyway). So `export_generator` writes
`<artefact>.vocabulary.json` beside each artefact of a model with a vocabulary, as it writes
`<artefact>.parity.json`: the vocabulary's own config (`Vocabulary.get_config`, its words in id
order after the special tokens) and the padding id. `kgan sample` on an exported model reads it
back, so `--out samples.txt` writes sentences, exactly as from the `.keras` model.

A reader elsewhere (an app) maps id `i` to `tokens[i]`: the file lists the full token table too
(padding is the empty string, as in Keras' `StringLookup`), so it needs no kgan to decode.
"""

import json
import os

from kgan.export import parity

FORMAT = "kgan.vocabulary/1"


def path_for(artefact_path):
    """`<artefact>.vocabulary.json` for a SavedModel folder or a `.tflite` file."""
    return f"{os.path.normpath(artefact_path)}.vocabulary.json"


def write(artefact_path, model):
    """Writes the vocabulary of `model` beside `artefact_path`, or removes a stale one.

    A model without a vocabulary (token ids only) leaves no file, and removes one an earlier
    export of another model left there: an old vocabulary beside new ids would decode them into
    the wrong words without a word of warning.
    """
    path = path_for(artefact_path)
    vocabulary = getattr(model, "vocabulary", None)
    if vocabulary is None:
        if os.path.exists(path):
            os.remove(path)
        return None
    parity.write_json(
        path,
        {
            "format": FORMAT,
            "vocabulary": vocabulary.get_config(),
            "pad_token": getattr(model, "pad_token", None),
            "end_token": vocabulary.end_id,
            "tokens": vocabulary.tokens,
        },
    )
    return path


def read(artefact_path):
    """`(Vocabulary, pad_token)` written beside `artefact_path`, or `(None, None)` if none.

    Raises:
        ValueError: the file is there but is not a vocabulary kgan wrote (named, with the fix).
    """
    from kgan.data import vocabulary as vocabulary_lib

    path = path_for(artefact_path)
    if not os.path.exists(path):
        return None, None
    try:
        with open(path, encoding="utf-8") as file:
            content = json.load(file)
        if content.get("format") != FORMAT:
            raise ValueError(f"format {content.get('format')!r}, expected {FORMAT!r}")
        vocabulary = vocabulary_lib.Vocabulary.from_config(content["vocabulary"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError(
            f"{path} is not a vocabulary written by kgan export ({error}); export the model "
            "again, or delete the file to get token ids."
        ) from None
    return vocabulary, content.get("pad_token")
