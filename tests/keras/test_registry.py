"""The one registry: every kind resolves built-in names, registered objects, ``custom_objects`` and scopes alike."""
import itertools

import numpy as np
import pytest

import chainrule
from chainrule import keras
from chainrule.keras import (activations, initializers, layers, losses, metrics, optimizers, registry,
                             regularizers)

_unique = itertools.count()


def _name(stem):
    return f"{stem}{next(_unique)}"


# ----------------------------------------------------------------------------- one custom object per kind

def _function(name):
    def fn(*args, **kwargs):
        return args[0] if args else None
    fn.__name__ = name
    return fn


def _class(base, extra=None):
    def make(name):
        return type(name, (base,), dict(extra or {}))
    return make


class _Schedule(optimizers.schedules.LearningRateSchedule):
    def __call__(self, step):
        return 0.5

    def get_config(self):
        return {}


class _Constant(initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        return chainrule.ones(shape)


KINDS = {
    # kind: (make the custom object from a name, resolve a name (with custom_objects), built instance or as is)
    "activations": (_function, lambda n, co=None: activations.deserialize(n, co), False),
    "losses": (_function, lambda n, co=None: losses.deserialize(n, co), False),
    "metrics": (_function, lambda n, co=None: metrics.deserialize(n, co), False),
    "initializers": (_class(_Constant), lambda n, co=None: initializers.deserialize(n, co), True),
    "regularizers": (_class(regularizers.Regularizer, {"get_config": lambda self: {}}),
                     lambda n, co=None: regularizers.deserialize(n, co), True),
    "optimizers": (_class(optimizers.SGD), lambda n, co=None: optimizers.deserialize(
        {"class_name": n, "config": {}}, co), True),
    "schedules": (_class(_Schedule), lambda n, co=None: optimizers.schedules.deserialize(
        {"class_name": n, "config": {}}, co), True),
    "layers": (_class(layers.Dense, {"__init__": lambda self, units=2, **kw: layers.Dense.__init__(self, units, **kw)}),
               lambda n, co=None: layers.deserialize({"class_name": n, "config": {}}, co), True),
    "models": (_class(keras.Model, {"get_config": lambda self: {}}),
               lambda n, co=None: registry.resolve("models", n, co), False),
}


def _check(obj, result, built):
    if built:
        assert type(result) is obj
    else:
        assert result is obj


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_resolves_custom_objects_scopes_and_registered_objects_alike(kind):
    make, resolve, built = KINDS[kind]
    for way in ("custom_objects", "scope", "registered"):
        name = _name(f"My{kind.title()}")
        obj = make(name)
        with pytest.raises(ValueError, match=f"Unknown .*{name}"):
            resolve(name)
        if way == "custom_objects":
            result = resolve(name, {name: obj})
        elif way == "scope":
            with keras.saving.custom_object_scope({name: obj}):
                result = resolve(name)
            with pytest.raises(ValueError, match=f"Unknown .*{name}"):
                resolve(name)
        else:
            keras.saving.register_keras_serializable(package="tests")(obj)
            result = resolve(name)
            _check(obj, resolve(f"tests>{name}"), built)
        _check(obj, result, built)


def test_a_registered_function_is_an_activation_as_well_as_a_loss():
    """The bug: register_keras_serializable made a function a loss, but activations.get raised."""
    name = _name("double")

    def double(x, y=None):
        return x * 2

    double.__name__ = name
    keras.utils.register_keras_serializable(package="mine")(double)
    assert losses.get(name) is double
    assert activations.get(name) is double
    assert activations.get(f"mine>{name}") is double
    assert activations.serialize(double) == f"mine>{name}"
    layer = layers.Dense(1, activation=name, kernel_initializer="ones")
    np.testing.assert_allclose(layer(np.ones((1, 2), "float32")).numpy(), [[4.0]])
    assert layers.Dense.from_config(layer.get_config()).activation is double


def test_custom_objects_come_before_built_in_names_and_scopes_nest():
    def mine(x):
        return x

    assert activations.deserialize("relu", {"relu": mine}) is mine
    assert activations.deserialize("relu") is activations.relu
    with keras.utils.custom_object_scope({"outer": mine}), keras.saving.custom_object_scope({"outer": abs}):
        assert activations.get("outer") is abs
        assert keras.saving.get_registered_object("outer") is abs
    assert keras.saving.get_registered_object("outer") is None


def test_unknown_names_suggest_built_in_and_custom_names():
    with pytest.raises(ValueError, match=r"Unknown loss function: 'my_los'.*Did you mean 'my_loss'\?"):
        losses.deserialize("my_los", {"my_loss": losses.mean_squared_error})
    with pytest.raises(ValueError, match=r"Unknown layer: 'Dens'\. Valid names: .*'Dense'.*custom_objects.*"
                                         r"Did you mean 'Dense'\?"):
        layers.deserialize({"class_name": "Dens", "config": {}})


def test_configs_never_import_a_module_and_refuse_system_ones():
    with pytest.raises(ValueError, match="module 'os'"):
        activations.deserialize({"module": "os", "class_name": "function", "config": "system"})
    with pytest.raises(ValueError, match="not a Layer subclass"):
        layers.deserialize({"class_name": "x", "config": {}}, custom_objects={"x": print})
    with pytest.raises(ValueError, match="points to .*Dense, a different class"):
        layers.deserialize({"class_name": "Add", "registered_name": "Dense", "config": {}})
