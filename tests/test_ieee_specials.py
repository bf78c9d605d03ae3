"""inf and nan are values, as in TensorFlow: chainrule's ops return them without numpy's RuntimeWarnings, while a
user's own numpy code keeps its warnings and ``np.errstate(...="raise")`` still reaches chainrule's arithmetic.
Integer division by zero raises TensorFlow's error instead of numpy's warning and 0.

The expected values are what tensorflow-cpu 2.21 returned for the same calls."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as tf
from chainrule.errors import InvalidArgumentError

C = tf.constant
CASES = {  # name: (call, TensorFlow's result)
    "log of 0 and -1": (lambda: tf.math.log(C([0.0, -1.0])), [-np.inf, np.nan]),
    "x / 0": (lambda: C([1.0, 0.0, -1.0]) / C(0.0), [np.inf, np.nan, -np.inf]),
    "divide": (lambda: tf.divide(C([1.0]), 0.0), [np.inf]),
    "int / int 0": (lambda: C([1]) / C([0]), [np.inf]),
    "sqrt of -1": (lambda: tf.sqrt(C([-1.0])), [np.nan]),
    "rsqrt of 0": (lambda: tf.math.rsqrt(C([0.0])), [np.inf]),
    "exp overflow": (lambda: tf.exp(C([1000.0])), [np.inf]),
    "pow 0 ** -1": (lambda: tf.pow(C([0.0]), -1.0), [np.inf]),
    "reciprocal of 0": (lambda: tf.math.reciprocal(C([0.0])), [np.inf]),
    "float floordiv by 0": (lambda: tf.math.floordiv(C([1.0]), 0.0), [np.inf]),
    "float floormod by 0": (lambda: tf.math.floormod(C([1.0]), 0.0), [np.nan]),
    "log1p of -1 and -2": (lambda: tf.math.log1p(C([-1.0, -2.0])), [-np.inf, np.nan]),
    "multiply overflow": (lambda: C([1e30]) * 1e30, [np.inf]),
    "acos of 2": (lambda: tf.math.acos(C([2.0])), [np.nan]),
    "atanh of 1": (lambda: tf.math.atanh(C([1.0])), [np.inf]),
    "mean of nothing": (lambda: tf.reduce_mean(tf.zeros([0])), np.nan),
    "mean over an empty axis": (lambda: tf.reduce_mean(tf.zeros([0, 3]), axis=0), [np.nan] * 3),
}


@pytest.mark.parametrize("name", CASES)
def test_specials_have_tensorflows_values(name):
    call, expected = CASES[name]
    np.testing.assert_array_equal(call().numpy(), np.asarray(expected, np.float32))


def test_the_gradient_at_a_special_point_is_inf():
    x = tf.Variable([0.0, 1.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.sqrt(x) + tf.math.log(x))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [np.inf, 1.5])


# A program of its own: pytest resets the warning filters that importing chainrule installs (it imports the test
# modules inside warnings.catch_warnings), so the silence a user's program sees is checked in a fresh interpreter,
# with Python's default filters and warnings shown once per place (-W default).
PROGRAM = f"""
import sys
import numpy as np
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from test_ieee_specials import CASES
import chainrule as tf
from chainrule import keras

for name, (call, expected) in CASES.items():
    np.testing.assert_array_equal(call().numpy(), np.asarray(expected, np.float32))
x = tf.Variable([0.0, 1.0])
with tf.GradientTape() as tape:
    y = tf.reduce_sum(tf.sqrt(x) + tf.math.log(x))
tape.gradient(y, x)

x = np.linspace(-1, 1, 64, dtype=np.float32).reshape(-1, 1)
model = keras.Sequential([keras.layers.Dense(1, kernel_initializer="ones", input_shape=(1,))])
model.compile(keras.optimizers.SGD(1e19), "mse")
history = model.fit(x, x * 3e18, epochs=3, batch_size=64, verbose=0)
print("final loss", history.history["loss"][-1])
np.log(np.zeros(1))  # the user's own numpy code: still warns
"""


def test_a_program_sees_no_numpy_warning_from_chainrule_but_keeps_its_own(tmp_path):
    src = Path(__file__).resolve().parent.parent / "src"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")])))
    run = subprocess.run([sys.executable, "-W", "default", "-c", PROGRAM], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() in ("final loss inf", "final loss nan")  # the fit diverged: every special was met
    warned = [line for line in run.stderr.splitlines() if "Warning:" in line]
    assert len(warned) == 1 and "divide by zero encountered in log" in warned[0], run.stderr
    assert "<string>" in warned[0]  # the user's line, not chainrule's


def test_errstate_raise_still_reaches_chainrules_arithmetic():
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        tf.math.log(C([0.0]))


@pytest.mark.parametrize("call, op", [
    (lambda: tf.math.floordiv(C([7, 1]), C([2, 0])), "FloorDiv"),
    (lambda: C([7]) // 0, "FloorDiv"),
    (lambda: tf.math.floormod(C([1], tf.int64), 0), "FloorMod"),
    (lambda: C([1]) % C([0]), "FloorMod"),
], ids=["floordiv", "//", "floormod", "%"])
def test_integer_division_by_zero_raises_tensorflows_error(call, op):
    with pytest.raises(InvalidArgumentError, match=rf"^Integer division by zero \[Op:{op}\]") as e:
        call()
    assert "flat index" in str(e.value)


def test_integer_division_by_nonzero_is_unchanged():
    np.testing.assert_array_equal(tf.math.floordiv(C([7, -7]), C([2, 2])).numpy(), [3, -4])
    np.testing.assert_array_equal((C([7, -7]) % C([3, 3])).numpy(), [1, 2])
