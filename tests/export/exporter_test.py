"""Tests for kgan/export/exporter.py: every objective to SavedModel and LiteRT, parity checked."""

import json
import os

import numpy as np
import pytest

from kgan import export
from kgan.export import litert_runner
from kgan.export import saved_model
from kgan.export import signatures
from kgan.testing.objectives import OBJECTIVES
from kgan.testing.objectives import tiny_model


def _inputs(model, signature, num, seed=5):
    spec = signatures.describe(model)  # CycleGAN: its default, a2b
    return spec, signatures.example_inputs(spec, signature, num, seed)


@pytest.mark.slow
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_saved_model_matches_keras_at_any_batch(exported, objective):
    model, report = exported[objective]
    loaded = saved_model.load(report.paths["saved_model"])
    spec = signatures.describe(model)
    for signature in spec.signatures:
        for num in (1, 5):
            spec, inputs = _inputs(model, signature, num)
            images = saved_model.run(loaded, signature, inputs)["images"]
            assert images.dtype == np.uint8 and images.shape == (num, *spec.output_shape)
            expected = signatures.keras_images(spec, signature, inputs)
            assert np.abs(images.astype(int) - expected).max() <= 1


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_tflite_matches_keras_at_any_batch(exported, objective):
    model, report = exported[objective]
    interpreter = litert_runner.load(report.paths["tflite"])
    (signature,) = litert_runner.signature_names(interpreter)
    assert signature == ("translate" if objective in ("pix2pix", "cycle_gan") else "generate")
    for num in (1, 5, 2):  # grows and shrinks the dynamic batch
        spec, inputs = _inputs(model, signature, num)
        images = litert_runner.run(interpreter, signature, inputs)["images"]
        assert images.dtype == np.uint8 and images.shape == (num, *spec.output_shape)
        expected = signatures.keras_images(spec, signature, inputs)
        assert np.abs(images.astype(int) - expected).max() <= 1


def test_report_and_json_beside_each_artefact(exported):
    _, report = exported["gan"]
    assert set(report.paths) == {"saved_model", "tflite"}
    for artefact in report.artefacts:
        with open(f"{artefact.path}.parity.json", encoding="utf-8") as file:
            written = json.load(file)
        assert written["size_bytes"] == artefact.size_bytes > 0
        assert written["figures"]["max_error"] <= 1
        assert written["thresholds"] == {"max_error": 1}
    assert set(report["saved_model"].signatures) == {"generate", "sample"}
    assert not [
        name for name in os.listdir(os.path.dirname(report.paths["tflite"])) if ".tmp" in name
    ]


def test_sample_is_reproducible_per_seed(exported):
    _, report = exported["classes"]
    loaded = saved_model.load(report.paths["saved_model"])
    labels = np.array([0, 1, 2, 1], np.int32)
    first, again, other = (
        saved_model.run(loaded, "sample", {"seed": np.int32(seed), "labels": labels})["images"]
        for seed in (7, 7, 8)
    )
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_cycle_gan_direction_names_the_artefacts(tmp_path):
    model = tiny_model("cycle_gan")
    report = export.export_generator(model, tmp_path, format="tflite", direction="b2a")
    assert report.paths == {"tflite": str(tmp_path / "generator_b2a.tflite")}
    details = litert_runner.input_details(litert_runner.load(report.paths["tflite"]), "translate")
    assert details["images"][0] == (-1, 8, 8, 3)  # B is RGB


@pytest.mark.slow
def test_quantized_variants_are_reported(tmp_path):
    model = tiny_model("gan", image_size=16)
    report = export.export_generator(
        model, tmp_path, format="tflite", quantize=[None, "float16", "dynamic", "int8"]
    )
    sizes = {key: report[key].size_bytes for key in report.paths}
    assert sizes["tflite_int8"] < sizes["tflite"] and sizes["tflite_float16"] < sizes["tflite"]
    assert report["tflite_float16"].figures["psnr"] >= 40
    assert report["tflite_int8"].thresholds == {"min_psnr": 20.0}  # a floor only broken misses
    assert report["tflite_int8"].figures["psnr"] > 30


def test_int8_translation_calibrates_on_given_images(tmp_path):
    model = tiny_model("pix2pix")
    sources = np.random.default_rng(0).uniform(-1, 1, (20, 8, 8, 3)).astype("float32")
    report = export.export_generator(
        model, tmp_path, format="tflite", quantize="int8", representative_data=sources
    )
    assert report["tflite_int8"].figures["psnr"] > 30


def test_parity_failure_raises_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(export.ParityError, match="nothing was written"):
        export.export_generator(
            tiny_model("gan"),
            out,
            format=["saved_model", "tflite"],
            quantize="int8",
            parity_threshold={"min_psnr": 200.0},
        )
    assert not out.exists()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"format": "coreml"}, "format must be one of"),
        ({"format": "tflite", "quantize": "int4"}, "quantize must be one of"),
        ({"quantize": "float16"}, "add 'tflite' to format"),
        ({"parity_threshold": 3}, "parity_threshold must be"),
        ({"num_representative": 0}, "num_representative"),
        ({"representative_data": np.zeros((2, 8))}, "image-to-image"),
        ({"seed": None}, "seed must be a non-negative integer"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        export.export_generator(tiny_model("gan"), tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_int8_translation_without_images_names_the_fix(tmp_path):
    with pytest.raises(ValueError, match="representative_data="):
        export.export_generator(tiny_model("pix2pix"), tmp_path, format="tflite", quantize="int8")


def test_a_subclassed_generator_is_told_to_become_functional(tmp_path):
    import keras

    from kgan.models import gan as gan_lib
    from kgan.testing import networks

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(8 * 8)
            self.reshape = keras.layers.Reshape((8, 8, 1))

        def call(self, z):
            return self.reshape(self.dense(z))

    generator = Subclassed()
    generator(np.zeros((1, 4), "float32"))  # built, but without symbolic inputs
    model = gan_lib.GAN(generator, networks.tiny_image_discriminator(), latent_dim=4, seed=0)
    with pytest.raises(ValueError, match="subclassed model without symbolic inputs"):
        export.export_generator(model, tmp_path / "out")


# --- token generators (sequence GANs) ------------------------------------------------------


@pytest.mark.slow
def test_sequence_signatures_names_dtypes_shapes(exported_sequences):
    model, report = exported_sequences
    loaded = saved_model.load(report.paths["saved_model"])
    assert set(loaded.signatures) == {"generate", "sample", "serving_default"}
    generate = loaded.signatures["generate"]
    _, inputs = generate.structured_input_signature
    assert {name: (spec.dtype.name, spec.shape.as_list()) for name, spec in inputs.items()} == {
        "uniforms": ("float32", [None, model.max_length]),
        "temperature": ("float32", []),
    }
    (output,) = generate.structured_outputs.values()
    assert output.dtype.name == "int32" and output.shape.as_list() == [None, model.max_length]
    _, inputs = loaded.signatures["sample"].structured_input_signature
    assert sorted(inputs) == ["num", "seed", "temperature"]
    details = litert_runner.input_details(litert_runner.load(report.paths["tflite"]), "generate")
    assert details["uniforms"] == ((-1, model.max_length), np.float32)


@pytest.mark.parametrize("artefact", ["saved_model", "tflite"])
def test_exported_tokens_equal_generate_for_the_same_seed(exported_sequences, artefact):
    from tests.export.conftest import SEQUENCE_DECODING

    model, report = exported_sequences
    if artefact == "saved_model":
        loaded = saved_model.load(report.paths["saved_model"])
        run = lambda inputs: saved_model.run(loaded, "generate", inputs)  # noqa: E731
    else:
        interpreter = litert_runner.load(report.paths["tflite"])
        run = lambda inputs: litert_runner.run(interpreter, "generate", inputs)  # noqa: E731
    for num, seed, temperature in ((1, 0, 1.0), (9, 4, 0.6), (3, 7, 1.7)):
        uniforms = np.random.default_rng(seed).random((num, model.max_length), np.float32)
        tokens = run({"uniforms": uniforms, "temperature": np.float32(temperature)})["tokens"]
        expected = model.generate(num, seed=seed, temperature=temperature, **SEQUENCE_DECODING)
        assert tokens.dtype == np.int32 and tokens.shape == (num, model.max_length)
        np.testing.assert_array_equal(tokens, expected)


def test_sequence_parity_report(exported_sequences):
    _, report = exported_sequences
    for key, threshold in (("saved_model", 1.0), ("tflite", 0.999)):
        artefact = report[key]
        assert artefact.thresholds == {"min_token_match": threshold}
        assert artefact.figures == {"token_match": 1.0, "sequence_match": 1.0}
        with open(f"{artefact.path}.parity.json", encoding="utf-8") as file:
            assert json.load(file)["figures"]["token_match"] == 1.0
    assert set(report["saved_model"].signatures) == {"generate", "sample"}
    assert "tokens 100.00% identical" in str(report)


@pytest.mark.slow
def test_large_vocabulary_sampler_converts_and_matches(tmp_path):
    # 300 tokens: above token_sampling's single-level cut-off, so the exported sampler chooses
    # in two levels (block, then token): its ops must convert to LiteRT and match generate.
    from kgan.models import seq_gan
    from kgan.testing import sequences

    model = seq_gan.SeqGAN(
        sequences.tiny_generator(vocab_size=300), sequences.tiny_discriminator(vocab_size=300)
    )
    report = export.export_generator(
        model, tmp_path, format=["saved_model", "tflite"], verbose=False, top_p=0.9
    )
    for key in ("saved_model", "tflite"):
        assert report[key].figures == {"token_match": 1.0, "sequence_match": 1.0}
    interpreter = litert_runner.load(report.paths["tflite"])
    uniforms = np.random.default_rng(2).random((7, model.max_length), np.float32)
    tokens = litert_runner.run(
        interpreter, "generate", {"uniforms": uniforms, "temperature": np.float32(1.0)}
    )["tokens"]
    np.testing.assert_array_equal(tokens, model.generate(7, seed=2, top_p=0.9))


def test_sequence_sample_signature_is_reproducible(exported_sequences):
    model, report = exported_sequences
    loaded = saved_model.load(report.paths["saved_model"])
    inputs = {"seed": np.int32(3), "num": np.int32(4), "temperature": np.float32(1.0)}
    first, again = (saved_model.run(loaded, "sample", inputs)["tokens"] for _ in range(2))
    np.testing.assert_array_equal(first, again)
    assert first.shape == (4, model.max_length) and 0 <= first.min() <= first.max() < 12


def test_sequence_export_arguments(tmp_path):
    from kgan.models import seq_gan
    from kgan.testing import sequences

    model = sequences.tiny_model(seq_gan.SeqGAN)
    with pytest.raises(ValueError, match="min_token_match"):
        export.export_generator(model, tmp_path / "a", parity_threshold={"max_error": 1})
    with pytest.raises(ValueError, match="top_p must be in"):
        export.export_generator(model, tmp_path / "b", top_p=0.0)
    with pytest.raises(ValueError, match="decoding settings of token generators"):
        export.export_generator(tiny_model("gan"), tmp_path / "c", top_k=3)
    with pytest.raises(export.ParityError, match="of tokens identical"):
        export.export_generator(model, tmp_path / "d", parity_threshold={"min_token_match": 1.01})
    assert not [path for path in tmp_path.iterdir()]
