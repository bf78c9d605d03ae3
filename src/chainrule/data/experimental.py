"""``chainrule.data.experimental``: tf.data's experimental names chainrule provides."""
from __future__ import annotations

import numpy as np

from ..errors import FailedPreconditionError
from ..tensor import Tensor
from .dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset
from .options import AutoShardPolicy, AutotuneOptions, DistributeOptions, OptimizationOptions, \
    ThreadingOptions  # noqa: F401
from .readers import CsvDataset, make_csv_dataset  # noqa: F401
from .transforms import _Unary

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN


def cardinality(dataset) -> Tensor:
    """``dataset.cardinality()``: the number of elements as int64 (-1 infinite, -2 unknown)."""
    return dataset.cardinality()


def Counter(start=0, step=1, dtype=None):  # noqa: N802 - TensorFlow's name
    """``start, start + step, ...`` forever (``Dataset.counter``)."""
    return Dataset.counter(start, step, dtype)


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    """``Dataset.sample_from_datasets``."""
    return Dataset.sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    """``Dataset.choose_from_datasets``."""
    return Dataset.choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)


def get_single_element(dataset):
    """``dataset.get_single_element()``."""
    return dataset.get_single_element()


def enumerate_dataset(start=0):
    """A transformation for ``Dataset.apply``: ``enumerate(start)``."""
    return lambda dataset: dataset.enumerate(start)


def unbatch():
    """A transformation for ``Dataset.apply``: ``unbatch()``."""
    return lambda dataset: dataset.unbatch()


def scan(initial_state, scan_func):
    """A transformation for ``Dataset.apply``: ``scan(initial_state, scan_func)``."""
    return lambda dataset: dataset.scan(initial_state, scan_func)


def take_while(predicate):
    """A transformation for ``Dataset.apply``: ``take_while(predicate)``."""
    return lambda dataset: dataset.take_while(predicate)


def assert_cardinality(expected_cardinality):
    """A transformation that checks the number of elements while iterating (``FailedPreconditionError``)."""
    expected = int(np.asarray(expected_cardinality))

    def apply(dataset):
        class _Asserted(_Unary):
            _tf_name = "_AssertCardinalityDataset"

            def _iter(self):
                count = 0
                for element in self.source._iter():
                    count += 1
                    if count > expected:
                        raise FailedPreconditionError(f"Input dataset was expected to contain {expected} elements "
                                                      "but contained at least one more element.")
                    yield element
                if count < expected:
                    raise FailedPreconditionError(f"Input dataset was expected to contain {expected} elements but "
                                                  f"contained only {count} elements.")

            def _cardinality(self):
                return expected
        return _Asserted(dataset)
    return apply


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "AutoShardPolicy", "Counter", "CsvDataset",
           "assert_cardinality", "cardinality", "choose_from_datasets", "enumerate_dataset", "get_single_element",
           "make_csv_dataset", "sample_from_datasets", "scan", "take_while", "unbatch"]
