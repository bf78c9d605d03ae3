"""docs/support.md is what docs/support/make_support_table.py writes from the committed list of TensorFlow names."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "support" / "make_support_table.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_support_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_support_table_is_up_to_date():
    gen = _generator()
    provenance, names = gen.read_names()
    assert "tensorflow 2." in provenance and len(names) > 2000
    expected = gen.render(provenance, names)
    actual = (ROOT / "docs" / "support.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/support.md is stale: run PYTHONPATH=src python docs/support/make_support_table.py"


def test_the_table_says_yes_and_no_for_known_names():
    gen = _generator()
    assert gen.provided("tf.math.reduce_sum") and gen.provided("tf.keras.layers.Dense")
    assert gen.provided("tf.train.CheckpointManager") and gen.provided("tf.keras.layers.Normalization")
    assert not gen.provided("tf.image.resize") and not gen.provided("tf.keras.layers.NotALayer")
