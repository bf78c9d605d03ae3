"""The TensorFlow and keras.io tutorials adapted in tests/programs/tutorials/ (convnets, RNNs, text, generative
models) run on chainrule and print what TensorFlow with tf.keras 2 prints.

Each program runs in a subprocess (``OPENBLAS_NUM_THREADS=1``, an empty working folder, ``CHAINRULE_DATA`` as
set for the suite, ``../keras_guides`` on the path for ``guide_support``). Its stdout is compared line by line
with ``expected/<program>.txt``, which is what tensorflow-cpu 2.21 with tf_keras 2.21 printed for the same file
(made by ``make_expected.py``), by ``program_output.compare``: numbers within ``rtol`` (given per program with
the reason: training runs take many float32 steps), ``[varies]`` lines skipped (Dropout masks are each
framework's own random numbers), and the lines in ``KNOWN_DIFFERENCES`` skipped for the reason given. Every
program trains on fewer samples or epochs than its tutorial (stated in its docstring) so that it runs in well
under a minute on chainrule.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from program_output import compare

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs" / "tutorials"
GUIDE_SUPPORT = HERE / "programs" / "keras_guides"
DATA = os.environ.get("CHAINRULE_DATA")
SRC = HERE.parent / "src"

TUTORIALS = {  # program: (rtol, seconds on chainrule with one thread, for the slow mark)
    "cnn": (4e-2, 6),  # 189 Adam steps: the runs agree to 4e-7 for 21 steps, then the loss spikes of steps 22-34
    # amplify float32 rounding about 3x a step (measured with train_on_batch against tensorflow 2.21); the history
    # ends up to 3.6 % apart (val_loss 0.7237 vs chainrule's 0.7497 after epoch 2), test accuracy 0.756 vs 0.75
    "mnist_convnet": (1e-5, 7),
    "text_classification_rnn": (1e-5, 5),
    "bidirectional_lstm_imdb": (1e-5, 10),
    "time_series": (1e-5, 6),
    "quickstart_advanced": (1e-5, 4),
    "overfit_and_underfit": (1e-5, 5),
    "text_classification": (1e-5, 2),
    "autoencoder": (1e-5, 5),
    "denoising_autoencoder": (3e-5, 8),  # 16 Adam steps on a convolutional autoencoder: the float32 roundings
    # of the two frameworks grow until the mean predicted pixels after the second fit are 1.3e-5 apart (the same
    # training in float64 agrees to 1e-15)
    "vae": (1e-4, 4),  # the norm of the last Conv2DTranspose's bias gradient, a sum over 64x28x28 values:
    # TensorFlow's float32 reduction gives 292.5985, chainrule's 292.6102, 4e-5 apart (for the same decoder
    # on other latent points TensorFlow gave 292.6011 where the float64 sum of its own per-pixel gradients is
    # 292.6151, which chainrule gave)
    "transformer_imdb": (1e-5, 6),
    "addition_rnn": (1e-5, 3),
    "dcgan": (1e-5, 6),
    "cvae": (1e-5, 3),
    "conv_lstm": (1e-5, 6),
    "knowledge_distillation": (1e-5, 6),
    "siamese_contrastive": (1e-5, 2),
    "antirectifier": (1e-5, 1),
    "endpoint_layer_pattern": (1e-5, 1),
    "trainer_pattern": (1e-5, 1),
    "timeseries_classification": (1e-2, 5),  # Conv1D biases ahead of BatchNormalization: their gradient is
    # float32 rounding noise around 0 (TensorFlow 2.5e-7, chainrule 2.2e-6 in a one-step check), which Adam's
    # first steps turn into +-lr updates; training-mode BatchNormalization cancels them, but the moving means
    # lag, so the validation/test losses are 3e-4 apart after the first epoch and 2e-3 after the sixth (with
    # use_bias=False 5e-4), and one training sample's prediction flips (accuracy 0.9656 vs 0.9625)
    "imbalanced_classification": (1e-5, 2),
    "lstm_seq2seq": (5e-3, 11),  # 300 RMSprop steps with two loss spikes (epochs 61 and 76): the history
    # agrees to 4 decimals up to epoch 56, then float32 rounding grows until 3 validation tokens of 1488
    # differ (val_accuracy 0.5262 vs 0.5282 at epoch 61); the decoded sentences are the same
    "text_generation": (1e-5, 3),
    "word2vec": (1e-5, 2),
    "image_classification": (1e-5, 12),
    "data_augmentation": (1e-5, 5),
    "timeseries_anomaly_detection": (1e-5, 5),
    "custom_training_walkthrough": (1e-5, 2),
    "image_segmentation": (2e-2, 3),  # 3 RMSprop steps of a U-Net on raw 0-255 pixels: the training losses agree
    # to 5 digits, but the biases ahead of BatchNormalization get float32 noise for gradients (1e-8 to 1e-6, 0 in
    # exact arithmetic), which RMSprop's first step turns into +-lr*sqrt(10) updates of either sign; training-mode
    # BatchNormalization cancels them, the moving statistics of the validation pass do not (val_loss 4e-4 apart
    # after the first step, also with other stand-in photos), and one max-pooling window of the first block,
    # whose two largest values are 1e-5 apart, picks the other winner in chainrule's float32 forward (float64
    # agrees with TensorFlow's to 1e-14): val_loss 56.07 vs 55.40 after the third epoch
    "image_classification_from_scratch": (1e-5, 4),
    "load_csv": (1e-5, 2),
    "feature_space": (1e-5, 2),
    "pixelcnn": (1e-5, 15),
    "char_lstm_text_generation": (1e-5, 2),
}

# (program, a substring of TensorFlow's line) -> why chainrule prints something else there
KNOWN_DIFFERENCES: dict = {}


@pytest.mark.parametrize("program", [pytest.param(name, marks=[pytest.mark.slow] if seconds >= 10 else [])
                                     for name, (_, seconds) in sorted(TUTORIALS.items())])
def test_tutorial_prints_what_tf_keras_prints(program, tmp_path):
    if not DATA:
        pytest.skip("CHAINRULE_DATA is not set (CI sets it to ../shared/datasets)")
    rtol, _ = TUTORIALS[program]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), str(GUIDE_SUPPORT), os.environ.get("PYTHONPATH")])))
    env.pop("CHAINRULE_REFERENCE", None)
    run = subprocess.run([sys.executable, str(PROGRAMS / f"{program}.py")], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"{program}.py failed:\n{run.stderr[-3000:]}"
    expected = (PROGRAMS / "expected" / f"{program}.txt").read_text()
    known = [key for (p, key) in KNOWN_DIFFERENCES if p == program]
    problems = compare(expected, run.stdout, known=known, rtol=rtol)
    assert not problems, f"{program}.py differs from tf.keras 2's output:\n" + "\n".join(problems)


def test_every_tutorial_has_its_expected_output_and_is_listed_for_make_expected():
    assert {p.stem for p in (PROGRAMS / "expected").glob("*.txt")} == set(TUTORIALS)
    listed = re.search(r"PROGRAMS = \[([^\]]*)\]", (PROGRAMS / "make_expected.py").read_text()).group(1)
    assert set(re.findall(r'"(\w+)"', listed)) == set(TUTORIALS)
    for program in PROGRAMS.glob("*.py"):
        for number, line in enumerate(program.read_text().splitlines(), 1):
            if line.strip().startswith("# needs:"):
                assert re.match(r"# needs: \S", line.strip()), f"{program.name}:{number} has an empty needs marker"
