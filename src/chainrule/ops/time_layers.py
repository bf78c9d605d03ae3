"""By-hand time-series layers in the style of "Deep Learning from Scratch 2" (``common/time_layers.py``).

Objects with ``params``, ``grads`` (arrays updated in place, ready for a
by-hand optimizer), ``forward`` and ``backward``::

    lstm = TimeLSTM(Wx, Wh, b)            # Wx (D, 4H), Wh (H, 4H), b (4H,)
    hs = lstm.forward(xs)                 # xs (N, T, D) -> hs (N, T, H)
    dxs = lstm.backward(dhs)              # fills lstm.grads = [dWx, dWh, db]

They run the same ops as chainrule's Keras layers (``SimpleRNNStep``,
``LSTMSequence``, ``Embedding``, ``Affine``, ``SoftmaxWithLoss``), so the
arithmetic is tf.keras's: the LSTM gates are in tf.keras's order i, f, c, o
(the book's order is f, g, i, o), and a whole sequence is one op whose
backward walks the steps backwards.
"""
from __future__ import annotations

from typing import Sequence, cast

import numpy as np

from .embedding import Embedding
from .nn import Affine, SoftmaxWithLoss
from .recurrent import LSTMSequence, LSTMStep, SimpleRNNSequence, SimpleRNNStep


class _Params:
    def _set_params(self, *params: np.ndarray) -> None:
        self.params = list(params)
        self.grads = [np.zeros_like(p) for p in params]

    def _store_grads(self, grads: Sequence[np.ndarray | None]) -> None:
        for slot, g in zip(self.grads, grads):
            slot[...] = g


class RNN(_Params):
    """One tanh RNN step: ``forward(x, h_prev)`` -> ``h_next = tanh(h_prev @ Wh + x @ Wx + b)``.

    ``backward(dh_next)`` -> ``(dx, dh_prev)`` and fills ``grads = [dWx, dWh, db]``.
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:
        self._set_params(Wx, Wh, b)

    def forward(self, x: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
        self.op = SimpleRNNStep()
        return cast(np.ndarray, self.op.forward(x, h_prev, *self.params))  # one state: h

    def backward(self, dh_next: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dx, dh_prev, *grads = self.op.backward(dh_next)
        self._store_grads(grads)
        return dx, dh_prev


class TimeRNN(_Params):
    """A tanh RNN over T steps: ``forward(xs (N, T, D))`` -> ``hs (N, T, H)``; ``backward(dhs)`` -> ``dxs``.

    ``stateful=True`` starts each ``forward`` from the last hidden state (``set_state``,
    ``reset_state``); otherwise from zeros. After backward, ``dh`` is the gradient of
    the initial state.
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, stateful: bool = False) -> None:
        self._set_params(Wx, Wh, b)
        self.h: np.ndarray | None = None
        self.dh: np.ndarray | None = None
        self.stateful = stateful

    def forward(self, xs: np.ndarray) -> np.ndarray:
        n = xs.shape[0]
        h0 = self.h if self.stateful and self.h is not None else np.zeros((n, self.params[1].shape[0]),
                                                                          dtype=self.params[0].dtype)
        self.op = SimpleRNNSequence()
        hs, self.h = self.op.forward(xs, h0, *self.params)
        return hs

    def backward(self, dhs: np.ndarray) -> np.ndarray | None:
        dxs, self.dh, *grads = self.op.backward(dhs, None)
        self._store_grads(grads)
        return dxs

    def set_state(self, h: np.ndarray) -> None:
        self.h = h

    def reset_state(self) -> None:
        self.h = None


class LSTM(_Params):
    """One LSTM step: ``forward(x, h_prev, c_prev)`` -> ``(h_next, c_next)``.

    ``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)`` with gate blocks i, f, c, o (tf.keras's order).
    ``backward(dh_next, dc_next)`` -> ``(dx, dh_prev, dc_prev)`` and fills ``grads``.
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:
        self._set_params(Wx, Wh, b)

    def forward(self, x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray) -> tuple[np.ndarray, ...]:
        self.op = LSTMStep()
        return cast(tuple[np.ndarray, ...], self.op.forward(x, h_prev, c_prev, *self.params))  # two states: h, c

    def backward(self, dh_next: np.ndarray, dc_next: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dx, dh_prev, dc_prev, *grads = self.op.backward(dh_next, dc_next)
        self._store_grads(grads)
        return dx, dh_prev, dc_prev


class TimeLSTM(_Params):
    """An LSTM over T steps: ``forward(xs (N, T, D))`` -> ``hs (N, T, H)``; ``backward(dhs)`` -> ``dxs``.

    One :class:`~chainrule.ops.LSTMSequence` op per call (BPTT as a loop, any
    length). ``stateful=True`` carries ``h`` and ``c`` from one ``forward`` to the next
    (truncated BPTT, as the book's language model trains); ``set_state``/``reset_state``
    as in the book. After backward, ``dh`` is the gradient of the initial ``h``.
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, stateful: bool = False) -> None:
        self._set_params(Wx, Wh, b)
        self.h: np.ndarray | None = None
        self.c: np.ndarray | None = None
        self.dh: np.ndarray | None = None
        self.stateful = stateful

    def forward(self, xs: np.ndarray) -> np.ndarray:
        shape, dtype = (xs.shape[0], self.params[1].shape[0]), self.params[0].dtype
        fresh = not self.stateful
        h0 = self.h if not fresh and self.h is not None else np.zeros(shape, dtype=dtype)
        c0 = self.c if not fresh and self.c is not None else np.zeros(shape, dtype=dtype)
        self.op = LSTMSequence()
        hs, self.h, self.c = self.op.forward(xs, h0, c0, *self.params)
        return hs

    def backward(self, dhs: np.ndarray) -> np.ndarray | None:
        dxs, self.dh, _, *grads = self.op.backward(dhs, None, None)
        self._store_grads(grads)
        return dxs

    def set_state(self, h: np.ndarray, c: np.ndarray | None = None) -> None:
        self.h, self.c = h, c

    def reset_state(self) -> None:
        self.h, self.c = None, None


class TimeEmbedding(_Params):
    """Rows of ``W (V, D)`` for a batch of id sequences: ``forward(xs (N, T))`` -> ``(N, T, D)``.

    ``backward(dout)`` fills ``grads[0]`` (repeated ids add up) and returns None.
    """

    def __init__(self, W: np.ndarray) -> None:
        self._set_params(W)

    def forward(self, xs: np.ndarray) -> np.ndarray:
        self.op = Embedding()
        return self.op.forward(self.params[0], xs)

    def backward(self, dout: np.ndarray) -> None:
        self._store_grads(self.op.backward(dout)[:1])


class TimeAffine(_Params):
    """``x @ W + b`` at every step: ``forward(x (N, T, D))`` -> ``(N, T, M)``; ``backward(dout)`` -> ``dx``."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self._set_params(W, b)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.op = Affine()
        return self.op.forward(x, *self.params)

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        dx, dW, db = self.op.backward(dout)
        self._store_grads((dW, db))
        return dx


class TimeSoftmaxWithLoss:
    """Softmax cross-entropy at every step, averaged over the labelled steps.

    ``forward(xs (N, T, V), ts)`` -> mean loss; ``ts`` are ids ``(N, T)`` (or one-hot
    ``(N, T, V)``); steps labelled ``ignore_label`` (-1) count for nothing.
    ``backward(dout=1)`` -> ``dxs``.
    """

    def __init__(self, ignore_label: int = -1) -> None:
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.ignore_label = ignore_label

    def forward(self, xs: np.ndarray, ts: np.ndarray) -> np.ndarray:
        n, steps, vocab = xs.shape
        ts = np.asarray(ts)
        if ts.ndim == 3:
            ts = ts.argmax(axis=2)
        self.mask = (ts != self.ignore_label).reshape(-1)
        self.count = max(int(self.mask.sum()), 1)
        self.op = SoftmaxWithLoss(reduction="none")
        per_step = self.op.forward(xs.reshape(n * steps, vocab), np.where(self.mask, ts.reshape(-1), 0))
        self.shape = xs.shape
        return (per_step * self.mask).sum(dtype=xs.dtype) / xs.dtype.type(self.count)

    def backward(self, dout: np.ndarray | float = 1) -> np.ndarray:
        d_per_step = self.mask * (np.asarray(dout) / self.count)
        dx, _ = self.op.backward(d_per_step)
        assert dx is not None  # used by hand: every gradient is computed
        return dx.reshape(self.shape)
