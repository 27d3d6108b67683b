"""Tests for kgan/export/web.py: the web folder, its runtime, and its page in headless Chromium."""

import io
import json
import os
import re
import shutil
import subprocess
import tarfile

import numpy as np
import pytest
from PIL import Image

from kgan import export
from kgan.export import onnx_format
from kgan.export import signatures
from kgan.export import web
from kgan.testing import browser
from kgan.testing.objectives import tiny_model

PAGE_JS = os.path.join(os.path.dirname(web.__file__), "web_page", "page.js")


def _needs_browser():
    reason = browser.missing()
    if reason:
        pytest.skip(f"browser test skipped: {reason}")


@pytest.fixture(scope="module")
def web_exports(tmp_path_factory):
    """`objective -> (model, web folder)` for the image objectives the page serves."""
    try:
        web.runtime_folder()  # fetched from the npm registry once, then cached
    except web.WebRuntimeError as error:
        pytest.skip(f"onnxruntime-web unavailable here: {error}")
    results = {}
    for objective in ("gan", "classes", "attributes", "pix2pix"):
        model = tiny_model(objective)
        path = tmp_path_factory.mktemp(f"web_{objective}")
        report = export.export_generator(model, path, format="web", verbose=False)
        results[objective] = (model, report.paths["web"])
    return results


def test_folder_is_self_contained(web_exports):
    model, folder = web_exports["classes"]
    assert sorted(os.listdir(folder)) == sorted(
        ["generator.onnx", "model.json", *web.PAGE_FILES, *web.RUNTIME_FILES]
    )
    described = json.loads(open(os.path.join(folder, "model.json")).read())
    spec = signatures.describe(model)
    assert described == {
        "kind": "classes",
        "model": "generator.onnx",
        "image_shape": list(spec.output_shape),
        "latent_dim": spec.input_shape[0],
        "condition_size": spec.condition_size,
    }
    # The page loads nothing from another host: every script and module is in the folder.
    html = open(os.path.join(folder, "index.html")).read()
    assert set(re.findall(r'src="([^"]+)"', html)) == {"ort.wasm.min.js", "page.js"}
    assert "http" not in open(os.path.join(folder, "page.js")).read()
    report = json.loads(open(f"{folder}.parity.json").read())
    assert report["format"] == "web" and report["figures"]["max_error"] <= 1


def test_page_latents_equal_the_page_script_in_node(tmp_path):
    if shutil.which("node") is None:
        pytest.skip("no Node.js to run page.js's generator")
    script = open(PAGE_JS).read().split("const page = {};")[0]  # the two pure functions
    script += "\nprocess.stdout.write(JSON.stringify(Array.from(latents(7, 5, 3))));\n"
    (tmp_path / "latents.js").write_text(script)
    printed = subprocess.run(
        ["node", tmp_path / "latents.js"], capture_output=True, text=True, check=True
    ).stdout
    expected = np.asarray(json.loads(printed), np.float32).reshape(5, 3)  # odd size: one unused
    np.testing.assert_array_equal(web.page_latents(7, 5, 3), expected)


def test_page_latents_are_standard_normal_and_seeded():
    draws = web.page_latents(1, 2000, 8)
    assert draws.dtype == np.float32 and draws.shape == (2000, 8)
    assert abs(draws.mean()) < 0.03 and abs(draws.std() - 1) < 0.03
    np.testing.assert_array_equal(draws, web.page_latents(1, 2000, 8))
    assert not np.array_equal(draws[:10], web.page_latents(2, 10, 8))


@pytest.mark.parametrize("objective", ["gan", "classes", "attributes"])
def test_page_samples_equal_onnxruntime(web_exports, objective):
    _needs_browser()
    model, folder = web_exports[objective]
    spec = signatures.describe(model)
    session = onnx_format.load(os.path.join(folder, "generator.onnx"))
    num = 6
    labels = signatures.example_inputs(spec, "generate", num, seed=0).get("labels")
    with browser.serve(folder) as url, browser.page() as (tab, errors):
        tab.goto(f"{url}?seed=5&num={num}")
        assert browser.wait_until_drawn(tab) == "drawn", errors
        argument = None if labels is None else labels.reshape(-1).tolist()
        got = tab.evaluate(
            "async ([seed, num, labels]) => Array.from("
            "(await kganPage.generate(seed, num, labels)).images)",
            [11, num, argument],
        )
        feed = {"z": web.page_latents(11, num, spec.input_shape[0])}
        if labels is not None:
            feed["labels"] = labels
        expected = onnx_format.run(session, feed)["images"]
        difference = np.abs(np.asarray(got).reshape(expected.shape) - expected.astype(int))
        assert difference.max() <= 1
        assert not errors


def test_the_page_draws_a_grid_and_new_samples_change_it(web_exports, tmp_path):
    _needs_browser()
    _, folder = web_exports["gan"]
    with browser.serve(folder) as url, browser.page() as (tab, errors):
        tab.goto(f"{url}?seed=3&num=9")
        assert browser.wait_until_drawn(tab) == "drawn", errors
        # 3x3 cells of the 8x8 images, each scaled by 8 to 64 pixels, 2 pixels apart.
        size = tab.evaluate("[grid.width, grid.height]")
        assert size == [3 * 64 + 2 * 2] * 2
        first = tab.locator("#grid").screenshot(path=tmp_path / "grid.png")
        tab.evaluate("document.body.dataset.status = 'clicked'")
        tab.click("#new")
        assert browser.wait_until_drawn(tab) == "drawn"
        assert tab.evaluate("document.body.dataset.seed") == "4"
        second = tab.locator("#grid").screenshot()
        tab.screenshot(path=tmp_path / "page.png")
    grid = np.asarray(Image.open(io.BytesIO(first)).convert("L"))
    # The canvas and its 1-pixel border, give or take a pixel of layout rounding.
    assert all(196 <= side <= 200 for side in grid.shape), grid.shape
    assert grid.std() > 5  # samples, not a blank canvas
    assert first != second
    page = np.asarray(Image.open(tmp_path / "page.png").convert("L"))
    assert page.shape == (600, 800) and page.std() > 5
    assert not errors


def test_class_picker_and_translator_upload(web_exports, tmp_path):
    _needs_browser()
    model, folder = web_exports["classes"]
    with browser.serve(folder) as url, browser.page() as (tab, errors):
        tab.goto(f"{url}?num=4")
        assert browser.wait_until_drawn(tab) == "drawn", errors
        options = tab.evaluate(
            "Array.from(document.querySelectorAll('#class option'), o => o.value)"
        )
        assert options == ["all", *map(str, range(signatures.describe(model).condition_size))]
        tab.evaluate("document.body.dataset.status = 'picking'")
        tab.select_option("#class", "1")
        assert browser.wait_until_drawn(tab) == "drawn"
    model, folder = web_exports["pix2pix"]
    spec = signatures.describe(model)
    source = np.random.default_rng(0).integers(0, 256, spec.input_shape, dtype=np.uint8)
    Image.fromarray(np.repeat(source, 3 // spec.input_shape[-1], axis=-1).squeeze()).save(
        tmp_path / "source.png"
    )
    with browser.serve(folder) as url, browser.page() as (tab, errors):
        tab.goto(url)
        assert browser.wait_until_drawn(tab) == "ready", errors
        tab.set_input_files("#upload", tmp_path / "source.png")
        assert browser.wait_until_drawn(tab) == "drawn", errors
        got = tab.evaluate(
            "async (pixels) => Array.from((await kganPage.translate(pixels, 1)).images)",
            source.reshape(-1).tolist(),
        )
        session = onnx_format.load(os.path.join(folder, "generator.onnx"))
        expected = onnx_format.run(session, {"images": source[None]})["images"]
        assert np.abs(np.asarray(got) - expected.reshape(-1).astype(int)).max() <= 1
        assert not errors


def _tarball(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/dist/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_runtime_from_a_local_tarball_or_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    files = {name: name.encode() for name in web.RUNTIME_FILES}
    _tarball(tmp_path / "ort.tgz", files)
    folder = web.runtime_folder(tmp_path / "ort.tgz")
    assert {name: open(os.path.join(folder, name), "rb").read() for name in files} == files
    assert web.runtime_folder(folder) == folder
    os.remove(os.path.join(folder, web.RUNTIME_FILES[0]))
    with pytest.raises(web.WebRuntimeError, match=web.RUNTIME_FILES[0]):
        web.runtime_folder(folder)
    _tarball(tmp_path / "partial.tgz", {web.RUNTIME_FILES[0]: b"x"})
    with pytest.raises(web.WebRuntimeError, match="has no dist/"):
        web.runtime_folder(tmp_path / "partial.tgz")


def test_a_download_that_fails_the_integrity_check_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(web.ENVIRONMENT_VARIABLE, raising=False)
    _tarball(tmp_path / "forged.tgz", {name: b"forged" for name in web.RUNTIME_FILES})

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

    forged = (tmp_path / "forged.tgz").read_bytes()
    monkeypatch.setattr(web.urllib.request, "urlopen", lambda url, timeout: Response(forged))
    with pytest.raises(web.WebRuntimeError, match="integrity"):
        web.runtime_folder()
    assert not os.path.exists(web._cache_dir())

    def offline(url, timeout):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(web.urllib.request, "urlopen", offline)
    with pytest.raises(web.WebRuntimeError, match="npm pack onnxruntime-web@"):
        web.runtime_folder()


def test_a_token_generator_has_no_page(tmp_path):
    from kgan.models import seq_gan
    from kgan.testing import sequences

    with pytest.raises(ValueError, match="token generator has no page"):
        export.export_generator(sequences.tiny_model(seq_gan.SeqGAN), tmp_path / "o", format="web")
    assert not (tmp_path / "o").exists()
