"""Recurrent layers: ``RNN`` and its cells, ``SimpleRNN``/``LSTM``/``GRU``, ``Bidirectional``, ``TimeDistributed``,
and the convolutional LSTMs ``ConvLSTM1D``/``2D``/``3D``."""
from .cells import AbstractRNNCell, GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from .base_rnn import RNN
from .recurrent import GRU, LSTM, SimpleRNN
from .wrapper import Wrapper
from .bidirectional import Bidirectional
from .time_distributed import TimeDistributed
from .conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, ConvLSTMCell, ConvRNN

__all__ = ["RNN", "AbstractRNNCell", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells", "SimpleRNN", "LSTM",
           "GRU", "Wrapper", "Bidirectional", "TimeDistributed", "ConvLSTMCell", "ConvRNN", "ConvLSTM1D", "ConvLSTM2D",
           "ConvLSTM3D"]
