"""Tests for kgan/cli/stats.py: `kgan stats` errors (its output is checked against `kgan evaluate`
in evaluate_test.py)."""

from kgan import cli
from kgan.testing.cli import run_error


def test_stats_errors(tmp_path, capsys):
    argv = ["stats", "digits", "--out", tmp_path / "stats.npz"]
    code, line = run_error([*argv, "--channels", "3", "--extractor", "digits"], capsys)
    assert code == cli.RUN_ERROR and "digits extractor takes square gray images" in line
    code, line = run_error(["stats", "digits", "--out", tmp_path / "stats.json"], capsys)
    assert code == cli.USAGE_ERROR and "extension must be one of .npz" in line
    code, line = run_error([*argv, "--image-size", "0"], capsys)
    assert code == cli.USAGE_ERROR and "--image-size must be at least 1" in line


def test_offline_tfds_download_is_one_line(tmp_path, capsys, monkeypatch):
    import requests
    import tensorflow_datasets

    def load(*args, **kwargs):
        raise requests.exceptions.ConnectionError("Max retries exceeded\nwith url: /cifar.tgz")

    monkeypatch.setattr(tensorflow_datasets, "load", load)
    argv = ["stats", "cifar10:train", "--out", tmp_path / "stats.npz", "--extractor", "digits"]
    code, line = run_error([*argv, "--image-size", "8", "--channels", "1"], capsys)
    assert code == cli.RUN_ERROR
    assert "--data 'cifar10:train': Could not download" in line and "tfds build cifar10" in line
    assert not (tmp_path / "stats.npz").exists()
