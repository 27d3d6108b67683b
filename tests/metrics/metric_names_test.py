"""Tests for kgan/metrics/metric_names.py: selections and options checked with clear errors,
statistics turned into plain Python values."""

import json

import numpy as np
import pytest

from kgan.metrics import evaluation
from kgan.metrics import metric_names


def test_check_metrics_normalises_a_selection():
    assert metric_names.check_metrics("fid, KID,fid") == ("fid", "kid")
    assert metric_names.check_metrics(["is", "fid"]) == ("is", "fid")  # order kept
    with pytest.raises(ValueError, match=r"Unknown metric\(s\) \['fd'\]\. Known metrics: fid: "):
        metric_names.check_metrics("fd")
    with pytest.raises(ValueError, match=r"\(none chosen\)"):
        metric_names.check_metrics(" , ")
    # The evaluation module keeps its names for the callers that use them.
    assert evaluation.METRICS is metric_names.METRICS
    assert evaluation.check_metrics is metric_names.check_metrics


def test_check_options_gives_every_chosen_metric_a_dict():
    options = metric_names.check_options({"kid": {"subset_size": 10}}, ("fid", "kid"))
    assert options == {"fid": {}, "kid": {"subset_size": 10}}
    assert metric_names.check_options(None, ("is",)) == {"is": {}}
    with pytest.raises(ValueError, match=r"options has keys \['fdi'\] that are not metrics"):
        metric_names.check_options({"fdi": {}}, ("fid",))


def test_result_values_are_plain_python_without_counts():
    statistics = {
        "num_samples": 10,
        "num_real": 20,
        "classes_present": np.int64(3),
        "class_histogram": np.array([0.25, 0.75]),
        "mean_confidence": np.float32(0.5),
        "all_present": np.bool_(True),
        "nested": {"a": (np.float64(1.5), np.int32(2))},
    }
    values = metric_names.result_values(statistics)
    assert values == {
        "classes_present": 3,
        "class_histogram": [0.25, 0.75],
        "mean_confidence": 0.5,
        "all_present": True,
        "nested": {"a": [1.5, 2]},
    }
    assert type(values["classes_present"]) is int and type(values["all_present"]) is bool
    assert type(values["class_histogram"][0]) is float
    json.dumps(values)
