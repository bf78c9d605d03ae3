"""What ``compile`` builds: the loss and metrics containers, as tf.keras 2's ``compile_utils``.

``model.compiled_loss(y_true, y_pred, sample_weight, regularization_losses)``
computes the training loss of every output, weights and adds them, adds the
regularization losses, and updates the ``loss`` tracker (and one ``<output>_loss``
tracker per output when there are several). ``model.compiled_metrics`` updates
the compiled metrics. Both are built on their first call, from the structure of
``y_pred`` and ``y_true``, exactly when tf.keras 2 builds them (so
``model.metrics_names`` is empty until the model has seen data).

**The fused output head.** A model whose output layer ends in a softmax (or a
sigmoid), compiled with the matching cross-entropy on probabilities, is trained
the way tf.keras 2 trains it: the loss is computed from the layer's logits with
``from_logits=True``, i.e. by the ``SoftmaxWithLoss`` (``SigmoidBinaryCrossEntropy``)
op whose backward is the textbook ``(y - t) / N``, stable for any logits. tf.keras
finds those logits through a hidden attribute of the output tensor; chainrule
decides it here, when the container is built, and asks the output layer to keep
its pre-activation values (:class:`OutputHead`). The public loss functions are
the only loss code either way.
"""
from __future__ import annotations

import copy

import numpy as np

from ... import nest
from ...functions import add_n, cast, expand_dims
from ...tensor import as_tensor
from .. import activations as activations_mod
from .. import losses as losses_mod
from .. import metrics as metrics_mod

_LOGIT_LOSSES = {losses_mod.sparse_categorical_crossentropy: "softmax",
                 losses_mod.categorical_crossentropy: "softmax",
                 losses_mod.binary_crossentropy: "sigmoid"}


def _as_loss_object(loss):
    """A Loss object for what compile was given (a function becomes a ``LossFunctionWrapper`` named after it)."""
    if loss is None or isinstance(loss, losses_mod.Loss):
        return loss
    loss = losses_mod.get(loss)
    if isinstance(loss, type) and issubclass(loss, losses_mod.Loss):
        return loss()
    if isinstance(loss, losses_mod.Loss):
        return loss
    name = getattr(loss, "__name__", None) or type(loss).__name__
    return losses_mod.LossFunctionWrapper(loss, name=name)


class OutputHead:
    """An output layer's softmax/sigmoid fused with its cross-entropy, decided when the losses are built.

    ``plan`` returns a head when the layer that produces the output ends in the
    activation the loss expects (a ``Dense``/``Activation``/convolution/``EinsumDense`` with
    ``activation='softmax'`` or ``'sigmoid'``, or a ``Softmax`` layer over the last axis: tf.keras 2's
    activation keeps the logits whichever layer applies it) and the loss is the
    matching cross-entropy on probabilities. The head then asks the layer to keep its
    logits (``layer._keep_logits``) and, given that layer's output, computes the same
    public loss with ``from_logits=True`` on them.
    """

    def __init__(self, layer, loss, loss_on_logits):
        self.layer = layer
        self.loss = loss
        self.loss_on_logits = loss_on_logits
        layer._keep_logits = True

    @classmethod
    def plan(cls, layer, loss):
        if layer is None or not isinstance(loss, losses_mod.LossFunctionWrapper):
            return None
        activation = _LOGIT_LOSSES.get(loss.fn)
        kwargs = loss._fn_kwargs
        if activation is None or kwargs.get("from_logits") or kwargs.get("axis", -1) != -1:
            return None
        if _final_activation(layer) != activation:
            return None
        loss_on_logits = copy.copy(loss)  # the same Loss (reduction, ignore_class...) on logits
        loss_on_logits._fn_kwargs = dict(kwargs, from_logits=True)
        return cls(layer, loss, loss_on_logits)

    def __call__(self, y_true, y_pred, sample_weight):
        """The loss from the logits behind ``y_pred``, or None when ``y_pred`` is not that layer's last output."""
        kept = self.layer._kept_logits
        if kept is None or kept[1] is not y_pred:
            return None
        logits = kept[0]
        logits._keras_mask = getattr(y_pred, "_keras_mask", None)  # the loss masks the logits as it would y_pred
        # The layer's softmax, computed for the metrics and predictions, is handed to the fused loss op so a
        # step computes one softmax (``losses._known_softmax``); a sigmoid head recomputes nothing costly.
        logits._keras_softmax = y_pred if _final_activation(self.layer) == "softmax" else None
        return self.loss_on_logits(y_true, logits, sample_weight=sample_weight)


def _final_activation(layer):
    """'softmax' or 'sigmoid' when ``layer``'s output is that activation of values it can keep, else None."""
    if type(layer).__name__ == "Softmax" and getattr(layer, "axis", None) in (-1,):
        return "softmax"
    activation = getattr(layer, "activation", None)
    if activation is activations_mod.softmax:
        return "softmax"
    if activation is activations_mod.sigmoid:
        return "sigmoid"
    return None


def _output_layers(model, n):
    """The layer producing each output of a functional/Sequential model (None for a subclassed model)."""
    outputs = getattr(model, "outputs", None) if getattr(model, "_is_graph_network", False) else None
    if not outputs or len(outputs) != n:
        return [None] * n
    return [t._keras_history[0] for t in outputs]


def _per_output(value, names, what, list_means_shared=False):
    """``value`` given for a model's outputs (one, a list, or a dict by name) as one entry per output."""
    n = len(names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"compile: {what} given for unknown output(s) {unknown}; the outputs are {names}.")
        return [value.get(name) for name in names]
    if n == 1:
        return [value]
    if isinstance(value, (list, tuple)) and not list_means_shared:
        if len(value) != n:
            raise ValueError(f"compile: {what} has {len(value)} entries but the model has {n} outputs {names}.")
        return list(value)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        if len(value) != n:
            raise ValueError(f"compile: {what} has {len(value)} lists but the model has {n} outputs {names}.")
        return list(value)
    return [value] * n


def _output_names(model, y_pred) -> list:
    names = getattr(model, "output_names", None)
    n = len(nest.flatten(y_pred))
    if names and len(names) == n:
        return list(names)
    return [f"output_{i + 1}" for i in range(n)]


def _flat_like(value, names, n):
    """Targets or weights as one entry per output (a dict by output name, a list, or one for all)."""
    if value is None:
        return [None] * n
    if isinstance(value, dict):
        return [value.get(name) for name in names]
    if n > 1 and isinstance(value, (list, tuple)):
        return list(value)
    return [value] * n if n > 1 and not isinstance(value, (list, tuple)) else [value]


def match_dtype_and_rank(y_t, y_p, sw):
    """tf.keras's ``match_dtype_and_rank``: 1-D targets and weights against 2-D predictions get a trailing
    axis; targets of the predictions' kind (float/int) and weights take the predictions' dtype. Predictions whose
    labels are one axis shorter lose their activation's logits, as tf.keras 2's squeeze loses them
    (``losses.squeezed_away_logits``; a fused :class:`OutputHead` then declines, as it is not given the layer's
    output)."""
    if y_t is not None:
        y_p = losses_mod.squeezed_away_logits(y_t, y_p)
    y_t = as_tensor(y_t) if y_t is not None else None
    if y_t is not None and y_t.ndim == 1 and y_p.ndim == 2:
        y_t = expand_dims(y_t, -1)
    if sw is not None:
        sw = as_tensor(sw)
        if sw.ndim == 1 and y_p.ndim == 2:
            sw = expand_dims(sw, -1)
    kind = y_p._value.dtype.kind
    if y_t is not None and y_t._value.dtype != y_p._value.dtype and (
            (y_t._value.dtype.kind == "f" and kind == "f") or (y_t._value.dtype.kind in "iu" and kind in "iu")):
        y_t = cast(y_t, y_p._value.dtype)
    if sw is not None and sw._value.dtype != y_p._value.dtype:
        sw = cast(sw, y_p._value.dtype)
    return y_t, y_p, sw


def apply_mask(y_p, sw, mask=None):
    """tf.keras's ``apply_mask``: a prediction's mask (``y_pred._keras_mask``) multiplies the sample weights
    (or becomes them), so masked steps count neither in the loss nor in the metrics."""
    mask = getattr(y_p, "_keras_mask", None) if mask is None else mask
    if mask is None:
        return sw
    mask = cast(mask, y_p._value.dtype)
    if sw is None:
        return mask
    if sw.ndim == mask.ndim + 1 and sw.shape[-1] == 1:
        mask = expand_dims(mask, -1)
    elif mask.ndim == sw.ndim + 1 and mask.shape[-1] == 1:
        sw = expand_dims(sw, -1)
    return sw * mask


def _batch_dim(y) -> float:
    return float(y.shape[0]) if y is not None and y.ndim else 1.0


class LossesContainer:
    """``model.compiled_loss``: one loss per output (or None), weighted, plus the regularization losses."""

    def __init__(self, losses, loss_weights=None, model=None):
        for leaf in nest.flatten(losses):  # a misspelled name fails at compile, with the closest valid one
            if isinstance(leaf, str):
                losses_mod.get(leaf)
        self._user_losses = losses
        self._user_loss_weights = loss_weights
        self._model = model
        self._built = False
        self._loss_metric = metrics_mod.Mean(name="loss")
        self._per_output_metrics = []
        self._heads = None
        self.plan_heads()

    def plan_heads(self):
        """Decide the fused output heads as soon as the model's output layers are known (at compile, or once
        fit has built the model), so that even the first batch runs the same ops as every other."""
        outputs = getattr(self._model, "outputs", None) if getattr(self._model, "_is_graph_network", False) else None
        if self._heads is not None or not outputs:
            return
        names = _output_names(self._model, outputs)
        losses = [_as_loss_object(v) for v in _per_output(self._user_losses, names, "loss")]
        self._heads = [OutputHead.plan(layer, loss) for layer, loss in zip(_output_layers(self._model, len(names)),
                                                                          losses)]

    @property
    def metrics(self) -> list:
        """``[loss, <output>_loss...]`` once built (the per-output trackers only with several outputs)."""
        if not self._built:
            return []
        return [self._loss_metric] + [m for m in self._per_output_metrics if m is not None]

    def build(self, y_pred):
        names = _output_names(self._model, y_pred)
        self.output_names = names
        self._losses = [_as_loss_object(v) for v in _per_output(self._user_losses, names, "loss")]
        weights = self._user_loss_weights
        weights = [1.0] * len(names) if weights is None else _per_output(weights, names, "loss_weights")
        self._loss_weights = [1.0 if w is None else float(w) for w in weights]
        self.plan_heads()
        if self._heads is None or len(self._heads) != len(names):
            self._heads = [None] * len(names)
        else:  # the planned heads hold copies of the same losses: use those objects from now on
            self._losses = [head.loss if head is not None else loss for head, loss in zip(self._heads, self._losses)]
        self._per_output_metrics = [metrics_mod.Mean(name=f"{name}_loss") if loss is not None else None
                                    for name, loss in zip(names, self._losses)] if len(names) > 1 else []
        self._built = True

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        """The total loss (a scalar Tensor), or None when there is no loss at all."""
        if not self._built:
            self.build(y_pred)
        flat_pred = nest.flatten(y_pred)
        n = len(flat_pred)
        flat_true = _flat_like(y_true, self.output_names, n)
        flat_weights = _flat_like(sample_weight, self.output_names, n)
        loss_values, batch_dim = [], 1.0
        for i, (loss, weight, head, y_t, y_p, sw) in enumerate(zip(self._losses, self._loss_weights, self._heads,
                                                                    flat_true, flat_pred, flat_weights)):
            if loss is None or y_t is None:
                continue
            y_t, y_p, sw = match_dtype_and_rank(y_t, y_p, sw)
            sw = apply_mask(y_p, sw)
            batch_dim = _batch_dim(y_t)
            value = head(y_t, y_p, sw) if head is not None else None
            if value is None:
                value = loss(y_t, y_p, sample_weight=sw)
            if self._per_output_metrics:
                self._per_output_metrics[i].update_state(value, sample_weight=batch_dim)
            if weight != 1.0:
                value = value * weight
            loss_values.append(value)
        if regularization_losses:
            loss_values.append(add_n([as_tensor(r) for r in regularization_losses]))
        if not loss_values:
            return None
        total = loss_values[0] if len(loss_values) == 1 else add_n(loss_values)
        self._loss_metric.update_state(total, sample_weight=batch_dim)
        return total

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()


class MetricsContainer:
    """``model.compiled_metrics``: per output, the metrics (no sample weights) and the weighted metrics.

    Names follow tf.keras 2: with several outputs each name gets the output's name as a
    prefix; a weighted metric whose name is taken becomes ``weighted_<name>``. Logs list,
    per output, the metrics then the weighted metrics.
    """

    def __init__(self, metrics=None, weighted_metrics=None, model=None):
        for leaf in nest.flatten([metrics, weighted_metrics]):  # misspelled names fail at compile
            if isinstance(leaf, str):
                metrics_mod.get_metric(leaf)
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self._model = model
        self._built = False
        self._metrics, self._weighted_metrics = [], []

    @property
    def metrics(self) -> list:
        if not self._built:
            return []
        return [m for group, weighted in zip(self._metrics, self._weighted_metrics) for m in group + weighted]

    def build(self, y_pred, y_true):
        names = _output_names(self._model, y_pred)
        self.output_names = names
        flat_pred = nest.flatten(y_pred)
        flat_true = _flat_like(y_true, names, len(flat_pred))
        loss = getattr(getattr(self._model, "compiled_loss", None), "_user_losses", None)
        losses = _per_output(loss, names, "loss") if loss is not None else [None] * len(names)
        self._metrics = self._objects(self._user_metrics, names, flat_pred, flat_true, losses)
        self._weighted_metrics = self._objects(self._user_weighted_metrics, names, flat_pred, flat_true, losses)
        multi = len(names) > 1
        taken = set()
        for out, group, weighted in zip(names, self._metrics, self._weighted_metrics):
            for m in group:
                m.name = f"{out}_{m.name}" if multi else m.name
                if m.name in taken:
                    raise ValueError(f"Found two metrics with the same name: {m.name}. All the metrics added to "
                                     "the model need to have unique names.")
                taken.add(m.name)
            for m in weighted:
                if multi:
                    m.name = f"{out}_weighted_{m.name}" if f"{out}_{m.name}" in taken else f"{out}_{m.name}"
                elif m.name in taken:
                    m.name = f"weighted_{m.name}"
                if m.name in taken:
                    raise ValueError(f"Found two weighted metrics with the same name: {m.name}. All the metrics "
                                     "added to the model need to have unique names.")
                taken.add(m.name)
        self._built = True

    @staticmethod
    def _objects(spec, names, flat_pred, flat_true, losses):
        groups = []
        for items, y_p, y_t, loss in zip(_per_output(spec, names, "metrics", list_means_shared=True), flat_pred,
                                         flat_true, losses):
            items = items if isinstance(items, (list, tuple)) else ([] if items is None else [items])
            target_shape = None if y_t is None else tuple(np.shape(y_t))
            groups.append([metrics_mod.get_metric(item, loss=loss, output_shape=tuple(y_p.shape),
                                                  target_shape=target_shape) for item in items])
        return groups

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self._built:
            self.build(y_pred, y_true)
        flat_pred = nest.flatten(y_pred)
        n = len(flat_pred)
        for group, weighted, y_t, y_p, sw in zip(self._metrics, self._weighted_metrics,
                                                 _flat_like(y_true, self.output_names, n), flat_pred,
                                                 _flat_like(sample_weight, self.output_names, n)):
            if y_t is None or not (group or weighted):
                continue
            y_t, y_p, sw = match_dtype_and_rank(y_t, y_p, sw)
            mask = getattr(y_p, "_keras_mask", None)
            sw = apply_mask(y_p, sw, mask)
            for m in group:  # as tf.keras 2: `metrics` see only the mask, `weighted_metrics` the sample weights
                m.update_state(y_t, y_p, sample_weight=None if mask is None else cast(mask, y_p._value.dtype))
            for m in weighted:
                m.update_state(y_t, y_p, sample_weight=sw)

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()


__all__ = ["LossesContainer", "MetricsContainer", "OutputHead", "match_dtype_and_rank"]
