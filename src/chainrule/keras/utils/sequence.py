"""``keras.utils.Sequence``: a dataset that hands out whole batches by index, as in tf.keras 2.

Subclass it, implement ``__len__`` (the number of batches) and ``__getitem__(index)`` (one
batch: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``), and optionally ``on_epoch_end``; pass
an instance to ``fit``/``evaluate``/``predict`` like an array. ``fit`` visits the batches in a
new random order each epoch (``shuffle=True``, the default; ``shuffle=False`` keeps 0, 1, ...)
and calls ``on_epoch_end`` after each epoch; ``evaluate``/``predict`` read them in order.
"""
from __future__ import annotations


class Sequence:
    """Base class for a sequence of batches (tf.keras 2's ``keras.utils.Sequence``).

    Example::

        class Batches(keras.utils.Sequence):
            def __init__(self, x, y, batch_size):
                self.x, self.y, self.batch_size = x, y, batch_size

            def __len__(self):
                return math.ceil(len(self.x) / self.batch_size)

            def __getitem__(self, index):
                part = slice(index * self.batch_size, (index + 1) * self.batch_size)
                return self.x[part], self.y[part]

        model.fit(Batches(x, y, 32), epochs=5)
    """

    def __getitem__(self, index):
        """The batch at position ``index`` (``0 <= index < len(self)``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index) returning one batch.")

    def __len__(self):
        """The number of batches."""
        raise NotImplementedError(f"{type(self).__name__} must implement __len__() returning the number of "
                                  "batches.")

    def on_epoch_end(self):
        """Called by ``fit`` after every epoch (and after ``evaluate``/``predict``): reshuffle here, for example."""

    def __iter__(self):
        """The batches in order, once."""
        for index in range(len(self)):
            yield self[index]
