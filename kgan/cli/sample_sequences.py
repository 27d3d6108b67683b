"""`kgan sample` for sequence models: token ids from a SeqGAN, MaliGAN or RelGAN.

```
kgan sample runs/seqgan_oracle/model.keras --num 100 --seed 0 --out samples.npy
kgan sample runs/seqgan_oracle/model.keras --num 10 --temperature 0.7 --top-k 20 --out s.txt
kgan sample runs/exported/saved_model --num 100 --seed 0 --out samples.npy
```

A model is a sequence model when its `served_generator()` serves `"tokens"` (see
`kgan.models.ServedGenerator`), or when it is a token generator exported by `kgan export`; the
samples are `model.generate(num, seed, temperature, top_k, top_p, greedy)`, int32 ids
`[N, max_length]`. `.npy` holds that array; `.txt` one sequence per line, its ids separated by
spaces, or its words (read up to `[EOS]`) for a model with a `vocabulary`
(`kgan.data.Vocabulary`; an exported model's is the `<artefact>.vocabulary.json` that
`kgan export` writes beside it). An exported model
samples with the top-k / top-p it was exported with, so only `--temperature` applies to it; its
ids equal the `.keras` model's for the same `--seed`.
"""

import os

import numpy as np

from kgan.cli import common

# Output formats of a sequence model, by file extension.
FORMATS = {
    ".npy": "sequence models: int32 token ids [N, T]",
    ".txt": "sequence models: one sequence per line, its words or space-separated token ids",
}
# (option, attribute of args) of the decoding settings, which only sequence models take.
DECODING_OPTIONS = (
    ("--temperature", "temperature"),
    ("--top-k", "top_k"),
    ("--top-p", "top_p"),
    ("--greedy", "greedy"),
)


def add_arguments(parser):
    """The decoding options of `kgan sample` (all default to "not given")."""
    parser.add_argument(
        "--temperature",
        type=float,
        default=None,
        help="sequence models: divides the logits, > 0 (below 1: likelier, less diverse; "
        "default: 1)",
    )
    parser.add_argument(
        "--top-k",
        type=int,
        default=None,
        help="sequence models: sample among the k likeliest tokens only (default: 0 = all)",
    )
    parser.add_argument(
        "--top-p",
        type=float,
        default=None,
        help="sequence models: sample from the nucleus of mass p, in (0, 1] (default: 1 = all)",
    )
    parser.add_argument(
        "--greedy",
        action="store_true",
        default=None,
        help="sequence models: take the likeliest token every step (no randomness)",
    )


def given(args):
    """The decoding options given on the command line, e.g. `["--temperature"]`."""
    return [option for option, name in DECODING_OPTIONS if getattr(args, name) is not None]


def check_decoding(args):
    """Usage errors for decoding values that cannot work, before any model loads."""
    if args.temperature is not None and not args.temperature > 0:
        raise common.CommandError(
            f"--temperature must be > 0, got {args.temperature} (use --greedy for the "
            "likeliest tokens)",
            common.USAGE_ERROR,
        )
    if args.top_k is not None and args.top_k < 0:
        raise common.CommandError(
            f"--top-k must be >= 0 (0 keeps every token), got {args.top_k}", common.USAGE_ERROR
        )
    if args.top_p is not None and not 0 < args.top_p <= 1:
        raise common.CommandError(
            f"--top-p must be in (0, 1] (1 keeps every token), got {args.top_p}",
            common.USAGE_ERROR,
        )


def makes_tokens(model):
    """Whether `model` (a kgan model or an exported adapter) samples token ids."""
    if getattr(model, "makes_tokens", False):
        return True
    serve = getattr(model, "served_generator", None)
    if not callable(serve):
        return False
    try:
        served = serve()
    except NotImplementedError:  # an objective that does not say: sampled as images
        return False
    except ValueError as error:  # a sequence model that cannot be sampled without a source
        raise common.CommandError(common.one_line(error), common.USAGE_ERROR) from None
    return served.inputs == "tokens"


def run(model, args, num):
    """Samples `num` sequences with `args`' decoding and writes them to `args.out`."""
    extension = os.path.splitext(args.out)[1].lower()
    if extension not in FORMATS:
        raise common.CommandError(
            f"cannot write --out {args.out!r}: a sequence model makes token ids, not images; "
            f"write {' or '.join(FORMATS)}",
            common.USAGE_ERROR,
        )
    exported = getattr(model, "makes_tokens", False)
    fixed = [option for option in given(args) if option != "--temperature"]
    if exported and fixed:
        raise common.CommandError(
            f"{' and '.join(fixed)}: an exported model samples with the top-k / top-p it was "
            "exported with (kgan export --top-k/--top-p; --top-k 1 for greedy); give only "
            "--temperature",
            common.USAGE_ERROR,
        )
    decoding = {"temperature": 1.0 if args.temperature is None else args.temperature}
    if not exported:
        decoding.update(
            top_k=args.top_k or 0,
            top_p=1.0 if args.top_p is None else args.top_p,
            greedy=bool(args.greedy),
        )
    vocabulary = getattr(model, "vocabulary", None)
    if vocabulary is not None:
        # Sentences end at [EOS]: the ids after it are padding, in the .npy as in the text.
        decoding["end_token"] = vocabulary.end_id
    try:
        tokens = model.generate(num, seed=args.seed, batch_size=args.batch_size, **decoding)
    except ValueError as error:  # e.g. top_k, checked against the model
        raise common.CommandError(common.one_line(error), common.USAGE_ERROR) from None
    tokens = np.asarray(tokens, np.int32)
    what = f"sequences of {tokens.shape[1]} token ids"
    if extension == ".txt":
        text = "".join(f"{line}\n" for line in lines(tokens, vocabulary))
        common.write(args.out, lambda path: _write_text(path, text))
        what = "sequences as text" if vocabulary is not None else what
    else:
        common.write(args.out, lambda path: np.save(path, tokens))
    print(f"Wrote {len(tokens)} {what} to {args.out}")


def lines(tokens, vocabulary=None):
    """One line per sequence of `tokens` `[N, T]`: its words, or its ids separated by spaces.

    With a `vocabulary` (a model's `kgan.data.Vocabulary`) each sequence is decoded: read up
    to its first `[EOS]`, padding dropped, unknown words as `[UNK]`. Without one (a model of
    bare ids, or an export without a `.vocabulary.json`) the ids are written.
    """
    if vocabulary is not None:
        return vocabulary.decode(tokens)
    return [" ".join(str(int(token)) for token in row) for row in tokens]


def _write_text(path, text):
    from kgan.utils import atomic

    atomic.write_text(path, text)
