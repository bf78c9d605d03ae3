"""Multi-worker training with Keras (TensorFlow's guide), on MNIST, over MPI.

Launch it on N processes (every process runs this same script and is one replica; rank 0 is
the chief, which prints and writes the files):

    mpiexec -n 2 python examples/distributed_mnist.py [--quick] [--out DIR]

or as one process, unchanged: ``python examples/distributed_mnist.py``. ``mpiexec`` and mpi4py
come with ``pip install 'chainrule[distributed]'``; without them the script says so and trains
in one process. On one machine give each process one BLAS thread (``OPENBLAS_NUM_THREADS=1``).

As in the guide: the strategy is created first; the model is built and compiled inside
``strategy.scope()``; the dataset is batched by the *global* batch size (64 per replica times
the replicas) and ``fit`` gives each replica its half of every batch, averages the gradients
with one all-reduce per step and keeps the replicas identical; ``BackupAndRestore`` lets a
killed job resume; only the chief saves the model. The model is the MNIST quickstart's
(Flatten-Dense(128)-Dropout-Dense(10)), so the example runs in seconds on a CPU.

``--quick`` trains 1 epoch of 20 steps and tests on 1,000 images. Data: MNIST from
``$CHAINRULE_DATA``. Writes ``distributed_mnist_curves.png`` and ``distributed_mnist.keras``.
"""
import os
import time

import numpy as np
from _common import parse_args, plt, savefig

import chainrule as tf


def make_strategy():
    try:
        return tf.distribute.MultiWorkerMirroredStrategy()
    except ImportError as e:  # the chainrule[distributed] extra is not installed
        print(f"note: {e}\nnote: training in one process (MirroredStrategy).")
        return tf.distribute.MirroredStrategy()


def mnist_dataset(global_batch_size, quick):
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    if quick:
        x_test, y_test = x_test[:1000], y_test[:1000]
    x_train, x_test = x_train / np.float32(255), x_test / np.float32(255)
    train = tf.data.Dataset.from_tensor_slices((x_train, y_train.astype(np.int64)))
    return train.shuffle(60000).repeat().batch(global_batch_size), (x_test, y_test)


def build_and_compile_model():
    model = tf.keras.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10),
    ])
    model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=tf.keras.optimizers.Adam(learning_rate=0.001), metrics=["accuracy"])
    return model


def main():
    args = parse_args(__doc__.splitlines()[0])
    strategy = make_strategy()  # first: every process joins the job and takes the chief's random state
    resolver = strategy.cluster_resolver
    is_chief = resolver is None or resolver.task_id == 0
    say = print if is_chief else (lambda *a, **k: None)
    tf.keras.utils.set_random_seed(0)

    per_worker_batch_size = 64
    replicas = strategy.num_replicas_in_sync
    global_batch_size = per_worker_batch_size * replicas
    say(f"replicas in sync: {replicas}, global batch size: {global_batch_size}")
    dataset, (x_test, y_test) = mnist_dataset(global_batch_size, args.quick)
    epochs, steps_per_epoch = (1, 20) if args.quick else (3, 300)

    with strategy.scope():  # build and compile in the scope
        model = build_and_compile_model()

    backup = tf.keras.callbacks.BackupAndRestore(backup_dir=os.path.join(args.out, "distributed_mnist_backup"))
    start = time.perf_counter()
    history = model.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=[backup],
                        verbose=2 if is_chief else 0)
    seconds = time.perf_counter() - start
    images = len(history.epoch) * steps_per_epoch * global_batch_size
    say(f"trained on {images:,} images in {seconds:.1f} s: {images / seconds:,.0f} images/s over {replicas} "
        f"replica(s)")

    loss, accuracy = model.evaluate(x_test, y_test, batch_size=global_batch_size, verbose=0)
    say(f"test loss: {loss:.4f}")
    say(f"test accuracy: {accuracy:.4f}")

    if is_chief:  # one writer: the chief's file is the model (the others would write the same weights)
        path = os.path.join(args.out, "distributed_mnist.keras")
        model.save(path)
        say(f"[saved] {path}")
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        ep = [e + 1 for e in history.epoch]
        ax1.plot(ep, history.history["loss"], "b-o")
        ax1.set_title("loss"), ax1.set_xlabel("epoch"), ax1.grid(True)
        ax2.plot(ep, history.history["accuracy"], "b-o")
        ax2.set_title("accuracy"), ax2.set_xlabel("epoch"), ax2.grid(True)
        fig.suptitle(f"MNIST on {replicas} replica(s): test accuracy {accuracy:.4f}")
        savefig(fig, args.out, "distributed_mnist_curves.png")


if __name__ == "__main__":
    main()
