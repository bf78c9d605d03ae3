"""Recurrent ops: one-step ops (``SimpleRNNStep``, ``LSTMStep``, ``GRUStep``) and sequence ops
(``SimpleRNNSequence``, ``LSTMSequence``, ``GRUSequence``) with tf.keras's math and weight layouts.

Each cell kind has one core (``*Core``) that both ops run, so a sequence is
exactly its steps; the sequence op adds the time loop, masks, ``go_backwards``
and backpropagation through time. See ``sequence.py`` for the outputs (the steps'
outputs and the final states, one array each) and the mask semantics.
"""
from .activations import RECURRENT_ACTIVATIONS
from .gru import GRUCore, GRUSequence, GRUStep
from .lstm import LSTMCore, LSTMSequence, LSTMStep
from .simple_rnn import SimpleRNNCore, SimpleRNNSequence, SimpleRNNStep

__all__ = ["RECURRENT_ACTIVATIONS", "GRUCore", "GRUSequence", "GRUStep", "LSTMCore", "LSTMSequence", "LSTMStep",
           "SimpleRNNCore", "SimpleRNNSequence", "SimpleRNNStep"]
