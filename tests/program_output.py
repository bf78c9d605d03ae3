"""Comparing what an adapted guide program prints on chainrule with what TensorFlow printed for it.

Used by ``test_tf_core_programs.py`` and ``test_keras_guide_programs.py``. Line by line:

* numbers are compared with a relative tolerance (``rtol``; float32 sums may differ in the last digits) and
  whitespace is ignored (numpy pads columns to the widest number);
* an error message is compared up to its ``[Op:Name]``, or as a prefix of chainrule's (which adds the shapes
  and the fix after TensorFlow's text);
* lines starting with ``[varies]`` (timings, shuffles, training from random weights) are not compared;
* lines of TensorFlow's output containing one of ``known`` (substrings) differ on purpose and are skipped;
* tf.keras 2.21's summary totals carry byte sizes (``Total params: 17 (68.00 Byte)``) and no thousands
  separators, where chainrule prints tf.keras 2.11's totals (``Total params: 27,562``): both are normalized
  to ``Total params: 27562`` before comparing;
* a cell too long for its summary column is wrapped onto the next lines, at other widths by tf.keras 2.21 than
  by 2.11 (whose table chainrule prints): ``max_pooling2d (MaxPooling2`` + ``D)`` against
  ``max_pooling2d (MaxPooling2D`` + ``)``, or an output shape ``(None, None, 12, 12, 64`` + ``)`` that 2.11
  prints whole. In both outputs every row's wrapped cells are joined back (``max_pooling2d (MaxPooling2D)``)
  before comparing, so the whole names and shapes are still compared.
"""
import re

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_OP_SUFFIX = re.compile(r"(\[Op:[A-Za-z0-9_]+\]).*$")
_ERROR_LINE = re.compile(r"^\w*(Error|Exception): ")
_TOTALS = re.compile(r"^((?:Total|Trainable|Non-trainable) params: )([\d,]+)(?: \([\d.]+ (?:Byte|KB|MB|GB)\))?\s*$")


def _join_wrapped_names(lines: list) -> list:
    """The lines with each summary row's wrapped cells joined back onto the row (see the module doc).

    Inside a summary table (after its ``Layer (type)   Output Shape   Param # ...`` header, whose titles give
    the columns), a row starts on the line with text in the ``Param #`` column (never wrapped); the following
    non-blank lines until the next row continue its cells (a wrapped layer name, an output shape, a functional
    model's ``Connected to``), column by column. Each row becomes one line of its joined cells, so two tables
    that wrap the same cells at different widths (tf.keras 2.21's narrower columns, 2.11's) read the same.
    """
    out, starts, row = [], None, None
    for line in lines:
        header = re.match(r"^ ?Layer \(type\)\s+Output Shape\s+Param #", line)
        if header:
            starts = [0, line.index("Output Shape"), line.index("Param #")]
            if "Connected to" in line:
                starts.append(line.index("Connected to"))
            row = None
            out.append(line)
            continue
        if line.startswith(("Total params", "Model:")):
            starts = row = None
        if starts is None or line[:1] in ("=", "_") or not line.strip():
            row = None
            out.append(line)
            continue
        bounds = list(zip(starts, starts[1:] + [None]))
        cells = [line[a:b].strip() for a, b in bounds]
        if cells[2] or row is None:  # a new row
            row = len(out)
            out.append(cells)
        else:
            out[row] = [c + d for c, d in zip(out[row], cells)]
    return [" " + "  ".join(c for c in line if c) if isinstance(line, list) else line for line in out]


def _normalize(line: str) -> str:
    m = _TOTALS.match(line)
    return m.group(1) + m.group(2).replace(",", "") if m else line


def _split(line: str):
    """``(text without numbers and whitespace, [numbers])`` of a line, cut after an ``[Op:Name]`` marker."""
    line = _OP_SUFFIX.sub(r"\1", line)
    numbers = [float(n) for n in _NUMBER.findall(line)]
    text = re.sub(r"\s+", "", _NUMBER.sub("#", line))
    return text, numbers


def same_line(expected: str, actual: str, rtol=1e-5, atol=1e-6) -> bool:
    e_text, e_nums = _split(expected)
    a_text, a_nums = _split(actual)
    if e_text != a_text or len(e_nums) != len(a_nums):
        return False
    return all(abs(a - e) <= atol + rtol * abs(e) for e, a in zip(e_nums, a_nums))


def compare(expected: str, actual: str, known=(), rtol=1e-5, atol=1e-6) -> list:
    """The mismatching lines as readable strings (empty when the outputs agree)."""
    exp_lines = [_normalize(line) for line in _join_wrapped_names(expected.splitlines())]
    act_lines = [_normalize(line) for line in _join_wrapped_names(actual.splitlines())]
    problems = []
    if len(exp_lines) != len(act_lines):
        problems.append(f"{len(act_lines)} lines printed, TensorFlow printed {len(exp_lines)}")
    for number, (e, a) in enumerate(zip(exp_lines, act_lines), 1):
        if e.startswith("[varies]") and a.startswith("[varies]"):
            continue
        if any(key in e for key in known):
            continue
        if _ERROR_LINE.match(e) and a.startswith(e.rstrip()):  # chainrule's message adds the fix after TF's
            continue
        if not same_line(e, a, rtol, atol):
            problems.append(f"line {number}:\n  TensorFlow: {e}\n  chainrule:  {a}")
            if len(problems) >= 8:
                break
    return problems
