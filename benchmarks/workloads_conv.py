"""The convolution workloads: W8 (one epoch of keras.io's MNIST convnet) and W8b (one Conv2D layer).

Same conventions as :mod:`benchmarks.workloads` (whose helpers this module uses): each function
takes the run's config, times only the work named in its row, and returns ``{"rows": {...}}``;
``mark_baseline()`` is called just before the timed part. Both frameworks get the same float32
arrays, the same model, Keras's initialisation (glorot_uniform kernels, zero biases: PyTorch's
``xavier_uniform_`` computes the same fans for a conv kernel) and Adam with Keras's defaults.

W8 is keras.io's ``mnist_convnet``: Conv2D(32, 3, relu) - MaxPooling2D(2) - Conv2D(64, 3, relu) -
MaxPooling2D(2) - Flatten - Dropout(0.5) - Dense(10, softmax), categorical cross-entropy, batch 128;
one epoch over the 60,000 training images (the example's validation split is left out of the timing
for both). PyTorch runs ``nn.Conv2d`` on NCHW tensors, its native layout.

W8b is the forward and backward pass (input, kernel and bias gradients) of one 3x3 convolution,
64 -> 64 channels, 'same' padding, on a batch of 32 images of 32x32: the shape of a VGG block.
"""
from __future__ import annotations

import time

import numpy as np

from .workloads import (_cr_setup, op_times, _softmax_t, _torch_epoch, _torch_predict, _torch_setup, class_metrics,
                        load_images, mark_baseline, per_item, start_clocks, torch_optimizer)

_now = time.perf_counter


W8_BATCH = 128
W8B_SHAPE = (32, 32, 32, 64)   # batch, height, width, channels (channels_last; PyTorch gets NCHW)


# ---------------------------------------------------------------------------------------------
# W8: keras.io's MNIST convnet, one epoch
# ---------------------------------------------------------------------------------------------

def _cr_mnist_convnet(keras):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def _torch_mnist_convnet(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    opt = torch_optimizer(torch, "Adam", model.parameters(), lr=1e-3, eps=1e-7)
    return model, opt, nn.CrossEntropyLoss()


def w8_chainrule(cfg):
    x, y, xt, yt = load_images(cfg, "mnist")
    x, xt = x[..., None], xt[..., None]
    keras = _cr_setup(cfg)
    model = _cr_mnist_convnet(keras)
    y_hot = keras.utils.to_categorical(y, 10)
    mark_baseline()
    stop = start_clocks()
    history = model.fit(x, y_hot, batch_size=W8_BATCH, epochs=1, verbose=0)
    times = stop()
    probs = model.predict(xt, batch_size=W8_BATCH, verbose=0)
    acc, loss = class_metrics(probs, yt)
    # The op profile wraps chainrule's ops; under tf.keras (benchmarks.tf_accuracy) there are none to time.
    info = {} if cfg.get("keras") == "tf" else op_times(model, x, y_hot, W8_BATCH, cfg.get("w8_profile_steps", 20))
    return {"rows": {"train": dict(**times, what=f"1 epoch, {len(x):,} images, batch {W8_BATCH}",
                                   items=len(x), item="img", acc=acc, loss=loss,
                                   train_loss=history.history["loss"][-1])},
            "info": info}


def w8_torch(cfg):
    x, y, xt, yt = load_images(cfg, "mnist")
    torch = _torch_setup(cfg)
    model, opt, loss_fn = _torch_mnist_convnet(torch)
    X, Y = torch.from_numpy(np.ascontiguousarray(x[:, None])), torch.from_numpy(y.astype(np.int64))
    Xt = torch.from_numpy(np.ascontiguousarray(xt[:, None]))
    mark_baseline()
    stop = start_clocks()
    train_loss, _ = _torch_epoch(torch, model, opt, loss_fn, X, Y, W8_BATCH)
    times = stop()
    probs = _torch_predict(torch, model, Xt, W8_BATCH, _softmax_t(torch))
    acc, loss = class_metrics(probs, yt)
    return {"rows": {"train": dict(**times, what=f"1 epoch, {len(x):,} images, batch {W8_BATCH}",
                                   items=len(x), item="img", acc=acc, loss=loss, train_loss=train_loss)}}


# ---------------------------------------------------------------------------------------------
# W8b: one Conv2D 64 -> 64, 3x3, 'same', batch 32 of 32x32: forward + backward
# ---------------------------------------------------------------------------------------------

def _w8b_row(times, iters):
    return {"rows": {"fwd+bwd": dict(**per_item(times, iters),
                                     what=f"Conv2D 64->64 3x3 'same' on {W8B_SHAPE[0]}x{W8B_SHAPE[1]}x"
                                          f"{W8B_SHAPE[2]}x64: forward + dx, dW, db (mean of {iters})",
                                     items=W8B_SHAPE[0], item="img")}}


def _w8b_pieces(x, kernel, dy):
    """Milliseconds of each piece of chainrule's computation, each timed alone (best of 5)."""
    from chainrule.ops import conv as conv_ops
    from chainrule.ops import windows

    pads = ((1, 1), (1, 1))
    xp = windows.pad_spatial(x, pads)
    view = windows.window_view(xp, (3, 3), (1, 1), (1, 1), x.shape[1:3])
    col = conv_ops._im2col(view, x.shape[0] * x.shape[1] * x.shape[2])
    dy2 = dy.reshape(-1, dy.shape[-1])
    k2 = kernel.reshape(-1, kernel.shape[-1])
    pieces = {
        "pad": lambda: windows.pad_spatial(x, pads),
        "im2col": lambda: conv_ops._im2col(view, col.shape[0]),
        "gemm_forward": lambda: col @ k2,
        "gemm_kernel_grad": lambda: col.T @ dy2,
        "bias_grad": lambda: conv_ops.bias_grad(dy2),
        "input_grad": lambda: conv_ops.conv_input_grad(dy, kernel, x.shape[1:3], pads, (1, 1), (1, 1), 1),
    }
    out = {}
    for name, fn in pieces.items():
        fn()
        best = min(_timed(fn) for _ in range(5))
        out[f"{name}_ms"] = round(best * 1e3, 2)
    return out


def _timed(fn):
    t0 = _now()
    fn()
    return _now() - t0


def w8b_chainrule(cfg):
    iters = cfg["w8b_iters"]
    keras = _cr_setup(cfg)
    import chainrule as tf
    rng = np.random.default_rng(cfg["seed"])
    x = tf.constant(rng.standard_normal(W8B_SHAPE, dtype=np.float32))
    dy = tf.constant(rng.standard_normal(W8B_SHAPE[:3] + (64,), dtype=np.float32))
    layer = keras.layers.Conv2D(64, 3, padding="same")
    layer(x)

    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = layer(x)
        return tape.gradient(out, [x] + layer.trainable_weights, output_gradients=dy)

    for _ in range(3):
        step()
    mark_baseline()
    stop = start_clocks()
    for _ in range(iters):
        step()
    result = _w8b_row(stop(), iters)
    result["info"] = _w8b_pieces(x.numpy(), layer.kernel.numpy(), dy.numpy())
    return result


def w8b_torch(cfg):
    iters = cfg["w8b_iters"]
    torch = _torch_setup(cfg)
    rng = np.random.default_rng(cfg["seed"])
    n, h, w, c = W8B_SHAPE
    x = torch.from_numpy(np.ascontiguousarray(rng.standard_normal(W8B_SHAPE, dtype=np.float32).transpose(0, 3, 1, 2)))
    x.requires_grad_(True)
    dy = torch.from_numpy(np.ascontiguousarray(
        rng.standard_normal((n, h, w, 64), dtype=np.float32).transpose(0, 3, 1, 2)))
    conv = torch.nn.Conv2d(c, 64, 3, padding=1)

    def step():
        x.grad = None
        conv.zero_grad(set_to_none=True)
        conv(x).backward(dy)

    for _ in range(3):
        step()
    mark_baseline()
    stop = start_clocks()
    for _ in range(iters):
        step()
    return _w8b_row(stop(), iters)
