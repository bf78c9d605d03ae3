"""The TensorFlow 2.21 cases of ``fixtures/tf_nn_image.json`` (made by ``fixtures/make_tf_nn_image.py``)."""
import json
from pathlib import Path

import numpy as np

import chainrule as tf

CASES = json.loads((Path(__file__).parent / "fixtures" / "tf_nn_image.json").read_text())["cases"]


def decode(value):
    if isinstance(value, dict) and "array" in value:
        return np.asarray(value["array"], dtype=value["dtype"])
    return value


def cases(module):
    return [c for c in CASES if c["fn"].startswith(module + ".")]


def check_case(case):
    """Run one case through chainrule and compare outputs (values at float32 tolerance, dtypes, shapes)."""
    module, attr = case["fn"].split(".")
    fn = getattr(getattr(tf, module), attr)
    out = fn(*[decode(a) for a in case["args"]], **{k: decode(v) for k, v in case["kwargs"].items()})
    expected = case["out"]
    outs, wants = (list(out), expected) if isinstance(expected, list) else ([out], [expected])
    assert len(outs) == len(wants)
    for got, want in zip(outs, wants):
        want = decode(want)
        got = np.asarray(got.numpy())
        assert got.dtype == want.dtype, (case["name"], got.dtype, want.dtype)
        assert got.shape == want.shape, (case["name"], got.shape, want.shape)
        if want.dtype.kind in "iu":
            np.testing.assert_array_equal(got, want, err_msg=case["name"])
        else:
            np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5, err_msg=case["name"])
