"""``StringLookup`` and ``IntegerLookup``: tokens -> integer ids from a vocabulary (tf.keras 2, exactly).

The id layout is tf.keras's: with a ``mask_token`` (and ``output_mode='int'``) id 0 is the mask,
then come ``num_oov_indices`` out-of-vocabulary ids, then the vocabulary in order. ``adapt``
orders the tokens by count, most frequent first, and equal counts by the token itself in
reverse (byte order for strings), as tf.keras's ``np.lexsort(...)[::-1]`` does; ``max_tokens``
counts the special ids too. An unknown token gets the OOV id; with several OOV ids a string's
bucket is FarmHash ``Fingerprint64`` modulo their number and an integer's is ``value mod n``.
"""
from __future__ import annotations

import collections
import numbers
import os
from typing import Any

import numpy as np

from ....ragged import RaggedTensor
from ....tensor import Tensor, to_array
from ... import registry
from .category_encoding import COUNT, INT, MULTI_HOT, ONE_HOT, TF_IDF, encode_categorical, output_mode_name
from .preprocessing_layer import PreprocessingLayer, as_bytes_array, run_as_op
from ....string_hashes import hash_strings


def idf(document_counts, num_documents):
    """tf.keras's inverse document frequency: ``log(1 + num_documents / (1 + document_count))``."""
    return np.log(1 + num_documents / (1 + np.asarray(document_counts, dtype=np.float64)))


class IndexLookup(PreprocessingLayer):
    """What ``StringLookup`` and ``IntegerLookup`` share (tokens are bytes or Python ints inside)."""

    _strings = True

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        output_mode = output_mode_name(kwargs.get("name") or type(self).__name__, output_mode,
                                       (INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF))
        if invert and output_mode != INT:
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise ValueError(f"{type(self).__name__}: sparse=True (a SparseTensor output) is not supported by "
                             "chainrule.")
        if idf_weights is not None and output_mode != TF_IDF:
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             f"idf_weights={idf_weights} and output_mode={output_mode}")
        frozen = kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        kwargs.pop("has_static_table", None)
        kwargs.setdefault("dtype", "int64" if output_mode == INT and not invert else
                          ("float32" if output_mode != INT else self._token_dtype_name(vocabulary_dtype)))
        super().__init__(**kwargs)
        self.invert, self.max_tokens = bool(invert), max_tokens
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.output_mode, self.sparse, self.pad_to_max_tokens = output_mode, False, bool(pad_to_max_tokens)
        self.vocabulary_dtype = vocabulary_dtype
        self.input_vocabulary, self.input_idf_weights = vocabulary, idf_weights
        self._tokens = []            # the learned or given vocabulary, in id order (bytes or ints)
        self._index = {}
        self._idf = None             # (vocabulary_size,) for tf_idf
        self._counts = collections.Counter()
        self._doc_counts = collections.Counter()
        self._num_documents = 0
        self._frozen_vocab_size = frozen
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    @staticmethod
    def _token_dtype_name(vocabulary_dtype):
        return "string" if vocabulary_dtype in ("string", None) else vocabulary_dtype

    # ------------------------------------------------------------------ tokens
    def _key(self, token):
        """A token as the layer stores it: bytes for strings, int for integers."""
        if self._strings:
            return token.encode("utf-8") if isinstance(token, str) else bytes(token)
        return int(token)

    def _public(self, key):
        return key.decode("utf-8", errors="replace") if self._strings else int(key)

    def _as_keys(self, values, what):
        """Input values as a numpy array of keys (bytes for StringLookup, int64 for IntegerLookup)."""
        if self._strings:
            return as_bytes_array(values, what)
        arr = values._value if isinstance(values, Tensor) else to_array(values)
        if arr.dtype.kind not in "iub":
            if arr.dtype.kind == "f" and np.all(arr == np.trunc(arr)):
                return arr.astype(np.int64)
            raise ValueError(f"{what}: expected integers, got an array of dtype {arr.dtype}.")
        return arr.astype(np.int64, copy=False)

    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == INT else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The number of ids, mask and OOV ids included."""
        return self._token_start_index() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens=True) -> list:
        """The token of every id in order (``include_special_tokens=False``: only the vocabulary's own tokens).

        As tf.keras 2 (which reads them back from its lookup table as a numpy array), the vocabulary's tokens
        are numpy scalars, ``np.str_`` or ``np.int64`` (printed ``np.str_('a')`` in a list); the mask and OOV
        tokens are as given (``'[UNK]'``), ``np.int64`` for IntegerLookup (``-1``).
        """
        scalar = np.str_ if self._strings else np.int64
        words = [scalar(self._public(t)) for t in self._tokens]
        if not include_special_tokens:
            return words
        specials = [self.oov_token] * self._token_start_index()
        if self.mask_token is not None and self.output_mode == INT:
            specials[0] = self.mask_token
        if not self._strings:
            specials = [None if t is None else np.int64(t) for t in specials]
        return specials + words

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Use ``vocabulary`` (a list/array/Tensor of tokens, or the path of a file with one token per line);
        ``idf_weights`` (one per token) with ``output_mode='tf_idf'``. The mask and OOV tokens may lead it,
        exactly in the layer's order; anywhere else they are an error, as are repeated tokens."""
        if self.output_mode == TF_IDF and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is TF_IDF")
        if self.output_mode != TF_IDF and idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                             f"output_mode={self.output_mode} and idf_weights={idf_weights}")
        if isinstance(vocabulary, (str, os.PathLike)):
            if not os.path.isfile(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().split("\n")
                if vocabulary and vocabulary[-1] == "":
                    vocabulary.pop()
        if isinstance(vocabulary, Tensor):
            vocabulary = vocabulary._value
        tokens = [self._key(t) for t in (vocabulary.tolist() if isinstance(vocabulary, np.ndarray) else vocabulary)]
        if not tokens:
            raise ValueError(f"Cannot set an empty vocabulary, you passed {vocabulary}.")
        special = ([self._key(self.mask_token)] if self._oov_start_index() else []) + \
            ([self._key(self.oov_token)] * self.num_oov_indices if self.num_oov_indices else [])
        found_special = tokens[:len(special)] == special and bool(special)
        if found_special:
            tokens = tokens[len(special):]
        repeated = sorted({self._public(t) for t, c in collections.Counter(tokens).items() if c > 1}, key=str)
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are {repeated}")
        if self.mask_token is not None and self._key(self.mask_token) in tokens:
            raise ValueError(f"Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                             f"`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                             f"and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             f"order: {[self._public(s) for s in special]}. Received: mask_token={self.mask_token!r}")
        if self.oov_token is not None and self.invert and self._key(self.oov_token) in tokens:
            raise ValueError(f"Found reserved OOV token at unexpected location in `vocabulary`. Either remove all mask "
                             f"and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             f"order: {[self._public(s) for s in special]}. Received: oov_token={self.oov_token!r}")
        size = self._token_start_index() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. Passed vocab size is "
                             f"{size}, max vocab size is {self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == TF_IDF:
            weights = np.asarray(idf_weights.numpy() if isinstance(idf_weights, Tensor) else idf_weights,
                                 dtype=np.float64)
            if weights.ndim != 1 or len(weights) != len(tokens) + (len(special) if found_special else 0):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{weights.size}, len(vocabulary) is {len(tokens)}")
            if not found_special:
                weights = np.concatenate([np.full(self._token_start_index(), weights.mean()), weights])
            self._idf = weights
        self._is_adapted = True

    def _set_tokens(self, tokens):
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: start + i for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()

    # ------------------------------------------------------------------ adapt
    def reset_state(self):
        if self.input_vocabulary is not None:
            return
        self._counts, self._doc_counts, self._num_documents = collections.Counter(), collections.Counter(), 0

    def update_state(self, data):
        if self.input_vocabulary is not None:
            raise ValueError(f"Cannot adapt {type(self).__name__} layer after setting a static vocabulary via init "
                             "argument or `set_vocabulary`.")
        keys = self._as_keys(data, f"{type(self).__name__}.adapt")
        if keys.ndim == 0:
            keys = keys[None]
        rows = keys[None] if keys.ndim == 1 else keys.reshape(keys.shape[0], -1)
        self._update_rows(list(rows))

    def _update_rows(self, rows):
        """Count the tokens of each row (a row is one document for tf-idf)."""
        flat = np.concatenate([np.asarray(r).reshape(-1) for r in rows]) if rows else np.zeros(0)
        if flat.size:
            uniq, counts = np.unique(flat, return_counts=True)
            self._counts.update(dict(zip(uniq.tolist(), counts.tolist())))
        if self.output_mode == TF_IDF:
            for r in rows:
                self._doc_counts.update(set(np.asarray(r).reshape(-1).tolist()))
            self._num_documents += len(rows)

    def finalize_state(self):
        if self.input_vocabulary is not None or not self._counts:
            return
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                self._counts.pop(self._key(special), None)
        # Most frequent first; equal counts in reverse token order (tf.keras's np.lexsort((tokens, counts))[::-1]).
        tokens = sorted(self._counts, key=lambda t: (self._counts[t], t), reverse=True)
        if self.max_tokens:
            tokens = tokens[:self.max_tokens - self._token_start_index()]
        self._set_tokens(tokens)
        if self.output_mode == TF_IDF:
            weights = idf([self._doc_counts[t] for t in self._tokens], self._num_documents)
            self._idf = np.concatenate([np.full(self._token_start_index(), weights.mean() if weights.size else 0.0),
                                        weights])
        self.reset_state()

    # ------------------------------------------------------------------ lookup
    def _lookup_ids(self, keys):
        """The id of every key (int64, same shape); masked keys get -1 outside 'int' mode (then dropped)."""
        if keys.size == 0:
            return np.zeros(keys.shape, dtype=np.int64)
        uniq, inverse = np.unique(keys.reshape(-1), return_inverse=True)
        ids = np.array([self._index.get(u, -2) for u in uniq.tolist()], dtype=np.int64)
        unknown = ids == -2
        if unknown.any():
            if self.num_oov_indices == 0:
                shown = [self._public(u) for u in uniq[unknown].tolist()][:10]
                raise ValueError(f"When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                                 f"{shown}, consider setting `num_oov_indices=1`.")
            if self.num_oov_indices == 1:
                ids[unknown] = self._oov_start_index()
            elif self._strings:
                ids[unknown] = hash_strings(uniq[unknown], self.num_oov_indices) + self._oov_start_index()
            else:
                ids[unknown] = np.mod(uniq[unknown].astype(np.int64), self.num_oov_indices) + self._oov_start_index()
        if self.mask_token is not None:
            masked = uniq == self._key(self.mask_token)
            ids[masked] = 0 if self.output_mode == INT else -1
        return ids[inverse].reshape(keys.shape)

    def _invert_ids(self, ids):
        """ids -> tokens: the mask id its token, OOV ids and ids out of range the OOV token."""
        table = [self._key(t) for t in self.get_vocabulary()]
        oov = self._key(self.oov_token)
        keys = [table[i] if 0 <= i < len(table) else oov for i in ids.reshape(-1).tolist()]
        if self._strings:
            out = np.array(keys, dtype=bytes) if keys else np.zeros(0, dtype="S1")
        else:
            out = np.array(keys, dtype=np.int64)
        return out.reshape(ids.shape)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(inputs, RaggedTensor) and (self.output_mode == INT or self.invert):
            # one id (or token) per token: the same ragged rows, as tf.keras maps a RaggedTensor's values
            return inputs.with_flat_values(super().__call__(inputs.flat_values, *args, **kwargs))
        return super().__call__(inputs, *args, **kwargs)

    def _convert_input(self, x):
        return x if isinstance(x, Tensor) else Tensor(self._as_keys(x, type(self).__name__)
                                                      if not self.invert else to_array(x))

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _ensure_known_vocab_size(self):
        if self.output_mode != INT and not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode!r}` and `pad_to_max_tokens=False`, you "
                               f"must set the layer's vocabulary before calling it. Either pass a `vocabulary` "
                               f"argument to the layer, or call `adapt` with some sample data.")

    def call(self, inputs: Any) -> Any:
        self._ensure_known_vocab_size()
        return run_as_op(self._lookup, inputs)

    def _lookup(self, values):
        if self.invert:
            return self._invert_ids(values.astype(np.int64))
        return self._encode(self._lookup_ids(self._as_keys(values, type(self).__name__)))

    def _encode(self, ids):
        """Ids as the layer outputs them (an array): the ids themselves in 'int' mode, else vectors."""
        if self.output_mode == INT:
            return ids.astype(np.dtype(self.dtype))
        return encode_categorical(ids, self.output_mode, self._depth(), self.dtype, idf_weights=self._idf_for_depth())

    def _idf_for_depth(self):
        if self.output_mode != TF_IDF:
            return None
        depth = self._depth()
        return np.pad(self._idf, (0, max(0, depth - len(self._idf))))[:depth]

    def compute_output_shape(self, input_shape):
        if self.output_mode == INT:
            return tuple(input_shape)
        return (input_shape[0] if len(input_shape) else None, self._depth())

    def _output_dtype(self, flat_inputs):
        return self.dtype

    def get_config(self) -> dict:
        config = super().get_config()
        learned = self.input_vocabulary is None and self._tokens
        vocabulary = self.input_vocabulary
        if isinstance(vocabulary, np.ndarray):
            vocabulary = vocabulary.tolist()
        if learned:  # keep an adapted vocabulary in the config, so a saved model keeps it
            vocabulary = [self._public(t) for t in self._tokens]
        idf_weights = self.input_idf_weights
        if learned and self.output_mode == TF_IDF:
            idf_weights = self._idf[self._token_start_index():].tolist()
        elif isinstance(idf_weights, np.ndarray):
            idf_weights = idf_weights.tolist()
        config.update(invert=self.invert, max_tokens=self.max_tokens, num_oov_indices=self.num_oov_indices,
                      oov_token=self.oov_token, mask_token=self.mask_token, output_mode=self.output_mode,
                      sparse=self.sparse, pad_to_max_tokens=self.pad_to_max_tokens, idf_weights=idf_weights,
                      vocabulary=vocabulary, vocabulary_size=self._frozen_vocab_size)
        return config


class StringLookup(IndexLookup):
    """Maps strings to integer ids from a vocabulary (tf.keras 2's ``StringLookup``).

    Args:
        max_tokens: the largest number of ids (mask and OOV ids included); None: no limit.
        num_oov_indices: how many ids unknown strings share (default 1; 0 makes them an error).
        mask_token: a string meaning "padding", id 0 in 'int' mode (default None: no mask id).
        oov_token: the token the OOV ids stand for in ``get_vocabulary`` and ``invert`` (default '[UNK]').
        vocabulary: the tokens (list, array, Tensor or a file path), or learn them with ``adapt``.
        idf_weights: with ``output_mode='tf_idf'`` and a given vocabulary, one weight per token.
        invert: map ids back to strings.
        output_mode: 'int' (default), 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        pad_to_max_tokens: vectors of ``max_tokens`` values whatever the vocabulary's size.
        encoding: the text encoding of byte strings (default ``'utf-8'``).
        sparse: not supported (True raises ValueError): outputs are dense.

    Inputs are strings (Python str/bytes, arrays, string Tensors); 'int' mode returns int64 ids of
    the input's shape, the other modes float32 ``(batch, vocabulary_size)``.
    """

    _strings = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, encoding="utf-8", invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary_dtype="string", vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["encoding"] = self.encoding
        return config


class IntegerLookup(IndexLookup):
    """Maps integers to ids from a vocabulary of integers (tf.keras 2's ``IntegerLookup``).

    As :class:`StringLookup`, with ``mask_token`` (default None) and ``oov_token`` (default -1)
    integers; with several OOV ids an unknown value ``v`` gets ``v mod num_oov_indices``.

    Args:
        max_tokens: the largest number of ids (mask and OOV ids included); None: no limit.
        num_oov_indices: how many ids unknown values share (default 1).
        mask_token: an integer meaning padding, id 0 (default None).
        oov_token: the value the OOV ids stand for when inverting (default -1).
        vocabulary: the values (list, array or a file path), or learn them with ``adapt``.
        vocabulary_dtype: the dtype of the values (default ``'int64'``).
        idf_weights: with ``output_mode='tf_idf'`` and a given vocabulary, one weight per token.
        invert: map ids back to values.
        output_mode: 'int' (default), 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        sparse: not supported (True raises ValueError): outputs are dense.
        pad_to_max_tokens: vectors of ``max_tokens`` values whatever the vocabulary's size.
        **kwargs: the base ``Layer`` arguments (``name``, ``dtype``, ``trainable``, ``input_shape`` ...).
    """

    _strings = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, **kwargs):
        if vocabulary_dtype not in ("int64", "int32"):
            raise ValueError(f"IntegerLookup: `vocabulary_dtype` must be an integer dtype ('int64' or 'int32'). "
                             f"Received: vocabulary_dtype={vocabulary_dtype!r}")
        for arg, value in (("mask_token", mask_token), ("oov_token", oov_token)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
                raise ValueError(f"IntegerLookup: `{arg}` must be an integer or None. Received: {arg}={value!r}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary_dtype=vocabulary_dtype, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["vocabulary_dtype"] = self.vocabulary_dtype
        return config


registry.register("layers", StringLookup, IntegerLookup)
