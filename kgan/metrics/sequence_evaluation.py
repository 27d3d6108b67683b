"""`SequenceEvaluator`: the text-GAN metrics of a sequence model, in one call.

What the image `Evaluator` is for FID and precision, this is for sequence GANs (SeqGAN,
MaliGAN, RelGAN): it samples the model, cuts every sequence at its end token, and scores

- `"bleu"`: BLEU-2 .. BLEU-5 of the samples against the real sequences (`bleu_2` ...), the
  quality score of Yu et al. (2017) and Texygen (Zhu et al. 2018);
- `"self_bleu"`: self-BLEU-2 .. 5 of the samples among themselves (`self_bleu_2` ...), high
  when the samples repeat each other (low diversity);
- `"nll_test"`: the generator's NLL per token of the real sequences (coverage);
- `"nll_oracle"`: a synthetic oracle's NLL per token of the samples (quality, when the data
  came from an oracle: `kgan.data.make_oracle`).

BLEU's cost grows with the number of samples times their n-grams (the reference side is
indexed once), so `num_samples` of a few hundred to a few thousand is the usual setting.
`kgan.callbacks.GenerativeMetrics` uses this class when its metric names are these, and
`kgan evaluate` does for a sequence model.
"""

import numpy as np
import tensorflow as tf

from kgan.metrics import bleu as bleu_lib
from kgan.metrics import sequence_nll as sequence_nll_lib

SEQUENCE_METRICS = ("bleu", "self_bleu", "nll_test", "nll_oracle")
# The n-gram orders reported, as text-GAN papers tabulate them.
ORDERS = (2, 3, 4, 5)


class SequenceEvaluator:
    """Samples a sequence model and computes BLEU, self-BLEU, NLL_test and NLL_oracle.

    Args:
        metrics: Names from `SEQUENCE_METRICS`, a sequence or a comma-separated string.
        real_data: The real (held-out) sequences: int token ids `[N, T]` (NumPy, or a
            `tf.data.Dataset` of such batches or of `(ids, ...)` tuples), or a list of strings,
            encoded with the model's `vocabulary` when the model is known (`prepare`). Needed
            by `"bleu"` and `"nll_test"`. Defaults to `None`.
        oracle: The oracle network for `"nll_oracle"` (a `keras.Model` from
            `kgan.data.make_oracle`, or the path of its `.keras` file). Defaults to `None`.
        orders: The BLEU n-gram orders. Defaults to `(2, 3, 4, 5)`.
        num_references: Cap on the real sequences used as BLEU references. Defaults to
            `None` (all).
        self_bleu_samples: Samples scored for self-BLEU (the first ones of each evaluation).
            Defaults to `1000`.
        batch_size: Sequences per generator call. Defaults to `256`.
        decoding: Keyword arguments for `model.generate` (`temperature`, `top_k`, `top_p`,
            `greedy`). Defaults to `None` (sampling at temperature 1).

    Example:

    ```python
    evaluator = kgan.metrics.sequence_evaluation.SequenceEvaluator(
        ["bleu", "self_bleu", "nll_test"], real_data=test_sentences
    )
    evaluator.evaluate(model, num_samples=1000)  # {"bleu_2": ..., "self_bleu_2": ..., ...}
    ```
    """

    def __init__(
        self,
        metrics,
        real_data=None,
        oracle=None,
        orders=ORDERS,
        num_references=None,
        self_bleu_samples=1000,
        batch_size=256,
        decoding=None,
    ):
        self.metrics = parse_metrics(metrics)
        needs_real = [name for name in self.metrics if name in ("bleu", "nll_test")]
        if needs_real and real_data is None:
            raise ValueError(
                f"The metrics {needs_real} compare with real sequences: pass real_data (token "
                "ids [N, T] or a list of sentences)."
            )
        if "nll_oracle" in self.metrics and oracle is None:
            raise ValueError("nll_oracle scores samples under an oracle: pass oracle=.")
        self.orders = tuple(int(order) for order in orders)
        if not self.orders or min(self.orders) < 1:
            raise ValueError(f"BLEU orders must be positive integers; got {orders!r}.")
        # Self-BLEU scores each sample against the others, so it needs two; a batch can be one.
        for name, value, least in (
            ("self_bleu_samples", self_bleu_samples, 2),
            ("batch_size", batch_size, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
                raise ValueError(f"`{name}` must be an integer >= {least}, got {value!r}.")
        self.real_data = real_data
        self.oracle = oracle
        self.num_references = num_references
        self.self_bleu_samples = int(self_bleu_samples)
        self.batch_size = int(batch_size)
        self.decoding = dict(decoding or {})
        self.real_tokens = None
        self.references = None
        self._nll_metrics = {}

    def prepare(self, model):
        """Reads the real sequences (and the oracle) once, for `model`'s vocabulary and length."""
        if hasattr(model.generator, "encode"):
            raise ValueError(
                f"{type(model).__name__} translates source sequences; score it with "
                "kgan.data.task_accuracy on its outputs for held-out sources."
            )
        if isinstance(self.oracle, str):
            import keras

            self.oracle = keras.saving.load_model(self.oracle)
        if self.real_data is None or self.real_tokens is not None:
            return
        tokens = real_token_ids(self.real_data, model)
        if self.num_references is not None:
            tokens = tokens[: int(self.num_references)]
        self.real_tokens = tokens
        self.references = sentences(tokens, model.pad_token, end_token(model))

    def evaluate(self, model, num_samples=1000, seed=0):
        """Samples `num_samples` sequences of `model` and returns `{metric key: value}`."""
        decoding = {"end_token": end_token(model), **self.decoding}
        samples = model.generate(num_samples, seed=seed, batch_size=self.batch_size, **decoding)
        return self.score(model, samples, decoding["end_token"])

    def score(self, model, samples, end=None):
        """`{metric key: value}` of `samples` (int ids `[N, T]`) that `model` generated.

        For callers that keep the samples too (to write them out) and must not draw twice.
        `end` is the end token the samples are cut at (default: `model`'s vocabulary's).
        """
        self.prepare(model)
        end = end_token(model) if end is None else end
        hypotheses = sentences(samples, model.pad_token, end)
        results = {"num_samples": int(len(samples)), **self.bleu_scores(hypotheses)}
        if "nll_test" in self.metrics:
            results["nll_test"] = self._nll(model.generator, model.pad_token, self.real_tokens)
        if "nll_oracle" in self.metrics:
            results["nll_oracle"] = self._nll(self.oracle, None, samples)
        return results

    def bleu_scores(self, hypotheses):
        """`bleu_n` and `self_bleu_n` of sentences (lists of ids, as `sentences` gives), for
        the metrics asked; any sentences, e.g. real ones scored as the samples are.

        Needs `prepare` (the references) for `"bleu"`.
        """
        results = {}
        if "bleu" in self.metrics:
            for order in self.orders:
                results[f"bleu_{order}"] = bleu_lib.bleu(hypotheses, self.references, order)
        if "self_bleu" in self.metrics:
            scored = hypotheses[: self.self_bleu_samples]
            for order in self.orders:
                results[f"self_bleu_{order}"] = bleu_lib.self_bleu(scored, order)
        return results

    def _nll(self, network, pad_token, tokens):
        # One streaming metric (one traced function) per network, reused by every evaluation:
        # a new one per call would trace again each epoch, and TensorFlow warns of retracing.
        key = (id(network), pad_token)
        if self._nll_metrics.get(key, (None,))[0] is not network:
            self._nll_metrics[key] = (network, sequence_nll_lib.SequenceNLL(network, pad_token))
        metric = self._nll_metrics[key][1]
        metric.reset_state()
        metric.update_state(tokens, batch_size=self.batch_size)
        return metric.result()


def parse_metrics(metrics):
    """`"bleu, nll_test"` or a sequence of names -> a tuple, checked against SEQUENCE_METRICS."""
    if isinstance(metrics, str):
        metrics = metrics.split(",")
    names = tuple(dict.fromkeys(str(name).strip().lower() for name in metrics if str(name).strip()))
    unknown = [name for name in names if name not in SEQUENCE_METRICS]
    if not names or unknown:
        raise ValueError(
            f"Unknown sequence metric(s) {unknown or '(none given)'}; choose from "
            f"{', '.join(SEQUENCE_METRICS)}."
        )
    return names


def end_token(model):
    """The id a sequence ends with: the vocabulary's `[EOS]`, or `None` (fixed length)."""
    vocabulary = getattr(model, "vocabulary", None)
    return None if vocabulary is None else vocabulary.end_id


def sentences(tokens, pad_token=None, end=None):
    """Rows of ids as lists, each cut before its first `end` id and without `pad_token`s.

    The end token itself is left out, so that BLEU compares words, as it would the text.
    """
    rows = []
    for row in np.asarray(tokens):
        row = row.tolist()
        if end is not None and end in row:
            row = row[: row.index(end)]
        rows.append([token for token in row if token != pad_token])
    return rows


def real_token_ids(real_data, model):
    """`real_data` (ids, a dataset of ids, or sentences) as int32 ids `[N, max_length]`."""
    from kgan.data import tokens as tokens_lib

    if isinstance(real_data, tf.data.Dataset):
        batches = [element[0] if isinstance(element, tuple) else element for element in real_data]
        if not batches:
            raise ValueError("The real-data dataset is empty.")
        real_data = np.concatenate([np.asarray(batch) for batch in batches])
    elif isinstance(real_data, list | tuple) and real_data and isinstance(real_data[0], str):
        vocabulary = getattr(model, "vocabulary", None)
        if vocabulary is None:
            raise ValueError(
                f"Real sentences need the model's vocabulary to become ids, and this "
                f"{type(model).__name__} has none: pass token ids [N, T] instead."
            )
        real_data = vocabulary.encode(real_data, model.max_length)
    return tokens_lib.check_token_ids(
        np.asarray(real_data), model.vocab_size, model.max_length, what="The real sequences"
    )
