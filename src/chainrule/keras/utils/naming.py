"""Keras's naming rule for classes: ``BatchNormalization`` -> ``batch_normalization``."""
from __future__ import annotations

import re


def to_snake_case(name: str) -> str:
    """``BatchNormalization`` -> ``batch_normalization``, ``AUC`` -> ``auc`` (a leading ``_`` becomes ``private_``)."""
    intermediate = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)  # tf.keras 2: ConvLSTM2D -> conv_lstm2d
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return insecure if insecure[0] != "_" else "private" + insecure
