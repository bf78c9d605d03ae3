"""The benchmark harness's own arithmetic: W7's hand-fused numpy reference and how targets are read.

``benchmarks/`` is not part of the package; these tests load it from the repository root. They do
not time anything: a reference that computed the wrong step, or a report that read wall time where
the targets say CPU time, would make every figure in RESULTS.md meaningless without any timing
being off.
"""
import json
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

workloads = pytest.importorskip("benchmarks.workloads")
report = pytest.importorskip("benchmarks.report")


def _loss(x, y, u, W1, b1, W2, b2):
    """The reference's loss in float64 with its dropout multiplier ``u`` fixed."""
    h = np.maximum(x @ W1 + b1, 0) * u
    z = h @ W2 + b2
    z = z - z.max(axis=1, keepdims=True)
    return np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])


def test_fused_numpy_step_computes_the_gradients_of_its_loss(rng):
    batch = 16
    step = workloads.FusedNumpyStep(batch, seed=0)
    x = rng.random((batch, 784), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    step._adam = lambda: None  # keep the gradients in step.grads, parameters unchanged
    loss_sum, correct = step.step(x, y, np.arange(batch))
    params = [p.astype(np.float64) for p in (step.W1, step.b1, step.W2, step.b2)]
    u = step.u.astype(np.float64)  # 0 or 1/(1 - rate): relu's and dropout's masks as the step drew them
    assert loss_sum / batch == pytest.approx(_loss(x, y, u, *params), rel=1e-5)
    assert 0 <= correct <= batch
    grads = (step.dW1, step.db1, step.dW2, step.db2)
    eps = 1e-6
    for k, (p, g) in enumerate(zip(params, grads)):
        for _ in range(4):
            i = tuple(rng.integers(0, n) for n in p.shape)
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[k][i] += eps
            minus[k][i] -= eps
            numeric = (_loss(x, y, u, *plus) - _loss(x, y, u, *minus)) / (2 * eps)
            assert g[i] == pytest.approx(numeric, rel=1e-3, abs=1e-6)


def test_fused_numpy_adam_is_chainrules_adam():
    from chainrule.ops.updates import AdamStep
    step = workloads.FusedNumpyStep(8, seed=1)
    rng = np.random.default_rng(2)
    expected = [step.params.copy(), step.m.copy(), step.v.copy()]
    for t in range(3):
        g = rng.standard_normal(step.grads.size).astype(np.float32)
        step.grads[...] = g
        step._adam()
        AdamStep().forward(expected[0], g, np.float32(1e-3), t, expected[1], expected[2])
        np.testing.assert_allclose(step.params, expected[0], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(step.m, expected[1], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(step.v, expected[2], rtol=1e-6, atol=1e-12)


def _row(seconds, cpu, **extra):
    return {"seconds": seconds, "cpu_seconds": cpu, "what": "", **extra}


def test_targets_are_read_on_cpu_time_with_wall_time_beside():
    # chainrule waited for a core (wall 4 s) but worked 1 s; PyTorch worked 2.5 s in 3 s.
    results = {"W1": {"chainrule": [{"rows": {"train": _row(4.0, 1.0, acc=95.0)}, "peak_rss_mib": 100}],
                      "torch": [{"rows": {"train": _row(3.0, 2.5, acc=95.0)}, "peak_rss_mib": 200}]}}
    summary = report.summarize(results, ("chainrule", "torch"))
    assert report.time_ratio(summary, "W1", "train") == pytest.approx(0.4)
    assert report.time_ratio(summary, "W1", "train", "seconds") == pytest.approx(4 / 3)
    (target, measured, status), = [t for t in report.evaluate_targets(summary)
                                   if t[0].workload == "W1" and t[0].kind == "time_ratio" and t[0].row == "train"]
    assert target.limit == 0.5 and status == "met"
    assert "0.40x on CPU time" in measured and "wall 1.33x" in measured


def test_w7_target_compares_with_the_numpy_step():
    row = _row(0.030, 0.025, numpy_step_seconds=0.020, numpy_step_cpu_seconds=0.0225, numpy_gflops=80.0,
               numpy_gflops_all=80.0, gflops=50.0)
    summary = report.summarize({"W7": {"chainrule": [{"rows": {"step": row}}]}}, ("chainrule",))
    assert report.numpy_step_pct(summary, "W7") == pytest.approx(90.0)
    (_, measured, status), = [t for t in report.evaluate_targets(summary) if t[0].workload == "W7"]
    assert status == "met" and measured.startswith("90% on CPU time")


def test_tf_accuracy_runs_a_workloads_keras_program_and_needs_a_tensorflow_python(tmp_path, capsys):
    """``benchmarks.tf_accuracy`` runs the chainrule workload programs on either Keras; here on chainrule's, on a
    small IMDB-shaped cache (TensorFlow is never installed for the tests)."""
    tf_accuracy = pytest.importorskip("benchmarks.tf_accuracy")
    rng = np.random.default_rng(0)
    arrays = {}
    for part, n in (("train", 64), ("test", 32)):
        lengths = rng.integers(5, 40, n)
        arrays[f"{part}_tokens"] = rng.integers(1, 10000, int(lengths.sum()))
        arrays[f"{part}_lengths"] = lengths
        arrays[f"y_{part}"] = rng.integers(0, 2, n)
    np.savez(tmp_path / "imdb.npz", **arrays)
    assert tf_accuracy.main(["--child", "W3", "--keras", "chainrule", "--seed", "1", "--cache", str(tmp_path)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0 <= result["acc"] <= 100 and result["loss"] > 0
    with pytest.raises(SystemExit):
        tf_accuracy.main(["W3"])
    assert "--tf-python is required" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tf_accuracy.main(["W7", "--tf-python", sys.executable])
    assert "workloads are W1, W3, W3b, W4, W8, W9, W9b" in capsys.readouterr().err
