"""Write expected/<guide>.txt: what TensorFlow with tf.keras 2 prints for each adapted Keras guide in this folder.

Not a test and never run by the tests: it needs a TensorFlow install (tensorflow-cpu 2.21 with tf_keras 2.21,
``TF_USE_LEGACY_KERAS=1``; the tabular tutorials also need pandas). Each program runs with
``CHAINRULE_REFERENCE=tensorflow`` (so it imports TensorFlow instead of chainrule), ``CHAINRULE_DATA`` set
(MNIST and Auto MPG are read from there by the programs themselves), ``TF_ENABLE_ONEDNN_OPTS=0`` and one
thread, in an empty working folder. The stdout is stored after one rewrite that only changes names:
``tf.Tensor``/``tf.Variable`` become ``chainrule.Tensor``/``chainrule.Variable`` (layer names such as
``tf.math.square`` are chainrule's too and stay).

    CHAINRULE_DATA=/path/to/datasets python tests/programs/keras_guides/make_expected.py /path/to/tf-venv/bin/python
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUIDES = ["sequential_model", "functional_api", "training_with_built_in_methods", "customizing_what_happens_in_fit",
          "writing_a_training_loop_from_scratch", "making_new_layers_and_models_via_subclassing",
          "serialization_and_saving", "writing_your_own_callbacks", "structured_data_classification",
          "regression", "save_and_load"]


def normalize(text: str) -> str:
    return re.sub(r"\btf\.(Tensor|Variable)\b", r"chainrule.\1", text)


def main(python, only=None):
    env = dict(os.environ, CHAINRULE_REFERENCE="tensorflow", TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3",
               TF_ENABLE_ONEDNN_OPTS="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=str(HERE))
    for guide in only or GUIDES:
        run = subprocess.run([python, str(HERE / f"{guide}.py")], env=env, capture_output=True, text=True,
                             cwd=tempfile.mkdtemp())
        if run.returncode:
            raise SystemExit(f"{guide}.py failed under TensorFlow:\n{run.stderr[-3000:]}")
        (HERE / "expected" / f"{guide}.txt").write_text(normalize(run.stdout))
        print(guide, len(run.stdout.splitlines()), "lines")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else sys.executable, sys.argv[2:] or None)
