"""``keras.preprocessing.text``: ``Tokenizer``, ``text_to_word_sequence``, ``one_hot``, ``hashing_trick``.

tf.keras 2's word-level text helpers that most tutorials still use: a ``Tokenizer`` learns a word
index from texts (1 = the most frequent word, 0 is never assigned; ties keep the order in which the
words first appeared) and turns texts into lists of word indices or into matrices.
"""
from __future__ import annotations

import collections
import hashlib
import json

import numpy as np

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

__all__ = ["Tokenizer", "text_to_word_sequence", "one_hot", "hashing_trick", "tokenizer_from_json"]


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """The words of ``input_text``: lower-cased, each character of ``filters`` replaced by ``split``, split on
    ``split``, empty strings dropped.

    ``'This is a sample sentence.'`` -> ``['this', 'is', 'a', 'sample', 'sentence']``.
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in input_text.split(split) if w]


def hashing_trick(text, n, hash_function=None, filters=DEFAULT_FILTERS, lower=True, split=" ", analyzer=None):
    """Word indices in ``[1, n - 1]`` from a hash of each word (0 is never used; collisions possible).

    ``hash_function``: None uses Python's ``hash`` (not stable across runs, as in tf.keras), ``'md5'``
    a stable digest, or any ``str -> int`` function.
    """
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        def hash_function(w):
            return int(hashlib.md5(w.encode()).hexdigest(), 16)
    words = analyzer(text) if analyzer is not None else text_to_word_sequence(text, filters, lower, split)
    return [hash_function(w) % (n - 1) + 1 for w in words]


def one_hot(input_text, n, filters=DEFAULT_FILTERS, lower=True, split=" ", analyzer=None):
    """``hashing_trick(input_text, n, hash_function=hash, ...)`` (tf.keras 2's name for it)."""
    return hashing_trick(input_text, n, hash_function=hash, filters=filters, lower=lower, split=split,
                         analyzer=analyzer)


class Tokenizer:
    """Learns a word index from texts and turns texts into word-index sequences or matrices (tf.keras 2).

    Args:
        num_words: keep only words of index < ``num_words`` (the ``num_words - 1`` most frequent)
            when converting; ``word_index`` still lists every word seen.
        filters: characters removed (replaced by ``split``) before splitting; default all punctuation
            but ``'``, plus tab and newline.
        lower: lower-case the texts. ``split``: the separator. ``char_level``: every character is a token.
        oov_token: when given, it gets index 1 and stands for every unknown (or cut) word.
        analyzer: a function ``text -> list of tokens`` replacing the default splitting.

    After ``fit_on_texts``: ``word_index`` (word -> index, 1 = most frequent), ``index_word``,
    ``word_counts`` (in first-seen order), ``word_docs``, ``index_docs`` and ``document_count``.
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ", char_level=False,
                 oov_token=None, analyzer=None, **kwargs):
        if "nb_words" in kwargs:
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.index_docs = collections.defaultdict(int)
        self.filters, self.split, self.lower = filters, split, lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.analyzer = analyzer
        self.word_index = {}
        self.index_word = {}

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return text
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, filters=self.filters, lower=self.lower, split=self.split)

    def fit_on_texts(self, texts):
        """Count the words of ``texts`` (strings, or lists of tokens) and rebuild ``word_index``."""
        if isinstance(texts, str):
            raise TypeError("Tokenizer.fit_on_texts expects a list of texts, got a single string; wrap it in a "
                            "list: fit_on_texts([text]).")
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for w in tokens:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(tokens):
                self.word_docs[w] += 1
        by_count = sorted(self.word_counts.items(), key=lambda item: -item[1])  # stable: ties keep first-seen order
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + [w for w, _ in by_count]
        self.word_index = {w: i for i, w in enumerate(vocabulary, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        for w, c in list(self.word_docs.items()):
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Count documents per word index (what ``sequences_to_matrix(mode='tfidf')`` needs)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts):
        """Each text as a list of word indices (unknown words dropped, or ``oov_token``'s index)."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        num_words = self.num_words
        oov = self.word_index.get(self.oov_token)
        for text in texts:
            out = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is not None and not (num_words and i >= num_words):
                    out.append(i)
                elif oov is not None:
                    out.append(oov)
            yield out

    def sequences_to_texts(self, sequences):
        """Each sequence of word indices back as a space-separated text."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        num_words = self.num_words
        oov = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for i in seq:
                w = self.index_word.get(i)
                if w is not None and not (num_words and i >= num_words):
                    words.append(w)
                elif oov is not None:
                    words.append(self.index_word[oov])
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary"):
        """``sequences_to_matrix(texts_to_sequences(texts), mode)``."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """A ``(len(sequences), num_words)`` float64 matrix: ``mode`` 'binary' (1 where a word occurs),
        'count', 'freq' (count / length) or 'tfidf' (``(1 + log(count)) * log(1 + docs / (1 + docs_with_word))``).
        Without ``num_words`` the width is ``len(word_index) + 1``."""
        if mode not in ("binary", "count", "tfidf", "freq"):
            raise ValueError(f"Unknown vectorization mode: {mode!r}; use 'binary', 'count', 'tfidf' or 'freq'.")
        if self.num_words:
            width = self.num_words
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError("Specify a dimension (`num_words` argument), or fit on some text data first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        x = np.zeros((len(sequences), width))
        for row, seq in enumerate(sequences):
            if not len(seq):
                continue
            counts = collections.Counter(j for j in seq if j < width)
            for j, c in counts.items():
                if mode == "count":
                    x[row, j] = c
                elif mode == "freq":
                    x[row, j] = c / len(seq)
                elif mode == "binary":
                    x[row, j] = 1
                else:
                    x[row, j] = (1 + np.log(c)) * np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
        return x

    def get_config(self) -> dict:
        """The settings and the learned counts, with the dictionaries as JSON text (tf.keras 2's layout)."""
        return {"num_words": self.num_words, "filters": self.filters, "lower": self.lower, "split": self.split,
                "char_level": self.char_level, "oov_token": self.oov_token, "document_count": self.document_count,
                "word_counts": json.dumps(self.word_counts), "word_docs": json.dumps(self.word_docs),
                "index_docs": json.dumps(self.index_docs), "index_word": json.dumps(self.index_word),
                "word_index": json.dumps(self.word_index)}

    def to_json(self, **kwargs) -> str:
        """``{"class_name": "Tokenizer", "config": get_config()}`` as JSON; ``tokenizer_from_json`` reads it."""
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """A ``Tokenizer`` from ``Tokenizer.to_json()`` output (tf.keras 2's format)."""
    data = json.loads(json_string)
    config = dict(data.get("config", {}))
    counts = json.loads(config.pop("word_counts"))
    docs = json.loads(config.pop("word_docs"))
    index_docs = {int(k): v for k, v in json.loads(config.pop("index_docs")).items()}
    index_word = {int(k): v for k, v in json.loads(config.pop("index_word")).items()}
    word_index = json.loads(config.pop("word_index"))
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = collections.OrderedDict(counts)
    tokenizer.word_docs = collections.defaultdict(int, docs)
    tokenizer.index_docs = collections.defaultdict(int, index_docs)
    tokenizer.word_index, tokenizer.index_word = word_index, index_word
    return tokenizer
