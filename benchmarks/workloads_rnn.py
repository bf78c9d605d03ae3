"""W9 / W9b: a recurrent text classifier on IMDB, chainrule beside PyTorch (issue 17).

``Embedding(10000, 64)`` -> ``LSTM(64)`` (W9) or ``GRU(64)`` (W9b) -> ``Dense(1, sigmoid)``, reviews
cut/padded to 200 tokens as ``keras.utils.pad_sequences`` does by default (padding and truncating
at the start), batch 64, Adam(1e-3), binary cross-entropy, one epoch. Both frameworks read the
same int32 arrays (built here by the same numpy code from ``benchmarks.prepare``'s IMDB file).

PyTorch's model is ``nn.Embedding`` + ``nn.LSTM``/``nn.GRU`` (batch_first, the last step's output)
+ ``nn.Linear``, initialised as Keras initialises its layers (embedding uniform(-0.05, 0.05); input
kernels glorot-uniform, recurrent kernels orthogonal, zero biases, LSTM forget-gate bias 1; PyTorch's
second bias ``b_hh`` zero), Adam with Keras's eps 1e-7, ``BCEWithLogitsLoss`` on the logit. The
gate orders agree (LSTM i, f, g/c, o; GRU r, z, n in PyTorch vs z, r, h in Keras: each kernel is
initialised block by block, so the distributions match).
"""
from __future__ import annotations

import os

import numpy as np

from .workloads import (_cr_setup, _torch_epoch, _torch_predict, _torch_setup, binary_metrics, mark_baseline,
                        start_clocks, torch_optimizer)

W9_VOCAB, W9_DIM, W9_UNITS, W9_LEN, W9_BATCH = 10000, 64, 64, 200, 64


def pad_pre(tokens, lengths, maxlen):
    """``pad_sequences(seqs, maxlen)`` with its defaults (pad and cut at the start), on flat arrays."""
    out = np.zeros((len(lengths), maxlen), dtype=np.int32)
    starts = np.cumsum(lengths) - lengths
    for i, (s, n) in enumerate(zip(starts, lengths)):
        seq = tokens[s:s + n][-maxlen:]
        if len(seq):
            out[i, maxlen - len(seq):] = seq
    return out


def load_imdb_sequences(cfg):
    """``x, y, x_test, y_test``: int32 ``(N, 200)`` token ids and float32 labels."""
    with np.load(os.path.join(cfg["cache"], "imdb.npz")) as f:
        parts = {k: f[k] for k in f.files}

    def split(name, n):
        tokens, lengths, labels = parts[f"{name}_tokens"], parts[f"{name}_lengths"], parts[f"y_{name}"]
        if n:
            lengths, labels = lengths[:n], labels[:n]
            tokens = tokens[:int(lengths.sum())]
        return pad_pre(tokens, lengths, W9_LEN), np.asarray(labels).astype(np.float32)
    x, y = split("train", cfg.get("imdb_train_n"))
    xt, yt = split("test", cfg.get("imdb_test_n"))
    return x, y, xt, yt


def _w9_chainrule(cfg, kind):
    x, y, xt, yt = load_imdb_sequences(cfg)
    keras = _cr_setup(cfg)
    recurrent = keras.layers.LSTM if kind == "lstm" else keras.layers.GRU
    model = keras.Sequential([
        keras.layers.Embedding(W9_VOCAB, W9_DIM, input_length=W9_LEN),
        recurrent(W9_UNITS),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="binary_crossentropy",
                  metrics=["accuracy"])
    mark_baseline()
    stop = start_clocks()
    history = model.fit(x, y, batch_size=W9_BATCH, epochs=1, verbose=0)
    times = stop()
    acc, loss = binary_metrics(model.predict(xt, batch_size=1024, verbose=0), yt)
    return {"rows": {"train": dict(**times, what=f"1 epoch, {len(x):,} reviews x {W9_LEN} tokens, batch 64",
                                   items=len(x), item="review", acc=acc, loss=loss,
                                   train_loss=history.history["loss"][-1])},
            "info": {"params": int(model.count_params())}}


def _keras_init_torch(torch, embedding, rnn, dense, gates):
    """Keras's initialisers on the PyTorch modules (see the module docstring)."""
    nn = torch.nn
    with torch.no_grad():
        nn.init.uniform_(embedding.weight, -0.05, 0.05)
        hidden = rnn.hidden_size
        for name, block_init in (("weight_ih_l0", nn.init.xavier_uniform_), ("weight_hh_l0", nn.init.orthogonal_)):
            weight = getattr(rnn, name)
            if name == "weight_ih_l0":  # Keras draws the whole (D, G*H) kernel at once
                full = torch.empty(weight.shape[1], weight.shape[0])
                block_init(full)
                weight.copy_(full.t())
            else:  # and the whole (H, G*H) recurrent kernel as one orthogonal matrix
                full = torch.empty(hidden, gates * hidden)
                block_init(full)
                weight.copy_(full.t())
        rnn.bias_ih_l0.zero_()
        rnn.bias_hh_l0.zero_()
        if gates == 4:
            rnn.bias_ih_l0[hidden:2 * hidden] = 1.0  # unit_forget_bias
        nn.init.xavier_uniform_(dense.weight)
        nn.init.zeros_(dense.bias)


def _w9_torch(cfg, kind):
    x, y, xt, yt = load_imdb_sequences(cfg)
    torch = _torch_setup(cfg)
    nn = torch.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(W9_VOCAB, W9_DIM)
            self.rnn = (nn.LSTM if kind == "lstm" else nn.GRU)(W9_DIM, W9_UNITS, batch_first=True)
            self.dense = nn.Linear(W9_UNITS, 1)

        def forward(self, ids):
            outputs, _ = self.rnn(self.embedding(ids))
            return self.dense(outputs[:, -1])

    model = Classifier()
    _keras_init_torch(torch, model.embedding, model.rnn, model.dense, 4 if kind == "lstm" else 3)
    opt = torch_optimizer(torch, "Adam", model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    X, Y = torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y.reshape(-1, 1))
    mark_baseline()
    stop = start_clocks()
    train_loss, _ = _torch_epoch(torch, model, opt, loss_fn, X, Y, W9_BATCH, binary=True)
    times = stop()
    probs = _torch_predict(torch, model, torch.from_numpy(xt.astype(np.int64)), 1024, torch.sigmoid)
    acc, loss = binary_metrics(probs, yt)
    return {"rows": {"train": dict(**times, what=f"1 epoch, {len(x):,} reviews x {W9_LEN} tokens, batch 64",
                                   items=len(x), item="review", acc=acc, loss=loss, train_loss=train_loss)},
            "info": {"params": int(sum(p.numel() for p in model.parameters()))}}


def w9_chainrule(cfg):
    return _w9_chainrule(cfg, "lstm")


def w9_torch(cfg):
    return _w9_torch(cfg, "lstm")


def w9b_chainrule(cfg):
    return _w9_chainrule(cfg, "gru")


def w9b_torch(cfg):
    return _w9_torch(cfg, "gru")
