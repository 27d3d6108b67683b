"""How close are a trained model's exported artefacts to the Keras generator, and how small?

Exports each model (`NAME=PATH`, repeatable) with `kgan.export.export_generator` into a
temporary folder: a SavedModel and LiteRT models in float32, float16, dynamic-range and int8.
Every artefact then runs each of its signatures on `--num` fixed inputs beside the Keras
generator (the baseline), compared as uint8 pixels (`kgan.export.parity.compare`): max and
mean absolute error in pixel levels, PSNR in dB. Latent models get seeded standard-normal
latent vectors (class ids cycled, or random 0/1 attributes), drawn apart from int8's
calibration inputs; image-to-image models get the `--representative` source images after the
first 100, which calibrate int8.

The bars (issue 6), marked `pass` / `FAIL`:

| artefact | bar |
|---|---|
| SavedModel, float32 `.tflite` | max error <= 1 level |
| float16 `.tflite` | PSNR >= 40 dB |
| int8 `.tflite` | PSNR >= 25 dB and size <= 30% of the float32 `.tflite` |
| dynamic `.tflite` | reported only |

Run from the repository root:

```
python benchmarks/export_parity.py --model dcgan=runs/dcgan_digits/model.keras \
    --model pix2pix=runs/pix2pix_digits/model.keras --representative pix2pix=pix2pix_digits \
    --out parity.json
```
"""

import os

# Quiet TensorFlow's C++ start-up messages; must be set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import export_common  # noqa: E402
import machine  # noqa: E402

# artefact -> (description, check(figures, size_ratio) -> bool or None for "reported only")
BARS = {
    "saved_model": ("max <= 1", lambda figures, ratio: figures["max_error"] <= 1),
    "tflite": ("max <= 1", lambda figures, ratio: figures["max_error"] <= 1),
    "onnx": ("max <= 1", lambda figures, ratio: figures["max_error"] <= 1),
    "tflite_float16": ("PSNR >= 40", lambda figures, ratio: figures["psnr"] >= 40),
    "tflite_dynamic": ("reported", lambda figures, ratio: None),
    "tflite_int8": (
        "PSNR >= 25, size <= 30%",
        lambda figures, ratio: figures["psnr"] >= 25 and ratio <= 0.30,
    ),
}


def measure(name, path, source, num, seed):
    """Exports the model at `path` and returns one row per artefact."""
    from kgan.export import litert_runner
    from kgan.export import onnx_format
    from kgan.export import parity
    from kgan.export import saved_model
    from kgan.export import signatures

    model = export_common.load_model(path)
    spec = signatures.describe(model)
    images = None
    if spec.kind == "translation":
        if source is None:
            raise SystemExit(f"{name} translates images: give --representative {name}=SOURCE")
        images = export_common.source_images(source, spec.input_shape)
        if len(images) <= export_common.NUM_CALIBRATION:
            raise SystemExit(f"{name}: need more than {export_common.NUM_CALIBRATION} images")
    with tempfile.TemporaryDirectory() as folder:
        report = export_common.export_all(model, folder, images)
        parity_images = None if images is None else images[export_common.NUM_CALIBRATION :]
        float_size = report["tflite"].size_bytes
        rows = []
        for artefact in report.artefacts:
            key = artefact.key
            if artefact.format == "saved_model":
                loaded = saved_model.load(artefact.path)
                names = spec.signatures

                def run(signature, inputs, loaded=loaded):
                    return saved_model.run(loaded, signature, inputs)
            elif artefact.format == "onnx":
                session = onnx_format.load(artefact.path)
                names = signatures.DETERMINISTIC_SIGNATURES[spec.kind]

                def run(signature, inputs, session=session):
                    return onnx_format.run(session, inputs)
            else:
                interpreter = litert_runner.load(artefact.path)
                names = tuple(litert_runner.signature_names(interpreter))

                def run(signature, inputs, interpreter=interpreter):
                    return litert_runner.run(interpreter, signature, inputs)

            per_signature = {}
            for signature in names:
                inputs = signatures.example_inputs(spec, signature, num, seed, parity_images)
                expected = signatures.keras_images(spec, signature, inputs)
                per_signature[signature] = parity.compare(
                    expected, run(signature, inputs)["images"]
                )
            figures = parity.combine(list(per_signature.values()))
            ratio = artefact.size_bytes / float_size
            bar, check = BARS[key]
            verdict = check(figures, ratio)
            rows.append(
                {
                    "model": name,
                    "kind": spec.kind,
                    "artefact": key,
                    "size_kib": artefact.size_bytes / 1024,
                    "size_ratio": ratio,
                    **figures,
                    "signatures": per_signature,
                    "examples": len(expected),
                    "bar": bar,
                    "pass": verdict,
                }
            )
    return rows


def format_table(rows):
    header = (
        f"{'model':<10} {'artefact':<15} {'KiB':>9} {'/f32':>6} {'max':>4} {'mean':>7} "
        f"{'PSNR dB':>8}  {'bar':<24} result"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        psnr = "inf" if math.isinf(row["psnr"]) else f"{row['psnr']:.1f}"
        result = {True: "pass", False: "FAIL", None: "-"}[row["pass"]]
        lines.append(
            f"{row['model']:<10} {row['artefact']:<15} {row['size_kib']:>9.1f} "
            f"{row['size_ratio']:>6.2f} {row['max_error']:>4d} {row['mean_error']:>7.3f} "
            f"{psnr:>8}  {row['bar']:<24} {result}"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    export_common.add_model_arguments(parser)
    parser.add_argument("--num", type=int, default=64, help="parity examples per signature")
    parser.add_argument("--seed", type=int, default=1000, help="seed of the parity inputs")
    parser.add_argument("--out", help="write the rows as JSON to this path")
    args = parser.parse_args(argv)
    models, sources = export_common.models_and_sources(args)

    print(f"Machine: {machine.cpu_description()}; load average {os.getloadavg()[0]:.2f}")
    rows = []
    for name, path in models.items():
        rows += measure(name, path, sources.get(name), args.num, args.seed)
    print(format_table(rows))
    failed = [f"{row['model']} {row['artefact']}" for row in rows if row["pass"] is False]
    print("All bars met." if not failed else f"Missed: {', '.join(failed)}")
    if args.out:
        from kgan.export import parity

        # write_json writes strict JSON: an infinite PSNR (identical images) becomes null.
        parity.write_json(args.out, {"machine": machine.cpu_description(), "rows": rows})
    return rows


if __name__ == "__main__":
    main()
