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
* a layer name too long for the summary's first column is wrapped onto the next line, one character earlier
  by tf.keras 2.21 than by 2.11 (whose table chainrule prints): ``max_pooling2d (MaxPooling2`` + ``D)`` against
  ``max_pooling2d (MaxPooling2D`` + ``)``. In both outputs the wrapped part is joined back onto its row
  (``max_pooling2d (MaxPooling2D)``) before comparing, so the whole name is still compared.
"""
import re

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_OP_SUFFIX = re.compile(r"(\[Op:[A-Za-z0-9_]+\]).*$")
_ERROR_LINE = re.compile(r"^\w*(Error|Exception): ")
_TOTALS = re.compile(r"^((?:Total|Trainable|Non-trainable) params: )([\d,]+)(?: \([\d.]+ (?:Byte|KB|MB|GB)\))?\s*$")


def _join_wrapped_names(lines: list) -> list:
    """The lines with each summary row's wrapped layer name and ``Connected to`` list joined back onto the row
    (see the module doc).

    Inside a summary table (after its ``Layer (type)   Output Shape ...`` header), a line is the continuation
    of the row above when it has text in the first column and none in the Output Shape column; its first-column
    text is appended to the row's name. In a functional model's table, a line with text only in the
    ``Connected to`` column continues the row's list of inbound layers (one per line, or one cut where the
    column is too narrow), and that text is appended to the row's last column; a name's continuation line
    may carry such text too. A continuation line is dropped once its text has been joined.
    """
    out, name_end, shape_end, links_start = [], None, None, None
    row, name, middle, links = None, "", "", ""
    for line in lines:
        header = re.match(r"^ ?Layer \(type\)\s+Output Shape\s+Param #", line)
        if header:
            name_end, shape_end, row = line.index("Output Shape"), line.index("Param #"), None
            links_start = line.index("Connected to") if "Connected to" in line else None
        elif line.startswith(("Total params", "Model:")):
            name_end = row = None
        elif name_end is not None and line[:1] not in ("=", "_"):
            first = line[:name_end].strip()
            linked = links_start is not None and row is not None and not line[:links_start].strip()
            if first and line[name_end:shape_end].strip():
                row, name = len(out), first  # a new row
                middle, links = line[name_end:links_start], line[links_start:].strip() if links_start else ""
            elif (first and row is not None) or (linked and line.strip()):
                name += first  # a name may wrap over several lines: each continues the name so far
                rest = line[name_end:]
                if links_start is not None:
                    links += line[links_start:].strip()  # the inbound layers' list continues on this line
                    rest = line[name_end:links_start]
                out[row] = " " + name.ljust(name_end - 1) + middle + links
                if not rest.strip():
                    continue
                line = " " * name_end + rest
            elif not line.strip():
                row = None
        out.append(line)
    return out


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
