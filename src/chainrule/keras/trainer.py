"""compile / fit / evaluate / predict: the training loop, readable in one screen."""
from __future__ import annotations


class Trainer:
    """Mixed into Model: holds the compile state and runs the training loop."""

    def __init__(self):
        self.optimizer = None
        self.compiled_loss = None
        self.stop_training = False
        self._is_compiled = False
