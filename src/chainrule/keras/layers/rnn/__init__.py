"""Recurrent layers: ``RNN`` and its cells, ``SimpleRNN``/``LSTM``/``GRU``, ``Bidirectional``, ``TimeDistributed``."""
from .cells import AbstractRNNCell, GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from .base_rnn import RNN
from .recurrent import GRU, LSTM, SimpleRNN
from .wrapper import Wrapper
from .bidirectional import Bidirectional
from .time_distributed import TimeDistributed

__all__ = ["RNN", "AbstractRNNCell", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells", "SimpleRNN", "LSTM",
           "GRU", "Wrapper", "Bidirectional", "TimeDistributed"]
