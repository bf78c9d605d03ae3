"""The pool of large buffers (chainrule/ops/workspace.py): reuse only what nothing refers to any more."""
import gc

import numpy as np

from chainrule.ops import workspace

BIG = (512, 1024)   # 2 MB of float32: pooled


def test_small_requests_are_plain_arrays():
    a = workspace.empty((10, 10), np.float64)
    assert a.shape == (10, 10) and a.base is None


def test_a_buffer_is_reused_only_after_every_array_and_view_of_it_is_gone():
    a = workspace.empty(BIG, np.float32)
    a[...] = 1.0
    view = a[3:]
    address = a.__array_interface__["data"][0]
    del a
    b = workspace.empty(BIG, np.float32)         # the view keeps the first buffer busy
    assert b.__array_interface__["data"][0] != address
    np.testing.assert_array_equal(view, 1.0)
    del view, b
    gc.collect()
    before = workspace.pooled_bytes()
    c = workspace.empty(BIG, np.float32)          # a free buffer of the right size: no new memory
    assert workspace.pooled_bytes() == before
    assert c.__array_interface__["data"][0] == address or before >= 2 * c.nbytes
    assert c.shape == BIG and c.dtype == np.float32 and c.flags.c_contiguous


def test_a_much_larger_free_buffer_is_not_used_for_a_small_request():
    big = workspace.empty((4096, 1024), np.float32)   # 16 MB
    del big
    small = workspace.empty(BIG, np.float32)          # 2 MB: does not pin the 16 MB buffer
    assert small.base.nbytes < 4 * small.nbytes
