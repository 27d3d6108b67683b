"""A generator in the browser: a static folder with the ONNX model, onnxruntime-web and a page.

`export_generator(..., format="web")` (or `kgan export --format web`) writes `web/` (CycleGAN:
`web_a2b/`): the generator as `generator.onnx` (see `kgan.export.onnx_format`), `model.json`
(what it takes), the page (`index.html`, `page.js`) and onnxruntime-web's WebAssembly build
(`ort.wasm.min.js`, `ort-wasm-simd-threaded.mjs` / `.wasm`, about 15 MB), so the folder works
offline from any static file server:

```
python -m http.server --directory exported/web 8000   # then open http://localhost:8000
```

The page draws a grid of samples (`?seed=3&num=25` in the address choose them), a "New
samples" button (the next seed), a class picker for class-id models (all classes in turn, as
`kgan sample` does, or one), attribute check boxes for attribute models, and an image upload
for translators. It runs onnxruntime-web on one thread (threaded WebAssembly needs
cross-origin isolation headers that a plain static server does not send). Scripts reach the
model through `window.kganPage.generate(seed, num, labels)` and `.translate(pixels, num)`.

Latent vectors on the page come from a seeded generator of its own (mulberry32 uniforms,
Box-Muller normals), not NumPy's; `page_latents` computes the same vectors in Python, so a
page's images can be checked against onnxruntime's (`tests/export/web_test.py` does, in
headless Chromium).

onnxruntime-web comes from the npm registry: the release `ONNXRUNTIME_WEB_VERSION` is
downloaded once, checked against its published sha512 integrity, and cached beside Keras' own
downloads (`~/.keras/kgan/`). Offline, pass the `.tgz` that `npm pack onnxruntime-web@<version>`
writes, or a folder holding the three files, as `web_runtime=` (`kgan export --web-runtime`) or
in the environment variable `KGAN_ONNXRUNTIME_WEB`.
"""

import base64
import hashlib
import importlib.resources
import io
import json
import os
import shutil
import tarfile
import urllib.request

import numpy as np

from kgan.utils import atomic

ONNXRUNTIME_WEB_VERSION = "1.31.1"
# The registry's `dist.integrity` of that release (`npm view onnxruntime-web@1.31.1 dist`).
ONNXRUNTIME_WEB_INTEGRITY = (
    "sha512-5GeH+bWQ+HxM10z7erGlsWqryrwMbSvm/1tkIsKTT48g0fI19VXVVC435t4t7VsPdSQeS7NmuZPXrQ73k82URw"
    "=="
)
REGISTRY_URL = "https://registry.npmjs.org/onnxruntime-web/-/onnxruntime-web-{version}.tgz"
# The WebAssembly build (no WebGPU/WebGL), all a CPU page needs.
RUNTIME_FILES = ("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")
PAGE_FILES = ("index.html", "page.js")
ENVIRONMENT_VARIABLE = "KGAN_ONNXRUNTIME_WEB"


class WebRuntimeError(OSError):
    """onnxruntime-web could not be found, downloaded or verified (the message says how to fix)."""


def _cache_dir():
    home = os.environ.get("KERAS_HOME", os.path.join("~", ".keras"))
    return os.path.expanduser(
        os.path.join(home, "kgan", f"onnxruntime-web-{ONNXRUNTIME_WEB_VERSION}")
    )


def _files_from_tarball(data):
    """`{name: bytes}` of `RUNTIME_FILES` in an npm package tarball."""
    found = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for name in RUNTIME_FILES:
            try:
                member = archive.getmember(f"package/dist/{name}")
            except KeyError:
                raise WebRuntimeError(f"the onnxruntime-web package has no dist/{name}") from None
            found[name] = archive.extractfile(member).read()
    return found


def _check_integrity(data):
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != ONNXRUNTIME_WEB_INTEGRITY:
        raise WebRuntimeError(
            f"the downloaded onnxruntime-web {ONNXRUNTIME_WEB_VERSION} does not match the "
            "registry's published integrity; nothing was cached. Retry, or pass a verified "
            "copy with web_runtime= (kgan export --web-runtime)"
        )


def runtime_folder(source=None):
    """A folder holding onnxruntime-web's `RUNTIME_FILES`, fetched and cached if need be.

    Args:
        source: `None` (the environment variable `KGAN_ONNXRUNTIME_WEB` if set, else the cache,
            filled from the npm registry on first use), a folder holding the files, or an npm
            package `.tgz`.

    Returns:
        The folder's path.

    Raises:
        WebRuntimeError: (an `OSError`) the files are missing, the download failed, or it does not
            match the published integrity.
    """
    source = source or os.environ.get(ENVIRONMENT_VARIABLE)
    if source is not None:
        source = os.fspath(source)
        if os.path.isdir(source):
            missing = [
                name for name in RUNTIME_FILES if not os.path.isfile(os.path.join(source, name))
            ]
            if missing:
                raise WebRuntimeError(f"web runtime folder {source!r} lacks {', '.join(missing)}")
            return source
        if not os.path.isfile(source):
            raise WebRuntimeError(f"web runtime {source!r}: no such file or folder")
        with open(source, "rb") as file:
            data = file.read()
        # Unpacked once per tarball content (not per path: the file may be replaced).
        folder = os.path.join(_cache_dir() + "-local", hashlib.sha256(data).hexdigest()[:16])
        if not os.path.isdir(folder):
            _store(_files_from_tarball(data), folder)
        return folder
    folder = _cache_dir()
    if all(os.path.isfile(os.path.join(folder, name)) for name in RUNTIME_FILES):
        return folder
    url = REGISTRY_URL.format(version=ONNXRUNTIME_WEB_VERSION)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except OSError as error:
        raise WebRuntimeError(
            f"cannot download onnxruntime-web from {url} ({error}); offline, pass the .tgz of "
            f"`npm pack onnxruntime-web@{ONNXRUNTIME_WEB_VERSION}` as web_runtime= "
            f"(kgan export --web-runtime) or in ${ENVIRONMENT_VARIABLE}"
        ) from None
    _check_integrity(data)
    _store(_files_from_tarball(data), folder)
    return folder


def _store(files, folder):
    """Writes `{name: bytes}` as `folder`, complete or not at all."""
    staged = atomic.staging_folder(folder)
    try:
        for name, data in files.items():
            with open(os.path.join(staged, name), "wb") as file:
                file.write(data)
        atomic.replace_path(staged, folder)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def page_latents(seed, num, latent_dim):
    """The latent vectors the page draws for `seed`: float32 `[num, latent_dim]`.

    mulberry32 (a 32-bit state; each step adds 0x6D2B79F5 and mixes with two multiplications)
    gives uniforms `u` in [0, 1); Box-Muller turns each pair into two standard normals,
    `sqrt(-2 log(1 - u1)) * (cos, sin)(2 pi u2)`, filling the array row by row. `page.js` does
    the same in JavaScript's doubles, so both round to the same float32 values.
    """
    size = int(num) * int(latent_dim)
    state = int(seed) & 0xFFFFFFFF
    uniforms = np.empty(size + size % 2)
    mask = 0xFFFFFFFF
    for index in range(len(uniforms)):
        state = (state + 0x6D2B79F5) & mask
        t = ((state ^ (state >> 15)) * (1 | state)) & mask
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & mask)) & mask) ^ t
        uniforms[index] = ((t ^ (t >> 14)) & mask) / 4294967296.0
    radius = np.sqrt(-2.0 * np.log(1.0 - uniforms[0::2]))
    angle = 2.0 * np.pi * uniforms[1::2]
    normals = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1).reshape(-1)
    return normals[:size].astype(np.float32).reshape(int(num), int(latent_dim))


def page_spec(spec, model_file="generator.onnx"):
    """`model.json`: what the page needs to know about the generator of `spec`."""
    described = {"kind": spec.kind, "model": model_file, "image_shape": list(spec.output_shape)}
    if spec.kind == "translation":
        described["input_shape"] = list(spec.input_shape)
    else:
        described["latent_dim"] = int(spec.input_shape[0])
    if spec.condition_size is not None:
        described["condition_size"] = int(spec.condition_size)
    return described


def write_folder(folder, spec, onnx_file, runtime=None):
    """Writes the web folder for `spec` at `folder` (which must not exist).

    Args:
        folder: the folder to create.
        spec: a `kgan.export.signatures.GeneratorSpec` (not a token generator: the page draws
            images).
        onnx_file: the generator's `.onnx` file (from `onnx_format.convert`), copied in.
        runtime: see `runtime_folder`'s `source`.

    Returns:
        `folder`.
    """
    runtime = runtime_folder(runtime)
    os.makedirs(folder)
    shutil.copyfile(onnx_file, os.path.join(folder, "generator.onnx"))
    for name in RUNTIME_FILES:
        shutil.copyfile(os.path.join(runtime, name), os.path.join(folder, name))
    assets = importlib.resources.files(__package__).joinpath("web_page")
    for name in PAGE_FILES:
        with open(os.path.join(folder, name), "wb") as file:
            file.write(assets.joinpath(name).read_bytes())
    with open(os.path.join(folder, "model.json"), "w") as file:
        json.dump(page_spec(spec), file, indent=2)
    return folder
