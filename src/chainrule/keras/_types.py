"""Names for what the Keras API's arguments accept, for readers of its signatures (and type checkers)."""
from __future__ import annotations

from typing import Any, Callable, Sequence, Union

#: An ``activation=``: a name (``'relu'``), a function, a layer, or None (linear).
ActivationLike = Union[str, Callable[..., Any], None]
#: An ``*_initializer=``: a name (``'glorot_uniform'``), an Initializer (or any callable), or a config dict.
InitializerLike = Union[str, Callable[..., Any], dict, None]
#: An ``*_regularizer=``: a name (``'l2'``), a Regularizer (or any callable), a config dict, or None.
RegularizerLike = Union[str, Callable[..., Any], dict, None]
#: An ``*_constraint=``: a name (``'max_norm'``), a Constraint (or any callable), a config dict, or None.
ConstraintLike = Union[str, Callable[..., Any], dict, None]
#: A window size, stride or dilation: one int for every spatial axis, or one per axis.
IntOrTuple = Union[int, Sequence[int]]
