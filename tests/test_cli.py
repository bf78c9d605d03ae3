"""The `chainrule` command: demo, backprop, info, help and exit codes."""
import os
import subprocess
import sys

import pytest

from chainrule.cli import main


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "chainrule.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_demo_trains_on_the_bundled_subset_without_data_folder(tmp_path):
    env = {"CHAINRULE_DATA": str(tmp_path / "nothing-here"), "CHAINRULE_HOME": str(tmp_path / "home")}
    result = run_cli("demo", "--epochs", "2", "--out", str(tmp_path / "out"), env=env)
    assert result.returncode == 0, result.stderr
    assert "5,000 training and 1,000 test images" in result.stdout
    assert "Epoch 2/2" in result.stdout and "Total params: 101,770" in result.stdout
    acc = float(result.stdout.split("Test accuracy: ")[1].split()[0])
    assert acc > 0.85
    assert (tmp_path / "out" / "demo_curves.png").stat().st_size > 10_000
    assert not (tmp_path / "home").exists()  # nothing downloaded or cached


def test_backprop_prints_the_seed_figures(capsys):
    assert main(["backprop"]) == 0
    out = capsys.readouterr().out
    for line in ["price: 715.00", "d price / d apple count:  110.00", "d price / d apple price:  2.2",
                 "d price / d orange count: 165.0", "d price / d orange price: 3.30", "d price / d tax:          650",
                 "gradient check: OK"]:
        assert line in out


def test_info_and_help(capsys):
    assert main(["info"]) == 0
    assert "chainrule 0.1.0" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    with pytest.raises(SystemExit) as e:
        main(["no-such-command"])
    assert e.value.code == 2


@pytest.fixture(scope="module")
def font_model(tmp_path_factory):
    """A font-shade classifier (raw R,G,B in; 1 = dark font) trained on the seed's rule and saved."""
    import numpy as np
    from chainrule import keras
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(600, 3)).astype("float32")
    dark = (0.299 * rgb[:, 0] + 0.587 * rgb[:, 1] + 0.114 * rgb[:, 2] > 128).astype("float32")
    model = keras.Sequential([keras.layers.Rescaling(1 / 255, input_shape=(3,)),
                              keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    model.fit(rgb, dark, epochs=80, verbose=0)
    path = tmp_path_factory.mktemp("models") / "font_shade.keras"
    model.save(str(path))
    return str(path)


def test_predict_shell_answers_font_shade_questions_from_stdin(font_model):
    result = subprocess.run([sys.executable, "-m", "chainrule.cli", "predict", font_model, "--labels", "LIGHT,DARK"],
                            input="0,0,0\n255, 255, 255\n\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("LIGHT (probability ") and lines[1].startswith("DARK (probability ")
    assert float(lines[0].split("probability ")[1].rstrip(")")) > 0.5


def test_predict_shell_reports_wrong_rows_and_exits_1(font_model):
    result = subprocess.run([sys.executable, "-m", "chainrule.cli", "predict", font_model],
                            input="1,2\nred,green,blue\n10,10,10\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "expected 3 values (the model's input shape is (None, 3)), got 2" in result.stderr
    assert "'red,green,blue' is not a list of numbers" in result.stderr
    assert result.stdout.strip().startswith("class 0 (probability")


def test_summary_of_a_saved_model_and_a_missing_file(font_model, tmp_path, capsys):
    assert main(["summary", font_model]) == 0
    out = capsys.readouterr().out
    assert " rescaling (Rescaling)       (None, 3)                 0         " in out and "Total params: 16" in out
    assert main(["summary", str(tmp_path / "missing.keras")]) == 1
    assert "cannot load" in capsys.readouterr().err
