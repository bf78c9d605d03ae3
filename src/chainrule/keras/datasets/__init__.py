"""``keras.datasets``: MNIST, Fashion-MNIST, IMDB, Reuters, Boston housing and CIFAR-10/100 with tf.keras's loaders.

Each ``load_data`` returns ``(x_train, y_train), (x_test, y_test)`` with tf.keras's shapes,
dtypes and shuffling. Files are looked for in ``$CHAINRULE_DATA/<dataset>/`` (a folder laid
out like chainrule's shared datasets folder: ``mnist/``, ``fashion_mnist/``, ``imdb/``,
``reuters/``, ``boston_housing/``, ``cifar10/``, ``cifar100/``), then in the cache
``$CHAINRULE_HOME/datasets/`` (default ``~/.chainrule/datasets/``), then downloaded from Keras's
servers with sha256 verification.
Nothing is unpickled except Keras's own ``imdb.npz`` and ``reuters.npz`` once their sha256 has
matched (CIFAR is read from its binary tarballs, not from the pickles tf.keras reads).
``mnist.load_data(subset='bundled')`` needs no files and no network.
"""
from ..._missing import missing_attribute as _missing_attribute
from . import boston_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters  # noqa: F401

__all__ = ["boston_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist", "reuters"]

__getattr__ = _missing_attribute(__name__)  # a TensorFlow/Keras name not provided says so
