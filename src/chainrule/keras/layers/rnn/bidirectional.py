"""``Bidirectional``: a recurrent layer run forwards and backwards, the two outputs merged (tf.keras 2)."""
from __future__ import annotations


from .... import nest
from ...._suggest import accepts_argument
from ....functions import concat
from ... import registry
from ..base import KerasTensor, Layer
from ..serialization import deserialize as deserialize_layer
from ..serialization import serialize as serialize_layer
from .base_rnn import standardize_args
from .wrapper import Wrapper

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _recreate(layer, go_backwards=False):
    config = layer.get_config()
    if go_backwards:
        config["go_backwards"] = not config["go_backwards"]
    return type(layer).from_config(config)


class Bidirectional(Wrapper):
    """Runs a copy of ``layer`` over the sequence and another copy (``go_backwards`` flipped) over it
    reversed, and merges their outputs.

    Args:
        layer: an ``RNN`` instance (``LSTM``, ``GRU``, ``SimpleRNN``, ``RNN(cell)``) or any layer with
            ``go_backwards``, ``return_sequences`` and ``return_state`` attributes. It is copied
            (through its config) into ``forward_layer`` and ``backward_layer``; the two copies own
            the weights (``bidirectional/forward_lstm/lstm_cell/kernel:0``, then the backward ones).
        merge_mode: ``'concat'`` (default: features side by side), ``'sum'``, ``'mul'``, ``'ave'``, or
            None (a list of the two outputs).
        backward_layer: an explicit backward layer (its ``go_backwards`` must differ from ``layer``'s,
            its ``return_sequences``/``return_state``/``stateful`` must match).
        weights: initial weights: the forward layer's then the backward layer's.

    The backward outputs are reversed in time before merging, so step ``t`` of the output sees the
    sequence up to ``t`` and from ``t`` on. With ``return_sequences`` masked steps output zeros in
    both directions (tf.keras 2 sets ``zero_output_for_mask``). With ``return_state`` the output is
    ``[merged, *forward_states, *backward_states]``.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. Received: "
                             f"{backward_layer!r}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        Layer.__init__(self, **kwargs)
        # The given layer is only a template (tf.keras 2 does not track it): the copies hold the weights.
        self.__dict__["layer"] = layer
        self.forward_layer = _recreate(layer)
        if backward_layer is None:
            self.backward_layer = _recreate(layer, go_backwards=True)
        else:
            self.backward_layer = backward_layer
            self._backward_layer_config = serialize_layer(backward_layer)
        self.forward_layer._name = "forward_" + self.forward_layer.name  # tf.keras 2 renames its copies too
        self.backward_layer._name = "backward_" + self.backward_layer.name
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self._initial_halves = None
        if weights:
            n = len(weights)
            self._initial_halves = (list(weights[:n // 2]), list(weights[n // 2:]))
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._trainable = bool(kwargs.get("trainable", layer.trainable))

    def _verify_layer_config(self):
        f, b = self.forward_layer, self.backward_layer
        if f.go_backwards == b.go_backwards:
            raise ValueError(f"Forward layer and backward layer should have different `go_backwards` value. "
                             f"forward_layer.go_backwards = {f.go_backwards}, backward_layer.go_backwards = "
                             f"{b.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(f, attr) != getattr(b, attr):
                raise ValueError(f"Forward layer and backward layer are expected to have the same value for "
                                 f'attribute "{attr}", got "{getattr(f, attr)}" for forward layer and '
                                 f'"{getattr(b, attr)}" for backward layer')

    # ------------------------------------------------------------------ shapes and masks
    def build(self, input_shape):
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub._scope = f"{self._weight_scope()}/{sub.name}"
                sub.build(input_shape)
                sub.built = True
        if self._initial_halves is not None:
            self.forward_layer.set_weights(self._initial_halves[0])
            self.backward_layer.set_weights(self._initial_halves[1])
            self._initial_halves = None
        self.built = True

    def compute_output_shape(self, input_shape):
        """The shapes the call returns: with ``'concat'`` the forward and backward features side by side (their
        sizes may differ with an explicit ``backward_layer``), then each direction's own state shapes."""
        def split(shape):
            return (tuple(shape[0]), [tuple(s) for s in shape[1:]]) if self.return_state else (tuple(shape), [])
        out, forward_states = split(self.forward_layer.compute_output_shape(input_shape))
        backward_out, backward_states = split(self.backward_layer.compute_output_shape(input_shape))
        if self.merge_mode == "concat":
            a, b = out[-1], backward_out[-1]
            out = out[:-1] + (None if a is None or b is None else a + b,)
        elif self.merge_mode is None:
            out = [out, backward_out]
        if self.return_state:
            return (out if self.merge_mode is None else [out]) + forward_states + backward_states
        return out

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            n = len(nest.flatten(self.forward_layer.states))
            state_mask = [None] * (2 * n)
            return (output_mask if isinstance(output_mask, list) else [output_mask]) + state_mask
        return output_mask

    # ------------------------------------------------------------------ calling
    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = standardize_args(inputs, initial_state, constants, 0)
        if constants is not None:
            raise ValueError("Bidirectional: `constants` are not supported by chainrule.")
        if initial_state is None:
            return super().__call__(inputs, **kwargs)
        if len(initial_state) % 2:
            raise ValueError(f"When passing `initial_state` to a Bidirectional RNN, the state should be a list "
                             f"containing the states of the underlying RNNs. Received: {initial_state}")
        symbolic = [isinstance(t, KerasTensor) for t in initial_state]
        if any(symbolic) and not all(symbolic):
            raise ValueError("The initial state of a Bidirectional layer cannot be specified with a mix of Keras "
                             "tensors and non-Keras tensors.")
        if all(symbolic):
            return super().__call__([inputs] + list(initial_state), **kwargs)
        return super().__call__(inputs, initial_state=initial_state, **kwargs)

    def call(self, inputs, training=None, mask=None, initial_state=None):
        kwargs = {}
        if accepts_argument(self.forward_layer.call, "training"):
            kwargs["training"] = training
        if accepts_argument(self.forward_layer.call, "mask"):
            kwargs["mask"] = mask[0] if isinstance(mask, list) else mask
        forward_state = backward_state = None
        if isinstance(inputs, list) and len(inputs) > 1:
            pivot = (len(inputs) - 1) // 2 + 1
            forward_state, backward_state = inputs[1:pivot], inputs[pivot:]
            inputs = inputs[0]
        elif initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        if forward_state is not None:
            y = self.forward_layer(inputs, initial_state=forward_state, **kwargs)
            y_rev = self.backward_layer(inputs, initial_state=backward_state, **kwargs)
        else:
            y = self.forward_layer(inputs, **kwargs)
            y_rev = self.backward_layer(inputs, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            time_axis = 0 if getattr(self.forward_layer, "time_major", False) else 1
            y_rev = y_rev[:, ::-1] if time_axis == 1 else y_rev[::-1]
        if self.merge_mode == "concat":
            output = concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        if not isinstance(states, (list, tuple)):
            raise ValueError(f"Unrecognized value for `states`. Expected `states` to be list or tuple. Received: "
                             f"{states}")
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        config = Layer.get_config(self)
        config["layer"] = serialize_layer(self.layer)
        config["merge_mode"] = self.merge_mode
        if hasattr(self, "_backward_layer_config"):
            config["backward_layer"] = self._backward_layer_config
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("num_constants", None)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_layer(backward, custom_objects)
        return cls(**config)


registry.register("layers", Bidirectional)
