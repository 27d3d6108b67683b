"""Every bad input a clear error: a table of bad command lines for every `kgan` command.

Each row is one mistake a user makes. The promise checked for each: exit code 1 or 2 (never 0,
never a traceback), one line `kgan: error: ...` containing the given words (what was wrong, and
where it matters the fix), and nothing written: the folder's files are the same before and
after, an existing output file is untouched. The Python API's table is in
`tests/models/bad_input_test.py`.
"""

import os

import numpy as np
import pytest

from kgan.testing import cli
from kgan.testing import conditional
from kgan.testing import paired


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The models and inputs the rows refer to, made once: `{name: path}`."""
    root = tmp_path_factory.mktemp("inputs")
    paths = {"root": root}
    paths["gan"] = cli.save_tiny_gan(str(root / "gan.keras"))
    conditional_gan = conditional.tiny_image_conditional_gan(8, num_classes=3, seed=3)
    conditional_gan.save(root / "conditional.keras")
    paths["conditional"] = str(root / "conditional.keras")
    paths["pix2pix"] = cli.save_tiny_pix2pix(str(root / "pix2pix.keras"))
    contents = open(paths["gan"], "rb").read()
    (root / "truncated.keras").write_bytes(contents[: len(contents) // 2])
    (root / "corrupt.keras").write_bytes(b"PK\x03\x04 this is not a model")
    (root / "empty.keras").write_bytes(b"")
    (root / "notes.txt").write_text("not a model")
    np.save(root / "images.npy", paired.negation_pairs(num=4)[0])
    np.save(root / "nan.npy", np.full((2, 8, 8, 1), np.nan, np.float32))
    np.save(root / "wrong_shape.npy", np.zeros((2, 5, 5, 3), np.float32))
    np.save(root / "labels9.npy", np.array([9, 0]))
    np.save(root / "strings.npy", np.array(["a", "b"]))
    (root / "broken.npy").write_text("not an array")
    (root / "existing.png").write_bytes(b"keep me")
    (root / "existing.npz").write_bytes(b"keep me too")
    return paths


# (command line with {placeholders}, words the error line must contain). Placeholders: {gan},
# {conditional}, {pix2pix} (models), {root} (the inputs folder), {out} (a fresh folder).
ROWS = [
    # --- the model file ---
    ("sample {root}/missing.keras --out {out}/a.png", "no model file"),
    ("sample {root}/truncated.keras --out {out}/a.png", "cannot load a model"),
    ("sample {root}/corrupt.keras --out {out}/a.png", "cannot load a model"),
    ("sample {root}/empty.keras --out {out}/a.png", "cannot load a model"),
    ("sample {root}/notes.txt --out {out}/a.png", "cannot load a model"),
    ("sample {root} --out {out}/a.png", "is a directory"),
    ("evaluate {root}/truncated.keras --data digits --extractor digits", "cannot load a model"),
    ("export {root}/corrupt.keras --out {out}/export", "cannot load a model"),
    ("invert {root}/missing.keras --input {root}/images.npy --out {out}/z.npz", "no model file"),
    ("translate {root}/empty.keras --input {root}/images.npy --out {out}/t.npy", "cannot load"),
    # --- models of the wrong kind for the command ---
    ("translate {gan} --input {root}/images.npy --out {out}/t.npy", "not an image-to-image"),
    ("invert {pix2pix} --input {root}/images.npy --out {out}/z.npz", "no latent space"),
    ("invert {conditional} --input {root}/images.npy --out {out}/z.npz", "--labels"),
    ("sample {pix2pix} --out {out}/a.png", "kgan translate"),
    ("sample {pix2pix} --out {out}/a.npy --num 2", "no latent space"),
    # --- numbers out of range ---
    ("sample {gan} --num 0 --out {out}/a.png", "--num"),
    ("sample {gan} --num -3 --out {out}/a.png", "--num"),
    ("sample {gan} --num many --out {out}/a.png", "invalid int value"),
    ("sample {gan} --batch-size 0 --out {out}/a.png", "--batch-size"),
    ("sample {gan} --truncation -1 --out {out}/a.png", "--truncation"),
    ("sample {gan} --truncation nan --out {out}/a.png", "--truncation"),
    ("sample {gan} --interpolate 1 --out {out}/a.gif", "--interpolate"),
    ("sample {gan} --seed 1.5 --out {out}/a.png", "invalid int value"),
    ("evaluate {gan} --data digits --extractor digits --num 0", "--num"),
    ("evaluate {gan} --data digits --extractor digits --num-real -5", "--num-real"),
    ("evaluate {gan} --data digits --extractor digits --batch-size 0", "--batch-size"),
    ("stats digits --extractor digits --out {out}/s.npz --num-real 0", "--num-real"),
    ("stats digits --extractor digits --out {out}/s.npz --image-size 0", "--image-size"),
    ("stats digits --extractor digits --out {out}/s.npz --batch-size -1", "--batch-size"),
    ("invert {gan} --input {root}/images.npy --out {out}/z.npz --steps 0", "--steps"),
    ("invert {gan} --input {root}/images.npy --out {out}/z.npz --restarts 0", "--restarts"),
    ("invert {gan} --input {root}/images.npy --out {out}/z.npz --learning-rate 0", "--learning"),
    ("invert {gan} --input {root}/images.npy --out {out}/z.npz --learning-rate -1", "--learning"),
    ("export {gan} --out {out}/e --num-representative 0", "--num-representative"),
    ("export {gan} --out {out}/e --seed -2", "--seed"),
    ("translate {pix2pix} --input {root}/images.npy --out {out}/t.npy --batch-size 0", "--batch"),
    # --- unknown names ---
    ("evaluate {gan} --data digits --extractor digits --metrics fid,bogus", "bogus"),
    ("evaluate {gan} --data digits --extractor no_such_extractor", "no_such_extractor"),
    ("evaluate {gan} --data no_such_dataset --extractor digits", "no_such_dataset"),
    ("stats no_such_dataset_xyz --extractor digits --out {out}/s.npz", "no_such_dataset_xyz"),
    ("stats digits --out {out}/s.npz --extractor bogus", "bogus"),
    ("export {gan} --out {out}/e --format onnx2", "onnx2"),
    ("export {gan} --out {out}/e --format tflite --quantize int4", "int4"),
    ("export {gan} --out {out}/e --format saved_model --quantize float16", "--quantize"),
    ("paint {gan}", "invalid choice"),
    ("sample {gan} --out {out}/a.png --no-such-flag", "unrecognized arguments"),
    ("translate {pix2pix} --input {root}/images.npy --out {out}/t.npy --direction b2a", "one way"),
    # --- labels and conditions ---
    ("sample {gan} --labels 1,2 --out {out}/a.png", "--labels"),
    ("sample {conditional} --labels 7 --out {out}/a.png", "7"),
    ("sample {conditional} --labels -1 --out {out}/a.png", "-1"),
    ("sample {conditional} --labels a,b --out {out}/a.png", "--labels"),
    ("sample {conditional} --labels {root}/labels9.npy --out {out}/a.png", "9"),
    ("sample {conditional} --labels {root}/strings.npy --out {out}/a.png", "--labels"),
    ("sample {conditional} --labels {root}/broken.npy --out {out}/a.png", "cannot read"),
    ("sample {conditional} --labels 0,1 --num 3 --out {out}/a.npy --labels-x", "unrecognized"),
    # --- input data ---
    ("invert {gan} --input {root}/missing.npy --out {out}/z.npz", "does not exist"),
    ("invert {gan} --input {root}/broken.npy --out {out}/z.npz", "cannot read"),
    ("invert {gan} --input {root}/nan.npy --out {out}/z.npz", "finite"),
    ("invert {gan} --input {root}/wrong_shape.npy --out {out}/z.npz", "shape"),
    ("translate {pix2pix} --input {root}/missing.npy --out {out}/t.npy", "no --input"),
    ("translate {pix2pix} --input {root}/broken.npy --out {out}/t.npy", "cannot read"),
    ("translate {pix2pix} --input {root}/strings.npy --out {out}/t.npy", "--input"),
    ("translate {pix2pix} --input {root}/wrong_shape.npy --out {out}/t.npy", "(5, 5, 3)"),
    (
        "export {gan} --out {out}/e --format tflite --quantize int8 "
        "--representative {root}/broken.npy",
        "--representative",
    ),
    ("evaluate {gan} --data {root}/missing_folder --extractor digits", "missing_folder"),
    # --- output paths ---
    ("sample {gan} --out {root}/existing.png", "--force"),
    ("stats digits --extractor digits --out {root}/existing.npz", "--force"),
    ("sample {gan} --out {out}", "extension"),
    ("sample {gan} --out {root}/existing.png --num 2 --batch-size 0", "--batch-size"),
    ("sample {gan} --out {root}/existing.png/a.png", "is a file, not a folder"),
    ("sample {gan} --out {out}/a.bmp", ".bmp"),
    ("sample {gan} --out {out}/a", "--out"),
    ("stats digits --extractor digits --out {out}/s.json", ".npz"),
    ("evaluate {gan} --data digits --extractor digits --out {out}/scores.txt", ".json"),
    ("invert {gan} --input {root}/images.npy --out {out}/z.npy", "--out"),
    ("invert {gan} --input {root}/images.npy --out {root}/existing.npz", "--force"),
    ("translate {pix2pix} --input {root}/images.npy --out {root}/images.npy", "--input"),
    ("translate {pix2pix} --input {root}/images.npy --out {root}/existing.png/t", "is a file"),
    ("export {gan} --out {root}/existing.png", "is a file"),
    ("sample {gan} --interpolate 4 --out {out}/a.png --labels 1", "--labels"),
    ("sample {gan} --out {out}/walk.gif", "--interpolate"),
    # --- missing arguments ---
    ("sample {gan}", "--out"),
    ("evaluate {gan} --extractor digits", "--data"),
    ("invert {gan} --out {out}/z.npz", "--input"),
    ("translate {pix2pix} --input {root}/images.npy", "--out"),
    ("export {gan}", "--out"),
    ("stats", "--out"),
]


@pytest.mark.parametrize("row, words", ROWS, ids=[row for row, _ in ROWS])
def test_each_bad_command_line_is_one_clear_line_and_writes_nothing(
    files, tmp_path, capsys, row, words
):
    out = tmp_path / "out"
    out.mkdir()
    argv = row.format(out=out, **files).split()
    before = _snapshot(files["root"]), _snapshot(out)
    code, line = cli.run_error(argv, capsys)
    assert code in (1, 2), (code, line)
    assert words in line, line
    assert (_snapshot(files["root"]), _snapshot(out)) == before, "a file was written or changed"


def test_the_table_covers_every_command_and_eighty_mistakes():
    commands = {row.split()[0] for row, _ in ROWS}
    assert {"sample", "evaluate", "stats", "translate", "export", "invert"} <= commands
    assert len(ROWS) >= 80


def _snapshot(folder):
    """`{relative path: bytes}` of every file under `folder` (symlinks and folders by name)."""
    found = {}
    for root, folders, names in os.walk(folder):
        for name in folders:
            found[os.path.relpath(os.path.join(root, name), folder) + "/"] = None
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, folder)] = file.read()
    return found
