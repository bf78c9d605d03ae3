"""Write expected/<program>.txt: what TensorFlow with tf.keras 2 prints for each adapted tutorial in this folder.

Not a test and never run by the tests: it needs a TensorFlow install (tensorflow-cpu 2.21 with tf_keras 2.21,
``TF_USE_LEGACY_KERAS=1``, with pandas, scikit-learn, Pillow and tensorboard, which the TensorBoard callback of
overfit_and_underfit needs). As for the Keras guides (``../keras_guides/make_expected.py``),
each program runs with ``CHAINRULE_REFERENCE=tensorflow`` (so it imports TensorFlow instead of chainrule),
``CHAINRULE_DATA`` set, ``TF_ENABLE_ONEDNN_OPTS=0`` and one thread, in an empty working folder, with
``../keras_guides`` on the path for ``guide_support``. The stdout is stored after one rewrite that only changes
names: ``tf.Tensor``/``tf.Variable``/``tf.RaggedTensor`` become ``chainrule.Tensor``/..., and dtypes such as
``tf.string`` in a ``TensorSpec`` become ``chainrule.string``.

    CHAINRULE_DATA=/path/to/datasets python tests/programs/tutorials/make_expected.py /path/to/tf-venv/bin/python
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROGRAMS = ["cnn", "mnist_convnet", "text_classification_rnn", "bidirectional_lstm_imdb", "time_series",
            "quickstart_advanced", "overfit_and_underfit", "text_classification", "autoencoder",
            "denoising_autoencoder", "vae", "transformer_imdb", "addition_rnn", "dcgan", "cvae", "conv_lstm",
            "knowledge_distillation", "siamese_contrastive", "antirectifier", "endpoint_layer_pattern",
            "trainer_pattern", "timeseries_classification", "imbalanced_classification", "lstm_seq2seq",
            "text_generation", "word2vec", "image_classification", "data_augmentation",
            "timeseries_anomaly_detection", "custom_training_walkthrough", "image_segmentation",
            "image_classification_from_scratch", "load_csv", "feature_space", "pixelcnn",
            "char_lstm_text_generation"]


def normalize(text: str) -> str:
    text = re.sub(r"\btf\.(Tensor|Variable|RaggedTensor)\b", r"chainrule.\1", text)
    return re.sub(r"\bdtype=tf\.(\w+)", r"dtype=chainrule.\1", text)


def main(python, only=None):
    env = dict(os.environ, CHAINRULE_REFERENCE="tensorflow", TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3",
               TF_ENABLE_ONEDNN_OPTS="0", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent / "keras_guides")]))
    for program in only or PROGRAMS:
        run = subprocess.run([python, str(HERE / f"{program}.py")], env=env, capture_output=True, text=True,
                             cwd=tempfile.mkdtemp())
        if run.returncode:
            raise SystemExit(f"{program}.py failed under TensorFlow:\n{run.stderr[-3000:]}")
        (HERE / "expected" / f"{program}.txt").write_text(normalize(run.stdout))
        print(program, len(run.stdout.splitlines()), "lines")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else sys.executable, sys.argv[2:] or None)
