"""``timeseries_dataset_from_array``: sliding windows over a time series as a Dataset (tf.keras 2).

Windows start at ``0, sequence_stride, 2 * sequence_stride, ...`` (relative to ``start_index``)
and take ``sequence_length`` steps ``sampling_rate`` apart; a window that would run past
``end_index`` is dropped, and with ``targets`` there are at most ``len(targets)`` windows,
window ``i`` getting ``targets[start_index + start_i]``. The windows are cut batch by batch with
one numpy gather (no Python per window). With ``shuffle``, the start positions are shuffled by
``np.random.RandomState(seed)`` as tf.keras shuffles them, then chainrule's own shuffle buffer of
``batch_size * 8`` windows reorders them locally (tf.keras's buffer uses TensorFlow's generator, so
the batches hold the same windows in a different order).
"""
from __future__ import annotations

import numpy as np

from ...data import Dataset


def _check_positions(data_len, sequence_length, sequence_stride, sampling_rate, start_index, end_index):
    if not isinstance(sequence_length, (int, np.integer)) or sequence_length <= 0:
        raise ValueError(f"`sequence_length` must be a positive integer. Received: sequence_length={sequence_length}")
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= data_len:
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {data_len}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                             f"and end_index={end_index} ")
        if end_index >= data_len:
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: "
                             f"end_index={end_index}, for data of length {data_len}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
        if value >= data_len:
            raise ValueError(f"`{name}` must be lower than the length of the data. Received: {name}={value}, "
                             f"for data of length {data_len}")


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """A Dataset of sliding windows over ``data`` (axis 0 is time), with their targets.

    Args:
        data: array-like (or Tensor) of consecutive time steps, shape ``(steps, ...)``.
        targets: ``targets[i]`` belongs to the window starting at step ``i`` (relative to
            ``start_index``), or None to yield only the windows.
        sequence_length: steps per window.
        sequence_stride: steps between the starts of consecutive windows (default 1).
        sampling_rate: steps between the elements of one window (default 1).
        batch_size: windows per batch (default 128; the last batch may be smaller); None yields
            single windows.
        shuffle: shuffle the windows (default False: chronological order).
        seed: seed of the shuffle.
        start_index: the first step used (default 0).
        end_index: one past the last step used (default: the end of ``data``).

    Returns:
        A Dataset of ``(windows, targets)`` batches, windows of shape
        ``(batch, sequence_length, ...)`` in ``data``'s dtype, or of windows alone.

    Raises:
        ValueError: for a non-positive ``sequence_length``, ``sequence_stride`` or ``sampling_rate``,
            a stride or rate not below the data's length, or indices outside the data, with tf.keras's
            messages.
    """
    data = np.asarray(data)
    _check_positions(len(data), sequence_length, sequence_stride, sampling_rate, start_index, end_index)
    start_index = start_index or 0
    end_index = len(data) if end_index is None else end_index
    steps = data[start_index:end_index]
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        num_seqs = min(num_seqs, len(targets))
        targets = targets[start_index:end_index]
    positions = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = np.random.randint(int(1e6))
        np.random.RandomState(seed).shuffle(positions)
    offsets = np.arange(sequence_length, dtype=np.int64) * sampling_rate

    def windows(starts):
        starts = np.asarray(starts)
        cut = steps[starts[..., None] + offsets]
        return cut if targets is None else (cut, targets[starts])

    dataset = Dataset.from_tensor_slices(positions)
    if shuffle:
        dataset = dataset.shuffle(buffer_size=batch_size * 8 if batch_size else 1024, seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset.map(lambda starts: windows(starts.numpy()))
