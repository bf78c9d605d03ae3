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
