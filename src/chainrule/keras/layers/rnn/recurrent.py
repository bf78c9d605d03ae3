"""``SimpleRNN``, ``LSTM`` and ``GRU``: an ``RNN`` around the matching cell, with tf.keras 2's arguments.

Their weights live in the cell (``lstm/lstm_cell/kernel:0`` ...), in tf.keras's layout, so weights
move between chainrule and tf.keras files unchanged. With the default activations a sequence is
one op (``LSTMSequence`` ...); see :mod:`.base_rnn`.
"""
from __future__ import annotations

from typing import Any

from ..._types import ActivationLike, ConstraintLike, InitializerLike, RegularizerLike
from ... import activations, registry, regularizers
from .base_rnn import RNN
from .cells import GRUCell, LSTMCell, SimpleRNNCell

_CELL_ARGS = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
              "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
              "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout")
_RNN_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "time_major")


class _CellLayer(RNN):
    """An ``RNN`` whose cell the layer builds from its own arguments (and forwards them as attributes)."""

    cell_class: Any = None  # the cell the layer builds
    cell_name: str | None = None

    def __init__(self, cell_args: Any, rnn_args: Any, kwargs: Any) -> None:
        kwargs.pop("return_runtime", None)
        kwargs.pop("enable_caching_device", None)
        implementation = kwargs.pop("implementation", 2)
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        cell = self.cell_class(dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                               name=self.cell_name, implementation=implementation, **cell_args)
        super().__init__(cell, activity_regularizer=activity_regularizer, **rnn_args, **kwargs)

    def _iid_input_dropout(self) -> bool:
        # tf.keras 2's LSTM/GRU take their fused ("cuDNN-compatible") path exactly when this holds; that
        # path multiplies the whole (batch, timesteps, features) input by one dropout mask.
        cell = self.cell
        return (cell.activation is activations.tanh and getattr(cell, "recurrent_activation", None) is
                activations.sigmoid and cell.recurrent_dropout == 0 and not self.unroll and cell.use_bias
                and getattr(cell, "reset_after", True))

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype", "batch_input_shape"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if config.get("implementation") == 0:
            config["implementation"] = 1
        return cls(**config)


class SimpleRNN(_CellLayer):
    """A fully connected RNN: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.

    tf.keras 2's arguments and defaults (tanh, glorot-uniform kernel, orthogonal recurrent kernel,
    zero bias); see :class:`RNN` for ``return_sequences``, ``return_state``, ``go_backwards``,
    ``stateful``, ``time_major`` and the masks.

    Args:
        units: the size of the output (of the hidden state for a recurrent layer).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        recurrent_initializer: initializer of the recurrent kernel (default ``'orthogonal'``).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        recurrent_regularizer: a regularizer for the recurrent kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint applied to the bias after each update.
        dropout: the fraction of the inputs dropped in training.
        recurrent_dropout: the fraction of the recurrent state dropped in training.
        return_sequences: return the output of every timestep ``(batch, timesteps, units)`` rather than the last.
        return_state: also return the final state(s).
        go_backwards: process the sequence backwards (and return the outputs in that order).
        stateful: carry the final states of a batch over as the initial states of the next one.
        unroll: accepted (tf.keras's graph-building option); the computation is the same.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"

    def __init__(self, units: int, activation: ActivationLike = "tanh", use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform",
                 recurrent_initializer: InitializerLike = "orthogonal", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, recurrent_regularizer: RegularizerLike = None,
                 bias_regularizer: RegularizerLike = None, activity_regularizer: RegularizerLike = None,
                 kernel_constraint: ConstraintLike = None, recurrent_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, **kwargs: Any) -> None:
        kwargs.pop("implementation", None)
        values = locals()
        super().__init__({k: values[k] for k in _CELL_ARGS},
                         {k: values[k] for k in _RNN_ARGS if k != "time_major"},
                         dict(kwargs, activity_regularizer=activity_regularizer))

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("implementation", None)
        return config


class LSTM(_CellLayer):
    """Long Short-Term Memory (Hochreiter 1997), tf.keras 2's ``LSTM``.

    Weights (in the cell, tf.keras layout): ``kernel (features, 4 * units)``, ``recurrent_kernel
    (units, 4 * units)``, ``bias (4 * units,)`` with gate blocks i, f, c, o; ``unit_forget_bias``
    starts the forget gate's bias at 1. With tanh/sigmoid (the defaults) or any activation the
    recurrent ops support, a sequence runs as one ``LSTMSequence`` op; ``recurrent_dropout``
    or another activation runs the cell step by step. See :class:`RNN` for the other arguments.

    Args:
        units: the size of the output (of the hidden state for a recurrent layer).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        recurrent_activation: the activation of the gates (default ``'sigmoid'``).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        recurrent_initializer: initializer of the recurrent kernel (default ``'orthogonal'``).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        unit_forget_bias: start the forget gate's bias at 1.
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        recurrent_regularizer: a regularizer for the recurrent kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint applied to the bias after each update.
        dropout: the fraction of the inputs dropped in training.
        recurrent_dropout: the fraction of the recurrent state dropped in training.
        return_sequences: return the output of every timestep ``(batch, timesteps, units)`` rather than the last.
        return_state: also return the final state(s).
        go_backwards: process the sequence backwards (and return the outputs in that order).
        stateful: carry the final states of a batch over as the initial states of the next one.
        time_major: inputs and outputs are ``(timesteps, batch, features)``.
        unroll: accepted (tf.keras's graph-building option); the computation is the same.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    cell_class = LSTMCell
    cell_name = "lstm_cell"

    def __init__(self, units: int, activation: ActivationLike = "tanh",
                 recurrent_activation: ActivationLike = "sigmoid", use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform",
                 recurrent_initializer: InitializerLike = "orthogonal", bias_initializer: InitializerLike = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: RegularizerLike = None,
                 recurrent_regularizer: RegularizerLike = None, bias_regularizer: RegularizerLike = None,
                 activity_regularizer: RegularizerLike = None, kernel_constraint: ConstraintLike = None,
                 recurrent_constraint: ConstraintLike = None, bias_constraint: ConstraintLike = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False,
                 time_major: bool = False, unroll: bool = False, **kwargs: Any) -> None:
        values = locals()
        cell_args = {k: values[k] for k in _CELL_ARGS}
        cell_args.update(recurrent_activation=recurrent_activation, unit_forget_bias=unit_forget_bias)
        super().__init__(cell_args, {k: values[k] for k in _RNN_ARGS},
                         dict(kwargs, activity_regularizer=activity_regularizer))


class GRU(_CellLayer):
    """Gated Recurrent Unit (Cho 2014), tf.keras 2's ``GRU``.

    ``reset_after=True`` (default, cuDNN's and PyTorch's convention): bias ``(2, 3 * units)``;
    ``False``: bias ``(3 * units,)``. Gate blocks z, r, h. See :class:`LSTM` for how it runs and
    :class:`RNN` for the other arguments.

    Args:
        units: the size of the output (of the hidden state for a recurrent layer).
        activation: the activation applied to the output: a name (``'relu'``), a function or None (linear).
        recurrent_activation: the activation of the gates (default ``'sigmoid'``).
        use_bias: whether the layer adds a bias vector.
        kernel_initializer: initializer of the kernel (a name, an Initializer or a callable).
        recurrent_initializer: initializer of the recurrent kernel (default ``'orthogonal'``).
        bias_initializer: initializer of the bias (default ``'zeros'``).
        kernel_regularizer: a regularizer added to the loss for the kernel (None: none).
        recurrent_regularizer: a regularizer for the recurrent kernel.
        bias_regularizer: a regularizer for the bias.
        activity_regularizer: a regularizer for the layer's output.
        kernel_constraint: a constraint applied to the kernel after each update.
        recurrent_constraint: a constraint on the recurrent kernel.
        bias_constraint: a constraint applied to the bias after each update.
        dropout: the fraction of the inputs dropped in training.
        recurrent_dropout: the fraction of the recurrent state dropped in training.
        return_sequences: return the output of every timestep ``(batch, timesteps, units)`` rather than the last.
        return_state: also return the final state(s).
        go_backwards: process the sequence backwards (and return the outputs in that order).
        stateful: carry the final states of a batch over as the initial states of the next one.
        unroll: accepted (tf.keras's graph-building option); the computation is the same.
        time_major: inputs and outputs are ``(timesteps, batch, features)``.
        reset_after: apply the reset gate after the recurrent matrix product (tf.keras 2's default, True).
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    cell_class = GRUCell
    cell_name = "gru_cell"

    def __init__(self, units: int, activation: ActivationLike = "tanh",
                 recurrent_activation: ActivationLike = "sigmoid", use_bias: bool = True,
                 kernel_initializer: InitializerLike = "glorot_uniform",
                 recurrent_initializer: InitializerLike = "orthogonal", bias_initializer: InitializerLike = "zeros",
                 kernel_regularizer: RegularizerLike = None, recurrent_regularizer: RegularizerLike = None,
                 bias_regularizer: RegularizerLike = None, activity_regularizer: RegularizerLike = None,
                 kernel_constraint: ConstraintLike = None, recurrent_constraint: ConstraintLike = None,
                 bias_constraint: ConstraintLike = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, time_major: bool = False, reset_after: bool = True,
                 **kwargs: Any) -> None:
        values = locals()
        cell_args = {k: values[k] for k in _CELL_ARGS}
        cell_args.update(recurrent_activation=recurrent_activation, reset_after=reset_after)
        super().__init__(cell_args, {k: values[k] for k in _RNN_ARGS},
                         dict(kwargs, activity_regularizer=activity_regularizer))


# units, activation, dropout ...: read-only properties reading the cell, as tf.keras 2's.
for _name in _CELL_ARGS:
    setattr(_CellLayer, _name, property(lambda self, _n=_name: getattr(self.cell, _n)))  # type: ignore[misc]
for _cls, _names in ((LSTM, ("recurrent_activation", "unit_forget_bias", "implementation")),
                     (GRU, ("recurrent_activation", "reset_after", "implementation"))):
    for _name in _names:
        setattr(_cls, _name, property(lambda self, _n=_name: getattr(self.cell, _n)))  # type: ignore[misc]
del _cls, _name, _names

registry.register("layers", SimpleRNN, LSTM, GRU)
