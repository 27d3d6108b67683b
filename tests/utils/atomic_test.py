"""Tests for kgan.utils.atomic and the writers that go through it: a failed write (a full disk
half-way through) leaves the previous file intact, no temporary file behind, one-line error."""

import errno
import json
import os
import zipfile

import keras
import numpy as np
import pytest

from kgan import callbacks
from kgan.metrics.frechet_distance import FeatureStatistics
from kgan.testing import cli as cli_testing
from kgan.testing import test_case
from kgan.utils import atomic
from kgan.utils import images
from kgan.utils import run_directory


def _disk_full(file):
    """A writer that gets half-way and then meets a full disk."""
    file.write(b"half a file")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _names(folder):
    return sorted(os.listdir(folder))


def test_write_json_writes_and_leaves_only_the_file(tmp_path):
    path = atomic.write_json(tmp_path / "sub" / "metrics.json", {"fid": 11.6})
    assert json.loads(open(path).read()) == {"fid": 11.6}
    assert _names(tmp_path / "sub") == ["metrics.json"]


def test_full_disk_keeps_the_previous_file_and_says_so(tmp_path):
    target = tmp_path / "grid.png"
    target.write_bytes(b"the good file")
    with pytest.raises(atomic.WriteError) as caught:
        atomic.write_file(target, _disk_full)
    assert target.read_bytes() == b"the good file"
    assert _names(tmp_path) == ["grid.png"]
    assert caught.value.errno == errno.ENOSPC
    message = str(caught.value)
    assert "\n" not in message
    assert str(target) in message and "No space left on device" in message
    assert "unchanged" in message


def test_other_errors_propagate_unchanged_and_clean_up(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")

    def broken(file):
        file.write(b"x")
        raise ValueError("not serialisable")

    with pytest.raises(ValueError, match="not serialisable"):
        atomic.write_file(target, broken)
    with pytest.raises(TypeError):
        atomic.write_json(target, {"value": object()})  # fails before anything is opened
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["a.txt"]


def test_a_writer_that_writes_nothing_is_an_error(tmp_path):
    with pytest.raises(atomic.WriteError, match="left no file"):
        atomic.write_with(tmp_path / "x.npy", lambda path: None)
    assert _names(tmp_path) == []


@pytest.mark.parametrize(
    "name, ending",
    [("model.keras", ".keras"), ("b.weights.h5", ".weights.h5"), ("s.npz", ".npz"), ("x", "")],
)
def test_temporary_name_is_hidden_beside_the_target_with_its_ending(tmp_path, name, ending):
    temporary = atomic.temporary_path(tmp_path / name)
    folder, base = os.path.split(temporary)
    assert folder == str(tmp_path)
    assert base.startswith(".") and base.endswith(".tmp" + ending)
    assert temporary != atomic.temporary_path(tmp_path / name)  # unique per call


def test_new_files_get_the_umask_permissions_not_0600(tmp_path):
    umask = os.umask(0o022)
    try:
        path = atomic.write_bytes(tmp_path / "a.bin", b"1")
    finally:
        os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_numpy_writers_keep_their_names(tmp_path):
    array = np.arange(6.0).reshape(2, 3)
    atomic.write_with(tmp_path / "a.npy", lambda path: np.save(path, array))
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), array)
    statistics = FeatureStatistics().update(np.random.rand(8, 3))
    statistics.save(tmp_path / "stats")  # NumPy's own habit: ".npz" is appended
    assert _names(tmp_path) == ["a.npy", "stats.npz"]


def test_replace_path_replaces_a_folder(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "stale").write_text("x")
    staged = atomic.staging_folder(tmp_path / "old")
    (tmp_path / staged / "fresh").write_text("y")
    atomic.replace_path(staged, tmp_path / "old")
    assert _names(tmp_path / "old") == ["fresh"]
    assert _names(tmp_path) == ["old"]


def test_png_and_run_json_writers_are_atomic(tmp_path, monkeypatch):
    images.save_png(tmp_path / "grid.png", np.zeros((4, 4, 1), np.uint8))
    run_directory.write_json(str(tmp_path / "settings.json"), {"a": 1})
    before = {name: (tmp_path / name).read_bytes() for name in _names(tmp_path)}

    def fail_replace(source, target):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(atomic.os, "replace", fail_replace)
    with pytest.raises(atomic.WriteError):
        images.save_png(tmp_path / "grid.png", np.full((4, 4, 1), 255, np.uint8))
    with pytest.raises(atomic.WriteError):
        run_directory.write_json(str(tmp_path / "settings.json"), {"a": 2})
    assert {name: (tmp_path / name).read_bytes() for name in _names(tmp_path)} == before


def _failing_zip_write(monkeypatch):
    """Makes the next `.keras`/`.h5` write fail half-way, as a full disk would."""
    original = zipfile.ZipFile.open
    calls = []

    def open_member(self, name, mode="r", *args, **kwargs):
        if mode == "w":
            calls.append(name)
            if len(calls) == 2:  # the metadata is in, the config is next
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_member)
    return calls


def test_model_save_failing_half_way_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = str(tmp_path / "model.keras")
    cli_testing.save_tiny_gan(path, seed=3)
    saved = test_case.network_weights(keras.saving.load_model(path))
    other = keras.saving.load_model(cli_testing.save_tiny_gan(str(tmp_path / "b.keras"), seed=9))
    os.remove(tmp_path / "b.keras")
    calls = _failing_zip_write(monkeypatch)
    with pytest.raises(atomic.WriteError, match="No space left"):
        other.save(path)
    assert len(calls) == 2  # the failure really came half-way through Keras' own writer
    monkeypatch.undo()
    assert _names(tmp_path) == ["model.keras"]
    reloaded = test_case.network_weights(keras.saving.load_model(path))
    assert len(reloaded) == len(saved)
    for value, expected in zip(reloaded, saved):
        np.testing.assert_array_equal(value, expected)


def test_model_checkpoint_and_backup_go_through_the_atomic_save(tmp_path, monkeypatch):
    gan = keras.saving.load_model(cli_testing.save_tiny_gan(str(tmp_path / "gan.keras")))
    written = []
    original = atomic.write_with

    def recording(path, write_fn):
        written.append(os.path.basename(os.fspath(path)))
        return original(path, write_fn)

    monkeypatch.setattr(atomic, "write_with", recording)
    gan.fit(
        test_case.image_dataset(num=32, image_size=8),
        epochs=1,
        verbose=0,
        callbacks=[
            keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt.keras")),
            keras.callbacks.BackupAndRestore(str(tmp_path / "backup"), delete_checkpoint=False),
            callbacks.TerminateOnNonFinite(),
        ],
    )
    assert "ckpt.keras" in written
    assert any(name.endswith(".weights.h5") for name in written), written
    assert not [name for name in _names(tmp_path) if ".tmp" in name]
