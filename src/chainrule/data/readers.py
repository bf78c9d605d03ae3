"""Datasets read from local files: ``TextLineDataset``, ``TFRecordDataset``, ``list_files``, ``CsvDataset``,
``make_csv_dataset``."""
from __future__ import annotations

import collections
import csv
import gzip
import io
import zlib

import numpy as np

from .. import dtypes as _dtypes
from ..errors import DataLossError, InvalidArgumentError, NotFoundError
from ..io.gfile import _local, glob
from ..io.tfrecord import read_records
from ..strings import bytes_array
from ..tensor import Tensor
from ..tensor_spec import TensorSpec
from .dataset import UNKNOWN, Dataset
from .sources import TensorSlices
from .transforms import Map, Shuffle


def _filenames(filenames) -> list:
    """File names given as a str, bytes, a list of them, a string Tensor or a Dataset of strings."""
    if isinstance(filenames, Dataset):
        return [_text(f) for f in filenames.as_numpy_iterator()]
    if isinstance(filenames, Tensor):
        filenames = filenames._value.ravel().tolist()
    if isinstance(filenames, (str, bytes)):
        filenames = [filenames]
    return [_text(f) for f in filenames]


def _text(name) -> str:
    if isinstance(name, np.ndarray):
        name = name.item()
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def _read_bytes(path, compression_type) -> bytes:
    try:
        with open(_local(path), "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise NotFoundError(f"{path}; No such file or directory") from None
    kind = (compression_type or "").upper()
    if kind == "GZIP":
        return gzip.decompress(data)
    if kind == "ZLIB":
        return zlib.decompress(data)
    if kind:
        raise ValueError(f"compression_type must be '', 'GZIP' or 'ZLIB', got {compression_type!r}.")
    return data


class TextLineDataset(Dataset):
    """The lines of one or more text files, in order, as scalar string tensors (without ``\\n`` or ``\\r\\n``).

    ``filenames``: a path, a list of paths or a string tensor; ``compression_type``: ``''``,
    ``'GZIP'`` or ``'ZLIB'``. A missing file raises ``NotFoundError`` when it is read.
    """

    _tf_name = "TextLineDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):
        self.filenames = _filenames(filenames)
        self.compression_type = compression_type

    def _iter(self):
        for path in self.filenames:
            data = _read_bytes(path, self.compression_type)
            lines = data.split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()
            for line in lines:
                yield _scalar_bytes(line[:-1] if line.endswith(b"\r") else line)

    def _spec(self):
        return TensorSpec([], "string")

    def _make_probe(self):
        return _scalar_bytes(b"")


class TFRecordDataset(Dataset):
    """The records of one or more TFRecord files, in order, as scalar string tensors (``tf.io.TFRecordWriter``'s
    format; see :mod:`chainrule.io.tfrecord`).

    ``filenames``: a path, a list of paths, a string tensor or a Dataset of them; ``compression_type``:
    ``''``, ``'GZIP'`` or ``'ZLIB'``. A missing file raises ``NotFoundError`` and a damaged record
    ``DataLossError`` (naming the file and the offset) when it is read.
    """

    _tf_name = "TFRecordDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):
        self.filenames = _filenames(filenames)
        self.compression_type = compression_type

    def _iter(self):
        for path in self.filenames:
            try:
                data = _read_bytes(path, self.compression_type)
            except (zlib.error, EOFError, gzip.BadGzipFile) as e:
                raise DataLossError(f"{path}: not a {self.compression_type}-compressed TFRecord file ({e}).") from None
            for record in read_records(path, data):
                yield _scalar_bytes(record)

    def _spec(self):
        return TensorSpec([], "string")

    def _make_probe(self):
        return _scalar_bytes(b"")


def _scalar_bytes(value: bytes) -> np.ndarray:
    return bytes_array([value], ())


class _ListFiles(Shuffle):
    """``Dataset.list_files``: matching paths, reshuffled on each pass."""

    _tf_name = "_ShuffleDataset"


class _NoMatch(Dataset):
    """A ``list_files`` pattern that matched nothing: an error when iterated, as tf.data."""

    _tf_name = "_TensorSliceDataset"

    def __init__(self, patterns):
        self.patterns = patterns

    def _iter(self):
        raise InvalidArgumentError(f"Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized "
                                   f"data: b'No files matched pattern: ' b'{', '.join(self.patterns)}'")
        yield  # pragma: no cover - makes this a generator

    def _spec(self):
        return TensorSpec([], "string")

    def _cardinality(self):
        return 0


def list_files(file_pattern, shuffle=None, seed=None) -> Dataset:
    """See ``Dataset.list_files``."""
    patterns = _filenames(file_pattern)
    matches = sorted({m for p in patterns for m in glob(p)})
    if not matches:
        return _NoMatch(patterns)
    files = TensorSlices(bytes_array(matches))
    if shuffle is False:
        return files
    return _ListFiles(files, len(matches), seed, True)


# ----------------------------------------------------------------------------- CSV

def _csv_rows(path, compression_type, field_delim, use_quote_delim, header, encoding="utf-8"):
    text = _read_bytes(path, compression_type).decode(encoding)
    reader = csv.reader(io.StringIO(text), delimiter=field_delim,
                        quoting=csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE)
    rows = [r for r in reader if r]
    return (rows[0], rows[1:]) if header else (None, rows)


def _typed(field, default, column, row_number, na_value, required):
    if field == "" or field == na_value:
        if required:
            raise InvalidArgumentError(f"Field {column} is required but missing in record {row_number}!")
        return default
    if isinstance(default, (bytes, str)):
        return field.encode("utf-8")
    try:
        return type(default)(field) if not isinstance(default, bool) else field.lower() in ("1", "true")
    except ValueError:
        raise InvalidArgumentError(f"Field {column} in record {row_number} is not a valid "
                                   f"{type(default).__name__}: {field}") from None


def _default_of(value):
    """A ``record_defaults`` entry as ``(default, required, numpy dtype)``."""
    if isinstance(value, Tensor):
        value = value._value.tolist() if value._value.ndim else value._value.item()
    if isinstance(value, _dtypes.DType) or isinstance(value, type):
        dt = _dtypes.as_dtype(value)
        default = b"" if dt.name == "string" else dt.as_numpy_dtype(0).item()
        return default, True, None if dt.name == "string" else dt.dtype
    if isinstance(value, (list, tuple)):
        if not value:
            return 0.0, True, np.dtype(np.float32)
        value = value[0]
    if isinstance(value, (str, bytes)):
        return (value.encode("utf-8") if isinstance(value, str) else value), False, None
    if isinstance(value, bool):
        return value, False, np.dtype(np.bool_)
    if isinstance(value, int):
        return value, False, np.dtype(np.int32)
    return float(value), False, np.dtype(np.float32)


class CsvDataset(Dataset):
    """The rows of CSV files as tuples of scalar tensors, one per (selected) column.

    ``record_defaults``: one entry per column: a default value (its type sets the column's:
    int -> int32, float -> float32, str -> string), or a dtype / empty list for a required
    column. ``header=True`` skips the first line; ``select_cols`` / ``exclude_cols`` pick columns.
    """

    _tf_name = "CsvDatasetV2"

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None, header=False,
                 field_delim=",", use_quote_delim=True, na_value="", select_cols=None, exclude_cols=None,
                 name=None):
        self.filenames = _filenames(filenames)
        self.defaults = [_default_of(d) for d in record_defaults]
        self.compression_type, self.header = compression_type, header
        self.field_delim, self.use_quote_delim, self.na_value = field_delim, use_quote_delim, na_value
        self.select_cols, self.exclude_cols = select_cols, exclude_cols

    def _iter(self):
        for path in self.filenames:
            _, rows = _csv_rows(path, self.compression_type, self.field_delim, self.use_quote_delim, self.header)
            for number, row in enumerate(rows):
                if self.select_cols is not None:
                    row = [row[i] if i < len(row) else "" for i in self.select_cols]
                elif self.exclude_cols is not None:
                    row = [v for i, v in enumerate(row) if i not in set(self.exclude_cols)]
                if len(row) != len(self.defaults):
                    raise InvalidArgumentError(f"Expect {len(self.defaults)} fields but have {len(row)} in record "
                                               f"{number}")
                yield tuple(self._leaf(_typed(v, d, c, number, self.na_value, req), dt)
                            for c, (v, (d, req, dt)) in enumerate(zip(row, self.defaults)))

    @staticmethod
    def _leaf(value, dtype):
        return _scalar_bytes(value) if dtype is None else np.asarray(value, dtype=dtype)

    def _spec(self):
        return tuple(TensorSpec([], "string" if dt is None else dt) for _, _, dt in self.defaults)

    def _make_probe(self):
        return tuple(self._leaf(d, dt) for d, _, dt in self.defaults)

    def _cardinality(self):
        return UNKNOWN


def _infer_column(values):
    """The type tf.data infers for a CSV column: int32 if every value is an int, float32 if a number, else string."""
    present = [v for v in values if v != ""]
    for cast, default in ((int, 0), (float, 0.0)):
        try:
            for v in present:
                cast(v)
            return default
        except ValueError:
            continue
    return b""


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None, label_name=None,
                     select_columns=None, field_delim=",", use_quote_delim=True, na_value="", header=True,
                     num_epochs=None, shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False, num_rows_for_inference=100,
                     compression_type=None, ignore_errors=False, encoding="utf-8"):
    """Batches of ``(features, label)`` from CSV files: ``features`` an OrderedDict of column -> batch.

    Column names come from the header (or ``column_names``); types are inferred from the
    first ``num_rows_for_inference`` rows unless ``column_defaults`` gives them. The rows are
    shuffled (``shuffle``) and repeated ``num_epochs`` times (forever when None), as tf.data.
    """
    files = _filenames(file_pattern)
    paths = sorted({m for f in files for m in glob(f)}) or files
    all_rows, names = [], column_names
    for path in paths:
        head, rows = _csv_rows(path, compression_type, field_delim, use_quote_delim, header, encoding)
        names = names or head
        all_rows.extend(rows)
    if names is None:
        raise ValueError("make_csv_dataset: give column_names when the files have no header.")
    names = list(names)
    if column_defaults is not None:
        defaults = [_default_of(d) for d in column_defaults]
    else:
        sample = all_rows[:num_rows_for_inference]
        defaults = [_default_of(_infer_column([r[i] for r in sample if i < len(r)])) for i in range(len(names))]
    keep = list(range(len(names))) if select_columns is None else sorted(  # in the file's order, as tf.data
        names.index(c) if isinstance(c, str) else int(c) for c in select_columns)
    if label_name is not None and label_name not in names:
        raise ValueError(f"make_csv_dataset: label_name {label_name!r} is not a column of {names}.")
    columns = collections.OrderedDict()
    for i in keep:
        default, required, dtype = defaults[i]
        values = [_typed(r[i] if i < len(r) else "", default, i, n, na_value, required)
                  for n, r in enumerate(all_rows)]
        columns[names[i]] = bytes_array(values) if dtype is None else np.asarray(values, dtype=dtype)
    if label_name is not None:
        label = columns.pop(label_name)
        ds = TensorSlices((dict(columns), label))
    else:
        ds = TensorSlices(dict(columns))
    if shuffle:
        ds = ds.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    ds = ds.repeat(num_epochs).batch(batch_size)
    return Map(ds, _ordered) if label_name is None else Map(ds, lambda f, y: (_ordered(f), y))


def _ordered(features):
    return collections.OrderedDict(features)
