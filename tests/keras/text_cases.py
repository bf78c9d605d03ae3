"""Text-layer cases shared by ``fixtures/make_text_fixtures.py`` (tf.keras) and ``test_text_layers.py`` (chainrule).

Each case builds a layer from ``keras.layers`` (tf.keras's or chainrule's), adapts it (or not) and
calls it on the same inputs. ``CORPUS`` has upper case, punctuation, apostrophes, accents, tabs and
repeated words, so ties in the counts and the standardization's details matter.
"""
import numpy as np

CORPUS = [
    "The cat sat on the mat.", "The dog ate my HOMEWORK!!", "Héllo, wörld; it's done-ish", "cat cat dog",
    "A\ttab-separated\nline: with (brackets) [and] {braces}", "ÉCOLE école Ecole", "the end", "dog dog cat the",
    "Don't stop -- believe'n'", "x_y z~w 100% sure?",
]
QUERIES = ["the cat ate the homework", "unknown words here", "", "dog, dog; DOG!", "école ÉCOLE"]


def text_vectorization_cases(L):
    """``(name, layer, adapt_data_or_None, inputs)`` for TextVectorization."""
    return [
        ("int_default", L.TextVectorization(), CORPUS, QUERIES),
        ("int_max_tokens_len", L.TextVectorization(max_tokens=9, output_sequence_length=4), CORPUS, QUERIES),
        ("multi_hot", L.TextVectorization(max_tokens=10, output_mode="multi_hot"), CORPUS, QUERIES),
        ("count_pad", L.TextVectorization(max_tokens=20, output_mode="count", pad_to_max_tokens=True), CORPUS,
         QUERIES),
        ("tf_idf", L.TextVectorization(output_mode="tf_idf"), CORPUS, QUERIES),
        ("ngrams_2", L.TextVectorization(ngrams=2, max_tokens=25), CORPUS, QUERIES),
        ("ngrams_tuple", L.TextVectorization(ngrams=(1, 3), output_mode="count"), CORPUS, QUERIES),
        ("lower_only", L.TextVectorization(standardize="lower"), CORPUS, QUERIES),
        ("strip_only", L.TextVectorization(standardize="strip_punctuation"), CORPUS, QUERIES),
        ("no_standardize_character", L.TextVectorization(standardize=None, split="character", max_tokens=15),
         CORPUS, QUERIES),
        ("no_split", L.TextVectorization(split=None), ["a b", "a b", "c", "The End"], ["a b", "c", "x", "the end"]),
        ("given_vocabulary", L.TextVectorization(vocabulary=["the", "cat", "dog"], output_sequence_length=6), None,
         QUERIES),
        ("given_idf", L.TextVectorization(output_mode="tf_idf", vocabulary=["the", "cat", "dog"],
                                          idf_weights=[0.2, 0.9, 1.5]), None, QUERIES),
    ]


def lookup_cases(L):
    """``(name, layer, adapt_data_or_None, inputs)`` for StringLookup, IntegerLookup, Hashing, CategoryEncoding."""
    words = np.array([["a", "b", "b"], ["c", "c", "c"], ["d", "e", "e"], ["a", "", "f"]])
    ids = np.array([[5, 5, 7], [7, 7, 9], [1, 0, 12], [100, -3, 7]])
    return [
        ("string_default", L.StringLookup(), words, np.array([["c", "z", "a"], ["", "b", "q"]])),
        ("string_mask_oov3", L.StringLookup(num_oov_indices=3, mask_token=""), words,
         np.array([["c", "z", "qq"], ["", "b", "www"]])),
        ("string_multi_hot", L.StringLookup(output_mode="multi_hot", mask_token=""), words,
         np.array([["c", "z", "a"], ["", "b", "b"]])),
        ("string_count_max", L.StringLookup(output_mode="count", max_tokens=4), words,
         np.array([["c", "c", "a"], ["e", "b", "b"]])),
        # (tf.keras's tf-idf adapt needs the same number of distinct tokens in every row)
        ("string_tf_idf", L.StringLookup(output_mode="tf_idf"),
         np.array([["a", "b", "c"], ["c", "d", "e"], ["a", "e", "f"]]), np.array([["c", "c", "a"], ["e", "zz", "b"]])),
        ("string_one_hot", L.StringLookup(vocabulary=["x", "y", "z"], output_mode="one_hot"), None,
         np.array(["x", "q", "z"])),
        ("string_invert", L.StringLookup(vocabulary=["x", "y", "z"], invert=True, mask_token="[M]"), None,
         np.array([[0, 1, 2], [3, 4, 9]])),
        ("integer_default", L.IntegerLookup(), ids, np.array([[7, 5, 1000], [0, -1, 9]])),
        ("integer_mask_oov2", L.IntegerLookup(num_oov_indices=2, mask_token=0), ids,
         np.array([[7, 0, 1000], [1001, -5, 12]])),
        ("integer_multi_hot", L.IntegerLookup(output_mode="multi_hot", max_tokens=5), ids,
         np.array([[7, 5, 1000], [9, 9, 0]])),
        ("hashing_int", L.Hashing(num_bins=7), None, np.array([["a"], ["b"], ["hello"], [""], ["wörld"]])),
        ("hashing_mask", L.Hashing(num_bins=7, mask_value=""), None, np.array([["a"], ["b"], [""], ["x"]])),
        ("hashing_salt", L.Hashing(num_bins=100, salt=133), None, np.array([["a"], ["b"], ["hello"]])),
        ("hashing_salt_pair", L.Hashing(num_bins=1000, salt=(7, 11), output_mode="int"), None,
         np.array(["a", "bb", "ccc"])),
        ("hashing_integers", L.Hashing(num_bins=10), None, np.array([[1], [2], [12345678901], [-5]])),
        ("hashing_multi_hot", L.Hashing(num_bins=5, output_mode="multi_hot"), None, np.array([["a", "b", "c"]])),
        ("hashing_count", L.Hashing(num_bins=5, output_mode="count"), None, np.array([["a", "a", "b"]])),
        ("category_multi_hot", L.CategoryEncoding(num_tokens=4), None, np.array([[0, 1], [3, 3]])),
        ("category_count", L.CategoryEncoding(num_tokens=4, output_mode="count"), None,
         np.array([[0, 1, 1], [3, 3, 2]])),
        ("category_one_hot", L.CategoryEncoding(num_tokens=4, output_mode="one_hot"), None, np.array([0, 3, 2])),
    ]


def tokenizer_cases(Tokenizer):
    """``(name, tokenizer)``: each is fit on CORPUS and asked for sequences, matrices and its config."""
    return [
        ("default", Tokenizer()),
        ("num_words_oov", Tokenizer(num_words=6, oov_token="<OOV>")),
        ("no_lower_split", Tokenizer(lower=False, split=",", filters="")),
        ("char_level", Tokenizer(char_level=True, num_words=12)),
    ]


def make_text_folder(root):
    """A small ``text_dataset_from_directory`` folder: classes 'neg' and 'pos', a nested file, a non-.txt file."""
    import os
    layout = {"neg": [f"n{i}.txt" for i in range(7)] + ["sub/deep.txt"], "pos": [f"p{i}.txt" for i in range(6)],
              ".hidden": ["h.txt"]}
    for cls, names in layout.items():
        for name in names:
            path = os.path.join(root, cls, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"{cls} text {name}")
    with open(os.path.join(root, "pos", "notes.md"), "w") as f:
        f.write("not a .txt file")
    return root
