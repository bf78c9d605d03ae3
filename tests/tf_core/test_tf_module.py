"""tf.Module: what it tracks and in which order, names and name scopes (expected values printed by
tensorflow-cpu 2.21 for the same classes)."""
import numpy as np
import pytest

import chainrule as tf


class M(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = tf.Variable(1., name="w")
        self.b = tf.Variable(1., name="b")

    @tf.Module.with_name_scope
    def __call__(self, x):
        if not hasattr(self, "c"):
            self.c = tf.Variable(2., name="c")
        return x * self.w + self.b


class Parent(tf.Module):
    def __init__(self):
        super().__init__()
        self.z = tf.Variable(0., name="z")
        self.child = M(name="child")
        self.lst = [tf.Variable(3., name="l0"), {"k": tf.Variable(4., name="d"), "a": M(name="inner")}]
        self.a = tf.Variable(5., name="a", trainable=False)
        self.t = (tf.Variable(6., name="t"),)
        self._private = tf.Variable(7., name="private")
        self.const = tf.constant(1.)


def names(vs):
    return [v.name for v in vs]


def test_walk_order_matches_tensorflow():
    p = Parent()
    assert names(p.variables) == ["private:0", "a:0", "l0:0", "d:0", "t:0", "z:0", "b:0", "child/w:0", "b:0",
                                  "inner/w:0"]                                                             # TF
    assert names(p.trainable_variables) == ["private:0", "l0:0", "d:0", "t:0", "z:0", "b:0", "child/w:0", "b:0",
                                            "inner/w:0"]                                                   # TF
    assert names(p.non_trainable_variables) == ["a:0"]
    assert [m.name for m in p.submodules] == ["child", "inner"]
    assert type(p.variables) is tuple and type(p.submodules) is tuple
    paths = [path for path, _ in p._flatten(predicate=lambda x: isinstance(x, tf.Variable), with_path=True)][:3]
    assert paths == [("_private",), ("a",), ("lst", 0)]                                                    # TF


def test_names_and_name_scopes():
    m = M()
    m(1.0)
    assert (m.name, m.name_scope.name, m.w.name, m.b.name, m.c.name) == ("m", "m/", "m/w:0", "b:0", "m/c:0")  # TF
    assert M(name="x").name_scope.name == "x/"

    class MyThing(tf.Module):
        pass

    assert MyThing().name == "my_thing" and MyThing(name="a_b").name == "a_b" and tf.Module().name == "module"
    for bad in ("a b", "1abc"):
        with pytest.raises(ValueError, match=f"'{bad}' is not a valid module name. Module names must be valid "
                                             r"Python identifiers \(e.g. a valid class name\)."):
            MyThing(name=bad)
    with tf.name_scope("outer"):
        inner = M(name="n")
    assert inner.name_scope.name == "outer/n/" and inner.w.name == "outer/n/w:0"


def test_intro_to_modules_sequential_module():
    class Dense(tf.Module):
        def __init__(self, in_features, out_features, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(tf.random.normal([in_features, out_features]), name="w")
            self.b = tf.Variable(tf.zeros([out_features]), name="b")

        def __call__(self, x):
            return tf.nn.relu(tf.matmul(x, self.w) + self.b)

    class SequentialModule(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.dense_1 = Dense(in_features=3, out_features=3)
            self.dense_2 = Dense(in_features=3, out_features=2)

        def __call__(self, x):
            return self.dense_2(self.dense_1(x))

    model = SequentialModule(name="the_model")
    assert model(tf.constant([[2.0, 2.0, 2.0]])).shape == (1, 2)
    assert [m.name for m in model.submodules] == ["dense", "dense"]
    assert names(model.variables) == ["b:0", "w:0", "b:0", "w:0"]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(tf.constant([[2.0, 2.0, 2.0]])))
    grads = tape.gradient(loss, model.trainable_variables)
    assert [g.shape for g in grads] == [(3,), (3, 3), (2,), (3, 2)]


def test_each_object_is_reported_once_and_cycles_end():
    shared = tf.Variable(1.0, name="shared")

    class A(tf.Module):
        pass

    a, b = A(name="a"), A(name="b")
    a.v, a.again, a.child = shared, [shared], b
    b.parent, b.v = a, shared
    assert names(a.variables) == ["shared:0"]
    assert [m.name for m in a.submodules] == ["b"]
    assert [m.name for m in b.submodules] == ["a"]


def test_module_without_super_init_still_tracks():
    class Model(tf.Module):
        def __init__(self):
            self.v = tf.Variable(0)

    m = Model()
    assert names(m.variables) == ["Variable:0"] and m.name == "model"


def test_a_subclass_can_plug_in_its_own_bookkeeping():
    class Layerish(tf.Module):
        _TF_MODULE_IGNORED_PROPERTIES = frozenset({"_cache"}) | tf.Module._TF_MODULE_IGNORED_PROPERTIES

        def __init__(self):
            super().__init__()
            self._weights = [tf.Variable(np.ones(2), name="kernel")]
            self._cache = [tf.Variable(0.0, name="cache")]

        @property
        def trainable_variables(self):
            return tuple(self._weights)

    layer = Layerish()
    assert names(layer.trainable_variables) == ["kernel:0"]
    assert names(layer.variables) == ["kernel:0"]   # _cache is ignored by the walk
