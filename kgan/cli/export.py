"""`kgan export`: a saved model's generator as SavedModel, LiteRT and ONNX models, parity checked.

```
kgan export runs/dcgan_digits/model.keras --format saved_model,tflite --out exported/
kgan export runs/dcgan_digits/model.keras --format tflite --quantize float16,int8 --out exported/
kgan export runs/pix2pix_facades/model.keras --format tflite --quantize int8 \\
    --representative sources.npy --out exported/
kgan export runs/dcgan_digits/model.keras --format onnx --out exported/   # the onnx extra
kgan export runs/dcgan_digits/model.keras --format web --out exported/    # exported/web/: a page
kgan export runs/cyclegan_horses/model.keras --direction b2a --out exported/
kgan export runs/seqgan_oracle/model.keras --format saved_model,tflite --top-k 20 --out exported/
```

A sequence model (SeqGAN, MaliGAN, RelGAN) exports a sampler: one uniform per token and a
temperature in, int32 token ids out; `--top-k` / `--top-p` are fixed in it, and parity is the
fraction of token ids equal to the Keras model's (`--min-token-match`).

Writes what `kgan.export.export_generator` writes (artefacts and `<artefact>.parity.json`) and
prints one line per artefact: size and parity against the Keras generator. An export past its
parity threshold writes nothing and fails with the figures.
"""

import contextlib
import os

from kgan.cli import common
from kgan.cli import loading
from kgan.cli import quiet

HELP = "export a saved model's generator to SavedModel / LiteRT / ONNX, with parity checks"
FORMATS = ("saved_model", "tflite", "onnx", "web")
QUANTIZATIONS = ("none", "float16", "dynamic", "int8")


def add_arguments(parser):
    loading.add_raw_generator_flag(parser)
    parser.add_argument("model", help="a model saved by kgan, e.g. runs/dcgan_digits/model.keras")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument(
        "--format",
        default="saved_model",
        help="comma-separated: saved_model, tflite (the litert extra), onnx (the onnx extra), web "
        "(a static folder web/ with a page that runs the ONNX model in the browser; the onnx "
        "extra) (default: saved_model)",
    )
    parser.add_argument(
        "--quantize",
        default="none",
        help=f"tflite only, comma-separated: {', '.join(QUANTIZATIONS)}, one .tflite each "
        "(default: none = float32)",
    )
    parser.add_argument(
        "--web-runtime",
        default=None,
        help="--format web: onnxruntime-web as a .tgz of `npm pack onnxruntime-web` or a folder "
        "of its dist files (default: downloaded once from the npm registry and cached)",
    )
    parser.add_argument(
        "--representative",
        default=None,
        help="image-to-image models: a .npy of source images [N, H, W, C] to calibrate int8 on",
    )
    parser.add_argument(
        "--num-representative", type=int, default=100, help="int8 calibration examples"
    )
    parser.add_argument(
        "--direction",
        choices=("a2b", "b2a"),
        default=None,
        help="CycleGAN: which generator (default: a2b)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the parity inputs")
    parser.add_argument(
        "--top-k",
        type=int,
        default=None,
        help="sequence models: the exported sampler keeps the k likeliest tokens (default: all)",
    )
    parser.add_argument(
        "--top-p",
        type=float,
        default=None,
        help="sequence models: the exported sampler keeps the nucleus of mass p (default: 1)",
    )
    parser.add_argument(
        "--min-token-match",
        type=float,
        default=None,
        help="sequence models: smallest allowed fraction of token ids equal to the Keras "
        "model's; given, it replaces the defaults (SavedModel 1, float32 LiteRT 0.999)",
    )
    for option, kind, what in (
        ("--max-error", int, "largest allowed pixel error (levels of 255)"),
        ("--mean-error", float, "largest allowed mean pixel error (levels)"),
        ("--min-psnr", float, "smallest allowed PSNR (dB)"),
    ):
        parser.add_argument(
            option,
            type=kind,
            default=None,
            help=f"parity threshold for every artefact of this export: {what}; given, it "
            "replaces the per-format defaults (float32 max 1, float16 40 dB, quantized 20 dB)",
        )


def _names(text, allowed, option):
    names = [item.strip().lower() for item in text.split(",") if item.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise common.CommandError(
            f"{option} {text!r}: give one or more of {', '.join(allowed)}", common.USAGE_ERROR
        )
    return names


def run(args):
    """Exports `args.model` into `args.out` and prints the parity report."""
    from kgan import export
    from kgan.export import litert_runner
    from kgan.export import onnx_format
    from kgan.export import web

    formats = _names(args.format, FORMATS, "--format")
    quantize = [
        None if name == "none" else name
        for name in _names(args.quantize, QUANTIZATIONS, "--quantize")
    ]
    if "tflite" not in formats and quantize != [None]:
        raise common.CommandError(
            "--quantize applies to LiteRT models: add tflite to --format", common.USAGE_ERROR
        )
    common.check_positive(args.num_representative, "--num-representative")
    _check_no_earlier_export(args.out, args.force)
    if args.seed < 0:
        raise common.CommandError(f"--seed must be >= 0, got {args.seed}", common.USAGE_ERROR)
    thresholds = {
        key: value
        for key, value in (
            ("max_error", args.max_error),
            ("mean_error", args.mean_error),
            ("min_psnr", args.min_psnr),
            ("min_token_match", args.min_token_match),
        )
        if value is not None
    }
    representative = None
    if args.representative is not None:
        representative = common.load_npy(args.representative, "--representative")
    model = loading.load_model(args.model, raw_generator=args.raw_generator)
    # The parity check runs each .tflite in LiteRT, whose first run prints its XNNPACK notice
    # straight to stderr. Not replayed on failure: the converter's and LiteRT's errors are in
    # the exceptions they raise, which the command reports on its one error line below.
    native_logs = (
        contextlib.nullcontext() if args.verbose else quiet.native_stderr_hidden(replay=False)
    )
    try:
        with native_logs:
            report = export.export_generator(
                model,
                args.out,
                format=formats,
                quantize=quantize,
                representative_data=representative,
                num_representative=args.num_representative,
                direction=args.direction,
                seed=args.seed,
                top_k=args.top_k,
                top_p=args.top_p,
                parity_threshold=thresholds or None,
                verbose=False,
                web_runtime=args.web_runtime,
            )
    except ValueError as error:  # ParityError included: the figures are in the message
        message = common.one_line(error).replace("representative_data=", "--representative ")
        message = message.replace("representative_data is for", "--representative is for")
        message = message.replace("top_k and top_p are", "--top-k and --top-p are")
        usage = "--representative" in message and not isinstance(error, export.ParityError)
        raise common.CommandError(
            message, common.USAGE_ERROR if usage else common.RUN_ERROR
        ) from None
    except ImportError as error:
        missing_extra = str(error) == litert_runner.MISSING_INTERPRETER or str(error).startswith(
            onnx_format.MISSING
        )
        if not missing_extra:
            raise
        raise common.CommandError(str(error)) from None
    except web.WebRuntimeError as error:  # an OSError, but not one of writing --out
        raise common.CommandError(f"--format web: {common.one_line(error)}") from None
    except OSError as error:
        raise common.CommandError(f"cannot write {args.out!r}: {common.one_line(error)}") from None
    print(report)
    print(f"Exported {len(report.artefacts)} artefacts to {args.out}")
    for artefact in report.artefacts:
        if artefact.format == "web":
            print(
                f"Open the page: python -m http.server --directory {artefact.path} 8000, then "
                "http://localhost:8000"
            )


def _check_no_earlier_export(folder, force):
    """Refuses (without `--force`) a folder that already holds artefacts of `kgan export`:
    SavedModels, `.tflite` and `.onnx` files would be replaced. Other files may share the
    folder."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise common.CommandError(f"--out {folder!r} is a file, not a folder")
    if force or not os.path.isdir(folder):
        return
    earlier = sorted(
        name
        for name in os.listdir(folder)
        if name.startswith(("saved_model", "web"))
        or (name.startswith("generator") and (".tflite" in name or ".onnx" in name))
    )
    if earlier:
        raise common.CommandError(
            f"--out {folder!r} already holds an export ({', '.join(earlier[:3])}); pass --force "
            "to replace it, or export elsewhere",
            common.USAGE_ERROR,
        )
