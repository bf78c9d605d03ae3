"""tf.print's formatting (the expected lines are what tensorflow-cpu 2.21 printed for the same calls),
executing_eagerly, name_scope, device, init_scope, version and autograph."""
import sys

import numpy as np
import pytest

import chainrule as tf


def printed(capsys, *args, **kwargs):
    tf.print(*args, output_stream=sys.stdout, **kwargs)
    return capsys.readouterr().out


@pytest.mark.parametrize("args, kwargs, expected", [
    ((tf.constant([1.5, 2.0, 3.25]),), {}, "[1.5 2 3.25]\n"),
    ((tf.constant(3.0), "hello", 5, [1, 2], {"a": tf.constant(1)}), {}, "3 hello 5 [1, 2] {'a': 1}\n"),
    ((tf.range(10),), {}, "[0 1 2 ... 7 8 9]\n"),
    ((tf.range(10),), {"summarize": -1}, "[0 1 2 3 4 5 6 7 8 9]\n"),
    ((tf.range(10),), {"summarize": 2}, "[0 1 ... 8 9]\n"),
    ((tf.reshape(tf.range(24), [2, 3, 4]),), {},
     "[[[0 1 2 3]\n  [4 5 6 7]\n  [8 9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]]\n"),
    ((tf.constant([[1.123456789, 2.0], [3.0, 4.0]]),), {}, "[[1.12345684 2]\n [3 4]]\n"),
    ((tf.constant(["a", "bc"]), tf.constant(True), tf.constant([True, False])), {}, '["a" "bc"] 1 [1 0]\n'),
    (("x", "y"), {"sep": ",", "end": "!\n"}, "x,y!\n"),
    ((tf.constant(1e-8), tf.constant(123456789.0), tf.constant([1e10, 1.0]), tf.constant(np.nan),
      tf.constant(np.inf)), {}, "1e-08 123456792 [1e+10 1] nan inf\n"),
    ((tf.constant(0.1, tf.float64), tf.constant([0.1, 0.2], tf.float16)), {}, "0.1 [0.0999755859 0.199951172]\n"),
    ((tf.Variable([1., 2.]),), {}, "[1 2]\n"),
    ((tf.constant(-0.0), tf.constant(1e-5), tf.constant(0.0001), tf.constant(100000.0), tf.constant(1234567.0)),
     {}, "-0 1e-05 0.0001 100000 1234567\n"),
    ((tf.constant([1, 2, 3], tf.int64), tf.constant(2 ** 40, tf.int64)), {}, "[1 2 3] 1099511627776\n"),
    ((np.array([1.5, 2]), 3.5, None, (1, 2)), {}, "array([1.5, 2. ]) 3.5 None (1, 2)\n"),
])
def test_print_formats_as_tensorflow(capsys, args, kwargs, expected):
    assert printed(capsys, *args, **kwargs) == expected


def test_print_summarizes_rows_and_defaults_to_stderr(capsys):
    out = printed(capsys, tf.reshape(tf.range(200, dtype=tf.float32) / 7, [10, 20]))
    lines = out.splitlines()
    assert lines[0] == "[[0 0.142857149 0.285714298 ... 2.42857146 2.57142854 2.71428561]"
    assert lines[3] == " ..." and lines[-1] == " [25.7142849 25.8571434 26 ... 28.1428566 28.2857151 28.4285717]]"
    tf.print("to stderr")
    captured = capsys.readouterr()
    assert captured.err == "to stderr\n" and captured.out == ""


def test_print_runs_on_every_call_of_a_traced_function(capsys):
    @tf.function
    def f(x):
        print("Tracing with", x.shape)
        tf.print("Executing with", x, output_stream=sys.stdout)
        return x + 1

    for v in (1, 2, 3):
        f(tf.constant(v))
    assert capsys.readouterr().out.splitlines() == ["Tracing with ()", "Executing with 1", "Executing with 2",
                                                    "Executing with 3"]
    assert f.experimental_get_tracing_count() == 1


def test_print_to_a_file_url(tmp_path):
    path = tmp_path / "log.txt"
    tf.print("a", tf.constant([1, 2]), output_stream=f"file://{path}")
    tf.print("b", output_stream=f"file://{path}")
    assert path.read_text() == "a [1 2]\nb\n"


def test_executing_eagerly_is_false_only_while_tracing():
    seen = []

    @tf.function
    def f(x):
        seen.append(tf.executing_eagerly())
        return x

    assert tf.executing_eagerly()
    f(tf.constant(1.0))
    assert seen == [False]
    tf.config.run_functions_eagerly(True)
    try:
        f(tf.constant(2.0))
    finally:
        tf.config.run_functions_eagerly(False)
    assert seen == [False, True]


def test_name_scope_names_variables_as_tensorflow():
    with tf.name_scope("foo") as scope:
        assert scope == "foo/" and tf.get_current_name_scope() == "foo"
        assert tf.Variable(1., name="v").name == "foo/v:0"
        with tf.name_scope("bar"):
            assert tf.Variable(1.).name == "foo/bar/Variable:0"
        with tf.name_scope("bar"):    # TF 2 does not make eager scope names unique
            assert tf.Variable(1., name="w").name == "foo/bar/w:0"
    with tf.name_scope("") as scope:
        assert scope == ""
    assert tf.get_current_name_scope() == "" and tf.Variable(1.0).name == "Variable:0"
    with pytest.raises(ValueError, match="must be a string"):
        tf.name_scope(3)


def test_device_is_accepted_and_everything_runs_on_the_cpu():
    with tf.device("CPU:0"):
        a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with tf.device("GPU:0"):
        k = a * tf.Variable([[1.0, 2.0, 3.0]])
    assert k.numpy().tolist() == [[1, 4, 9], [4, 10, 18]]
    with tf.device("/job:localhost/replica:0/task:0/device:CPU:0"):
        pass
    with pytest.raises(ValueError, match="not a device name"):
        tf.device("my gpu please")


def test_init_scope_lifts_work_out_of_a_traced_function():
    # function guide: with init_scope the update happens once, at trace time (prints 1, 1, 1)
    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(0)
            self.counter = 0

        @tf.function
        def __call__(self):
            if self.counter == 0:
                with tf.init_scope():
                    self.counter += 1
                    self.v.assign_add(1)
            return self.v

    m = Model()
    assert [int(m().numpy()) for _ in range(3)] == [1, 1, 1]


def test_version_reports_the_tensorflow_api_and_chainrules_own():
    assert tf.__version__ == tf.version.VERSION == "2.11.0"
    assert tf.version.CHAINRULE_VERSION == "0.1.0" and isinstance(tf.version.GIT_VERSION, str)


def test_autograph_returns_the_source_chainrule_runs():
    def simple_relu(x):
        if tf.greater(x, 0):
            return x
        return 0

    code = tf.autograph.to_code(simple_relu)
    assert code.startswith("def simple_relu(x):") and "tf.greater(x, 0)" in code
    assert tf.autograph.to_code(tf.function(simple_relu)) == code
    assert tf.autograph.experimental.do_not_convert(simple_relu) is simple_relu
    assert tf.autograph.experimental.do_not_convert()(simple_relu) is simple_relu
    assert tf.autograph.to_graph(simple_relu) is simple_relu


def test_unconnected_gradients_zero():
    x, y = tf.Variable([2., 2.]), tf.Variable(3.)
    with tf.GradientTape() as tape:
        z = y ** 2
    assert tape.gradient(z, x, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy().tolist() == [0, 0]
