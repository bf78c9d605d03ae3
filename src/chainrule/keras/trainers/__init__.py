"""The training floor: ``compile``/``fit``/``evaluate``/``predict`` (``trainer``), what compile builds
(``compile_utils``) and the argument checks (``arguments``)."""
from .trainer import Trainer  # noqa: F401
