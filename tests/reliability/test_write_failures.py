"""A save that fails while writing (file size limit, disk full) is an OSError naming the file, in every format.

The previous file is left intact and no temporary file is left behind. The failure is real:
each case runs in a subprocess whose file size limit (RLIMIT_FSIZE) is lower than the file,
so the write fails inside HDF5 (for ``.h5`` at close, when h5py flushes its buffers).
"""
import os
import subprocess
import sys
import textwrap

import pytest

_SCRIPT = """
import resource, signal, sys
import numpy as np
from chainrule import keras
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails with EFBIG instead of a signal
kind, path = sys.argv[1], sys.argv[2]
model = keras.Sequential([keras.layers.Dense(200, input_shape=(200,)), keras.layers.Dense(3)], name="big")
model.compile("adam", "mse")
model.fit(np.ones((4, 200), np.float32), np.ones((4, 3), np.float32), verbose=0)
resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))
try:
    if kind == "model":
        model.save(path)
    elif kind == "weights":
        model.save_weights(path)
    else:
        from chainrule.keras.saving.backup import write_training_backup
        write_training_backup(model, path, {"epoch": 0})
except OSError as e:
    print(f"OSError errno={e.errno}: {e}")
    sys.exit(0)
except BaseException as e:
    print(f"{type(e).__name__}: {e}")
    sys.exit(1)
print("saved")
sys.exit(2)
"""


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="RLIMIT_FSIZE semantics of Linux")
@pytest.mark.parametrize("kind, name", [("model", "model.h5"), ("weights", "model.weights.h5"),
                                        ("weights", "legacy.h5"), ("backup", "latest.weights.h5")])
def test_a_write_that_fails_in_hdf5_names_the_file_and_keeps_the_old_one(tmp_path, kind, name):
    path = tmp_path / name
    path.write_bytes(b"the previous save")
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(_SCRIPT), kind, str(path)], capture_output=True,
                         text=True, timeout=120, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OSError errno=27" in run.stdout and repr(str(path)) in run.stdout, run.stdout
    assert "File too large" in run.stdout and "previous file" in run.stdout, run.stdout
    assert path.read_bytes() == b"the previous save"
    assert sorted(os.listdir(tmp_path)) == [name], "a temporary file was left behind"
