"""An LSTM language model by hand, as in "Deep Learning from Scratch 2" (chapter 6), on chainrule's ops.

1. The model: ``TimeEmbedding -> TimeLSTM -> TimeAffine -> TimeSoftmaxWithLoss`` (chainrule.ops),
   each with ``forward``/``backward``; the LSTM is one ``LSTMSequence`` op whose backward walks
   the time steps backwards (BPTT).
2. BPTT checked against central differences on a tiny model (every parameter, float64).
3. Training with truncated BPTT as the book does: the corpus is cut into ``batch`` parallel
   streams read ``time_size`` words at a time, the LSTM is stateful across windows, SGD with
   gradient clipping. Perplexity on held-out text before and after training.
4. A few words sampled from the trained model.

    python examples/lstm_language_model.py [--quick] [--out DIR]

Text: IMDB reviews (``imdb.load_data(num_words=5000)``, decoded with ``imdb_word_index.json`` from
``$CHAINRULE_DATA/imdb``); without ``$CHAINRULE_DATA``, a short built-in text. Full mode: one epoch
over 3,000 reviews, 300 held out. ``--quick``: 150 training reviews, 25 held out, 30 iterations.
Writes ``lstm_lm_perplexity.png``.
"""
import json
import os

import numpy as np

from _common import Timer, banner, data_dir, parse_args, plt, savefig

from chainrule.ops import TimeAffine, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss
from chainrule.testing import numerical_gradient

BUILT_IN_TEXT = (
    "the cat sat on the mat . the dog sat on the log . the cat saw the dog . the dog saw the cat . "
    "a bird sat on the dog . the bird saw a cat on the mat . a dog and a cat sat on a log . "
)


class LSTMLanguageModel:
    """The book's ``Rnnlm``: embedding, one stateful LSTM, a per-step affine layer, softmax loss."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, rng, dtype=np.float32):
        v, d, h = vocab_size, wordvec_size, hidden_size
        def normal(*shape):
            return rng.standard_normal(shape).astype(dtype)
        self.layers = [
            TimeEmbedding(normal(v, d) / 100),
            TimeLSTM(normal(d, 4 * h) / np.sqrt(d), normal(h, 4 * h) / np.sqrt(h), np.zeros(4 * h, dtype),
                     stateful=True),
            TimeAffine(normal(h, v) / np.sqrt(h), np.zeros(v, dtype)),
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.lstm = self.layers[1]
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def predict(self, xs):
        for layer in self.layers:
            xs = layer.forward(xs)
        return xs

    def forward(self, xs, ts):
        return self.loss_layer.forward(self.predict(xs), ts)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)

    def reset_state(self):
        self.lstm.reset_state()


def check_bptt():
    banner("1-2. BPTT of the by-hand LSTM language model vs numerical gradients (float64)")
    rng = np.random.default_rng(0)
    model = LSTMLanguageModel(vocab_size=7, wordvec_size=3, hidden_size=4, rng=rng, dtype=np.float64)
    model.layers[0].params[0][...] = rng.standard_normal((7, 3))  # larger embeddings: visible gradients
    model.lstm.stateful = False
    xs, ts = rng.integers(0, 7, size=(2, 5)), rng.integers(0, 7, size=(2, 5))
    model.forward(xs, ts)
    model.backward()
    names = ["embedding W", "lstm Wx", "lstm Wh", "lstm b", "affine W", "affine b"]
    worst = 0.0
    for name, p, g in zip(names, model.params, model.grads):
        numeric = numerical_gradient(lambda _: model.forward(xs, ts), p, eps=1e-6)
        err = float(np.max(np.abs(g - numeric)) / max(np.max(np.abs(numeric)), 1e-12))
        worst = max(worst, err)
        print(f"  {name:<12} {str(p.shape):<9} max relative difference {err:.2e}")
    print(f"BPTT check: worst relative difference {worst:.2e} -> {'OK' if worst < 1e-6 else 'FAILED'}")


def load_corpus(quick):
    """(train ids, held-out ids, id -> word) from IMDB, or from the built-in text without $CHAINRULE_DATA."""
    folder = data_dir()
    if folder is None:
        print("CHAINRULE_DATA is not set: training on the built-in text")
        words = BUILT_IN_TEXT.split()
        vocab = sorted(set(words))
        ids = np.array([vocab.index(w) for w in words] * 300)
        return ids[:len(ids) * 4 // 5], ids[len(ids) * 4 // 5:], vocab
    from chainrule.keras.datasets import imdb
    num_words = 5000
    (train, _), (test, _) = imdb.load_data(num_words=num_words)
    n_train, n_test = (150, 25) if quick else (3000, 300)
    train_ids = np.concatenate([np.asarray(r[1:]) for r in train[:n_train]])   # drop the start marker
    test_ids = np.concatenate([np.asarray(r[1:]) for r in test[:n_test]])
    words = ["<pad>", "<start>", "<unk>", "<unused>"] + [""] * (num_words - 4)
    index_file = os.path.join(folder, "imdb", "imdb_word_index.json")
    if os.path.exists(index_file):
        with open(index_file, encoding="utf-8") as f:
            for word, rank in json.load(f).items():
                if rank + 3 < num_words:
                    words[rank + 3] = word
    print(f"IMDB: {n_train} reviews for training ({len(train_ids):,} words), {n_test} held out "
          f"({len(test_ids):,} words), vocabulary {num_words}")
    return train_ids, test_ids, words


def windows(corpus, batch_size, time_size):
    """The book's truncated-BPTT batches: ``batch_size`` streams, ``time_size`` words per window."""
    jump = (len(corpus) - 1) // batch_size
    offsets = np.arange(batch_size) * jump
    for start in range(0, jump - time_size + 1, time_size):
        idx = offsets[:, None] + start + np.arange(time_size)
        yield corpus[idx], corpus[idx + 1]


def perplexity(model, corpus, batch_size, time_size):
    model.reset_state()
    total, count = 0.0, 0
    for xs, ts in windows(corpus, batch_size, time_size):
        total += float(model.forward(xs, ts)) * xs.size
        count += xs.size
    model.reset_state()
    if not count:
        raise ValueError(f"perplexity: {len(corpus)} words are too few for {batch_size} streams of {time_size}.")
    return float(np.exp(total / count))


def clip_grads(grads, max_norm):
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm


def sample(model, start_id, words, rng, length=15):
    model.reset_state()
    ids, x = [start_id], start_id
    for _ in range(length):
        scores = model.predict(np.array([[x]]))[0, -1].astype(np.float64)
        if words[2:3] == ["<unk>"]:
            scores[2] = -np.inf                                   # never IMDB's unknown-word marker
        p = np.exp(scores - scores.max())
        x = int(rng.choice(len(p), p=p / p.sum()))
        ids.append(x)
    model.reset_state()
    return " ".join(words[i] for i in ids)


def main():
    args = parse_args(__doc__.splitlines()[0])
    check_bptt()

    banner("3. Training with truncated BPTT (SGD, gradient clipping)")
    train_ids, test_ids, words = load_corpus(args.quick)
    vocab_size = max(len(words), int(train_ids.max()) + 1, int(test_ids.max()) + 1)
    batch_size, time_size = 20, 35
    lr, max_grad = 20.0, 0.25
    max_iters = 30 if args.quick else None
    rng = np.random.default_rng(0)
    model = LSTMLanguageModel(vocab_size, wordvec_size=100, hidden_size=100, rng=rng)
    before = perplexity(model, test_ids, batch_size, time_size)
    print(f"held-out perplexity before training: {before:.1f} (vocabulary {vocab_size})")

    history, losses = [], []
    model.reset_state()
    with Timer() as timer:
        for xs, ts in windows(train_ids, batch_size, time_size):    # one epoch
            losses.append(float(model.forward(xs, ts)))
            model.backward()
            clip_grads(model.grads, max_grad)
            for p, g in zip(model.params, model.grads):
                p -= lr * g
            if len(losses) % 20 == 0:
                history.append((len(losses), float(np.exp(np.mean(losses[-20:])))))
            if max_iters and len(losses) >= max_iters:
                break
    it = len(losses)
    print(f"{it} iterations, training perplexity (last 20 windows) {np.exp(np.mean(losses[-20:])):.1f}")
    after = perplexity(model, test_ids, batch_size, time_size)
    print(f"held-out perplexity after training: {after:.1f} ({it} iterations, {timer.seconds:.1f} s)")

    banner("4. Sampled from the trained model")
    start = words.index("the") if "the" in words else int(train_ids[0])
    print("sample:", sample(model, start, words, np.random.default_rng(1)))

    fig, ax = plt.subplots(figsize=(6, 4))
    if history:
        ax.plot(*zip(*history), marker="o", label="training (last 20 windows)")
    ax.axhline(before, color="gray", linestyle=":", label=f"held-out before: {before:.0f}")
    ax.axhline(after, color="green", linestyle="--", label=f"held-out after: {after:.0f}")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("perplexity")
    ax.set_title("TimeLSTM language model (by hand)")
    ax.legend()
    savefig(fig, args.out, "lstm_lm_perplexity.png")


if __name__ == "__main__":
    main()
