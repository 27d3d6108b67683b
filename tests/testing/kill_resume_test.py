"""A training process killed with SIGKILL mid-epoch and resumed from its `BackupAndRestore`
backup ends with the same weights, optimizer state and step as an uninterrupted run, bit for bit
(kgan.testing.kill_resume runs both in fresh processes)."""

import os

import numpy as np
import pytest

from kgan.testing import kill_resume


@pytest.mark.slow
def test_sigkill_mid_epoch_then_resume_equals_an_uninterrupted_run(tmp_path):
    reference = kill_resume.run(tmp_path / "reference")
    # Killed in the middle of the third epoch: the backup holds the end of the second.
    resumed = kill_resume.kill_and_resume(tmp_path / "killed", stop=(2, 1))
    assert int(resumed["step"]) == int(reference["step"]) == kill_resume.EPOCHS * 4
    # It resumed (ran only the last two epochs), rather than starting over with the same seed.
    assert int(reference.pop("epochs_run")) == 4 and int(resumed.pop("epochs_run")) == 2
    assert sorted(resumed) == sorted(reference)
    for name, value in reference.items():
        np.testing.assert_array_equal(resumed[name], value, err_msg=name)
    # The resumed run finished, so Keras removed the backup; no temporary file was left.
    leftovers = [name for _, _, names in os.walk(tmp_path / "killed") for name in names]
    assert not [name for name in leftovers if ".tmp" in name], leftovers
