"""``keras.wrappers``: chainrule models as scikit-learn estimators, in the shape scikeras gives them.

::

    from chainrule.keras.wrappers import KerasClassifier

    def build(hidden=16, meta=None):
        return keras.Sequential([keras.Input(shape=(meta["n_features_in_"],)),
                                 keras.layers.Dense(hidden, activation="relu"),
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    clf = KerasClassifier(build, model__hidden=32, epochs=20, optimizer="adam", verbose=0)
    GridSearchCV(clf, {"model__hidden": [8, 32]}, cv=3).fit(X, y)

:class:`KerasClassifier` and :class:`KerasRegressor` live in :mod:`chainrule.keras.wrappers.scikit_learn`,
which needs the optional ``scikit-learn`` package (``pip install 'chainrule[sklearn]'``); it is imported
the first time one of them is asked for.
"""
from __future__ import annotations

import importlib

from ..._missing import missing_attribute as _missing_attribute

_LAZY = ("KerasClassifier", "KerasRegressor", "BaseWrapper")
_missing = _missing_attribute(__name__)


def __getattr__(name: str):
    """``KerasClassifier``/``KerasRegressor`` on first use (they need scikit-learn); other names explain
    themselves as every missing chainrule name does.

    Args:
        name: the attribute asked for.

    Returns:
        The class.

    Raises:
        ImportError: scikit-learn is not installed.
        AttributeError: any other name.
    """
    if name in _LAZY or name == "scikit_learn":  # keras.wrappers.scikit_learn.KerasRegressor: tf.keras 2's path
        # scikit-learn is optional: imported when a wrapper is first asked for (import_module, not
        # `from . import`, which would ask this __getattr__ for the submodule before it exists)
        scikit_learn = importlib.import_module(f"{__name__}.scikit_learn")
        return scikit_learn if name == "scikit_learn" else getattr(scikit_learn, name)
    return _missing(name)


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
