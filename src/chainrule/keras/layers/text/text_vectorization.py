"""``TextVectorization``: raw strings -> token ids or token-count vectors (tf.keras 2, exactly).

The steps, each TensorFlow's:

1. standardize: ``'lower_and_strip_punctuation'`` (default) lower-cases ASCII letters (as
   ``tf.strings.lower``) and deletes the characters of ``[!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~']``
   (TensorFlow's ``DEFAULT_STRIP_REGEX``); ``'lower'``, ``'strip_punctuation'``, None, or a function
   of a string Tensor;
2. split: ``'whitespace'`` (runs of ASCII whitespace, as ``tf.strings.split``), ``'character'``
   (UTF-8 characters), None, or a function;
3. ``ngrams``: an int n (1- to n-grams) or a tuple of widths, joined by a space;
4. look-up in a vocabulary (``adapt`` or ``vocabulary``): '' is id 0 (padding) and '[UNK]' id 1 in
   ``output_mode='int'``; the other modes count the tokens into vectors (``'[UNK]'`` at index 0).

``output_mode='int'`` pads (with 0) or cuts each row to ``output_sequence_length``, or pads the
batch to its longest row.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from ....tensor import Tensor
from ... import registry
from .category_encoding import COUNT, INT, MULTI_HOT, TF_IDF, encode_categorical, output_mode_name
from .index_lookup import StringLookup
from .preprocessing_layer import PreprocessingLayer, as_bytes_array, run_as_op

LOWER, STRIP_PUNCTUATION, LOWER_AND_STRIP_PUNCTUATION = "lower", "strip_punctuation", "lower_and_strip_punctuation"
WHITESPACE, CHARACTER = "whitespace", "character"
DEFAULT_STRIP_REGEX = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_STRIP = re.compile(DEFAULT_STRIP_REGEX.encode())


def _each(arr, fn):
    """``fn`` on each distinct bytes string of ``arr`` (once each), in ``arr``'s shape."""
    if arr.size == 0:
        return arr.copy()
    uniq, inverse = np.unique(arr.reshape(-1), return_inverse=True)
    out = np.array([fn(u) for u in uniq.tolist()], dtype=bytes)
    return out[inverse].reshape(arr.shape)


def _ngrams(tokens, widths):
    out = []
    for n in widths:
        out.extend(b" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def _rows(value, what):
    """A split function's result as one list of bytes tokens per input string."""
    if isinstance(value, Tensor):
        value = value._value
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return [as_bytes_array(r, what).tolist() for r in value]
    return [as_bytes_array(r, what).reshape(-1).tolist() for r in value]


class TextVectorization(PreprocessingLayer):
    """Turns strings into token ids (or multi-hot / count / tf-idf vectors) with a learned vocabulary.

    Args:
        max_tokens: the vocabulary's size limit, '' and '[UNK]' included (None: no limit).
        standardize: see the module docstring.
        split: see the module docstring.
        ngrams: see the module docstring.
        output_mode: 'int' (default), 'multi_hot', 'count', 'tf_idf' (and 'binary', tf.keras's old name).
        output_sequence_length: 'int' mode: the length of every output row (padded with 0 or cut).
        pad_to_max_tokens: vector modes: vectors of ``max_tokens`` values whatever the vocabulary.
        vocabulary: the tokens (list, array or file path) instead of ``adapt``; ``idf_weights`` for 'tf_idf'.
        idf_weights: with ``output_mode='tf_idf'`` and a given vocabulary, one weight per token.
        sparse: not supported (True raises ValueError): outputs are dense.
        ragged: not supported (True raises ValueError).
        encoding: the text encoding of byte strings (default ``'utf-8'``).

    Inputs: strings of shape ``(batch,)`` or ``(batch, 1)`` (Python lists, numpy arrays, string
    Tensors). ``adapt`` takes the same (or a ``chainrule.data.Dataset`` of them). ``ragged`` and
    ``sparse`` outputs are not available in chainrule.
    """

    def __init__(self, max_tokens: int | None = None, standardize: Any = LOWER_AND_STRIP_PUNCTUATION,
                 split: Any = WHITESPACE, ngrams: Any = None, output_mode: Any = INT,
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False, vocabulary: Any = None,
                 idf_weights: Any = None, sparse: bool = False, ragged: bool = False, encoding: str = "utf-8",
                 **kwargs: Any) -> None:
        kwargs.pop("vocabulary_size", None)
        kwargs.setdefault("dtype", "string")
        super().__init__(**kwargs)
        standardizations = (LOWER, STRIP_PUNCTUATION, LOWER_AND_STRIP_PUNCTUATION)
        if standardize is not None and standardize not in standardizations and not callable(standardize):
            raise ValueError(f"The `standardize` argument of layer {self.name} received an invalid value "
                             f"{standardize}. Valid values are None, {list(standardizations)} or a callable.")
        if split not in (None, WHITESPACE, CHARACTER) and not callable(split):
            raise ValueError(f"The `split` argument of layer {self.name} received an invalid value {split}. Valid "
                             f"values are None, {[WHITESPACE, CHARACTER]} or a callable.")
        output_mode = output_mode_name(self.name, output_mode, (INT, MULTI_HOT, COUNT, TF_IDF))
        if not (ngrams is None or (isinstance(ngrams, int) and not isinstance(ngrams, bool)) or
                (isinstance(ngrams, (tuple, list)) and all(isinstance(i, int) for i in ngrams))):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if output_sequence_length is not None and (not isinstance(output_sequence_length, int) or
                                                   isinstance(output_sequence_length, bool)):
            raise ValueError(f"`output_sequence_length` must be either None or an integer when `output_mode` is "
                             f"'int'. Received: output_sequence_length={output_sequence_length}")
        if output_mode != INT and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
                             f"output_sequence_length={output_sequence_length}.")
        if ragged or sparse:
            raise ValueError(f"TextVectorization {self.name!r}: ragged=True / sparse=True outputs are not supported by "
                             "chainrule; 'int' rows are padded with 0 instead.")
        self._max_tokens, self._standardize, self._split = max_tokens, standardize, split
        self._ngrams_arg = list(ngrams) if isinstance(ngrams, list) else ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else \
            (tuple(ngrams) if ngrams is not None else None)
        self._output_mode, self._output_sequence_length = output_mode, output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="",
                                          output_mode=output_mode, encoding=encoding, name=f"{self.name}_lookup")
        if vocabulary is not None:
            self._is_adapted = True

    # ------------------------------------------------------------------ preprocessing
    def _standardized(self, strings):
        if self._standardize in (LOWER, LOWER_AND_STRIP_PUNCTUATION):
            strings = np.char.lower(strings) if strings.size else strings
        if self._standardize in (STRIP_PUNCTUATION, LOWER_AND_STRIP_PUNCTUATION):
            strings = _each(strings, lambda b: _STRIP.sub(b"", b))
        if callable(self._standardize):
            strings = as_bytes_array(self._standardize(Tensor(strings)), f"{self.name}: standardize")
        return strings

    def _tokens(self, inputs):
        """The standardized inputs as one list of tokens per string (or, without split, one token each)."""
        strings = as_bytes_array(inputs, f"TextVectorization {self.name!r}")
        if strings.ndim == 0:
            strings = strings[None]
        strings = self._standardized(strings)
        if self._split is None:
            return strings, None
        if strings.ndim > 1:
            if strings.shape[-1] != 1:
                raise ValueError(f"When using `TextVectorization` to tokenize strings, the input rank must be 1 or "
                                 f"the last shape dimension must be 1. Received: inputs.shape={strings.shape} with "
                                 f"rank={strings.ndim}")
            strings = strings[..., 0]
        if strings.ndim != 1:
            raise ValueError(f"TextVectorization {self.name!r}: expected strings of shape (batch,) or (batch, 1), "
                             f"got shape {strings.shape}.")
        if self._split == WHITESPACE:
            rows = [s.split() for s in strings.tolist()]
        elif self._split == CHARACTER:
            rows = [[c.encode("utf-8") for c in s.decode("utf-8")] for s in strings.tolist()]
        else:
            rows = _rows(self._split(Tensor(strings)), f"{self.name}: split")
        if self._ngrams is not None:
            rows = [_ngrams(r, self._ngrams) for r in rows]
        return None, rows

    # ------------------------------------------------------------------ state
    def update_state(self, data):
        strings, rows = self._tokens(data)
        lookup = self._lookup_layer
        if lookup.input_vocabulary is not None:
            raise ValueError("Cannot adapt TextVectorization layer after setting a static vocabulary via init argument "
                             "or `set_vocabulary`.")
        if rows is None:  # no split: a 1-D batch is one document of tokens (tf.keras's IndexLookup.update_state)
            lookup._update_rows(list(strings.reshape(strings.shape[0], -1)) if strings.ndim > 1 else [strings])
            return
        lookup._update_rows([np.array(r, dtype=bytes) if r else np.zeros(0, dtype="S1") for r in rows])

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True) -> list:
        """The token of every id: '' (padding, 'int' mode) and '[UNK]' first, then the most frequent tokens."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Use ``vocabulary`` (and ``idf_weights`` in 'tf_idf' mode) instead of ``adapt``."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)
        self._is_adapted = True

    # ------------------------------------------------------------------ calling
    def _convert_input(self, x):
        return x if isinstance(x, Tensor) else Tensor(as_bytes_array(x, f"TextVectorization {self.name!r}"))

    def call(self, inputs: Any) -> Any:
        self._lookup_layer._ensure_known_vocab_size()
        return run_as_op(self._vectorize, inputs)

    def _vectorize(self, inputs):
        out = self._vectorize_batch(inputs)
        # One string in, one row out (no batch axis), as tf.keras gives for a scalar string.
        return out[0] if np.ndim(inputs) == 0 and out.ndim else out

    def _vectorize_batch(self, inputs):
        strings, rows = self._tokens(inputs)
        lookup = self._lookup_layer
        if rows is None:  # no split: each string is one token
            return lookup._encode(lookup._lookup_ids(strings))
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        flat = [t for r in rows for t in r]
        ids = lookup._lookup_ids(np.array(flat, dtype=bytes)) if flat else np.zeros(0, dtype=np.int64)
        row_of = np.repeat(np.arange(len(rows)), lengths)
        if self._output_mode != INT:
            counts = np.full((len(rows), max(1, int(lengths.max()) if len(rows) else 1)), -1, dtype=np.int64)
            counts[row_of, np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)] = ids
            return encode_categorical(counts, self._output_mode, lookup._depth(), lookup.dtype,
                                      idf_weights=lookup._idf_for_depth())
        width = self._output_sequence_length
        if width is None:
            width = int(lengths.max()) if len(rows) and flat else 0
        out = np.zeros((len(rows), width), dtype=np.int64)
        position = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        keep = position < width
        out[row_of[keep], position[keep]] = ids[keep]
        return out

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._output_mode != INT:
            return (input_shape[0] if input_shape else None, self._lookup_layer._depth())
        if self._split is None:
            return input_shape
        return (input_shape[0] if input_shape else None, self._output_sequence_length)

    def _output_dtype(self, flat_inputs):
        return "int64" if self._output_mode == INT else "float32"

    def get_config(self) -> dict:
        config = super().get_config()
        lookup = self._lookup_layer.get_config()
        config.update(max_tokens=lookup["max_tokens"], standardize=self._standardize, split=self._split,
                      ngrams=self._ngrams_arg, output_mode=self._output_mode,
                      output_sequence_length=self._output_sequence_length,
                      pad_to_max_tokens=lookup["pad_to_max_tokens"], sparse=False, ragged=False,
                      vocabulary=lookup["vocabulary"], idf_weights=lookup["idf_weights"], encoding=self._encoding,
                      vocabulary_size=self.vocabulary_size())
        for key in ("standardize", "split"):
            if callable(config[key]):  # saved by name: register it (register_keras_serializable) to load it back
                config[key] = registry.registered_name(config[key])
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key, builtin in (("standardize", (None, LOWER, STRIP_PUNCTUATION, LOWER_AND_STRIP_PUNCTUATION)),
                             ("split", (None, WHITESPACE, CHARACTER))):
            if config.get(key) not in builtin:
                config[key] = registry.get_registered_object(config[key], custom_objects)
                if config[key] is None:
                    raise ValueError(f"TextVectorization: the custom {key} function {config.get(key)!r} is unknown; "
                                     "register it with keras.saving.register_keras_serializable or pass it in "
                                     "custom_objects.")
        return cls(**config)


registry.register("layers", TextVectorization)
