"""Every script in examples/ runs in ``--quick`` mode, prints its key figure and writes its pictures.

Each example runs in a subprocess (``sys.executable``, ``OPENBLAS_NUM_THREADS=1``, ``MPLBACKEND=Agg``)
from an empty working folder with ``--out tmp_path/out``, so a script that wrote anywhere else
would leave its files behind unseen; the test checks the exit code, the key printed lines
(regular expressions) and the PNG files. Examples that read real data skip when
``CHAINRULE_DATA`` is not set (CI sets it to ../shared/datasets).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DATA = os.environ.get("CHAINRULE_DATA")

try:
    import matplotlib  # noqa: F401
    import pandas  # noqa: F401
    import sklearn  # noqa: F401
    HAVE_EXAMPLE_DEPS = True
except ImportError:  # the examples need the `examples` extra: matplotlib, pandas and scikit-learn
    HAVE_EXAMPLE_DEPS = False

pytestmark = pytest.mark.skipif(not HAVE_EXAMPLE_DEPS, reason="the examples need matplotlib, pandas and "
                                                               "scikit-learn")

# script: (needs CHAINRULE_DATA, key lines (regexes), PNG files, other files)
CASES = {
    "backprop_from_scratch.py": (
        True,
        [r"최종 가격 : 715\.00", r"소비세에 대한 돈통의 미분값 \(d 포스기 / d소비세\) : 650",
         r"key : W1, diff : \d", r"key : b2, diff : \d",
         r"Train Accuracy : 0\.\d{6} / Test Accuracy : 0\.\d{6} / Train Loss : \d+\.\d{6}",
         r"y_test\[0\] = 7, np\.argmax\(pred_result, axis=1\) = \[\d\]"],
        ["backprop_loss.png", "backprop_accuracy.png", "backprop_prediction.png"], []),
    "convnet_from_scratch.py": (
        True,
        [r"im2col\(x1 \(1, 3, 7, 7\), 5, 5\)\.shape = \(9, 75\)",
         r"gradient check: worst relative difference \S+ -> OK",
         r"=== epoch:2, train acc:0\.\d{4}, test acc:0\.\d{4} ===", r"^test acc:0\.\d{4}$"],
        ["convnet_accuracy.png", "convnet_filters.png"], []),
    "font_shade.py": (
        True,
        [r"by-hand network test accuracy: 0\.\d{4}", r"keras model test accuracy: 0\.\d{4}",
         r"MLPClassifier 테스트 세트 점수: 0\.\d{6}", r"KerasClassifier 테스트 세트 점수: 0\.\d{6}",
         r"dC_dW2: seed shape \(1, 3\), exact shape \(1, 3\)", r"^LIGHT ", r"^DARK "],
        ["font_shade_training.png"], ["font_shade.keras"]),
    "iris_sequential.py": (
        True, [r"test_loss: \d+\.\d{4}, test_acc: [01]\.\d{4}", r"\(120, 4\) \(30, 4\)"],
        ["iris_accuracy_loss.png"], []),
    "activation_functions.py": (
        False, [r"derivative check: worst error \S+ -> OK"],
        ["step_function.png", "sigmoid_function.png", "Tanh_function.png", "Relu_function.png",
         "Leaky_Relu_function.png", "Softmax_function.png", "activation_derivatives.png"], []),
    "mnist_quickstart.py": (
        True, [r"test accuracy: 0\.\d{4}"], ["mnist_quickstart_curves.png"], []),
    "imdb_overfitting.py": (
        True, [r"Total params: 11,291,649", r"model_3 \(1024\)\s+\d+\s+\d+\.\d{4}", r"dropout_model\s+\d+"],
        ["imdb_size_val_loss.png", "imdb_size3_val_loss.png", "imdb_size_train_loss.png",
         "imdb_regularizers_val_loss.png", "imdb_dropout_val_loss.png"], []),
    "initializers_optimizers.py": (
        True, [r"Total params: 361", r"Adam\(0\.001, 0\.9, 0\.999\)\s+val_loss \d+\.\d{4}",
               r"best optimizer after \d+ epochs: "],
        ["initializers_optimizers.png"], []),
    "batch_normalization.py": (
        True, [r"Non-trainable params: 64", r"with BatchNormalization: val_loss \d+\.\d{4}"],
        ["batch_normalization.png"], []),
    "fashion_mnist_functional.py": (
        True, [r"Total params: 244,522", r"test accuracy: 0\.\d{4}", r"weighted avg"],
        ["fashion_sample.png", "fashion_random_samples.png", "fashion_history_rmsprop.png",
         "fashion_history_sgd.png", "fashion_prediction.png", "fashion_first_prediction.png",
         "fashion_random_predictions.png", "fashion_confusion_matrix.png"], []),
    "auto_mpg_regression.py": (
        True, [r"Total params: 4,865", r"early stopping: stopped after \d+ of \d+ epochs", r"test mae: \d+\.\d{4} MPG"],
        ["auto_mpg_pairplot.png", "auto_mpg_history.png", "auto_mpg_history_early_stopping.png",
         "auto_mpg_predictions.png", "auto_mpg_error_hist.png"], []),
    "boston_housing_kfold.py": (
        True, [r"\(282, 13\)", r"test mae: \d+\.\d{4}",
               r"k-fold mean test mae: as published \d+\.\d{4}, corrected \d+\.\d{4}"],
        ["boston_history.png", "boston_kfold_mae.png"], []),
    "mnist_sequential.py": (
        True, [r"Total params: 87,374", r"test accuracy: 0\.\d{4}", r"weighted avg"],
        ["mnist_samples.png", "mnist_history.png", "mnist_prediction.png", "mnist_confusion_matrix.png"], []),
    "mnist_save_load_callbacks.py": (
        True, [r"save/load round trips, same predictions: \.h5 True, \.keras True, to_json \+ save_weights True",
               r"checkpoint after \d+ epochs reloaded: test accuracy 0\.\d{4}",
               r"early stopping: ran \d+ of \d+ epochs",
               r"learning rate after 15 epochs: 0\.00607", r"TensorBoard: [1-9]\d* event files"],
        ["callbacks_early_stopping.png", "callbacks_lr_schedule.png"],
        ["mnist_model.h5", "mnist_model.keras", "keras_mnist_model.h5", "keras_best_model.h5",
         "keras_best_model2.h5"]),
    "functional_api.py": (
        False, [r"\(None, 28, 300\)", r"concatenate.*\(None, 28, 58\)", r"Total params: 3,942",
                r"history keys: \['loss', 'main_output_loss', 'sum_output_loss'\]"],
        ["functional_weights_hist.png"], []),
    "subclassing.py": (
        True, [r"MyModel test accuracy: 0\.\d{4}", r"same predictions = True", r"\d+ calls: eager \d+\.\d\d s"],
        ["subclassing_curves.png", "subclassing_timing.png"], []),
    "tf_basics.py": (
        False, [r"Tensor\(34\.0, shape=\(\), dtype=float32\)",
                r"GradientTape: dy/dx of x\*\*2 at 3 = 6\.0, dz/dx = 4\.0, dz/dy = None"],
        ["tf_random_distributions.png"], []),
    "regression_gradienttape.py": (
        True, [r"step:  100\tloss:\d+\.\d{4}\tW: ", r"epoch:  100\ta: ", r"Test Accuracy: 0\.\d+"],
        ["linear_regression.png", "polynomial_before.png", "polynomial_after.png", "logistic_predictions.png"], []),
    "lstm_language_model.py": (
        False, [r"BPTT check: worst relative difference \d\.\d\de-\d\d -> OK",
                r"held-out perplexity before training: \d+\.\d",
                r"held-out perplexity after training: \d+\.\d \(\d+ iterations", r"^sample: \w+"],
        ["lstm_lm_perplexity.png"], []),
    "distributed_mnist.py": (  # one process here; tests/distribute/ runs mpiexec -n 2
        True, [r"replicas in sync: 1, global batch size: 64", r"test accuracy: 0\.\d{4}"],
        ["distributed_mnist_curves.png"], ["distributed_mnist.keras"]),
    "mnist_convnet.py": (
        True, [r"Total params: 34,826", r"x_train shape: \(2000, 28, 28, 1\)",
               r"test accuracy: 0\.\d{4} after 1 epochs"],
        ["mnist_convnet_curves.png", "mnist_convnet_filters.png"], []),
    "fashion_mnist_augmentation.py": (
        True, [r"Total params: 421,642", r"data_augmentation \(Sequenti", r"test accuracy: 0\.\d{4} \(loss",
               r"predict is deterministic \(augmentation off at inference\): True"],
        ["fashion_augmented_samples.png", "fashion_augmentation_curves.png", "fashion_augmentation_predictions.png"],
        []),
    "perceptron_gates.py": (
        False, [r"AND gate, one neuron: \d/4", r"XOR gate, one neuron: \d/4",
                r"XOR, 2-2-1 network after \d+ epochs: loss \d\.\d{4}"],
        ["gates_error_sum.png", "xor_loss.png"], []),
    "imdb_text_classification.py": (
        True, [r"Total params: 160,289", r"^<START> \S+ \S+", r"test accuracy: 0\.\d{4}"],
        ["imdb_text_loss.png", "imdb_text_accuracy.png"], []),
    "imdb_bidirectional_lstm.py": (
        True, [r"Total params: 2,757,761", r"bidirectional \(Bidirectiona", r"validation \(test set\) accuracy after 1 "
               r"epochs: 0\.\d{4}"],
        ["imdb_bilstm_history.png"], []),
    "imdb_transformer.py": (
        True, [r"Total params: 657,758", r"transformer_block \(Transfor", r"validation \(test set\) accuracy after 1 "
               r"epochs: 0\.\d{4}"],
        ["imdb_transformer_attention.png"], []),
    "addition_rnn.py": (
        False, [r"Total params: 205,324", r"Total questions: 4000", r"^Q .+ T .+ [☑☒] ",
                r"validation exact-match accuracy: [01]\.\d{4}"],
        ["addition_rnn_accuracy.png"], []),
}

STDIN = {"font_shade.py": "0,0,0\n255,255,255\n"}


def _env():
    env = dict(os.environ)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    return env


def _run(args, cwd, stdin=None, timeout=600):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=_env(), input=stdin if stdin is not None else "",
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def test_every_script_has_a_case():
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(CASES), f"scripts without a test case: {scripts - set(CASES)}; " \
                                  f"cases without a script: {set(CASES) - scripts}"


@pytest.mark.parametrize("script", sorted(CASES))
def test_example_quick_mode(script, tmp_path):
    needs_data, lines, pngs, files = CASES[script]
    if needs_data and not DATA:
        pytest.skip("CHAINRULE_DATA is not set (CI sets it to ../shared/datasets)")
    out = tmp_path / "out"
    work = tmp_path / "cwd"
    work.mkdir()
    result = _run([str(EXAMPLES / script), "--quick", "--out", str(out)], cwd=work, stdin=STDIN.get(script))
    log = f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
    assert result.returncode == 0, log
    for pattern in lines:
        assert re.search(pattern, result.stdout, re.MULTILINE), f"missing line /{pattern}/\n{log}"
    for name in pngs:
        path = out / name
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{name} not written\n{log}"
    for name in files:
        assert (out / name).is_file(), f"{name} not written\n{log}"
    assert list(work.iterdir()) == [], f"the example wrote into its working folder: {list(work.iterdir())}"

    if script == "font_shade.py":
        # The saved Keras model answers the seed's question through the `chainrule predict` shell.
        answer = _run(["-m", "chainrule.cli", "predict", str(out / "font_shade.keras"), "--labels", "LIGHT,DARK"],
                      cwd=work, stdin="0,0,0\n255,255,255\n", timeout=120)
        assert answer.returncode == 0, answer.stderr
        assert [line.split()[0] for line in answer.stdout.splitlines()] == ["LIGHT", "DARK"], answer.stdout
