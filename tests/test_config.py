"""chainrule.config: devices and threading as TensorFlow programs call them."""
import subprocess
import sys

import pytest

import chainrule as tf


def test_threading_namespace_sets_the_blas_pool_in_a_fresh_process():
    pytest.importorskip("threadpoolctl")
    code = ("import os; os.environ['OPENBLAS_NUM_THREADS'] = '2'\n"
            "import chainrule as tf, threadpoolctl\n"
            "tf.config.threading.set_intra_op_parallelism_threads(1)\n"
            "pools = [p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas']\n"
            "print(tf.config.threading.get_intra_op_parallelism_threads(), pools)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "1 [1]"


def test_inter_op_is_recorded_and_a_negative_count_is_refused():
    before = tf.config.threading.get_inter_op_parallelism_threads()
    try:
        tf.config.threading.set_inter_op_parallelism_threads(2)
        assert tf.config.threading.get_inter_op_parallelism_threads() == 2
    finally:
        tf.config.threading.set_inter_op_parallelism_threads(before)
    with pytest.raises(ValueError, match="0 or more"):
        tf.config.threading.set_intra_op_parallelism_threads(-1)
