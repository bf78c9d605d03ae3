"""Helpers the adapted Keras guides share, identical under TensorFlow and chainrule (not part of any guide).

* ``framework()``: ``(tf, keras)``: TensorFlow with tf.keras 2 when ``CHAINRULE_REFERENCE=tensorflow`` (the
  expected outputs are made that way), chainrule otherwise. Under TensorFlow, ``keras.datasets.imdb``'s
  download is pointed at ``$CHAINRULE_DATA/imdb`` (tf.keras checks Keras's published sha256, which the shared
  rebuild of the file does not have): tf.keras's own ``load_data`` then runs on the file chainrule reads.
* ``load_mnist(n_train, n_test)``: MNIST read from ``$CHAINRULE_DATA/mnist``'s IDX files by numpy, so both
  frameworks see the same arrays without a download (``keras.datasets.mnist.load_data()`` in the guides);
  ``name="fashion_mnist"`` for Fashion-MNIST.
* ``cifar10_stand_in(n_train, n_test)``: arrays shaped as CIFAR-10's, made from Fashion-MNIST (padded to 32x32,
  3 channels), for the programs that train on CIFAR-10 (not in the shared datasets).
* ``imdb_reviews_stand_in(n_train, n_test, max_words)``: ``(texts, labels)`` pairs shaped as the
  ``imdb_reviews`` text dataset of TensorFlow Datasets (not in the shared datasets), decoded from the shared
  IMDB word ranks (see the function).
* ``jena_climate_stand_in(path, days)``: a CSV with the Jena climate file's 15 columns and 10-minute rows,
  made from a seeded numpy generator (see the function).
* ``higgs_stand_in(path, rows)``: a gzipped CSV with the UCI HIGGS file's 29 numeric columns (label first),
  made from a seeded numpy generator (see the function).
* ``aclimdb_stand_in(folder, n_train, n_test, n_unsup)``: the folder tree of the ``aclImdb_v1`` archive
  (``aclImdb/train/pos/<id>_<rating>.txt`` ...) written from ``imdb_reviews_stand_in`` (see the function).
* ``ecg_stand_in(path)``: a CSV shaped as the ECG5000 file of the autoencoder tutorial (``ecg.csv``: 4998 rows
  of 140 readings and a 0/1 label, no header), made from a seeded numpy generator (see the function).
* ``shakespeare_stand_in(path, speeches)``: a text file in the layout of the tiny-shakespeare file of the text
  generation and word2vec tutorials (speakers, verse, blank lines), generated from a seeded numpy generator and a
  fixed word list (see the function).
* ``moving_mnist_stand_in(path, ...)``, ``forda_stand_in(path, rows)``, ``creditcard_stand_in(path, ...)``,
  ``fra_eng_stand_in(path)``: seeded files in the layout of Moving MNIST's ``mnist_test_seq.npy``, the FordA
  TSVs, the credit-card fraud CSV and the Anki ``fra.txt`` pairs (see each function).
* ``flower_photos_stand_in(folder, per_class, seed)``: the folder tree of the ``flower_photos`` archive (five class
  folders of JPEG files) written from made-up photos (``flower_image``); ``red_sunflower_stand_in(path)`` one more.
* ``tfds_stand_in(tf)``: ``tfds.load('tf_flowers', ...)`` of TensorFlow Datasets, as ``tf.data`` datasets of the
  same made-up photos (see the class).
* ``seeded_weights(model, seed, keep_zeros)``: every trainable weight set from a seeded numpy generator
  (Glorot-uniform kernels, a convolution's window counted in the fans; zero biases, unit scales), so both
  frameworks start training from the same point.
"""
import gzip
import json
import os

import numpy as np


def framework():
    if os.environ.get("CHAINRULE_REFERENCE") == "tensorflow":
        import tensorflow as tf
        from tensorflow import keras
        _local_imdb_files()
    else:
        import chainrule as tf
        from chainrule import keras
    return tf, keras


def _local_imdb_files():
    """Make tf.keras's ``keras.datasets.imdb`` read ``$CHAINRULE_DATA/imdb/<file>`` instead of downloading."""
    import tf_keras.src.datasets.imdb as tf_keras_imdb

    def get_file(fname, origin=None, **kwargs):
        return os.path.join(os.environ["CHAINRULE_DATA"], "imdb", fname)
    tf_keras_imdb.get_file = get_file


def imdb_reviews_stand_in(n_train=None, n_test=None, max_words=None):
    """``(train_texts, train_labels), (test_texts, test_labels)``: the first ``n_train``/``n_test`` reviews of
    the shared IMDB rebuild, each turned back into text by joining its words (``imdb_word_index.json``) with
    spaces, cut after ``max_words`` words; texts as a numpy array of ``str``, labels as int64 (1 = positive).

    A stand-in for ``tfds.load('imdb_reviews')`` (the raw reviews are not in the shared datasets): the same
    reviews, but lowercased and without punctuation (as Keras's tokenizer left them), so
    ``TextVectorization``'s default standardization changes only the apostrophes."""
    folder = os.path.join(os.environ["CHAINRULE_DATA"], "imdb")
    with open(os.path.join(folder, "imdb_word_index.json"), encoding="utf-8") as f:
        words = {rank: word for word, rank in json.load(f).items()}
    arrays = np.load(os.path.join(folder, "imdb_flat.npz"))
    out = []
    for split, n in (("train", n_train), ("test", n_test)):
        lengths = arrays[f"x_{split}_lengths"][:n]
        tokens = arrays[f"x_{split}_tokens"][:int(lengths.sum())]
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        texts = [" ".join(words[int(r)] for r in tokens[a:a + k][:max_words]) for a, k in zip(starts, lengths)]
        out.append((np.array(texts), arrays[f"y_{split}"][:n].astype(np.int64)))
    return tuple(out)


def jena_climate_stand_in(path, days=90, seed=0):
    """Write a stand-in for ``jena_climate_2009_2016.csv`` (not in the shared datasets) to ``path``; return it.

    The file's columns and formats (``Date Time`` as ``01.01.2009 00:10:00``, then ``p (mbar)``, ``T (degC)``
    ... ``wd (deg)``), one row every 10 minutes from 2009-01-01 00:10 for ``days`` days. Made-up weather, not
    the real data: temperature and humidity follow a daily and a yearly cycle plus seeded noise, pressure a
    slow random walk, and the other columns are computed from those with the usual formulas (saturation vapour
    pressure, dew point, air density ...); wind speed, gusts and direction are seeded random draws (none of
    the real file's -9999 error values)."""
    rng = np.random.RandomState(seed)
    n = days * 24 * 6
    minutes = 10 * np.arange(1, n + 1)
    hours = minutes / 60.0
    day, year = 2 * np.pi * hours / 24, 2 * np.pi * hours / (365.2425 * 24)
    temp = 9 - 9 * np.cos(year) - 4 * np.cos(day) + np.cumsum(rng.normal(0, 0.08, n)) * 0.5 + rng.normal(0, 0.3, n)
    pressure = 990 + np.cumsum(rng.normal(0, 0.05, n)) + rng.normal(0, 0.1, n)
    rh = np.clip(78 + 12 * np.cos(day) + rng.normal(0, 4, n), 15, 100)
    vp_max = 6.1078 * np.exp(17.27 * temp / (temp + 237.3))
    vp_act = vp_max * rh / 100
    log_ratio = np.log(vp_act / 6.1078)
    columns = {
        "p (mbar)": pressure,
        "T (degC)": temp,
        "Tpot (K)": (temp + 273.15) * (1000 / pressure) ** 0.286,
        "Tdew (degC)": 237.3 * log_ratio / (17.27 - log_ratio),
        "rh (%)": rh,
        "VPmax (mbar)": vp_max,
        "VPact (mbar)": vp_act,
        "VPdef (mbar)": vp_max - vp_act,
        "sh (g/kg)": 622 * vp_act / (pressure - 0.378 * vp_act),
        "H2OC (mmol/mol)": 1000 * vp_act / pressure,
        "rho (g/m**3)": 100 * pressure / (287.05 * (temp + 273.15)) * 1000,
        "wv (m/s)": rng.gamma(2.0, 1.0, n),
    }
    columns["max. wv (m/s)"] = columns["wv (m/s)"] * (1.4 + rng.uniform(0, 1, n))
    columns["wd (deg)"] = rng.uniform(0, 360, n)
    start = np.datetime64("2009-01-01T00:00")
    with open(path, "w", encoding="utf-8") as f:
        f.write('"Date Time",' + ",".join(f'"{name}"' for name in columns) + "\n")
        for i in range(n):
            stamp = (start + np.timedelta64(int(minutes[i]), "m")).astype(object)
            values = ",".join(f"{columns[name][i]:.2f}" for name in columns)
            f.write(f"{stamp:%d.%m.%Y %H:%M:%S},{values}\n")
    return path


def higgs_stand_in(path, rows=11000, seed=0):
    """Write a stand-in for ``HIGGS.csv.gz`` (11 million rows, not in the shared datasets) to ``path``; return
    the path as a ``str``, as ``get_file`` does.

    The file's layout: gzipped CSV, no header, 29 numbers a row written as ``%.18e`` (``1.000000000000000000e+00``):
    the label (1 signal, 0 background), 21 "low-level" columns (lepton pT, eta, phi, missing energy magnitude
    and phi, then pT, eta, phi and b-tag of four jets) and 7 "high-level" masses (m_jj ... m_wwbb). Made-up
    events, not physics: pT-like columns and masses log-normal around 1, eta normal, phi uniform in (-pi, pi),
    b-tags one of 0, 1.086, 2.173 (the real file's values), drawn from ``numpy.random.RandomState(seed)``; the
    label is drawn with a probability that is a logistic function of a few masses and pTs, so that a model can
    learn it in part. Every value is a float32 number (written exactly), so any CSV reader gets the same floats.
    """
    rng = np.random.RandomState(seed)
    lognormal = lambda n: rng.lognormal(0.0, 0.45, (rows, n))  # noqa: E731
    lepton = np.stack([lognormal(1)[:, 0], rng.normal(0, 1, rows), rng.uniform(-np.pi, np.pi, rows)], 1)
    missing = np.stack([lognormal(1)[:, 0], rng.uniform(-np.pi, np.pi, rows)], 1)
    jets = [np.stack([lognormal(1)[:, 0], rng.normal(0, 1, rows), rng.uniform(-np.pi, np.pi, rows),
                      rng.choice([0.0, 1.086, 2.173], rows, p=[0.5, 0.25, 0.25])], 1) for _ in range(4)]
    masses = lognormal(7)
    score = 2.0 * (masses[:, 3] - masses[:, 6]) + 1.2 * (masses[:, 5] - 1) - 0.8 * (jets[0][:, 0] - 1) \
        + 0.6 * (jets[1][:, 3] - 1.0) + 0.3 * lepton[:, 1] * missing[:, 0]
    label = (rng.uniform(0, 1, rows) < 1 / (1 + np.exp(-score))).astype(np.float64)
    table = np.column_stack([label, lepton, missing, *jets, masses]).astype(np.float32)
    with gzip.open(path, "wt", encoding="ascii") as f:
        np.savetxt(f, table.astype(np.float64), fmt="%.18e", delimiter=",")
    return str(path)


def aclimdb_stand_in(folder, n_train=400, n_test=200, n_unsup=20, seed=0):
    """Write the folder tree of the ``aclImdb_v1.tar.gz`` archive (not in the shared datasets) under ``folder``:
    ``aclImdb/README``, ``aclImdb/imdb.vocab``, ``aclImdb/train/{neg,pos,unsup}`` and ``aclImdb/test/{neg,pos}``,
    one ``<id>_<rating>.txt`` file a review; return ``folder/aclImdb``.

    The reviews are the first ``n_train``/``n_test`` of ``imdb_reviews_stand_in`` (``unsup`` holds the next
    ``n_unsup`` training reviews with rating 0, as the archive's unlabelled ones), ids counted per folder from 0
    as in the archive, ratings drawn from ``numpy.random.RandomState(seed)`` (7 to 10 positive, 1 to 4
    negative). The stand-in's text is lowercase without punctuation; so that a standardization has something to
    do, each review is written as the archive's are: its first letter capitalized, a ``<br /><br />`` line
    break after every 40th word, and a full stop at the end."""
    rng = np.random.RandomState(seed)
    (train_texts, train_labels), (test_texts, test_labels) = imdb_reviews_stand_in(n_train + n_unsup, n_test)
    root = os.path.join(folder, "aclImdb")

    def review(text):
        words = text.split(" ")
        lines = [" ".join(words[i:i + 40]) for i in range(0, len(words), 40)]
        text = "<br /><br />".join(lines)
        return text[:1].upper() + text[1:] + "."

    def write(split, texts, labels, unsup=False):
        counts: dict = {}
        for text, label in zip(texts, labels):
            sub = "unsup" if unsup else ("pos" if label else "neg")
            rating = 0 if unsup else int(rng.randint(7, 11) if label else rng.randint(1, 5))
            os.makedirs(os.path.join(root, split, sub), exist_ok=True)
            number = counts[sub] = counts.get(sub, -1) + 1
            with open(os.path.join(root, split, sub, f"{number}_{rating}.txt"), "w", encoding="utf-8") as f:
                f.write(review(str(text)))

    write("train", train_texts[:n_train], train_labels[:n_train])
    write("train", train_texts[n_train:], train_labels[n_train:], unsup=True)
    write("test", test_texts, test_labels)
    vocabulary = sorted({w for t in np.concatenate([train_texts, test_texts]) for w in str(t).split(" ")})
    with open(os.path.join(root, "imdb.vocab"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocabulary) + "\n")
    with open(os.path.join(root, "README"), "w", encoding="utf-8") as f:
        f.write("A stand-in for the Large Movie Review Dataset v1.0, written by guide_support.aclimdb_stand_in.\n")
    return root
def ecg_stand_in(path, seed=0):
    """Write a stand-in for ``ecg.csv`` (ECG5000 as the TensorFlow autoencoder tutorial downloads it; not in the
    shared datasets) to ``path``; return it.

    The file's shape and format: 4998 rows without a header, each 140 readings and then the label (``1.0`` for
    a normal beat, ``0.0`` for an anomalous one, about 58 % normal as in the real file). Made-up beats, not the
    real data: a normal beat is a dip, a sharp peak and a slow wave at seeded small shifts and scales plus
    seeded noise; an anomalous beat has its peak late and low and a wider, deeper trough."""
    rng = np.random.RandomState(seed)
    n, steps = 4998, 140
    labels = (rng.uniform(size=n) < 0.584).astype(np.float64)
    t = np.linspace(0.0, 1.0, steps)[None, :]
    shift = rng.normal(0.0, 0.02, (n, 1))
    scale = rng.normal(1.0, 0.1, (n, 1))

    def bump(centre, width, height):
        return height * np.exp(-(((t - centre - shift) / width) ** 2))
    normal = bump(0.12, 0.04, -2.5) + bump(0.2, 0.03, 3.0) + bump(0.55, 0.12, 1.2) - 0.3
    anomalous = bump(0.12, 0.08, -3.5) + bump(0.35, 0.05, 1.5) + bump(0.7, 0.15, 0.6) - 0.6
    beats = np.where(labels[:, None] == 1.0, normal, anomalous) * scale + rng.normal(0.0, 0.15, (n, steps))
    np.savetxt(path, np.concatenate([beats, labels[:, None]], axis=1), fmt="%.8f", delimiter=",")
    return path


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist(n_train=None, n_test=None, name="mnist"):
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays (the first ``n_train``/``n_test`` samples);
    ``name="fashion_mnist"`` reads Fashion-MNIST's IDX files instead."""
    folder = os.path.join(os.environ["CHAINRULE_DATA"], name)
    x_train = _idx(os.path.join(folder, "train-images-idx3-ubyte.gz"))[:n_train]
    y_train = _idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"))[:n_train]
    x_test = _idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"))[:n_test]
    y_test = _idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"))[:n_test]
    return (x_train, y_train), (x_test, y_test)


def cifar10_stand_in(n_train=None, n_test=None):
    """What ``keras.datasets.cifar10.load_data()`` returns in shape and dtype (uint8 images ``(n, 32, 32, 3)``,
    uint8 labels ``(n, 1)`` in 0..9), made from Fashion-MNIST: CIFAR-10 is not in the shared datasets. Each
    28x28 image is padded with 2 black pixels on every side and repeated over the 3 colour channels."""
    (x_train, y_train), (x_test, y_test) = load_mnist(n_train, n_test, name="fashion_mnist")

    def rgb(x):
        return np.repeat(np.pad(x, ((0, 0), (2, 2), (2, 2)))[..., None], 3, axis=-1)
    return (rgb(x_train), y_train[:, None]), (rgb(x_test), y_test[:, None])


def seeded_weights(model, seed=0, keep_zeros=False):
    """Assign every trainable weight of a built model from ``numpy.random.RandomState(seed)``, drawn in
    ``model.weights`` order (the others, such as an adapted Normalization's statistics or a lookup layer's
    vocabulary, keep their values). ``keep_zeros``: a kernel that is all zeros (``kernel_initializer='zeros'``)
    keeps its zeros."""
    rng = np.random.RandomState(seed)
    trainable = {id(w) for w in model.trainable_weights}
    for w in model.weights:
        if id(w) not in trainable:
            continue
        if keep_zeros and not np.any(np.asarray(w.numpy())):
            continue
        shape = tuple(int(d) for d in w.shape)
        name = w.name.split("/")[-1]
        if any(k in name for k in ("bias", "beta", "moving_mean")):
            value = np.zeros(shape, "float32")
        elif any(k in name for k in ("gamma", "moving_variance")):
            value = np.ones(shape, "float32")
        else:
            receptive_field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1  # a convolution's kernel window
            fan_in = shape[-2] * receptive_field if len(shape) > 1 else 1
            fan_out = shape[-1] * receptive_field if shape else 1
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            value = rng.uniform(-limit, limit, shape).astype("float32")
        w.assign(value)


def moving_mnist_stand_in(path, sequences=10, frames=6, size=12, seed=0):
    """Write a stand-in for ``mnist_test_seq.npy`` (Moving MNIST, 20 frames x 10,000 sequences of 64x64 uint8,
    not in the shared datasets) to ``path``; return the path as a ``str``, as ``get_file`` does.

    The file's layout, ``(frames, sequences, size, size)`` uint8, smaller: each sequence is one MNIST training
    digit, shrunk to ``size // 2`` pixels square (every other pixel) and moved across a black ``size x size``
    frame one pixel a frame in a seeded direction, bouncing off the edges as the real data's two digits do."""
    (digits, _), _ = load_mnist(sequences, 0)
    rng = np.random.RandomState(seed)
    half = size // 2
    out = np.zeros((frames, sequences, size, size), np.uint8)
    for s in range(sequences):
        digit = digits[s][::2, ::2][:half, :half]
        y, x = rng.randint(0, size - half + 1, 2)
        dy, dx = rng.choice([-1, 1], 2)
        for f in range(frames):
            out[f, s, y:y + half, x:x + half] = np.maximum(out[f, s, y:y + half, x:x + half], digit)
            if not 0 <= y + dy <= size - half:
                dy = -dy
            if not 0 <= x + dx <= size - half:
                dx = -dx
            y, x = y + dy, x + dx
    np.save(path, out)
    return str(path)
def forda_stand_in(path, rows, length=500, seed=0):
    """Write a stand-in for ``FordA_TRAIN.tsv``/``FordA_TEST.tsv`` (the UCR archive's FordA engine-noise files,
    not in the shared datasets) to ``path``; return it.

    The files' layout: tab-separated, no header, one series a row: the label (``-1`` or ``1``, about half each)
    and then ``length`` readings (500 in the real files), each row z-normalized (mean 0, standard deviation 1).
    Made-up signals, not the real data: seeded noise plus a sine at a seeded frequency and phase; class ``1``
    also carries a weaker second harmonic, the "issue" the classifier has to find."""
    rng = np.random.RandomState(seed)
    labels = np.where(rng.uniform(size=rows) < 0.5, -1, 1)
    t = np.arange(length)[None, :]
    freq = rng.uniform(0.02, 0.05, (rows, 1))
    phase = rng.uniform(0, 2 * np.pi, (rows, 1))
    series = np.sin(2 * np.pi * freq * t + phase) + rng.normal(0.0, 0.8, (rows, length))
    series += np.where(labels[:, None] == 1, 0.6, 0.0) * np.sin(4 * np.pi * freq * t + 2 * phase)
    series = (series - series.mean(axis=1, keepdims=True)) / series.std(axis=1, keepdims=True)
    with open(path, "w", encoding="ascii") as f:
        for label, row in zip(labels, series):
            f.write(f"{label}\t" + "\t".join(f"{v:.8f}" for v in row) + "\n")
    return path


def creditcard_stand_in(path, rows=10000, fraud=0.005, seed=0):
    """Write a stand-in for Kaggle's ``creditcard.csv`` (credit card fraud detection; not in the shared
    datasets) to ``path``; return it.

    The file's layout: a header of quoted names ``"Time","V1"`` ... ``"V28","Amount","Class"``, then one
    transaction a row: ``Time`` (seconds, increasing), the 28 PCA components ``V1``..``V28``, ``Amount`` (two
    decimals) and the quoted label ``"0"`` or ``"1"`` (fraud; a fraction ``fraud`` of the rows, 0.17 % in the
    real file). Made-up numbers, not the real data: seeded normal components whose spread shrinks with the
    component's index, log-normal amounts; a fraudulent row has some components shifted (V3, V4, V10, V12,
    V14, V17 as in the real data) and a seeded amount."""
    rng = np.random.RandomState(seed)
    labels = (rng.uniform(size=rows) < fraud).astype(int)
    time = np.cumsum(rng.exponential(0.6, rows)).astype(int)
    components = rng.normal(0.0, 1.0, (rows, 28)) * np.linspace(1.9, 0.3, 28)
    shift = np.zeros(28)
    shift[[2, 3, 9, 11, 13, 16]] = [-3.0, 2.5, -2.5, -3.0, -3.5, -2.5]
    components += labels[:, None] * (shift + rng.normal(0.0, 1.0, (rows, 28)))
    amount = np.round(rng.lognormal(3.0, 1.5, rows), 2)
    with open(path, "w", encoding="ascii") as f:
        f.write(",".join(f'"{name}"' for name in ["Time"] + [f"V{i}" for i in range(1, 29)] + ["Amount", "Class"]))
        f.write("\n")
        for i in range(rows):
            values = ",".join(repr(float(v)) for v in components[i])
            f.write(f'{time[i]},{values},{amount[i]:.2f},"{labels[i]}"\n')
    return path


def fra_eng_stand_in(path):
    """Write a stand-in for ``fra.txt`` of ``fra-eng.zip`` (manythings.org's English-French sentence pairs; not
    in the shared datasets) to ``path``; return it.

    The file's layout: one pair a line, ``English<TAB>French<TAB>attribution``, shortest sentences first, a
    newline after the last line. Made-up pairs, not the real file: every subject (I, You, He, She, We, They)
    with each of ten verbs in the present tense, alone or with one of three adverbs, 240 lines, with the
    French conjugated by hand; the attribution column is a fixed text (the example discards it)."""
    subjects = [("I", "Je"), ("You", "Tu"), ("He", "Il"), ("She", "Elle"), ("We", "Nous"), ("They", "Ils")]
    verbs = [  # English, then French for je, tu, il/elle, nous, ils
        ("run", "cours cours court courons courent"), ("eat", "mange manges mange mangeons mangent"),
        ("sleep", "dors dors dort dormons dorment"), ("swim", "nage nages nage nageons nagent"),
        ("walk", "marche marches marche marchons marchent"), ("sing", "chante chantes chante chantons chantent"),
        ("read", "lis lis lit lisons lisent"), ("write", "écris écris écrit écrivons écrivent"),
        ("dance", "danse danses danse dansons dansent"), ("work", "travaille travailles travaille travaillons "
                                                                  "travaillent")]
    person = {"I": 0, "You": 1, "He": 2, "She": 2, "We": 3, "They": 4}
    adverbs = [("", ""), (" now", " maintenant"), (" today", " aujourd'hui"), (" here", " ici")]
    pairs = []
    for english_adverb, french_adverb in adverbs:
        for verb, forms in verbs:
            for subject, pronoun in subjects:
                form = forms.split()[person[subject]]
                english = subject + " " + (verb + "s" if subject in ("He", "She") else verb)
                french = ("J'" if pronoun == "Je" and form[0] in "aeiouyé" else pronoun + " ") + form
                pairs.append((english + english_adverb + ".", french + french_adverb + "."))
    pairs.sort(key=lambda pair: len(pair[0]))  # stable: the real file runs from short to long sentences
    with open(path, "w", encoding="utf-8") as f:
        for english, french in pairs:
            f.write(f"{english}\t{french}\tCC-BY 2.0 (France) Attribution: a made-up pair\n")
def shakespeare_stand_in(path, speeches=200, seed=0):
    """Write a stand-in for ``shakespeare.txt`` (Karpathy's tiny-shakespeare, downloaded by the text generation
    and word2vec tutorials; not in the shared datasets) to ``path``; return it.

    The file's layout: speeches of a speaker's name and a colon on one line, then one to three lines of verse,
    then a blank line, starting with ``First Citizen:``. The verse is made of words drawn by
    ``numpy.random.RandomState(seed)`` from a fixed list of common Elizabethan English words (a few common
    ones drawn more often, so word frequencies fall off roughly as in real text), each line capitalized and
    ended with a punctuation mark. ASCII only; 200 speeches are about 13 KB."""
    speakers = ["First Citizen", "Second Citizen", "MENENIUS", "MARCIUS", "ROMEO", "JULIET", "KING RICHARD II",
                "QUEEN", "GLOUCESTER", "All"]
    common = "the and to of i you my a that in is not it me be thy thou with".split()
    rare = ("what have will his your our this but for so all do no shall him love lord good sir come now more "
            "make let heart death king night day speak hear well o here there then must may say know man "
            "blood crown father gentle sweet noble hand eyes friends rome honour fair grace tongue time "
            "heaven word peace war world fear life soul stay go hence farewell nay ay yet").split()
    rng = np.random.RandomState(seed)
    out = ["First Citizen:", "Before we proceed any further, hear me speak.", ""]
    for _ in range(speeches):
        out.append(speakers[rng.randint(len(speakers))] + ":")
        for _ in range(1 + rng.randint(3)):
            n = 3 + rng.randint(7)
            words = [common[rng.randint(len(common))] if rng.rand() < 0.45 else rare[rng.randint(len(rare))]
                     for _ in range(n)]
            line = " ".join("I" if w == "i" else w for w in words)
            out.append(line[0].upper() + line[1:] + ".,;!?:"[rng.randint(6)])
        out.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return path
FLOWER_CLASSES = ["daisy", "dandelion", "roses", "sunflowers", "tulips"]  # the archive's folders, sorted
_FLOWER_COLOURS = {"daisy": (235, 235, 225), "dandelion": (240, 200, 40), "roses": (200, 30, 50),
                   "sunflowers": (250, 170, 20), "tulips": (220, 80, 150)}
_FLOWER_SIZES = [(240, 320), (320, 240), (213, 320), (256, 340), (300, 400)]


def flower_image(rng, name, size=None):
    """A made-up ``(height, width, 3)`` uint8 photo of the flower class ``name`` drawn from ``rng`` (a
    ``numpy.random.RandomState``): a green-brown background gradient with two to four soft blobs of the class's
    colour at random places and sizes, plus pixel noise. ``size`` defaults to one of a few photo sizes."""
    height, width = size or _FLOWER_SIZES[rng.randint(len(_FLOWER_SIZES))]
    y, x = np.mgrid[0:height, 0:width] / np.float64(max(height, width))
    ground = np.array([60, 110, 40]) + rng.uniform(-20, 20, 3)
    image = ground * (0.7 + 0.5 * y[..., None]) + 15 * np.sin(6 * x + rng.uniform(0, 6))[..., None]
    colour = np.array(_FLOWER_COLOURS[name], dtype=np.float64)
    for _ in range(rng.randint(2, 5)):
        cy, cx = rng.uniform(0.1, 0.9) * height / max(height, width), rng.uniform(0.1, 0.9) * width / max(height, width)
        radius = rng.uniform(0.08, 0.25)
        weight = np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * radius ** 2))[..., None]
        image = image * (1 - weight) + (colour + rng.uniform(-25, 25, 3)) * weight
    image += rng.normal(0, 6, image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def flower_photos_stand_in(folder, per_class=30, seed=0):
    """Write the folder tree of the ``flower_photos.tgz`` archive (3670 photos, not in the shared datasets) under
    ``folder``: ``flower_photos/LICENSE.txt`` and ``flower_photos/<class>/<n>.jpg`` for the five classes
    (``FLOWER_CLASSES``), ``per_class`` JPEG files each (Pillow, quality 90) of ``flower_image`` drawn from
    ``numpy.random.RandomState(seed)``; return ``folder/flower_photos`` as a ``str`` (what the tutorial's
    ``get_file(..., extract=True)`` path leads to)."""
    from PIL import Image
    rng = np.random.RandomState(seed)
    root = os.path.join(folder, "flower_photos")
    for name in FLOWER_CLASSES:
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for i in range(per_class):
            path = os.path.join(root, name, f"{1000 + 37 * i}_{name}.jpg")
            Image.fromarray(flower_image(rng, name)).save(path, quality=90)
    with open(os.path.join(root, "LICENSE.txt"), "w", encoding="utf-8") as f:
        f.write("A stand-in for the flower_photos archive, written by guide_support.flower_photos_stand_in.\n")
    return root


def red_sunflower_stand_in(path, seed=1):
    """Write a stand-in for the tutorial's ``592px-Red_sunflower.jpg`` (a 592x592 JPEG of the ``sunflowers``
    class, ``flower_image`` drawn from ``numpy.random.RandomState(seed)``) to ``path``; return it as a ``str``."""
    from PIL import Image
    Image.fromarray(flower_image(np.random.RandomState(seed), "sunflowers", (592, 592))).save(path, "JPEG", quality=90)
    return str(path)


class _TfdsFeature:
    def __init__(self, names):
        self.names, self.num_classes = list(names), len(names)

    def int2str(self, index):
        return self.names[int(index)]


class _TfdsInfo:
    def __init__(self, names, count):
        self.features = {"label": _TfdsFeature(names)}
        self.splits = {"train": count}


class tfds_stand_in:  # noqa: N801 - used as the module tensorflow_datasets is imported as
    """``tfds_stand_in(tf)``: ``tfds.load('tf_flowers', split=..., with_info=True, as_supervised=True)`` for the
    programs that load TensorFlow Datasets' ``tf_flowers`` (3670 photos; neither the package nor the data is
    installed). ``load`` returns ``tf.data`` datasets of ``(image, label)``: uint8 ``(height, width, 3)`` images of
    ``flower_image`` (a few sizes, drawn from ``numpy.random.RandomState(seed)``) and int64 labels in tf_flowers'
    class order (dandelion, daisy, tulips, sunflowers, roses), ``examples`` of them in the ``train`` split;
    ``split`` may be a list of slices such as ``'train[:80%]'`` (boundaries rounded as tfds does)."""

    NAMES = ["dandelion", "daisy", "tulips", "sunflowers", "roses"]

    def __init__(self, tf, examples=120, seed=0):
        rng = np.random.RandomState(seed)
        labels = rng.randint(len(self.NAMES), size=examples)
        self.tf, self.examples = tf, [(flower_image(rng, self.NAMES[k]), np.int64(k)) for k in labels]

    def _slice(self, spec):
        import re
        m = re.fullmatch(r"train(?:\[(-?\d*)%?:(-?\d*)%?\])?", spec)
        if not m:
            raise ValueError(f"tfds_stand_in: unsupported split {spec!r}")
        n = len(self.examples)
        start, stop = (int(round(n * int(v) / 100)) if v else None for v in m.groups())
        return self.examples[start:stop]

    def _dataset(self, examples, as_supervised):
        tf = self.tf
        signature = (tf.TensorSpec((None, None, 3), tf.uint8), tf.TensorSpec((), tf.int64))
        ds = tf.data.Dataset.from_generator(lambda: iter(examples), output_signature=signature)
        return ds if as_supervised else ds.map(lambda image, label: {"image": image, "label": label})

    def load(self, name, split="train", with_info=False, as_supervised=False, **kwargs):
        if name != "tf_flowers":
            raise ValueError(f"tfds_stand_in has only tf_flowers, not {name!r}")
        splits = [split] if isinstance(split, str) else list(split)
        datasets = [self._dataset(self._slice(s), as_supervised) for s in splits]
        result = datasets[0] if isinstance(split, str) else datasets
        return (result, _TfdsInfo(self.NAMES, len(self.examples))) if with_info else result


def nab_daily_stand_in(path, days, jump_day=None, seed=0):
    """Write a stand-in for the Numenta Anomaly Benchmark's ``art_daily_small_noise.csv`` (``jump_day=None``)
    or ``art_daily_jumpsup.csv`` (not in the shared datasets) to ``path``; return it.

    The files' layout: a header ``timestamp,value``, then one reading every 5 minutes from
    ``2014-04-01 00:00:00`` (288 a day; the real files have 14 days, 4032 rows), the value with 6 decimals.
    Made-up readings, not the real data: about 20 at night and 80 by day (smooth steps around 08:00 and 18:00)
    plus seeded uniform noise of +-2; with ``jump_day`` (0-based), the readings of that day from 09:00 to 13:00
    rise by 80, the anomaly the example has to find."""
    rng = np.random.RandomState(seed)
    minutes = np.arange(days * 288) * 5
    hour = (minutes % (24 * 60)) / 60.0
    values = 20.0 + 60.0 / (1.0 + np.exp(-4.0 * (hour - 8.0))) / (1.0 + np.exp(4.0 * (hour - 18.0)))
    values += rng.uniform(-2.0, 2.0, len(minutes))
    if jump_day is not None:
        values[jump_day * 288 + 108:jump_day * 288 + 156] += 80.0
    start = np.datetime64("2014-04-01T00:00:00")
    with open(path, "w", encoding="ascii") as f:
        f.write("timestamp,value\n")
        for m, v in zip(minutes, values):
            f.write(f"{str(start + np.timedelta64(int(m), 'm')).replace('T', ' ')},{v:.6f}\n")
    return path


def iris_csv_stand_in(train_path, test_path, seed=0):
    """Write stand-ins for ``iris_training.csv`` and ``iris_test.csv`` (TensorFlow's download of the Iris data,
    120 and 30 rows) to ``train_path`` and ``test_path``; return both paths.

    The files' layout: a first line ``<rows>,4,setosa,versicolor,virginica``, then one flower a row, its four
    measurements (cm) and its class index (0 setosa, 1 versicolor, 2 virginica). The rows are the real Iris
    flowers of ``$CHAINRULE_DATA/iris/iris.data`` (UCI's file), in an order drawn by
    ``numpy.random.RandomState(seed)``: the first 120 for training, the other 30 for the test (TensorFlow's
    files split the same 150 flowers in an order of their own)."""
    classes = {"Iris-setosa": 0, "Iris-versicolor": 1, "Iris-virginica": 2}
    with open(os.path.join(os.environ["CHAINRULE_DATA"], "iris", "iris.data"), encoding="ascii") as f:
        rows = [line.strip().split(",") for line in f if line.strip()]
    order = np.random.RandomState(seed).permutation(len(rows))
    for path, part in ((train_path, order[:120]), (test_path, order[120:])):
        with open(path, "w", encoding="ascii") as f:
            f.write(f"{len(part)},4,setosa,versicolor,virginica\n")
            for i in part:
                f.write(",".join(rows[i][:4]) + f",{classes[rows[i][4]]}\n")
    return train_path, test_path
_PET_COLOURS = {"cat": (200, 120, 60), "dog": (90, 70, 50)}


def pet_image(rng, kind, size):
    """A made-up ``(height, width, 3)`` uint8 photo of a ``kind`` ("cat" or "dog") pet drawn from ``rng`` (a
    ``numpy.random.RandomState``), and its Oxford-pets trimap, ``(height, width)`` uint8: 1 on the pet (an ellipse
    at a random place and size, in the kind's colour, with a darker "head" ellipse for dogs), 3 on a 2-pixel border
    around it, 2 on the background (a grey-blue gradient), plus pixel noise on the photo."""
    height, width = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    cy, cx = rng.uniform(0.35, 0.65) * height, rng.uniform(0.35, 0.65) * width
    ry, rx = rng.uniform(0.2, 0.35) * height, rng.uniform(0.2, 0.35) * width
    r = np.sqrt(((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2)
    background = np.array([120, 130, 160]) + rng.uniform(-30, 30, 3)
    image = background * (0.8 + 0.4 * (y / height)[..., None])
    pet = r <= 1.0
    image[pet] = np.array(_PET_COLOURS[kind]) + rng.uniform(-20, 20, 3)
    if kind == "dog":
        head = np.sqrt(((y - cy + 0.6 * ry) / (0.4 * ry)) ** 2 + ((x - cx) / (0.4 * rx)) ** 2) <= 1.0
        image[head & pet] *= 0.6
    image += rng.normal(0, 8, image.shape)
    trimap = np.full((height, width), 2, np.uint8)
    trimap[r <= 1.0 + 2.0 / min(ry, rx)] = 3
    trimap[r <= 1.0 - 2.0 / min(ry, rx)] = 1
    return np.clip(np.round(image), 0, 255).astype(np.uint8), trimap


OXFORD_BREEDS = [("Abyssinian", "cat"), ("Bengal", "cat"), ("beagle", "dog"), ("pug", "dog")]


def oxford_pets_stand_in(folder, per_breed=4, seed=0):
    """Write the folders the Oxford-IIIT pets archives unpack to (``images.tar.gz``, ``annotations.tar.gz``; 7390
    photos, not in the shared datasets) under ``folder``: ``images/<Breed>_<n>.jpg`` (JPEG, quality 90) and
    ``annotations/trimaps/<Breed>_<n>.png`` (mode "L" PNG of 1 = pet, 2 = background, 3 = border) from
    ``pet_image`` drawn from ``numpy.random.RandomState(seed)``, ``per_breed`` of each of ``OXFORD_BREEDS``, in
    sizes between 40 and 64 pixels. As in the archives, ``images`` also holds a ``.mat`` file and ``trimaps`` a
    macOS ``._`` file, which the example's listing filters out. Return ``folder``."""
    from PIL import Image
    rng = np.random.RandomState(seed)
    images, trimaps = os.path.join(folder, "images"), os.path.join(folder, "annotations", "trimaps")
    os.makedirs(images, exist_ok=True)
    os.makedirs(trimaps, exist_ok=True)
    for breed, kind in OXFORD_BREEDS:
        for n in range(1, per_breed + 1):
            photo, trimap = pet_image(rng, kind, (int(rng.randint(40, 65)), int(rng.randint(40, 65))))
            Image.fromarray(photo).save(os.path.join(images, f"{breed}_{n}.jpg"), quality=90)
            Image.fromarray(trimap, "L").save(os.path.join(trimaps, f"{breed}_{n}.png"))
    with open(os.path.join(images, "Abyssinian_100.mat"), "wb") as f:
        f.write(b"MATLAB 5.0 MAT-file stand-in\n")
    with open(os.path.join(trimaps, "._Abyssinian_1.png"), "wb") as f:
        f.write(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    return folder


def pet_images_stand_in(folder, per_class=24, seed=0):
    """Write the ``PetImages`` folder of the Kaggle cats-vs-dogs archive (``kagglecatsanddogs_5340.zip``, 25000
    photos, not in the shared datasets) under ``folder``: ``PetImages/Cat/<n>.jpg`` and ``PetImages/Dog/<n>.jpg``,
    ``per_class`` JPEG files each (Pillow, quality 90, 50 to 80 pixels a side) of ``pet_image`` drawn from
    ``numpy.random.RandomState(seed)``, ``Cat/6779.jpg`` among them (the example predicts on it). Like the
    archive, it also holds files without the "JFIF" marker the example filters on: an empty ``Cat/666.jpg``,
    a PNG named ``Cat/10125.jpg`` and a truncated ``Dog/11702.jpg`` of a few bytes. Return ``folder/PetImages``."""
    from PIL import Image
    rng = np.random.RandomState(seed)
    root = os.path.join(folder, "PetImages")
    for name, kind in (("Cat", "cat"), ("Dog", "dog")):
        os.makedirs(os.path.join(root, name), exist_ok=True)
        numbers = sorted(rng.choice(12500, per_class, replace=False))
        if name == "Cat":
            numbers[0] = 6779
        for n in numbers:
            photo, _ = pet_image(rng, kind, (int(rng.randint(50, 81)), int(rng.randint(50, 81))))
            Image.fromarray(photo).save(os.path.join(root, name, f"{n}.jpg"), quality=90)
    open(os.path.join(root, "Cat", "666.jpg"), "wb").close()
    photo, _ = pet_image(rng, "cat", (60, 60))
    Image.fromarray(photo).save(os.path.join(root, "Cat", "10125.jpg"), "PNG")
    with open(os.path.join(root, "Dog", "11702.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xdb\x00C")
    return root
def abalone_stand_in(path, rows=1000, seed=0):
    """Write a stand-in for ``abalone_train.csv`` of the TensorFlow CSV tutorial (the UCI abalone measurements;
    not in the shared datasets) to ``path``; return it.

    The file's layout: no header, one abalone a row, the 8 columns ``Length``, ``Diameter``, ``Height``,
    ``Whole weight``, ``Shucked weight``, ``Viscera weight``, ``Shell weight`` (millimetres/grams over 200, 4
    decimals at most, as in the real file) and the integer ``Age`` (rings). Made-up numbers, not the real data:
    a seeded size drives the lengths and weights (weights grow with its cube), the age grows with it, plus
    seeded noise."""
    rng = np.random.RandomState(seed)
    size = rng.uniform(0.1, 1.0, rows)
    length = np.round(0.075 + 0.7 * size + rng.normal(0, 0.02, rows), 3).clip(0.075, 0.815)
    diameter = np.round(0.8 * length + rng.normal(0, 0.015, rows), 3).clip(0.055, 0.65)
    height = np.round(0.27 * length + rng.normal(0, 0.01, rows), 3).clip(0.0, 0.5)
    whole = np.round(2.2 * size ** 3 + 0.02 + np.abs(rng.normal(0, 0.05, rows)), 4)
    shucked = np.round(whole * rng.uniform(0.35, 0.5, rows), 4)
    viscera = np.round(whole * rng.uniform(0.18, 0.25, rows), 4)
    shell = np.round(whole * rng.uniform(0.25, 0.35, rows), 4)
    age = np.round(4 + 12 * size + rng.normal(0, 2.0, rows)).clip(1, 27).astype(int)
    with open(path, "w", encoding="ascii") as f:
        for row in zip(length, diameter, height, whole, shucked, viscera, shell, age):
            f.write(",".join(f"{float(v):g}" for v in row[:-1]) + f",{row[-1]}\n")
    return path


def titanic_stand_in(path, rows=627, seed=0):
    """Write a stand-in for the Titanic ``train.csv`` of TensorFlow's tutorials (``tf-datasets/titanic``; not in
    the shared datasets) to ``path``; return it.

    The file's layout: the header ``survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone``,
    then one passenger a row: ``survived`` 0/1, ``sex`` male/female, ``age`` (one decimal, as ``22.0``),
    the integer counts ``n_siblings_spouses`` and ``parch``, ``fare`` (4 decimals at most), ``class``
    First/Second/Third, ``deck`` unknown or A-G, ``embark_town`` Southampton/Cherbourg/Queenstown/unknown and
    ``alone`` y/n. Made-up passengers, not the real list: seeded draws in the real file's proportions, with the
    survival chance higher for women and first class."""
    rng = np.random.RandomState(seed)
    lines = ["survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone"]
    decks = ["unknown"] * 12 + list("ABCDEFG")
    for _ in range(rows):
        sex = "female" if rng.uniform() < 0.35 else "male"
        cls = rng.choice(["First", "Second", "Third"], p=[0.24, 0.2, 0.56])
        age = round(float(np.clip(rng.normal(29, 13), 0.75, 80)) * 2) / 2
        sibsp = int(rng.choice([0, 1, 2, 3, 4], p=[0.68, 0.23, 0.04, 0.03, 0.02]))
        parch = int(rng.choice([0, 1, 2, 3], p=[0.76, 0.13, 0.09, 0.02]))
        fare = round(float(rng.lognormal({"First": 4.2, "Second": 3.0, "Third": 2.3}[cls], 0.5)), 4)
        deck = decks[rng.randint(len(decks))] if cls == "First" else "unknown"
        town = rng.choice(["Southampton", "Cherbourg", "Queenstown", "unknown"], p=[0.72, 0.19, 0.085, 0.005])
        chance = 0.2 + 0.5 * (sex == "female") + 0.2 * (cls == "First")
        survived = int(rng.uniform() < chance)
        alone = "y" if sibsp + parch == 0 else "n"
        lines.append(f"{survived},{sex},{age:.1f},{sibsp},{parch},{fare:g},{cls},{deck},{town},{alone}")
    with open(path, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    return path


def heart_stand_in(path, rows=303, seed=0):
    """Write a stand-in for ``heart.csv`` (the Cleveland Clinic heart disease data of keras.io's structured data
    examples; not in the shared datasets) to ``path``; return it.

    The file's layout: the header ``age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,
    target``, then one patient a row: integers but for ``oldpeak`` (one decimal) and ``thal`` (``fixed``,
    ``normal`` or ``reversible``). Made-up patients, not the real data: seeded draws in the real columns' ranges
    (``cp`` 0-4, ``restecg`` 0-2, ``slope`` 1-3, ``ca`` 0-3), the target more likely with age, chest pain type,
    ``exang`` and a reversible defect."""
    rng = np.random.RandomState(seed)
    lines = ["age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,target"]
    for _ in range(rows):
        age = int(np.clip(rng.normal(54, 9), 29, 77))
        sex = int(rng.uniform() < 0.68)
        cp = int(rng.choice(5, p=[0.05, 0.15, 0.25, 0.1, 0.45]))
        trestbps = int(np.clip(rng.normal(131, 17), 94, 200))
        chol = int(np.clip(rng.normal(246, 50), 126, 564))
        fbs = int(rng.uniform() < 0.15)
        restecg = int(rng.choice(3, p=[0.5, 0.02, 0.48]))
        thalach = int(np.clip(rng.normal(150 - (age - 54) * 0.9, 20), 71, 202))
        exang = int(rng.uniform() < 0.33)
        oldpeak = round(float(np.clip(rng.exponential(1.0), 0, 6.2)), 1)
        slope = int(rng.choice([1, 2, 3], p=[0.47, 0.46, 0.07]))
        ca = int(rng.choice(4, p=[0.58, 0.22, 0.13, 0.07]))
        thal = str(rng.choice(["normal", "fixed", "reversible"], p=[0.55, 0.07, 0.38]))
        score = 0.05 * (age - 54) + 0.6 * (cp == 4) + 1.0 * exang + 1.0 * (thal == "reversible") + 0.4 * ca - 1.0
        target = int(rng.uniform() < 1 / (1 + np.exp(-score)))
        lines.append(f"{age},{sex},{cp},{trestbps},{chol},{fbs},{restecg},{thalach},{exang},{oldpeak},{slope},{ca},"
                     f"{thal},{target}")
    with open(path, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    return path
