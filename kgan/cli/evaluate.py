"""`kgan evaluate`: score a saved generator against real data; prints a table of the scores.

```
kgan evaluate runs/dcgan_digits/model.keras --data digits --extractor digits \
    --metrics fid,kid,is,pr,dc --num 2000 --out scores.json
kgan evaluate model.keras --data cifar.npz --metrics fid --extractor fid_inception
```

The terminal gets a table; `--json` prints the JSON object instead (for scripts) and `--out` writes
it to a file. `--data` is a real dataset (any `kgan.data.load` spec, loaded at the size and
channels of the model's samples) or an `.npz` of statistics from `kgan stats` (FID only: the other
metrics need the real features themselves). The JSON object carries the settings beside the values,
so a file of scores says what it measured. Which numbers are comparable with which papers depends
on the extractor: see `kgan.metrics.feature_extractors`.

A class-conditional model (`kgan.ConditionalGAN` with `num_classes`) is sampled for class ids
drawn uniformly over its classes; with `--metrics classes` the JSON then has
`condition_accuracy`, the share of samples the extractor classifies as the class asked for. A
model conditioned on attribute vectors needs them from the real data, which `--data` does not
carry: evaluate it from Python (`kgan.metrics.evaluation.Evaluator`).

A sequence model (SeqGAN, MaliGAN, RelGAN) is scored with BLEU, self-BLEU, NLL_test and
NLL_oracle against `--data` token ids or sentences instead (`kgan.cli.evaluate_sequences`).
"""

import json
import math
import os
import time

from kgan.cli import common
from kgan.cli import evaluate_sequences
from kgan.cli import features
from kgan.cli import loading
from kgan.cli import sample_sequences

HELP = (
    "compute FID, KID, IS, precision/recall, density/coverage of a saved model (BLEU, "
    "self-BLEU, NLL of a sequence model)"
)
DEFAULT_METRICS = "fid,kid,is"


def add_arguments(parser):
    loading.add_raw_generator_flag(parser)
    parser.add_argument("model", help="a model saved by kgan, e.g. runs/dcgan_digits/model.keras")
    parser.add_argument(
        "--data",
        required=True,
        help="real images (digits, a folder of images, a tfds name such as cifar10:test) or an "
        ".npz of statistics written by `kgan stats` (FID only); for a sequence model, an .npy "
        "of token ids [N, T] or a text file of sentences, one per line",
    )
    parser.add_argument(
        "--metrics",
        default=None,
        help="comma-separated metrics: fid, kid, is, pr (precision/recall), dc (density/"
        f"coverage), classes (class histogram), copies (duplicates, copies of the data) "
        f"(default: {DEFAULT_METRICS}); for a sequence model bleu, self_bleu, nll_test, "
        f"nll_oracle (default: {evaluate_sequences.DEFAULT_METRICS})",
    )
    parser.add_argument(
        "--oracle",
        default=None,
        help="sequence models: the synthetic oracle's .keras file, for --metrics nll_oracle",
    )
    parser.add_argument(
        "--num", type=int, default=10000, help="number of generated samples (default: 10000)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the generated samples (default: 0)"
    )
    features.add_extractor_argument(parser)
    features.add_data_arguments(parser)
    parser.add_argument(
        "--out", default=None, help="also write the scores and settings as JSON to this file"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the JSON object (one line) instead of the table, for scripts",
    )


def parse_metrics(text):
    """`"fid, kid"` -> `("fid", "kid")`, checked against `kgan.metrics.evaluation.METRICS`."""
    from kgan.metrics import evaluation

    names = tuple(dict.fromkeys(name.strip().lower() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in evaluation.METRICS]
    if not names or unknown:
        raise common.CommandError(
            f"--metrics {text!r}: unknown metric(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(evaluation.METRICS)}",
            common.USAGE_ERROR,
        )
    return names


def load_statistics(path, extractor_name, extractor, image_shape):
    """Real statistics from a `kgan stats` file, checked to match this evaluation."""
    from kgan.metrics.frechet_distance import FeatureStatistics

    try:
        statistics = FeatureStatistics.load(path)
    except (OSError, ValueError) as error:
        message = f"cannot read statistics from {path!r}: {common.one_line(error)}"
        raise common.CommandError(message) from None
    made_with = statistics.metadata.get("extractor")
    fingerprint = statistics.metadata.get("extractor_sha256")
    # Same weights, whatever the spelling of the name (a path written another way); other
    # weights under the same name (a replaced file, a classifier trained elsewhere) are refused.
    same = (
        fingerprint == features.fingerprint(extractor)
        if fingerprint is not None
        else made_with is None or made_with == extractor_name
    )
    if not same:
        other = " (other weights under that name)" if made_with == extractor_name else ""
        raise common.CommandError(
            f"{path!r} was computed with the extractor {made_with!r}{other}, not "
            f"{extractor_name!r}: recompute it with `kgan stats ... --extractor "
            f"{extractor_name}`"
        )
    shape = statistics.metadata.get("image_shape")
    if shape is not None and tuple(shape) != tuple(image_shape):
        raise common.CommandError(
            f"{path!r} was computed on {features.describe_shape(shape)} images but the model "
            f"generates {features.describe_shape(image_shape)}: recompute it with `kgan stats "
            f"... --image-size {image_shape[0]} --channels {image_shape[-1]}`"
        )
    return statistics


def sample_shape(model):
    """The shape of one of `model`'s samples, from one sample (for a conditional model, of
    class 0 or the all-zero attribute vector)."""
    import numpy as np

    from kgan.metrics import sample_batches

    form = sample_batches.condition_form(model)
    if form is None:
        sample = model.generate(1, seed=0)
    elif form[0] == "classes":
        sample = model.generate(np.zeros(1, "int32"), seed=0)
    else:
        sample = model.generate(np.zeros((1, form[1]), "float32"), seed=0)
    return tuple(int(dim) for dim in sample.shape[1:])


def json_safe(payload):
    """`payload` with non-finite floats replaced by `None`, so that it is standard JSON.

    `class_kl` is infinite when samples fall in a class no real sample does; Python would write
    `Infinity`, which JSON does not have and strict parsers (JavaScript's, jq) reject.
    """
    if isinstance(payload, dict):
        return {key: json_safe(value) for key, value in payload.items()}
    if isinstance(payload, list | tuple):
        return [json_safe(value) for value in payload]
    if isinstance(payload, float) and not math.isfinite(payload):
        return None
    return payload


def run(args):
    """Generates `args.num` samples and prints the chosen metrics against `args.data`."""
    from kgan.metrics import evaluation

    common.check_positive(args.num, "--num")
    common.check_positive(args.num_real, "--num-real")
    common.check_positive(args.batch_size, "--batch-size")
    if args.out is not None:
        common.check_extension(args.out, (".json",))
        common.check_output_file(args.out, force=args.force)
    start = time.perf_counter()
    model = loading.load_model(args.model, raw_generator=args.raw_generator)
    if sample_sequences.makes_tokens(model):
        return report(args, json_safe(evaluate_sequences.run(args, model, start)))
    if args.oracle is not None:
        raise common.CommandError(
            "--oracle applies to sequence models; this model makes images", common.USAGE_ERROR
        )
    metrics = parse_metrics(args.metrics or DEFAULT_METRICS)
    if os.path.isdir(args.data) or not args.data.lower().endswith(".npz"):
        statistics_file = None
    else:
        statistics_file = args.data

    others = [name for name in metrics if name != "fid"]
    if statistics_file is not None and others:
        raise common.CommandError(
            f"--data {args.data!r} holds statistics, which only FID can use; the metrics "
            f"{', '.join(others)} need real images (give a dataset as --data, or --metrics fid)",
            common.USAGE_ERROR,
        )

    image_shape = sample_shape(model)
    real_statistics, real_data = None, None
    if statistics_file is None:  # before the extractor, which may download or train
        real_data = features.load_real_images(args.data, image_shape, args.batch_size)
    extractor = features.get_extractor(args.extractor, image_shape)
    if statistics_file is not None:
        real_statistics = load_statistics(statistics_file, args.extractor, extractor, image_shape)
    try:
        evaluator = evaluation.Evaluator(
            metrics=metrics,
            extractor=extractor,
            real_data=real_data,
            real_statistics=real_statistics,
            num_real=args.num_real,
            batch_size=args.batch_size,
        )
        results = evaluator.evaluate(model, num_samples=args.num, seed=args.seed)
    except ValueError as error:  # e.g. images of a size the extractor rejects, no logits
        raise common.CommandError(
            f"cannot evaluate {args.model!r} with the extractor {args.extractor!r} on "
            f"{args.data!r}: {common.one_line(error)}"
        ) from None
    payload = json_safe(
        {
            "model": args.model,
            "data": args.data,
            "extractor": args.extractor,
            "metrics": list(metrics),
            "seed": args.seed,
            # Each batch of samples has its own seed: the batch size is part of what was drawn.
            "batch_size": args.batch_size,
            **results,
            "seconds": round(time.perf_counter() - start, 1),
        }
    )
    report(args, payload)


def report(args, payload):
    """Writes `payload` to `--out` if asked, and prints it as JSON or as a table."""
    if args.out is not None:
        common.write_json(args.out, payload)
    if args.json:
        print(json.dumps(payload, allow_nan=False))
        return
    print(table(payload))
    if args.out is not None:
        print(f"Wrote the scores and settings to {args.out}")


# Settings, printed above the scores; everything else in the payload is a score.
SETTINGS = ("model", "data", "extractor", "oracle", "metrics", "seed", "batch_size", "seconds")


def _cell(value):
    if value is None:
        return "n/a"  # a non-finite value (see `json_safe`)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        if len(value) > 12 or any(isinstance(item, list | tuple | dict) for item in value):
            return f"({len(value)} values: see --json or --out)"
        return " ".join(_cell(item) for item in value)
    return str(value)


def _rows(payload, prefix=""):
    for key, value in payload.items():
        if isinstance(value, dict):
            yield from _rows(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", _cell(value)


def table(payload):
    """The payload as two aligned columns: the settings, a rule, then one row per score.

    Example:

    >>> print(table({"model": "m.keras", "fid": 12.3456789, "kid": 0.01, "seconds": 3.2}))
    model    m.keras
    seconds  3.2
    -------  -------
    fid      12.3457
    kid      0.01
    """
    settings = [(key, _cell(payload[key])) for key in SETTINGS if key in payload]
    scores = list(_rows({k: v for k, v in payload.items() if k not in SETTINGS}))
    width = max(len(name) for name, _ in settings + scores)
    value_width = max(len(value) for _, value in settings + scores)
    lines = [f"{name:<{width}}  {value}" for name, value in settings]
    lines.append(f"{'-' * width}  {'-' * min(value_width, 40)}")
    lines += [f"{name:<{width}}  {value}" for name, value in scores]
    return "\n".join(lines)
