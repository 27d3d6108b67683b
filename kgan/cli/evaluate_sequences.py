"""`kgan evaluate` for sequence models: BLEU, self-BLEU, NLL_test and NLL_oracle.

```
kgan evaluate runs/text_gan/model.keras --data runs/text_gan/test.txt --metrics bleu,self_bleu
kgan evaluate runs/seqgan_oracle/model.keras --data runs/oracle/test.npy \
    --metrics nll_test,nll_oracle --oracle runs/oracle/oracle.keras --num 5000
```

`--data` holds the held-out real sequences: an `.npy` of int token ids `[N, T]`, or a text file
of one sentence per line, turned into ids by the model's own vocabulary (a model built with
`vocabulary=`). The samples are `model.generate(--num, seed=--seed)` at temperature 1, cut at
`[EOS]` for a model with a vocabulary; see `kgan.metrics.sequence_evaluation`.
"""

import os
import time

import numpy as np

from kgan.cli import common
from kgan.cli import features

DEFAULT_METRICS = "bleu,self_bleu,nll_test"


def read_real(path, model):
    """The held-out sequences of `--data`: ids from an `.npy`, or sentences from a text file."""
    if not os.path.isfile(path):
        raise common.CommandError(
            f"--data {path!r}: a sequence model is scored against an .npy of token ids [N, T] or "
            "a text file of sentences, one per line; no such file"
        )
    if path.lower().endswith(".npy"):
        try:
            return np.load(path)
        except (OSError, ValueError) as error:
            message = f"cannot read --data {path!r}: {common.one_line(error)}"
            raise common.CommandError(message) from None
    if getattr(model, "vocabulary", None) is None:
        raise common.CommandError(
            f"--data {path!r} is text, but the model has no vocabulary to turn it into ids: give "
            "an .npy of token ids [N, T]"
        )
    from kgan.data import errors
    from kgan.data import text

    try:
        lines = text.read_text_lines(path)
    except errors.DataError as error:  # e.g. not UTF-8
        raise common.CommandError(f"--data {path!r}: {common.one_line(error)}") from None
    if not lines:
        raise common.CommandError(f"--data {path!r} holds no sentences")
    return lines


def load_oracle(path):
    """The oracle network of `--oracle`, or a one-line error saying why it cannot be read."""
    import keras

    if not os.path.isfile(path):
        raise common.CommandError(f"--oracle {path!r}: no such file")
    try:
        return keras.saving.load_model(path)
    except Exception as error:  # any failure to load reads alike, as for the model itself
        raise common.CommandError(
            f"cannot load the oracle from {path!r}: {common.one_line(error)}"
        ) from None


def run(args, model, start):
    """Scores sequence `model` as `args` say; returns the payload that `kgan evaluate` prints."""
    from kgan.metrics import sequence_evaluation

    if args.extractor != features.DEFAULT_EXTRACTOR:
        raise common.CommandError(
            "--extractor applies to image models; a sequence model's metrics need no extractor",
            common.USAGE_ERROR,
        )
    try:
        metrics = sequence_evaluation.parse_metrics(args.metrics or DEFAULT_METRICS)
    except ValueError as error:
        raise common.CommandError(
            f"--metrics {args.metrics!r}: {common.one_line(error)} (a sequence model)",
            common.USAGE_ERROR,
        ) from None
    if "nll_oracle" in metrics and args.oracle is None:
        raise common.CommandError(
            "--metrics nll_oracle scores the samples under a synthetic oracle: give --oracle "
            "ORACLE.keras (recipes/seqgan_oracle/make_data.py writes one)",
            common.USAGE_ERROR,
        )
    oracle = None if args.oracle is None else load_oracle(args.oracle)
    real = read_real(args.data, model)
    try:
        evaluator = sequence_evaluation.SequenceEvaluator(
            metrics,
            real_data=real,
            oracle=oracle,
            num_references=args.num_real,
            self_bleu_samples=max(2, min(args.num, 1000)),
            batch_size=args.batch_size,
        )
        results = evaluator.evaluate(model, num_samples=args.num, seed=args.seed)
    except ValueError as error:  # ids outside the vocabulary, sentences too long, ...
        raise common.CommandError(
            f"cannot evaluate {args.model!r} on {args.data!r}: {common.one_line(error)}"
        ) from None
    return {
        "model": args.model,
        "data": args.data,
        "metrics": list(metrics),
        "seed": args.seed,
        "batch_size": args.batch_size,
        **({"oracle": args.oracle} if args.oracle is not None else {}),
        **results,
        "num_real": int(len(evaluator.real_tokens)) if evaluator.real_tokens is not None else 0,
        "seconds": round(time.perf_counter() - start, 1),
    }
