"""Programs the MPI tests launch with ``mpiexec -n 2 python mpi_scenarios.py <scenario> <out dir>``.

Each process writes what it saw to ``<out>/<scenario>-rank<r>.npz`` (weights, logs, predictions)
or prints it; ``test_distribute_mpi.py`` compares that with the same model trained in one
process (the functions below build both, so the two sides run the same code). Tiny models and
few steps: the machine may have two cores shared with other work.
"""
import json
import os
import signal
import sys

import numpy as np

import chainrule as tf

GLOBAL_BATCH = 64
N_TRAIN = 251  # the last batch (59) splits 30/29: fit's gradient weighting is visible
N_TEST = 101


def make_data():
    """Fixed synthetic data: 8 features, 3 classes that depend on them."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(N_TRAIN + N_TEST, 8)).astype(np.float32)
    y = (np.argmax(x[:, :3] + 0.3 * x[:, 3:6], axis=1)).astype(np.int64)
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


def build_model(optimizer="adam"):
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(8,)),
        tf.keras.layers.Dense(16, activation="relu"),
        tf.keras.layers.Dense(3, activation="softmax"),
    ])
    opt = tf.keras.optimizers.Adam(0.01) if optimizer == "adam" else tf.keras.optimizers.SGD(0.1, momentum=0.9,
                                                                                           clipnorm=1.0)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit_run(strategy, epochs=2, optimizer="adam", callbacks=None, verbose=0):
    """The Keras path: returns the model, its History and evaluate/predict results."""
    x, y, xt, yt = make_data()
    tf.keras.utils.set_random_seed(0)
    with strategy.scope():
        model = build_model(optimizer)
    history = model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=epochs, shuffle=True, validation_data=(xt, yt),
                        verbose=verbose, callbacks=callbacks)
    evaluation = model.evaluate(xt, yt, batch_size=GLOBAL_BATCH, verbose=0)
    prediction = model.predict(xt[:65], batch_size=GLOBAL_BATCH, verbose=0)  # the last batch: 1 row, 1 replica
    return model, history, evaluation, prediction


def dataset_fit_run(strategy, dropout=False):
    """fit on a shuffled, batched Dataset of global batches (the multi-worker Keras guide's input)."""
    x, y, _, _ = make_data()
    tf.keras.utils.set_random_seed(2)
    with strategy.scope():
        model = build_model()
        if dropout:
            model = tf.keras.Sequential([tf.keras.Input(shape=(8,)), tf.keras.layers.Dense(16, activation="relu"),
                                         tf.keras.layers.Dropout(0.3), tf.keras.layers.Dense(3, activation="softmax")])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(GLOBAL_BATCH)
    history = model.fit(dataset, epochs=2, verbose=0)
    return model, history


def custom_loop_run(strategy, steps=3, compiled=True):
    """TensorFlow's custom-training-loop guide, shrunk: returns the weights, the reduced losses, the accuracy."""
    x, y, _, _ = make_data()
    tf.keras.utils.set_random_seed(1)
    with strategy.scope():
        model = tf.keras.Sequential([tf.keras.Input(shape=(8,)), tf.keras.layers.Dense(3)])
        optimizer = tf.keras.optimizers.RMSprop(learning_rate=0.01)
        train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                                reduction=tf.keras.losses.Reduction.NONE)
    dataset = tf.data.Dataset.from_tensor_slices((x[:GLOBAL_BATCH * steps], y[:GLOBAL_BATCH * steps]))
    dist_dataset = strategy.experimental_distribute_dataset(dataset.batch(GLOBAL_BATCH))

    def step_fn(inputs, labels):
        with tf.GradientTape() as tape:
            predictions = model(inputs, training=True)
            loss = tf.nn.compute_average_loss(loss_object(labels, predictions))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        train_accuracy.update_state(labels, predictions)
        return loss

    def train_step(inputs, labels):
        per_replica_losses = strategy.run(step_fn, args=(inputs, labels))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses, axis=None)

    if compiled:
        train_step = tf.function(train_step)
    losses = [float(train_step(xb, yb)) for xb, yb in dist_dataset]
    return [w.numpy() for w in model.trainable_variables], losses, float(train_accuracy.result())


def _save(out, name, rank, **arrays):
    np.savez(os.path.join(out, f"{name}-rank{rank}.npz"), **arrays)


def scenario_train(strategy, out):
    rank = strategy.cluster_resolver.task_id
    board = os.path.join(out, "board")
    model, history, evaluation, prediction = fit_run(
        strategy, verbose=2, callbacks=[tf.keras.callbacks.TensorBoard(board, update_freq="epoch")])
    hist = {k: np.asarray(v) for k, v in history.history.items()}
    _save(out, "fit", rank, evaluation=np.asarray(evaluation), prediction=prediction,
          **{f"w{i}": w for i, w in enumerate(model.get_weights())}, **{f"h_{k}": v for k, v in hist.items()})

    # one all-reduce per training step over all the gradients, and the same on both ranks
    from chainrule.ops import collective
    calls = []
    original = collective.AllReduce.forward

    def counting(self, *arrays):
        if self.weight is not None:  # fit's gradient all-reduce (the logs' sums have no weight)
            calls.append(len(arrays))
        return original(self, *arrays)
    collective.AllReduce.forward = counting
    try:
        model2, history2, _, _ = fit_run(strategy, epochs=1, optimizer="sgd")
    finally:
        collective.AllReduce.forward = original
    _save(out, "sgd", rank, calls=np.asarray(calls), **{f"w{i}": w for i, w in enumerate(model2.get_weights())},
          loss=np.asarray(history2.history["loss"]))

    for dropout in (False, True):
        model3, history3 = dataset_fit_run(strategy, dropout)
        _save(out, f"dataset-{int(dropout)}", rank, **{f"w{i}": w for i, w in enumerate(model3.get_weights())},
              loss=np.asarray(history3.history["loss"]))

    for compiled in (True, False):
        weights, losses, accuracy = custom_loop_run(strategy, compiled=compiled)
        _save(out, f"ctl-{int(compiled)}", rank, losses=np.asarray(losses), accuracy=np.asarray(accuracy),
              **{f"w{i}": w for i, w in enumerate(weights)})
    print(f"rank {rank} done", flush=True)


def scenario_errors(strategy, out):
    x, y, _, _ = make_data()
    with strategy.scope():
        model = build_model()
    found = {}
    for name, call in [
        ("batch", lambda: model.fit(x, y, batch_size=63, epochs=1, verbose=0)),
        ("too_small", lambda: model.fit(x[:1], y[:1], batch_size=64, epochs=1, verbose=0)),
        ("dataset_batch", lambda: list(strategy.experimental_distribute_dataset(
            tf.data.Dataset.from_tensor_slices((x, y)).batch(63)))),
        ("cross_replica", lambda: _apply_in_cross_replica_context(strategy, model)),
    ]:
        try:
            call()
            found[name] = "no error"
        except (ValueError, RuntimeError) as e:
            found[name] = f"{type(e).__name__}: {e}"
    with open(os.path.join(out, f"errors-rank{strategy.cluster_resolver.task_id}.json"), "w") as f:
        json.dump(found, f)


def _apply_in_cross_replica_context(strategy, model):
    with strategy.scope():
        model.optimizer.apply_gradients(zip([tf.zeros_like(w) for w in model.trainable_variables],
                                            model.trainable_variables))


class _Crash(tf.keras.callbacks.Callback):
    """Print each epoch's start; on rank 1, at the start of epoch ``at``, SIGKILL itself or raise (``how``)."""

    def __init__(self, rank, at, how):
        super().__init__()
        self.rank, self.at, self.how = rank, at, how

    def on_epoch_begin(self, epoch, logs=None):
        print(f"rank {self.rank} epoch {epoch}", flush=True)
        if self.how and self.rank == 1 and epoch == self.at:
            if self.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError("replica 1 failed on purpose")


def scenario_resume(strategy, out, how=None):
    """4 epochs with BackupAndRestore; ``how`` ('kill'/'raise') makes rank 1 die at epoch 2."""
    rank = strategy.cluster_resolver.task_id
    callbacks = [tf.keras.callbacks.BackupAndRestore(os.path.join(out, "backup")), _Crash(rank, 2, how)]
    model, history, _, _ = fit_run(strategy, epochs=4, callbacks=callbacks)
    _save(out, "resume", rank, epochs=np.asarray(history.epoch),
          **{f"w{i}": w for i, w in enumerate(model.get_weights())})


def main():
    scenario, out = sys.argv[1], sys.argv[2]
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    if scenario == "train":
        scenario_train(strategy, out)
    elif scenario == "errors":
        scenario_errors(strategy, out)
    elif scenario.startswith("resume"):
        scenario_resume(strategy, out, scenario.partition(":")[2] or None)
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")


if __name__ == "__main__":
    main()
