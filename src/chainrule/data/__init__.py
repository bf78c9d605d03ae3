"""``chainrule.data``: tf.data for in-memory data and local files.

``Dataset`` (``dataset.py``) holds the API; the steps live in ``sources.py``
(slices, ranges, zips, generators), ``transforms.py`` (shuffle, batch, map,
window, interleave ...) and ``readers.py`` (text and CSV files);
``structure.py`` handles nested elements and ``element_spec``; ``options.py``
``Options``.
"""
from .._missing import missing_attribute as _missing_attribute
from . import batching, experimental, readers, sources, transforms  # noqa: F401
from .dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset, OwnedIterator  # noqa: F401
from .options import Options, ThreadingOptions  # noqa: F401
from .readers import CsvDataset, TextLineDataset, TFRecordDataset  # noqa: F401
from .structure import DatasetSpec  # noqa: F401

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN
Iterator = OwnedIterator

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
