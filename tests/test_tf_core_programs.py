"""The TensorFlow core guides adapted in tests/programs/tf_core/ run on chainrule and print what TensorFlow prints.

Each program runs in a subprocess (``OPENBLAS_NUM_THREADS=1``, an empty working folder, ``CHAINRULE_DATA``
as set for the suite). Its stdout is compared line by line with ``expected/<guide>.txt``, which is what
tensorflow-cpu 2.21 printed for the same file (made by ``make_expected.py``; names rewritten ``tf.`` ->
``chainrule.``). The comparison:

* numbers are compared with a relative tolerance of 1e-5 (float32 sums may differ in the last digit) and
  whitespace is ignored (numpy pads columns to the widest number);
* an error message is compared up to its ``[Op:Name]``, or as a prefix of chainrule's (which adds the
  shapes and the fix after TensorFlow's text);
* lines starting with ``[varies]`` (timings, shuffles, training from random weights) are not compared;
* the lines in ``KNOWN_DIFFERENCES`` differ on purpose, each for the reason given.

Lines chainrule cannot run yet stay in the programs as ``# needs: <feature>`` comments.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from program_output import compare as compare_output
from program_output import same_line

PROGRAMS = Path(__file__).resolve().parent / "programs" / "tf_core"
DATA = os.environ.get("CHAINRULE_DATA")
SRC = Path(__file__).resolve().parent.parent / "src"

GUIDES = {  # guide: needs CHAINRULE_DATA
    "tensor": False, "variable": False, "autodiff": False, "intro_to_graphs": False, "function": False,
    "intro_to_modules": False, "basic_training_loops": False, "data": True, "quickstart_core": True,
}

# (guide, a substring of TensorFlow's line) -> why chainrule prints something else there
KNOWN_DIFFERENCES = {
    ("variable", "Cannot assign value to variable"):
        "Variable.assign's shape error is worded by chainrule (it names both shapes and says they must match)",
    ("autodiff", "ResourceVariable :"): "the guide prints type(x).__name__: chainrule's class is Variable",
    ("autodiff", "EagerTensor :"): "the guide prints type(x).__name__: chainrule's class is Tensor",
    ("intro_to_graphs", "def tf__simple_relu(x):"):
        "autograph.to_code: TensorFlow shows AutoGraph's converted code, chainrule the function as written",
    ("function", "def tf__f(x):"): "autograph.to_code: as above (chainrule's source starts at the decorator)",
}

def _same(expected: str, actual: str) -> bool:
    return same_line(expected, actual)


def compare(guide: str, expected: str, actual: str) -> list:
    """The mismatching lines as readable strings (empty when the outputs agree)."""
    return compare_output(expected, actual, known=[key for (g, key) in KNOWN_DIFFERENCES if g == guide])


def test_the_comparison_itself():
    assert _same("[[2.6894143e-01 7.3105854e-01]", "[[2.6894140e-01 7.3105860e-01]")
    assert not _same("loss=6.79460", "loss=6.79560")
    assert _same("x [Op:Reshape] name: ", "x [Op:Reshape]: cannot reshape ...")
    assert _same("[[10.2245865  4.6487384]]", "[[10.2245865  4.648738 ]]")
    assert not _same("chainrule.Tensor(2, shape=(), dtype=int32)", "chainrule.Tensor(2, shape=(), dtype=int64)")
    assert compare("x", "a\n[varies] 1\nb", "a\n[varies] 2\nb") == []
    assert compare("x", "a\nb", "a\nc") != []
    assert compare("x", "ValueError: bad value.", "ValueError: bad value. (Fix: ...)") == []


def test_a_layer_name_wrapped_in_a_summary_is_compared_whole():
    header = " Layer (type)                Output Shape              Param #   "
    tf_keras_2_21 = [header, "=" * 65,
                     " max_pooling2d (MaxPooling2  (None, 40, 40, 32)        0         ",
                     " D)                                                              ",
                     "                                                                 ",
                     " dense (Dense)               (None, 2)                 10        "]
    chainrule = [header, "=" * 65,
                 " max_pooling2d (MaxPooling2D  (None, 40, 40, 32)       0         ",
                 " )                                                               ",
                 "                                                                 ",
                 " dense (Dense)               (None, 2)                 10        "]
    assert compare_output("\n".join(tf_keras_2_21), "\n".join(chainrule)) == []
    other_name = chainrule[:2] + [" max_pooling2d (MaxPooling1D  (None, 40, 40, 32)       0         "] + chainrule[3:]
    assert compare_output("\n".join(tf_keras_2_21), "\n".join(other_name)) != []
    # a name that fits one framework's column but not the other's: rows are compared after joining
    unwrapped = chainrule[:2] + [" max_pooling2d (MaxPooling2D)  (None, 40, 40, 32)     0         "] + chainrule[4:]
    assert compare_output("\n".join(tf_keras_2_21), "\n".join(unwrapped)) == []
    # a functional summary: the continuation also holds the next inbound node, which stays a line of its own
    wide = " Layer (type)                Output Shape                 Param #   Connected to"

    def row(name, shape="", params="", inbound=""):
        return " " + name.ljust(28) + shape.ljust(29) + params.ljust(10) + inbound

    tf_rows = [wide, row("add (Add) with_a_long_nam", "(None, 8, 8, 64)", "0", "['conv2d_3[0][0]',"),
               row("e", inbound="'max_pooling2d[0][0]']")]
    cr_rows = [wide, row("add (Add) with_a_long_name", "(None, 8, 8, 64)", "0", "['conv2d_3[0][0]',"),
               row("", inbound="'max_pooling2d[0][0]']")]
    assert compare_output("\n".join(tf_rows), "\n".join(cr_rows)) == []


@pytest.mark.parametrize("guide", sorted(GUIDES))
def test_guide_prints_what_tensorflow_prints(guide, tmp_path):
    if GUIDES[guide] and not DATA:
        pytest.skip("CHAINRULE_DATA is not set (CI sets it to ../shared/datasets)")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    env.pop("CHAINRULE_REFERENCE", None)
    run = subprocess.run([sys.executable, str(PROGRAMS / f"{guide}.py")], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"{guide}.py failed:\n{run.stderr[-3000:]}"
    expected = (PROGRAMS / "expected" / f"{guide}.txt").read_text()
    problems = compare(guide, expected, run.stdout)
    assert not problems, f"{guide}.py differs from TensorFlow's output:\n" + "\n".join(problems)


def test_every_needs_marker_names_a_feature():
    markers = 0
    for program in PROGRAMS.glob("*.py"):
        for number, line in enumerate(program.read_text().splitlines(), 1):
            if line.strip().startswith("# needs:"):
                markers += 1
                assert re.match(r"# needs: \S", line.strip()), f"{program.name}:{number} has an empty needs marker"
    assert markers > 0
