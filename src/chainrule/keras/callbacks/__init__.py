"""Callbacks: hooks into the training loop (``History`` and the progress bar are added by ``fit`` itself).

One concern per module: the protocol (``base``, ``callback_list``), what ``fit`` adds (``history``), stopping
(``early_stopping``), the learning rate (``lr_schedulers``), small helpers (``simple``),
files (``checkpoint``) and ``tensorboard``.
"""
from ..._missing import missing_attribute as _missing_attribute
from .base import Callback  # noqa: F401
from .callback_list import CallbackList  # noqa: F401
from .checkpoint import BackupAndRestore, ModelCheckpoint  # noqa: F401
from .early_stopping import EarlyStopping  # noqa: F401
from .history import History, ProgbarLogger  # noqa: F401
from .lr_schedulers import LearningRateScheduler, ReduceLROnPlateau  # noqa: F401
from .simple import CSVLogger, LambdaCallback, TerminateOnNaN  # noqa: F401
from .tensorboard import TensorBoard  # noqa: F401

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
