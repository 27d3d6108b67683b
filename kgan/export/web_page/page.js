// The page of `kgan export --format web`: draws samples of generator.onnx in the browser.
//
// model.json (written beside this file) says what the generator takes: latent vectors `z`
// (and class ids or attribute vectors as `labels`), or uint8 `source_images` for a translator.
// Latent vectors come from a seeded generator that kgan.export.web.page_latents mirrors in
// Python (mulberry32 uniforms, Box-Muller normals), so a test can check the page's images
// against onnxruntime's for the same seed. `window.kganPage` exposes the calls for scripts.
"use strict";

// mulberry32: a 32-bit state, one uniform in [0, 1) per call. Math.imul keeps the products
// in 32 bits, as the Python mirror does with masks.
function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// `num * dim` standard normals, row by row: Box-Muller on pairs of uniforms; 1 - u keeps the
// logarithm's argument in (0, 1].
function latents(seed, num, dim) {
  const next = mulberry32(seed);
  const out = new Float32Array(num * dim);
  for (let i = 0; i < out.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

const page = {};
window.kganPage = page;

async function start() {
  const spec = await (await fetch("model.json")).json();
  // One thread: threaded WebAssembly needs cross-origin isolation headers that a plain static
  // server does not send. The runtime's .wasm files lie beside this page.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = "./";
  const session = await ort.InferenceSession.create(spec.model, { executionProviders: ["wasm"] });
  const [height, width, channels] = spec.image_shape;

  page.spec = spec;
  // Runs the generator on `num` latent vectors of `seed`; `labels`: class ids or a flat
  // attribute array, one row per sample. Returns {images: Uint8Array [num, H, W, C], ms}.
  page.generate = async function (seed, num, labels) {
    const feeds = { z: new ort.Tensor("float32", latents(seed, num, spec.latent_dim), [num, spec.latent_dim]) };
    if (spec.kind === "classes") feeds.labels = new ort.Tensor("int32", Int32Array.from(labels), [num]);
    if (spec.kind === "attributes") {
      feeds.labels = new ort.Tensor("float32", Float32Array.from(labels), [num, spec.condition_size]);
    }
    const begin = performance.now();
    const outputs = await session.run(feeds);
    return { images: outputs.images.data, ms: performance.now() - begin };
  };
  // Translates uint8 source images [num, H, W, C] (a flat array).
  page.translate = async function (pixels, num) {
    const [h, w, c] = spec.input_shape;
    const source = new ort.Tensor("uint8", Uint8Array.from(pixels), [num, h, w, c]);
    const begin = performance.now();
    const outputs = await session.run({ source_images: source });
    return { images: outputs.images.data, ms: performance.now() - begin };
  };

  const grid = document.getElementById("grid");
  // Draws `num` images as a square-ish grid, each cell scaled up to about 64 pixels, `GAP`
  // background pixels apart.
  const GAP = 2;
  function draw(canvas, images, num) {
    const columns = Math.ceil(Math.sqrt(num));
    const rows = Math.ceil(num / columns);
    const scale = Math.max(1, Math.round(64 / Math.max(height, width)));
    const cell = document.createElement("canvas");
    cell.width = width;
    cell.height = height;
    const cellContext = cell.getContext("2d");
    canvas.width = columns * (width * scale + GAP) - GAP;
    canvas.height = rows * (height * scale + GAP) - GAP;
    const context = canvas.getContext("2d");
    context.imageSmoothingEnabled = false;
    context.fillStyle = "#fafafa";
    context.fillRect(0, 0, canvas.width, canvas.height);
    for (let n = 0; n < num; n++) {
      const rgba = cellContext.createImageData(width, height);
      for (let p = 0; p < height * width; p++) {
        const base = (n * height * width + p) * channels;
        const gray = images[base];
        rgba.data[4 * p] = gray;
        rgba.data[4 * p + 1] = channels >= 3 ? images[base + 1] : gray;
        rgba.data[4 * p + 2] = channels >= 3 ? images[base + 2] : gray;
        rgba.data[4 * p + 3] = channels === 4 ? images[base + 3] : 255;
      }
      cellContext.putImageData(rgba, 0, 0);
      const x = (n % columns) * (width * scale + GAP);
      const y = Math.floor(n / columns) * (height * scale + GAP);
      context.drawImage(cell, x, y, width * scale, height * scale);
    }
  }

  const params = new URLSearchParams(location.search);
  let seed = Number(params.get("seed") || 0);
  const num = Number(params.get("num") || 16);
  const status = document.getElementById("status");
  const classSelect = document.getElementById("class");
  const attributeBoxes = [];

  function labelsFor(count) {
    if (spec.kind === "classes") {
      const chosen = classSelect.value;
      // "all" cycles through the classes, as `kgan sample` does.
      return Array.from({ length: count }, (_, i) => (chosen === "all" ? i % spec.condition_size : Number(chosen)));
    }
    if (spec.kind === "attributes") {
      const row = attributeBoxes.map((box) => (box.checked ? 1 : 0));
      return Array.from({ length: count }, () => row).flat();
    }
    return null;
  }

  async function show() {
    const result = await page.generate(seed, num, labelsFor(num));
    draw(grid, result.images, num);
    status.textContent = `Seed ${seed}: ${num} samples in ${result.ms.toFixed(1)} ms (onnxruntime-web, WebAssembly).`;
    document.body.dataset.seed = String(seed);
    document.body.dataset.status = "drawn";
  }

  if (spec.kind === "translation") {
    document.getElementById("new").classList.add("hidden");
    document.getElementById("upload-picker").classList.remove("hidden");
    const sourceCanvas = document.getElementById("source");
    document.getElementById("upload").addEventListener("change", async (event) => {
      const [h, w, c] = spec.input_shape;
      const bitmap = await createImageBitmap(event.target.files[0]);
      sourceCanvas.width = w;
      sourceCanvas.height = h;
      const context = sourceCanvas.getContext("2d");
      context.drawImage(bitmap, 0, 0, w, h);
      const rgba = context.getImageData(0, 0, w, h).data;
      const pixels = new Uint8Array(h * w * c);
      for (let p = 0; p < h * w; p++) {
        for (let k = 0; k < c; k++) {
          // Gray models take the mean of red, green and blue.
          pixels[p * c + k] = c === 1 ? Math.round((rgba[4 * p] + rgba[4 * p + 1] + rgba[4 * p + 2]) / 3) : rgba[4 * p + k];
        }
      }
      sourceCanvas.classList.remove("hidden");
      const result = await page.translate(pixels, 1);
      draw(grid, result.images, 1);
      status.textContent = `Translated in ${result.ms.toFixed(1)} ms (onnxruntime-web, WebAssembly).`;
      document.body.dataset.status = "drawn";
    });
    status.textContent = "Choose an image to translate.";
    document.body.dataset.status = "ready";
    return;
  }
  if (spec.kind === "classes") {
    document.getElementById("class-picker").classList.remove("hidden");
    classSelect.add(new Option("all classes", "all"));
    for (let k = 0; k < spec.condition_size; k++) classSelect.add(new Option(String(k), String(k)));
    classSelect.addEventListener("change", show);
  }
  if (spec.kind === "attributes") {
    document.getElementById("attribute-picker").classList.remove("hidden");
    const holder = document.getElementById("attributes");
    for (let k = 0; k < spec.condition_size; k++) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.title = `attribute ${k}`;
      box.addEventListener("change", show);
      holder.appendChild(box);
      attributeBoxes.push(box);
    }
  }
  document.getElementById("new").addEventListener("click", () => {
    seed += 1;
    show();
  });
  await show();
}

start().catch((error) => {
  document.getElementById("status").textContent = `Error: ${error}`;
  document.body.dataset.status = "error";
  document.body.dataset.error = String(error);
});
