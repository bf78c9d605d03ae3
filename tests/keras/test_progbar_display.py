"""The progress bar redraws one line in place: backspaces on a terminal, a carriage return alone in Jupyter."""
import io
import sys
import types

from chainrule.keras.utils.progbar import Progbar, display_mode


def _kernel_stream():
    """A stream of the class ipykernel gives a notebook's stdout (only its module name matters here)."""
    module = types.ModuleType("ipykernel.iostream")
    cls = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})
    module.OutStream = cls
    return cls()


class _Tty(io.StringIO):
    def isatty(self):
        return True


def _run(stream, steps=5):
    bar = Progbar(steps, stream=stream, interval=0)
    for i in range(1, steps + 1):
        bar.update(i, [("loss", 1.0 / i)])
    return stream.getvalue()


def test_notebook_rewrites_one_line_with_carriage_returns_only():
    stream = _kernel_stream()
    assert display_mode(stream) == "notebook"
    out = _run(stream)
    assert "\b" not in out
    assert out.count("\r") == 5 and out.endswith("\n")
    # What a notebook keeps after applying the carriage returns: the final line alone.
    assert out.split("\r")[-1].startswith("5/5 [==============================] - ")


def test_stdout_under_a_kernel_is_a_notebook(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    fake_stdout = io.StringIO()
    monkeypatch.setattr(sys, "stdout", fake_stdout)
    assert display_mode(sys.stdout) == "notebook"


def test_terminal_keeps_tf_keras_backspaces_and_a_pipe_gets_the_final_line():
    out = _run(_Tty())
    assert display_mode(_Tty()) == "terminal" and "\b" in out and "\r" in out
    piped = _run(io.StringIO())
    assert display_mode(io.StringIO()) is None
    assert "\r" not in piped and "\b" not in piped and piped.count("\n") == 1
