"""Loading what the `kgan` commands work on: a `.keras` model, or an exported artefact.

Separate from `kgan.cli.common` so that the shared helpers stay free of Keras (so `kgan --help`
imports no TensorFlow) and `kgan.cli.exported`, which uses those helpers, is not imported by them.
"""

import os

from kgan.cli import common
from kgan.cli import exported


def add_raw_generator_flag(parser):
    """Adds `--raw-generator`: sample the trained generator, not its EMA copy."""
    parser.add_argument(
        "--raw-generator",
        action="store_true",
        help="use the raw generator of a model trained with an EMA generator (ema_decay), "
        "not its moving average (the default)",
    )


def load_model(path, exported_ok=False, hide_native_logs=False, raw_generator=False):
    """Loads a kgan model from a `.keras` file, or raises `CommandError` saying why it cannot.

    With `exported_ok=True`, `path` may also be what `kgan export` wrote, a SavedModel folder or
    a `.tflite` file: the model is then an adapter from `kgan.cli.exported`, which keeps
    LiteRT's own log lines off stderr when `hide_native_logs` (the commands pass `not
    --verbose`). `raw_generator` makes a model with an EMA generator sample its raw one.
    """
    import keras

    if not os.path.exists(path):
        raise common.CommandError(f"no model file at {path!r}")
    if exported_ok and exported.is_exported(path):
        if raw_generator:
            raise common.CommandError(
                f"--raw-generator: {path!r} is an export, which holds one generator; export the "
                ".keras model with --raw-generator to ship the raw one"
            )
        return exported.load(path, hide_native_logs)
    if os.path.isdir(path):
        if exported_ok:
            raise common.CommandError(
                f"{path!r} is a directory but not an exported SavedModel (no saved_model.pb "
                "in it); give a .keras file, a SavedModel folder, a .tflite or .onnx file"
            )
        raise common.CommandError(f"{path!r} is a directory, not a .keras model file")
    try:
        model = keras.saving.load_model(path)
    except Exception as error:  # Any failure to load (not a zip, unknown class...) reads alike.
        raise common.CommandError(
            f"cannot load a model from {path!r}: {common.one_line(error)}"
        ) from None
    # kgan models (and users' subclasses of them) descend from a class of the `kgan` package and
    # generate with `generate(num, seed)`; other Keras models have no such contract.
    from_kgan = any(cls.__module__.startswith("kgan.") for cls in type(model).__mro__)
    if not from_kgan or not hasattr(model, "generate"):
        raise common.CommandError(
            f"{path!r} holds a {type(model).__name__}, not a kgan model (such as kgan.GAN)"
        )
    if raw_generator:
        if not getattr(model, "has_ema", False):
            raise common.CommandError(
                f"--raw-generator: {path!r} keeps no EMA generator (it was trained without "
                "ema_decay), so it samples its raw generator already; leave the flag out"
            )
        model.sample_with_ema = False
    return model
