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
    assert f"Training curves written to {tmp_path / 'out' / 'demo_curves.png'}" in result.stdout
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
    keras.backend.clear_session()  # the summary below names layers as a fresh program would (rescaling, dense)
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


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.startswith("chainrule 0.1.0 (TensorFlow API 2.")


def test_help_explains_the_commands_to_an_outside_user(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for text in ["tf.keras API", "demo", "predict", "summary", "~/.keras/datasets", "CHAINRULE_DATA"]:
        assert text in out
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    out = capsys.readouterr().out
    assert "--format {text,json,csv}" in out and "--all" in out and "header" in out


def test_summary_into_a_closed_pipe_ends_quietly(font_model):
    # `chainrule summary m.keras | head -1`: the reader leaves after one line.
    code = ("import sys\nsys.argv = ['chainrule', 'summary', sys.argv[1]]\nfrom chainrule.cli import main\n"
            "from chainrule.keras.models import load_model\n"
            "import chainrule.keras.models.model as m\n"
            "m.Model.summary_orig = m.Model.summary\n"
            "m.Model.summary = lambda self, **k: [self.summary_orig(**k) for _ in range(400)]\n"  # > a pipe buffer
            "sys.exit(main())\n")
    producer = subprocess.Popen([sys.executable, "-c", code, font_model], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    head = producer.stdout.readline()
    producer.stdout.close()                              # what `head -1` does after its line
    err = producer.stderr.read().decode()
    assert producer.wait(timeout=120) == 141
    assert head.startswith(b'Model: "sequential') and "Traceback" not in err and "BrokenPipe" not in err


def test_predict_formats_all_probabilities_and_header_row(font_model):
    rows = "R,G,B\n0,0,0\n255,255,255\n"
    result = subprocess.run([sys.executable, "-m", "chainrule.cli", "predict", font_model, "--labels", "LIGHT,DARK",
                             "--format", "json", "--all"], input=rows, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    import json
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["class"] for r in records] == ["LIGHT", "DARK"] and records[0]["input"] == [0.0, 0.0, 0.0]
    assert set(records[0]["probabilities"]) == {"LIGHT", "DARK"}
    assert sum(records[0]["probabilities"].values()) == pytest.approx(1, abs=1e-5)
    result = subprocess.run([sys.executable, "-m", "chainrule.cli", "predict", font_model, "--labels", "LIGHT,DARK",
                             "--format", "csv", "--all"], input=rows, capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert lines[0] == "class,probability,LIGHT,DARK" and len(lines) == 3
    assert lines[1].startswith("LIGHT,0.9") and lines[2].startswith("DARK,")
    assert float(lines[2].split(",")[1]) > 0.9 and float(lines[2].split(",")[3]) == float(lines[2].split(",")[1])
    result = subprocess.run([sys.executable, "-m", "chainrule.cli", "predict", font_model, "--all"],
                            input="0,0,0\n", capture_output=True, text=True, timeout=120)
    assert result.stdout.startswith("class 0 (probability 0.") and ": class 0 0." in result.stdout


def test_predict_ends_quietly_on_ctrl_c(font_model):
    import signal
    import time
    # A terminal's Ctrl-C: SIGINT at its default disposition (a pytest-xdist worker ignores SIGINT, and a child
    # inherits an ignored signal, so the Python in it would never see the interrupt)
    proc = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "predict", font_model], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    proc.stdin.write("0,0,0\n")
    proc.stdin.flush()
    assert proc.stdout.readline().startswith("class ")   # loaded and answering; now waiting for the next row
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    # wait with stdin still open: communicate() would close it at once, and on a loaded machine the child could
    # read that end of input before it handles the signal, and end normally
    proc.wait(timeout=60)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err and "KeyboardInterrupt" not in err


def test_demo_says_why_it_drew_no_picture(tmp_path):
    history = {"loss": [1.0], "val_loss": [1.0], "accuracy": [0.5], "val_accuracy": [0.5]}
    code = ("import sys\nsys.modules['matplotlib'] = None  # as if matplotlib were not installed\n"
            "from chainrule import demo\n"
            f"print(demo._plot({history!r}, {str(tmp_path)!r}))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('(None, "matplotlib is not installed') and "chainrule[demo]" in result.stdout
    from chainrule import demo
    blocked = tmp_path / "file"
    blocked.write_text("")
    path, reason = demo._plot(history, str(blocked / "sub"))
    assert path is None and "cannot write to" in reason and "--out" in reason
