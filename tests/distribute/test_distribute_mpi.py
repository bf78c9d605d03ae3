"""Two real replicas: ``mpiexec -n 2`` on this machine runs ``mpi_scenarios.py``; the results are compared
with the same programs run in one process here.

Needs the ``chainrule[distributed]`` extra (mpi4py and the MPICH wheel, whose ``mpiexec`` sits
beside the Python executable); CI installs it through the ``test`` extra. Each launch has a
timeout, so a hang fails instead of blocking the suite. Ranks run with one BLAS thread.
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import chainrule as tf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mpi_scenarios as sc  # noqa: E402


def _mpiexec():
    beside = shutil.which("mpiexec", path=os.path.dirname(sys.executable))
    return beside or shutil.which("mpiexec")


MPIEXEC = _mpiexec()
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mpi4py") is None or MPIEXEC is None,
    reason="needs the chainrule[distributed] extra: pip install 'chainrule[distributed]' (mpi4py and the MPICH "
           "wheel with mpiexec)")

TIMEOUT = 240  # seconds for one launch of 2 processes on a loaded 2-core machine


def launch(scenario, out, timeout=TIMEOUT):
    src = os.path.dirname(os.path.dirname(tf.__file__))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [MPIEXEC, "-n", "2", sys.executable, os.path.join(HERE, "mpi_scenarios.py"), scenario, str(out)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=str(out))


def ranks(out, name):
    return [dict(np.load(out / f"{name}-rank{r}.npz")) for r in (0, 1)]


def weights_of(saved):
    return [saved[f"w{i}"] for i in range(sum(k.startswith("w") for k in saved))]


def assert_same_on_both_ranks(r0, r1):
    assert r0.keys() == r1.keys()
    for key in r0:
        np.testing.assert_array_equal(r0[key], r1[key], err_msg=f"{key} differs between the ranks")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("mpi_train")
    result = launch("train", out)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, result


def test_fit_on_two_ranks_matches_one_process_with_the_same_global_batch(trained):
    out, result = trained
    r0, r1 = ranks(out, "fit")
    assert_same_on_both_ranks(r0, r1)  # bit for bit
    model, history, evaluation, prediction = sc.fit_run(tf.distribute.get_strategy())
    for got, want in zip(weights_of(r0), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)  # float32 summation order only
    for key, values in history.history.items():
        np.testing.assert_allclose(r0[f"h_{key}"], values, rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(r0["evaluation"], evaluation, rtol=1e-5)
    np.testing.assert_allclose(r0["prediction"], prediction, rtol=1e-5, atol=1e-7)  # gathered, all 65 rows
    assert r0["prediction"].shape == (65, 3)


def test_only_the_chief_prints_and_writes(trained):
    out, result = trained
    assert result.stdout.count("Epoch 1/2") == 1 and result.stdout.count("Epoch 2/2") == 1
    assert "rank 0 done" in result.stdout and "rank 1 done" in result.stdout
    for split in ("train", "validation"):
        assert len(os.listdir(out / "board" / split)) == 1  # one TensorBoard writer: the chief's


def test_one_all_reduce_per_step_over_every_gradient_and_clipping_after_it(trained):
    out, _ = trained
    r0, r1 = ranks(out, "sgd")
    assert_same_on_both_ranks(r0, r1)
    steps = -(-sc.N_TRAIN // sc.GLOBAL_BATCH)
    assert r0["calls"].tolist() == [4] * steps  # one call per step, carrying the 4 gradients of the model
    model, history, _, _ = sc.fit_run(tf.distribute.get_strategy(), epochs=1, optimizer="sgd")
    for got, want in zip(weights_of(r0), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(r0["loss"], history.history["loss"], rtol=1e-5)


def test_fit_on_a_shuffled_dataset_of_global_batches(trained):
    out, _ = trained
    r0, r1 = ranks(out, "dataset-0")
    assert_same_on_both_ranks(r0, r1)  # both ranks shuffled in the same order, took halves of the same batches
    model, history = sc.dataset_fit_run(tf.distribute.get_strategy())
    for got, want in zip(weights_of(r0), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(r0["loss"], history.history["loss"], rtol=1e-5)
    # with Dropout the masks differ from one process's (drawn per replica batch), but the replicas stay identical
    assert_same_on_both_ranks(*ranks(out, "dataset-1"))


@pytest.mark.parametrize("compiled", [True, False], ids=["chainrule.function", "eager"])
def test_custom_training_loop_with_run_and_reduce_matches_one_process(trained, compiled):
    out, _ = trained
    r0, r1 = ranks(out, f"ctl-{int(compiled)}")
    assert_same_on_both_ranks(r0, r1)
    weights, losses, accuracy = sc.custom_loop_run(tf.distribute.get_strategy(), compiled=compiled)
    for got, want in zip(weights_of(r0), weights):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(r0["losses"], losses, rtol=1e-5)  # strategy.reduce(SUM) of the per-replica losses
    assert float(r0["accuracy"]) == pytest.approx(accuracy)  # the metric read outside run counts both ranks


def test_clear_errors_on_both_ranks(tmp_path):
    result = launch("errors", tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    found = [json.loads((tmp_path / f"errors-rank{r}.json").read_text()) for r in (0, 1)]
    assert found[0] == found[1]
    errors = found[0]
    assert "global batch size 63 is not divisible by the 2 replicas" in errors["batch"]
    assert "too small to shard: 1 sample(s) for 2 replicas" in errors["too_small"]
    assert "global batch size 63 is not divisible by the 2 replicas" in errors["dataset_batch"]
    assert errors["cross_replica"].startswith("RuntimeError: apply_gradients() cannot be called in the "
                                              "cross-replica context")


@pytest.mark.parametrize("how", ["kill", "raise"])
def test_a_dead_rank_ends_the_job_and_the_rerun_resumes_from_the_backup(tmp_path, how):
    crashed = launch(f"resume:{how}", tmp_path, timeout=TIMEOUT)  # a hang would raise TimeoutExpired
    assert crashed.returncode != 0
    assert "rank 1 epoch 2" in crashed.stdout
    assert "rank 0 epoch 3" not in crashed.stdout and "rank 1 epoch 3" not in crashed.stdout
    if how == "raise":
        assert "RuntimeError: replica 1 failed on purpose" in crashed.stderr
    assert (tmp_path / "backup" / "latest.weights.h5").is_file()  # written by the chief after epoch 2

    rerun = launch("resume", tmp_path)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "rank 0 epoch 0" not in rerun.stdout and "rank 0 epoch 2" in rerun.stdout
    r0, r1 = ranks(tmp_path, "resume")
    assert_same_on_both_ranks(r0, r1)
    assert r0["epochs"].tolist() == [2, 3]
    model, _, _, _ = sc.fit_run(tf.distribute.get_strategy(), epochs=4)
    for got, want in zip(weights_of(r0), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert not (tmp_path / "backup").exists()  # deleted by the chief when training completed


@pytest.mark.skipif(not os.environ.get("CHAINRULE_DATA"), reason="CHAINRULE_DATA is not set (CI sets it)")
def test_the_distributed_mnist_example_on_two_ranks(tmp_path):
    example = os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples", "distributed_mnist.py")
    src = os.path.dirname(os.path.dirname(tf.__file__))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg",
               PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / "out"
    result = subprocess.run([MPIEXEC, "-n", "2", sys.executable, example, "--quick", "--out", str(out)],
                            capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=str(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.count("replicas in sync: 2, global batch size: 128") == 1  # the chief's line only
    assert result.stdout.count("test accuracy: 0.") == 1
    assert sorted(os.listdir(out)) == ["distributed_mnist.keras", "distributed_mnist_curves.png"]
