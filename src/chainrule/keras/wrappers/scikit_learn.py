"""``KerasClassifier`` and ``KerasRegressor``: chainrule models as scikit-learn estimators (scikeras's shape).

The wrapper is given a **model**: a function that builds (and may compile) a ``keras.Model``, or a
``Model`` whose architecture is cloned with fresh weights at each ``fit``. Its other arguments are
those of ``compile`` and ``fit`` (``optimizer``, ``loss``, ``metrics``, ``epochs``, ``batch_size``,
``callbacks``, ``validation_split``, ``verbose``...), and **routed parameters** reach one place only:

- ``model__<name>``: a keyword argument of the model-building function;
- ``fit__<name>``, ``predict__<name>``: of ``Model.fit`` / ``Model.predict``;
- ``compile__<name>``: of ``Model.compile``;
- ``optimizer__<name>``: of the optimizer's constructor (``optimizer__learning_rate=0.01``).

The building function also receives, when it names them (or takes ``**kwargs``), ``meta``: a dict of
what was learnt from the data (``n_features_in_``, ``X_shape_``, ``target_type_``, ``classes_``,
``n_classes_``, ``n_outputs_``), and ``compile_kwargs``: the compile arguments the wrapper would use.
A model the function returns uncompiled is compiled by the wrapper; a compiled one is used as it is.

Every parameter is visible to ``get_params``/``set_params``, so ``clone``, ``Pipeline``,
``GridSearchCV`` (``{"model__hidden": [8, 32], "optimizer__learning_rate": [1e-3, 1e-2]}``) and
``cross_val_score`` work. With ``random_state`` set, building and training repeat exactly. A fitted
wrapper pickles (the model travels as a ``.keras`` file's bytes).
"""
from __future__ import annotations

import inspect
import numbers
import os
import tempfile
import warnings
from typing import Any, Callable, Mapping

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.base import clone as _sklearn_clone
    from sklearn.exceptions import DataConversionWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.utils.multiclass import type_of_target
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError:  # pragma: no cover - exercised only without the optional extra
    raise ImportError("chainrule.keras.wrappers needs scikit-learn 1.6 or later: pip install 'chainrule[sklearn]' "
                      "(or pip install scikit-learn).") from None

from .. import optimizers
from ..models import Model, clone_model
from ..saving import load_model, save_model
from ..utils import set_random_seed

#: The prefixes of routed parameters (``model__hidden``) and where each goes.
ROUTES = ("model", "fit", "compile", "predict", "optimizer")
_FIT_ARGS = ("batch_size", "epochs", "verbose", "callbacks", "validation_split", "shuffle", "class_weight",
             "validation_batch_size")


def _routed(params: dict, prefix: str) -> dict:
    """``{name: value}`` for every ``<prefix>__<name>`` in ``params``."""
    start = prefix + "__"
    return {k[len(start):]: v for k, v in params.items() if k.startswith(start)}


def _seed_from(random_state) -> int | None:
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2 ** 31 - 1))
    raise ValueError(f"random_state must be None, an int or a numpy RandomState, got {random_state!r}.")


def _loss_name(loss) -> str:
    """A loss's lower-case name without underscores (``'categoricalcrossentropy'``), for encoding decisions."""
    if loss is None:
        return ""
    if isinstance(loss, str):
        name = loss
    else:
        name = getattr(loss, "__name__", None) or type(loss).__name__
    return name.lower().replace("_", "")


class BaseWrapper(BaseEstimator):
    """What :class:`KerasClassifier` and :class:`KerasRegressor` share: building, compiling, fitting, routing.

    Args:
        model: a function returning a ``keras.Model`` (compiled or not), or a ``Model`` whose architecture is
            cloned with fresh weights at each fit.
        build_fn: tf.keras 2's name for ``model`` (used when ``model`` is None).
        warm_start: keep training the fitted model on the next ``fit`` instead of building a new one.
        random_state: an int (or numpy RandomState) seeding the weights, shuffling and dropout; None: not seeded.
        optimizer: an optimizer name, class or instance (an instance is copied from its config at each build).
        loss: a loss name, function or instance; None: the wrapper's default for the target.
        metrics: compile metrics.
        batch_size: fit and predict batch size (None: 32).
        validation_batch_size: fit's validation batch size.
        verbose: fit's and predict's verbosity (0 silent, 1 progress bar, 2 one line per epoch).
        callbacks: fit callbacks.
        validation_split: fraction of the training data held out for validation each fit.
        shuffle: shuffle the training data each epoch.
        epochs: training epochs per ``fit``.
        class_weight: fit's class weights.
        **kwargs: routed parameters (``model__*``, ``fit__*``, ``compile__*``, ``predict__*``,
            ``optimizer__*``) and named arguments of the model-building function.
    """

    _default_loss: str | None = None

    def __init__(self, model=None, *, build_fn=None, warm_start=False, random_state=None, optimizer="rmsprop",
                 loss=None, metrics=None, batch_size=None, validation_batch_size=None, verbose=1, callbacks=None,
                 validation_split=0.0, shuffle=True, epochs=1, class_weight=None, **kwargs):
        self.model = model
        self.build_fn = build_fn
        self.warm_start = warm_start
        self.random_state = random_state
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.validation_batch_size = validation_batch_size
        self.verbose = verbose
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.epochs = epochs
        self.class_weight = class_weight
        vars(self).update(kwargs)

    # ------------------------------------------------------------------ parameters
    def _extra_param_names(self) -> list[str]:
        base = set(self._get_param_names())
        return [k for k in vars(self) if k not in base and not k.startswith("_") and not k.endswith("_")]

    def get_params(self, deep: bool = True) -> dict:
        """The constructor's parameters, routed ones included.

        Args:
            deep: also the parameters of parameters that are estimators.

        Returns:
            ``{name: value}``.
        """
        params = super().get_params(deep=deep)
        params.update({k: getattr(self, k) for k in self._extra_param_names()})
        return params

    def set_params(self, **params: Any) -> "BaseWrapper":
        """Set parameters; routed names (``model__hidden``, ``optimizer__learning_rate``...) may be new.

        Args:
            **params: ``name=value`` pairs.

        Returns:
            ``self``.

        Raises:
            ValueError: a name that is neither a parameter nor routed.
        """
        base = {}
        extra = set(self._extra_param_names())
        for key, value in params.items():
            if key in extra or ("__" in key and key.split("__", 1)[0] in ROUTES):
                setattr(self, key, value)
            else:
                base[key] = value
        if base:
            super().set_params(**base)
        return self

    def __sklearn_clone__(self) -> "BaseWrapper":
        # A Model given as `model` is a template: fit clones its architecture, so the clone may share it
        # (a deep copy of a Model is neither needed nor cheap).
        params = self.get_params(deep=False)
        cloned = {k: v if isinstance(v, Model) or callable(v) and not isinstance(v, BaseEstimator)
                  else _sklearn_clone(v, safe=False) for k, v in params.items()}
        return type(self)(**cloned)

    # ------------------------------------------------------------------ pickling
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for key in ("model_", "model"):
            if isinstance(state.get(key), Model):
                state[key] = _ModelBytes(state[key])
        return state

    def __setstate__(self, state: dict) -> None:
        for key in ("model_", "model"):
            if isinstance(state.get(key), _ModelBytes):
                state[key] = state[key].load()
        self.__dict__.update(state)

    # ------------------------------------------------------------------ building
    @property
    def _model_source(self):
        return self.model if self.model is not None else self.build_fn

    def _compile_kwargs(self, model: Model | None = None) -> dict:
        params = self.get_params(deep=False)
        optimizer = self.optimizer
        routed_optimizer = _routed(params, "optimizer")
        if isinstance(optimizer, optimizers.Optimizer):
            optimizer = type(optimizer).from_config({**optimizer.get_config(), **routed_optimizer})
        elif isinstance(optimizer, type):
            optimizer = optimizer(**routed_optimizer)
        elif routed_optimizer:
            optimizer = type(optimizers.get(optimizer)).from_config(
                {**optimizers.get(optimizer).get_config(), **routed_optimizer})
        else:
            optimizer = optimizers.get(optimizer)
        kwargs = {"optimizer": optimizer, "loss": self.loss, "metrics": self.metrics}
        kwargs.update(_routed(params, "compile"))
        if kwargs["loss"] is None:
            kwargs["loss"] = self._default_loss_for(model)
        return kwargs

    def _default_loss_for(self, model: Model | None):
        return self._default_loss

    def _build_kwargs(self, fn: Callable, meta: dict) -> dict:
        params = self.get_params(deep=False)
        kwargs = _routed(params, "model")
        signature: Mapping[str, inspect.Parameter]
        try:
            signature = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            signature = {}
        takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.values())
        for name in signature:
            if name not in kwargs and name in params and name not in ("model", "build_fn"):
                kwargs[name] = params[name]
        if "meta" in signature or takes_any:
            kwargs["meta"] = dict(meta)
        if "compile_kwargs" in signature or takes_any:
            kwargs["compile_kwargs"] = self._compile_kwargs()
        unknown = [k for k in kwargs if k not in signature and not takes_any]
        if unknown:
            raise ValueError(f"{type(self).__name__}: the model-building function {getattr(fn, '__name__', fn)!r} "
                             f"takes no argument(s) {unknown} (given as model__{unknown[0]}); its arguments are "
                             f"{list(signature)}.")
        return kwargs

    def _build_model(self, meta: dict) -> Model:
        source = self._model_source
        if source is None:
            raise ValueError(f"{type(self).__name__}: give `model`, a function that returns a keras Model (or a "
                             "Model to clone), e.g. KerasClassifier(model=build_fn).")
        if isinstance(source, Model):
            model = clone_model(source)
        elif callable(source):
            model = source(**self._build_kwargs(source, meta))
        else:
            raise TypeError(f"{type(self).__name__}: `model` must be a function returning a keras Model or a "
                            f"Model, got {type(source).__name__}.")
        if not isinstance(model, Model):
            raise TypeError(f"{type(self).__name__}: the model-building function returned {type(model).__name__}, "
                            "not a keras Model.")
        if not model._is_compiled:
            model.compile(**self._compile_kwargs(model))
        return model

    # ------------------------------------------------------------------ data
    def _validate_X(self, X, reset: bool):
        return validate_data(self, X, reset=reset, dtype=["float32", "float64"], allow_nd=True)

    def _validate_Xy(self, X, y, reset: bool):
        X, y = validate_data(self, X, y, reset=reset, dtype=["float32", "float64"], allow_nd=True,
                             multi_output=True, y_numeric=isinstance(self, RegressorMixin))
        return X, y

    def _meta(self, X) -> dict:
        return {"n_features_in_": self.n_features_in_, "X_shape_": tuple(X.shape), "X_dtype_": X.dtype,
                "n_outputs_": 1}

    def _fit_kwargs(self, kwargs: dict) -> dict:
        params = self.get_params(deep=False)
        out = {name: params[name] for name in _FIT_ARGS if params[name] is not None}
        out.update(_routed(params, "fit"))
        out.update(kwargs)
        return out

    def _predict_kwargs(self) -> dict:
        params = self.get_params(deep=False)
        out = {"verbose": self.verbose}
        if self.batch_size is not None:
            out["batch_size"] = self.batch_size
        out.update(_routed(params, "predict"))
        return out

    def _fit(self, X, y_encoded, sample_weight, kwargs) -> "BaseWrapper":
        """Train ``model_`` (already built) on encoded targets; the seed is set again so shuffling repeats."""
        seed = _seed_from(self.random_state)
        if seed is not None:
            set_random_seed(seed)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype="float32")
            if sample_weight.shape != (len(X),):
                raise ValueError(f"sample_weight has shape {sample_weight.shape}; expected ({len(X)},), one weight "
                                 "per sample.")
            if not np.any(sample_weight):
                raise ValueError("sample_weight is all zeros: there is nothing to fit. Give some samples a "
                                 "positive weight.")
        history = self.model_.fit(np.asarray(X, dtype="float32"), y_encoded, sample_weight=sample_weight,
                                  **self._fit_kwargs(kwargs))
        self.history_ = {k: list(v) for k, v in history.history.items()}
        return self

    def _raw_predict(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = self._validate_X(X, reset=False)
        out = self.model_.predict(np.asarray(X, dtype="float32"), **self._predict_kwargs())
        if isinstance(out, list):
            raise ValueError(f"{type(self).__name__}: the model has {len(out)} outputs; the scikit-learn "
                             "wrappers need a model with one output.")
        return np.asarray(out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags


class _ModelBytes:
    """A Model carried through pickle as the bytes of its ``.keras`` file."""

    def __init__(self, model: Model):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            save_model(model, path)
            with open(path, "rb") as f:
                self.data = f.read()

    def load(self) -> Model:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            with open(path, "wb") as f:
                f.write(self.data)
            return load_model(path)


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """A keras classifier as a scikit-learn estimator: ``fit``, ``predict``, ``predict_proba``, ``score``.

    Labels may be any values scikit-learn accepts (ints, strings...); ``classes_`` lists them sorted, and the
    model is trained on their positions in it (``0 .. n_classes_ - 1``), one-hot when the loss is
    ``categorical_crossentropy``. A model with one sigmoid output is read as ``P(classes_[1])``; one with
    ``n_classes_`` outputs as the class probabilities. Multi-label targets (a 0/1 indicator matrix) train
    one sigmoid output per label. Without a ``loss``, the wrapper compiles with ``binary_crossentropy`` for
    one output (or multi-label targets) and ``sparse_categorical_crossentropy`` otherwise.

    Args:
        model: see :class:`BaseWrapper` (all arguments are its own).
        **kwargs: see :class:`BaseWrapper`.

    Attributes:
        model_: the fitted ``keras.Model``.
        history_: ``fit``'s history (``{"loss": [...], ...}``).
        classes_: the class labels, sorted.
        n_classes_: how many there are.
        target_type_: scikit-learn's name of the target kind (``"binary"``, ``"multiclass"``,
            ``"multilabel-indicator"``).
        n_features_in_: features seen in ``fit``.
    """

    def _default_loss_for(self, model):
        if getattr(self, "target_type_", None) == "multilabel-indicator":
            return "binary_crossentropy"
        units = model.output_shape[-1] if model is not None and not isinstance(model.output_shape, list) else None
        return "binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy"

    def _meta(self, X) -> dict:
        meta = super()._meta(X)
        meta.update(classes_=self.classes_, n_classes_=self.n_classes_, target_type_=self.target_type_,
                    n_outputs_expected_=1)
        return meta

    def _encode_targets(self, y, classes=None) -> np.ndarray:
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected. Please change the shape of y "
                          "to (n_samples,), for example using ravel().", DataConversionWarning, stacklevel=3)
            y = y.ravel()
        target_type = type_of_target(y, input_name="y")
        if target_type == "multilabel-indicator":
            self.target_type_, self.classes_ = target_type, np.arange(y.shape[1])
            self.n_classes_ = y.shape[1]
            return y.astype("float32")
        if target_type not in ("binary", "multiclass"):
            raise ValueError(f"Unknown label type: {target_type!r}. {type(self).__name__} takes class labels "
                             "(binary or multiclass, or a multi-label 0/1 matrix); for continuous targets use "
                             "KerasRegressor.")
        self.target_type_ = target_type
        self.classes_ = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        self.n_classes_ = len(self.classes_)
        codes = np.searchsorted(self.classes_, y)
        if np.any(codes >= self.n_classes_) or np.any(self.classes_[np.minimum(codes, self.n_classes_ - 1)] != y):
            raise ValueError(f"y holds labels not in classes {self.classes_.tolist()}.")
        return codes.astype("int64")

    def _as_model_targets(self, codes: np.ndarray) -> np.ndarray:
        if self.target_type_ != "multilabel-indicator" and "categorical" in _loss_name(self.model_.loss) \
                and "sparse" not in _loss_name(self.model_.loss):
            return np.eye(self.n_classes_, dtype="float32")[codes]
        return codes

    def fit(self, X, y, sample_weight=None, **kwargs: Any) -> "KerasClassifier":
        """Build (unless ``warm_start`` and fitted), compile and train the model.

        Args:
            X: features, ``(n_samples, n_features)`` (or more axes for models that take them).
            y: class labels ``(n_samples,)``, or a 0/1 matrix ``(n_samples, n_labels)`` for multi-label.
            sample_weight: per-sample weights, or None.
            **kwargs: more ``Model.fit`` arguments for this call.

        Returns:
            ``self``.

        Raises:
            ValueError: NaN/infinite or non-numeric features, continuous targets, or data that does not
                match the fitted model on a warm start.
        """
        warm = bool(self.warm_start) and hasattr(self, "model_")
        X, y = self._validate_Xy(X, y, reset=not warm)
        codes = self._encode_targets(y, classes=self.classes_ if warm else None)
        if not warm:
            seed = _seed_from(self.random_state)
            if seed is not None:
                set_random_seed(seed)
            self.model_ = self._build_model(self._meta(X))
        return self._fit(X, self._as_model_targets(codes), sample_weight, kwargs)

    def partial_fit(self, X, y, classes=None, sample_weight=None) -> "KerasClassifier":
        """Train the (first call: new) model for one epoch on this batch.

        Args:
            X: features.
            y: class labels.
            classes: all the labels (needed on the first call when this batch does not hold them all).
            sample_weight: per-sample weights, or None.

        Returns:
            ``self``.
        """
        first = not hasattr(self, "model_")
        X, y = self._validate_Xy(X, y, reset=first)
        codes = self._encode_targets(y, classes=classes if first else self.classes_)
        if first:
            self.model_ = self._build_model(self._meta(X))
        return self._fit(X, self._as_model_targets(codes), sample_weight, {"epochs": 1})

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, ``(n_samples, n_classes_)`` in the order of ``classes_``.

        Args:
            X: features.

        Returns:
            The probabilities (each row sums to 1 except for multi-label targets).

        Raises:
            NotFittedError: before ``fit``.
        """
        out = self._raw_predict(X)
        out = out.reshape(len(out), -1)
        if self.n_classes_ == 1:
            return np.ones((len(out), 1), dtype=out.dtype)
        if out.shape[1] == 1 and self.target_type_ == "binary":
            return np.hstack([1 - out, out])
        if out.shape[1] != self.n_classes_:
            raise ValueError(f"KerasClassifier: the model gives {out.shape[1]} outputs per sample for "
                             f"{self.n_classes_} classes; end it with Dense({self.n_classes_}, "
                             "activation='softmax') (or Dense(1, activation='sigmoid') for two classes).")
        return out

    def predict(self, X) -> np.ndarray:
        """The most probable class of each sample (for multi-label targets: each label above 0.5).

        Args:
            X: features.

        Returns:
            Labels from ``classes_``, ``(n_samples,)``.
        """
        proba = self.predict_proba(X)
        if self.target_type_ == "multilabel-indicator":
            return (proba > 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy of ``predict(X)`` against ``y``.

        Args:
            X: features.
            y: true labels.
            sample_weight: per-sample weights, or None.

        Returns:
            The (weighted) accuracy.
        """
        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))


class KerasRegressor(RegressorMixin, BaseWrapper):
    """A keras regressor as a scikit-learn estimator: ``fit``, ``predict``, ``score`` (R²).

    Without a ``loss`` the wrapper compiles with ``mean_squared_error``. ``predict`` returns
    ``(n_samples,)`` when ``y`` was one-dimensional, ``(n_samples, n_targets)`` otherwise.

    Args:
        model: see :class:`BaseWrapper` (all arguments are its own).
        **kwargs: see :class:`BaseWrapper`.

    Attributes:
        model_: the fitted ``keras.Model``.
        history_: ``fit``'s history.
        n_features_in_: features seen in ``fit``.
        n_outputs_: targets per sample.
    """

    _default_loss = "mean_squared_error"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # y of shape (n_samples, n_targets) trains n_targets outputs
        return tags

    def _meta(self, X) -> dict:
        meta = super()._meta(X)
        meta.update(n_outputs_=self.n_outputs_, y_ndim_=self.y_ndim_, target_type_="continuous")
        return meta

    def fit(self, X, y, sample_weight=None, **kwargs: Any) -> "KerasRegressor":
        """Build (unless ``warm_start`` and fitted), compile and train the model.

        Args:
            X: features, ``(n_samples, n_features)``.
            y: targets, ``(n_samples,)`` or ``(n_samples, n_targets)``.
            sample_weight: per-sample weights, or None.
            **kwargs: more ``Model.fit`` arguments for this call.

        Returns:
            ``self``.

        Raises:
            ValueError: NaN/infinite or non-numeric data, or data that does not match the fitted model on a
                warm start.
        """
        warm = bool(self.warm_start) and hasattr(self, "model_")
        X, y = self._validate_Xy(X, y, reset=not warm)
        self.y_ndim_ = y.ndim
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        if not warm:
            seed = _seed_from(self.random_state)
            if seed is not None:
                set_random_seed(seed)
            self.model_ = self._build_model(self._meta(X))
        return self._fit(X, np.asarray(y, dtype="float32"), sample_weight, kwargs)

    def partial_fit(self, X, y, sample_weight=None) -> "KerasRegressor":
        """Train the (first call: new) model for one epoch on this batch.

        Args:
            X: features.
            y: targets.
            sample_weight: per-sample weights, or None.

        Returns:
            ``self``.
        """
        first = not hasattr(self, "model_")
        X, y = self._validate_Xy(X, y, reset=first)
        if first:
            self.y_ndim_, self.n_outputs_ = y.ndim, 1 if y.ndim == 1 else y.shape[1]
            self.model_ = self._build_model(self._meta(X))
        return self._fit(X, np.asarray(y, dtype="float32"), sample_weight, {"epochs": 1})

    def predict(self, X) -> np.ndarray:
        """The model's predictions, shaped like the ``y`` given to ``fit``.

        Args:
            X: features.

        Returns:
            ``(n_samples,)`` or ``(n_samples, n_targets)``.

        Raises:
            NotFittedError: before ``fit``.
        """
        out = self._raw_predict(X)
        if self.y_ndim_ == 1 and out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        return out

    def score(self, X, y, sample_weight=None) -> float:
        """R² of ``predict(X)`` against ``y``.

        Args:
            X: features.
            y: true targets.
            sample_weight: per-sample weights, or None.

        Returns:
            The coefficient of determination.
        """
        return float(r2_score(y, self.predict(X), sample_weight=sample_weight))


__all__ = ["BaseWrapper", "KerasClassifier", "KerasRegressor", "ROUTES"]
