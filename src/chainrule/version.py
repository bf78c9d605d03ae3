"""``chainrule.version``: the TensorFlow API version chainrule follows, and chainrule's own version.

``chainrule.__version__`` and ``VERSION`` are ``"2.11.0"``: the tf.keras 2.11 API
chainrule copies (programs that check ``tf.__version__`` take the TF 2 path).
chainrule's own release is ``CHAINRULE_VERSION``.
"""
from ._version import __version__ as CHAINRULE_VERSION

VERSION = "2.11.0"
GIT_VERSION = f"chainrule-{CHAINRULE_VERSION}"
COMPILER_VERSION = "none (chainrule is pure Python and numpy)"
GRAPH_DEF_VERSION = 0
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0
