"""`fit` under MultiWorkerMirroredStrategy (kgan.models.multi_worker): two worker processes on
127.0.0.1 train as one device does on the same global batches, and only the chief writes."""

import numpy as np
import pytest

from kgan.testing import multi_worker

pytestmark = pytest.mark.slow


def test_two_workers_equal_one_device_and_only_the_chief_writes(tmp_path):
    workers = multi_worker.run_workers(tmp_path / "workers")
    single = multi_worker.run_single(tmp_path / "single")
    steps = multi_worker.EPOCHS * multi_worker.NUM_EXAMPLES // multi_worker.GLOBAL_BATCH
    for index, result in enumerate(workers):
        assert int(result["step"]) == int(single["step"]) == steps
        assert sorted(result) == sorted(single)
        for key, value in single.items():
            if key.startswith("weight_"):
                # Each worker's copy equals the one-device run (float32 sums in another order).
                np.testing.assert_allclose(result[key], value, atol=1e-6, err_msg=(index, key))
            elif key.startswith("log_"):
                # Logs are the replica mean of each step's losses: the global batch's.
                np.testing.assert_allclose(result[key], value, rtol=1e-5, err_msg=(index, key))
    # Callbacks that write files run on the chief only.
    assert (tmp_path / "workers" / "log_0.csv").exists()
    assert not (tmp_path / "workers" / "log_1.csv").exists()
    assert len((tmp_path / "workers" / "log_0.csv").read_text().splitlines()) == 1 + 2


def test_a_one_process_fit_is_not_rerouted():
    import kgan
    from kgan.models import multi_worker as loop
    from kgan.testing import networks

    model = kgan.GAN(networks.tiny_vector_generator(), networks.tiny_vector_discriminator())
    assert not loop.active(model)


def test_a_killed_pair_restarted_resumes_from_the_backup(tmp_path):
    # Three epochs; the chief is killed in the middle of the second, after the first's backup.
    resumed = multi_worker.kill_and_restart(tmp_path / "workers", stop=(1, 1), epochs=3)
    single = multi_worker.run_single(tmp_path / "single", epochs=3)
    for index, result in enumerate(resumed):
        assert int(result["epochs_run"]) == 2, index  # resumed, not started over
        assert int(result["step"]) == int(single["step"]) == 12
        for key, value in single.items():
            if key.startswith("weight_"):
                np.testing.assert_allclose(result[key], value, atol=1e-6, err_msg=(index, key))
    assert not (tmp_path / "workers" / "backup").exists()  # the chief removed it at the end
