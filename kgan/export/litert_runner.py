"""Run an exported `.tflite` generator without TensorFlow: NumPy, Pillow and `ai_edge_litert`.

This file imports nothing from TensorFlow, Keras or the rest of kgan, so it can be copied next
to a `.tflite` file and run on a device that has only `pip install ai-edge-litert pillow`:

```
python litert_runner.py generator.tflite --num 16 --seed 0 --out samples/
python litert_runner.py generator.tflite --labels 3,7 --num 8 --out sevens/
python litert_runner.py translate.tflite --input photos/ --out translated/
python litert_runner.py seqgan.tflite --num 100 --seed 0 --temperature 0.8 --out tokens/
```

Where kgan is installed, `python -m kgan.export.litert_runner ...` runs the same command (that
form imports the `kgan` package, and so TensorFlow, first; run the file by path to avoid it).

A `generate` model gets standard-normal latent vectors drawn with NumPy
(`np.random.default_rng(seed)`); a `translate` model gets the images of `--input` (a folder of
images or a `.npy` uint8 array), resized to the model's size. Each output image is written as
`00000.png`, `00001.png`, ... in `--out`. A token generator (a `generate` taking `uniforms`) gets
one uniform per token from `np.random.default_rng(seed).random((num, T), np.float32)`, as
`SequenceGAN.generate(num, seed)` draws them, and its int32 ids `[num, T]` are written to
`tokens.npy` in `--out`.
"""

import argparse
import os
import sys

import numpy as np
from PIL import Image

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


# The interpreter ships in its own wheel (no Windows build), hence an extra, not a dependency.
MISSING_INTERPRETER = (
    "running .tflite files needs the LiteRT interpreter, which kgan installs with its `litert` "
    "extra: pip install 'kgan[litert]' (in a checkout: pip install -e '.[litert]')"
)


def interpreter_module():
    """The `ai_edge_litert.interpreter` module, or `ImportError` naming the extra to install."""
    try:
        from ai_edge_litert import interpreter as litert
    except ImportError:
        raise ImportError(MISSING_INTERPRETER) from None
    return litert


def load(path):
    """A LiteRT interpreter for the model file at `path`."""
    return interpreter_module().Interpreter(model_path=str(path))


def signature_names(interpreter):
    """`{signature: {"inputs": [...], "outputs": [...]}}` of a loaded model."""
    return interpreter.get_signature_list()


def input_details(interpreter, signature):
    """`{input name: (shape signature with -1 for any size, NumPy dtype)}` of `signature`."""
    runner = interpreter.get_signature_runner(signature)
    return {
        name: (tuple(int(size) for size in detail["shape_signature"]), detail["dtype"])
        for name, detail in runner.get_input_details().items()
    }


def run(interpreter, signature, inputs):
    """Runs `signature` on `inputs` (`{name: array}`, any batch size); returns its outputs.

    The signature runner resizes the input tensors to each call's batch (the model's batch
    dimension is dynamic) and reallocates, so calls of different sizes can follow each other.
    """
    runner = interpreter.get_signature_runner(signature)
    details = runner.get_input_details()
    feed = {name: np.asarray(value, dtype=details[name]["dtype"]) for name, value in inputs.items()}
    return {name: np.array(value) for name, value in runner(**feed).items()}


def latent_inputs(interpreter, num, seed, labels=None):
    """Inputs of a `generate` signature: NumPy normal latent vectors and, if needed, labels."""
    details = input_details(interpreter, "generate")
    latent_dim = details["z"][0][-1]
    inputs = {"z": np.random.default_rng(seed).standard_normal((num, latent_dim))}
    if "labels" in details:
        shape, dtype = details["labels"]
        if labels is None:
            raise SystemExit("this model is conditional: give --labels (e.g. --labels 0,1,2)")
        if len(shape) == 1:  # class ids, cycled up to num
            inputs["labels"] = np.resize(np.asarray(labels, dtype), num)
        else:
            inputs["labels"] = np.resize(np.asarray(labels, dtype), (num, shape[-1]))
    return inputs


def token_inputs(interpreter, num, seed, temperature=1.0):
    """Inputs of a token generator's `generate`: NumPy uniforms, one per token, and temperature."""
    length = input_details(interpreter, "generate")["uniforms"][0][-1]
    uniforms = np.random.default_rng(seed).random((num, length), np.float32)
    return {"uniforms": uniforms, "temperature": np.float32(temperature)}


def read_images(path, shape):
    """uint8 images `[N, H, W, C]` from a `.npy` file or a folder, resized to `shape`."""
    if path.lower().endswith(".npy"):
        images = np.load(path, allow_pickle=False)
        if images.ndim == 3:  # one image [H, W, C], or a gray batch [N, H, W]
            images = images[None] if images.shape == tuple(shape) else images[..., None]
        if images.dtype != np.uint8:
            # kgan's convention: floats in [-1, 1], mapped as kgan.utils.images.to_uint8 does.
            if not np.issubdtype(images.dtype, np.floating) or np.abs(images).max() > 1.001:
                raise SystemExit(
                    f"{path!r}: give uint8 pixels or floats in [-1, 1]; got {images.dtype} in "
                    f"[{images.min()}, {images.max()}]"
                )
            images = np.clip(np.floor((images.astype(np.float64) + 1) * 127.5 + 0.5), 0, 255)
            images = images.astype(np.uint8)
        if images.ndim != 4 or tuple(images.shape[1:]) != tuple(shape):
            raise SystemExit(f"{path!r}: the model takes images {tuple(shape)}; got {images.shape}")
        return images
    height, width, channels = shape
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[channels]
    images = []
    for name in sorted(os.listdir(path)):
        if name.lower().endswith(IMAGE_EXTENSIONS):
            with Image.open(os.path.join(path, name)) as image:
                image = image.convert(mode).resize((width, height), Image.BILINEAR)
                images.append(np.asarray(image, np.uint8).reshape(height, width, channels))
    if not images:
        raise SystemExit(f"no images in {path!r}")
    return np.stack(images)


def write_images(out, images):
    """Writes a uint8 batch `[N, H, W, C]` as numbered PNGs into the folder `out`."""
    os.makedirs(out, exist_ok=True)
    for index, image in enumerate(images):
        Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
            os.path.join(out, f"{index:05d}.png")
        )


def main(argv=None):
    """Command line: see the module docstring. Returns the number of images written."""
    parser = argparse.ArgumentParser(prog="litert_runner", description=__doc__.split("\n")[0])
    parser.add_argument("model", help="a .tflite file exported by kgan.export")
    parser.add_argument("--num", type=int, default=16, help="samples to generate (default: 16)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the latent vectors")
    parser.add_argument("--labels", default=None, help="class ids or 0/1 attributes, e.g. 0,1,2")
    parser.add_argument("--input", default=None, help="translate models: a folder or a .npy")
    parser.add_argument(
        "--temperature", type=float, default=1.0, help="token models: > 0 (default: 1)"
    )
    parser.add_argument("--out", required=True, help="folder for the PNG files (or tokens.npy)")
    args = parser.parse_args(argv)

    try:
        interpreter = load(args.model)
    except ImportError as error:
        raise SystemExit(f"litert_runner: error: {error}") from None
    signatures = signature_names(interpreter)
    if "translate" in signatures:
        if args.input is None:
            raise SystemExit("this model translates images: give --input FOLDER or FILE.npy")
        shape = input_details(interpreter, "translate")["images"][0][1:]
        inputs = {"images": read_images(args.input, shape)}
        signature = "translate"
    elif "uniforms" in input_details(interpreter, "generate"):
        if not args.temperature > 0:
            raise SystemExit(f"--temperature must be > 0, got {args.temperature}")
        inputs = token_inputs(interpreter, args.num, args.seed, args.temperature)
        tokens = run(interpreter, "generate", inputs)["tokens"]
        os.makedirs(args.out, exist_ok=True)
        np.save(os.path.join(args.out, "tokens.npy"), tokens.astype(np.int32))
        print(f"Wrote {len(tokens)} sequences of {tokens.shape[1]} token ids to {args.out}")
        return len(tokens)
    else:
        labels = None
        if args.labels is not None:
            labels = [float(item) for item in args.labels.split(",") if item.strip()]
        inputs, signature = latent_inputs(interpreter, args.num, args.seed, labels), "generate"
    images = run(interpreter, signature, inputs)["images"]
    write_images(args.out, images)
    print(f"Wrote {len(images)} images of shape {images.shape[1:]} to {args.out}")
    return len(images)


if __name__ == "__main__":
    main(sys.argv[1:])
