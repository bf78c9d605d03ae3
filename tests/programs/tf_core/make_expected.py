"""Write expected/<guide>.txt: what real TensorFlow prints for each adapted guide in this folder.

Not a test and never run by the tests: it needs a TensorFlow install (tensorflow-cpu 2.21 with tf_keras,
``TF_USE_LEGACY_KERAS=1``). Each program is run with ``CHAINRULE_REFERENCE=tensorflow``, so it imports
TensorFlow instead of chainrule. HOME points at a folder whose ``.keras/datasets/fashion-mnist`` holds links
to the Fashion-MNIST files of ``$CHAINRULE_DATA`` and whose ``.keras/datasets/auto-mpg.data`` links to its Auto
MPG file (no download). The stdout is stored after two rewrites that
only change names: ``tf.`` becomes ``chainrule.`` (chainrule prints ``chainrule.Tensor``/``chainrule.int32``)
and TensorFlow's ``{{function_node ...}}`` error prefix is dropped.

    CHAINRULE_DATA=/path/to/datasets python tests/programs/tf_core/make_expected.py /path/to/tf-venv/bin/python [guide ...]
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUIDES = ["tensor", "variable", "autodiff", "intro_to_graphs", "function", "intro_to_modules",
          "basic_training_loops", "data", "quickstart_core"]


def normalize(text: str) -> str:
    text = re.sub(r"\btf\.", "chainrule.", text)
    return re.sub(r"\{\{function_node [^}]*\}\} ", "", text)


def main(python, only=None):
    home = Path(tempfile.mkdtemp())
    fashion = home / ".keras" / "datasets" / "fashion-mnist"
    fashion.mkdir(parents=True)
    for f in (Path(os.environ["CHAINRULE_DATA"]) / "fashion_mnist").glob("*.gz"):
        (fashion / f.name).symlink_to(f)
    (fashion.parent / "auto-mpg.data").symlink_to(Path(os.environ["CHAINRULE_DATA"]) / "auto_mpg" / "auto-mpg.data")
    env = dict(os.environ, CHAINRULE_REFERENCE="tensorflow", TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3",
               HOME=str(home))
    for guide in only or GUIDES:
        out = subprocess.run([python, str(HERE / f"{guide}.py")], env=env, capture_output=True, text=True,
                             cwd=tempfile.mkdtemp(), check=True).stdout
        (HERE / "expected" / f"{guide}.txt").write_text(normalize(out))
        print(guide, len(out.splitlines()), "lines")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else sys.executable, sys.argv[2:] or None)
