"""How fast does one image come out of each exported artefact, against the Keras model?

For each model (`NAME=PATH`, repeatable), in one process: exports it with
`kgan.export.export_generator` (SavedModel, ONNX, and `.tflite` in float32, float16,
dynamic-range and int8) into a temporary folder, then times single-image generation (batch 1)
on this CPU:

- **keras** (the baseline): `generator(inputs, training=False)`, eager, float output;
- **saved_model**: the `generate` / `translate` signature of `tf.saved_model.load(...)`;
- **onnx**: the same signature converted to ONNX, in onnxruntime (CPU provider, `--threads`
  intra-op threads, as LiteRT);
- **tflite_***: the same signature in the LiteRT interpreter (`ai_edge_litert`), with
  `--threads` threads (default 1: on a busy 2-core machine, 2 threads made the int8 models
  10-40x slower and bimodal, 0.2 ms or 10 ms a call, as LiteRT's worker threads wait for a core).

Each is called `--warmup` times, then timed `--runs` times; the table gives the median and the
10th-90th percentile range in milliseconds, the file size (the `.keras` file holds both
networks and the optimizers' state, so its size is not the generator's) and both as ratios to
the Keras row. All contenders run on the same input, interleaved round by round, so a change
in the machine's load falls on all of them alike.

Run from the repository root:

```
python benchmarks/export_latency.py --model dcgan=runs/dcgan_digits/model.keras \
    --model pix2pix=runs/pix2pix_digits/model.keras --representative pix2pix=pix2pix_digits
```
"""

import os

# Quiet TensorFlow's C++ start-up messages; must be set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import export_common  # noqa: E402
import machine  # noqa: E402


def contenders(model, path, spec, report, inputs, threads):
    """`{name: (size in bytes, call with no arguments)}`, the Keras generator first."""
    import tensorflow as tf
    from ai_edge_litert import interpreter as litert

    from kgan.export import exporter
    from kgan.export import onnx_format
    from kgan.export import saved_model
    from kgan.export import signatures

    signature = "translate" if spec.kind == "translation" else "generate"
    if spec.kind == "translation":
        keras_inputs = signatures.from_uint8(inputs["images"])
    elif spec.kind == "unconditional":
        keras_inputs = tf.constant(inputs["z"])
    else:
        keras_inputs = [tf.constant(inputs["z"]), tf.constant(inputs["labels"])]
    calls = {
        "keras": (
            exporter.file_size(path),
            lambda: spec.generator(keras_inputs, training=False),
        )
    }
    tensors = {name: tf.constant(value) for name, value in inputs.items()}
    for artefact in report.artefacts:
        name = artefact.key
        if artefact.format == "saved_model":
            function = saved_model.load(artefact.path).signatures[signature]
            calls[name] = (artefact.size_bytes, lambda function=function: function(**tensors))
        elif artefact.format == "onnx":
            session = onnx_format.load(artefact.path, threads=threads)
            feed = {onnx_format.onnx_input_name(key): value for key, value in inputs.items()}
            calls[name] = (
                artefact.size_bytes,
                lambda session=session, feed=feed: session.run(None, feed),
            )
        else:
            interpreter = litert.Interpreter(model_path=artefact.path, num_threads=threads)
            runner = interpreter.get_signature_runner(signature)
            details = runner.get_input_details()
            feed = {key: np.asarray(value, details[key]["dtype"]) for key, value in inputs.items()}
            calls[name] = (artefact.size_bytes, lambda runner=runner, feed=feed: runner(**feed))
    return calls


def measure(name, path, source, warmup, runs, threads):
    """Times every contender of one model; returns one row each."""
    from kgan.export import signatures

    model = export_common.load_model(path)
    spec = signatures.describe(model)
    images = None
    if spec.kind == "translation":
        if source is None:
            raise SystemExit(f"{name} translates images: give --representative {name}=SOURCE")
        images = export_common.source_images(source, spec.input_shape)
    signature = "translate" if spec.kind == "translation" else "generate"
    # One example, apart from the calibration images.
    inputs = signatures.example_inputs(
        spec, signature, 1, 1000, None if images is None else images[-1:]
    )
    with tempfile.TemporaryDirectory() as folder:
        report = export_common.export_all(model, folder, images)
        calls = contenders(model, path, spec, report, inputs, threads)
        for call in (call for _, call in calls.values() for _ in range(warmup)):
            call()
        seconds = {key: [] for key in calls}
        for _ in range(runs):  # interleaved: load changes hit every contender alike
            for key, (_, call) in calls.items():
                start = time.perf_counter()
                call()
                seconds[key].append(time.perf_counter() - start)
    base_size, base_ms = calls["keras"][0], 1000 * float(np.median(seconds["keras"]))
    rows = []
    for key, (size, _) in calls.items():
        milliseconds = 1000 * np.asarray(seconds[key])
        median = float(np.median(milliseconds))
        rows.append(
            {
                "model": name,
                "contender": key,
                "size_kib": size / 1024,
                "size_ratio": size / base_size,
                "median_ms": median,
                "p10_ms": float(np.percentile(milliseconds, 10)),
                "p90_ms": float(np.percentile(milliseconds, 90)),
                "speedup": base_ms / median,
            }
        )
    return rows


def format_table(rows):
    header = (
        f"{'model':<10} {'contender':<15} {'KiB':>9} {'size/keras':>10} {'median ms':>10} "
        f"{'p10-p90 ms':>15} {'speed x keras':>13}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        spread = f"{row['p10_ms']:.2f}-{row['p90_ms']:.2f}"
        lines.append(
            f"{row['model']:<10} {row['contender']:<15} {row['size_kib']:>9.1f} "
            f"{row['size_ratio']:>10.3f} {row['median_ms']:>10.3f} {spread:>15} "
            f"{row['speedup']:>13.2f}"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    export_common.add_model_arguments(parser)
    parser.add_argument("--warmup", type=int, default=10, help="untimed calls per contender")
    parser.add_argument("--runs", type=int, default=100, help="timed calls per contender")
    parser.add_argument("--threads", type=int, default=1, help="LiteRT threads (default: 1)")
    parser.add_argument("--out", help="write the rows as JSON to this path")
    args = parser.parse_args(argv)
    models, sources = export_common.models_and_sources(args)

    print(
        f"Machine: {machine.cpu_description()}; load average {os.getloadavg()[0]:.2f}; "
        f"LiteRT threads: {args.threads}; batch 1, median of {args.runs} runs "
        f"after {args.warmup} warm-up calls"
    )
    rows = []
    for name, path in models.items():
        rows += measure(name, path, sources.get(name), args.warmup, args.runs, args.threads)
    print(format_table(rows))
    print(f"Load average after: {os.getloadavg()[0]:.2f}")
    if args.out:
        from kgan.export import parity

        parity.write_json(args.out, {"machine": machine.cpu_description(), "rows": rows})
    return rows


if __name__ == "__main__":
    main()
