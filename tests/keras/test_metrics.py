"""chainrule.keras.metrics: stateful metrics over several batches, tf.keras's documented numbers, name resolution."""
import importlib

import numpy as np
import pytest

import chainrule
from chainrule.autodiff import GradientTape
from chainrule.tensor import Tensor

metrics = importlib.import_module("chainrule.keras.metrics")
losses = importlib.import_module("chainrule.keras.losses")
activations = importlib.import_module("chainrule.keras.activations")


def value(t):
    assert isinstance(t, Tensor)
    return np.asarray(t.numpy(), dtype=np.float64)


def check_result(metric, expected, tol=1e-6):
    out = metric.result()
    assert isinstance(out, Tensor) and out.dtype == chainrule.float32 and out.shape == ()
    assert value(out) == pytest.approx(expected, abs=tol)


# ----------------------------------------------------------------------------- Mean / Sum

def test_mean_and_sum_accumulate_and_reset():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    check_result(m, 4.0)
    m.update_state([10.0])
    check_result(m, 26 / 5)
    m.reset_state()
    check_result(m, 0.0)  # no value seen: 0, as div_no_nan
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    check_result(m, 2.0)
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7])
    s.update_state(Tensor(np.array([2.0], np.float32)), sample_weight=[3.0])
    check_result(s, 22.0)
    s.reset_states()
    check_result(s, 0.0)
    assert metrics.Mean().name == "mean" and metrics.Sum().name == "sum"


def test_mean_weights_broadcast_over_values():
    m = metrics.Mean()
    # weights (2,) against values (2, 2): expanded to (2, 1), broadcast -> count 2 * (1 + 3)
    m.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[1.0, 3.0])
    check_result(m, (1 + 2 + 9 + 12) / 8)


def test_call_updates_then_returns_result():
    m = metrics.Mean()
    assert value(m([2.0, 4.0])) == pytest.approx(3.0)
    assert value(m([6.0])) == pytest.approx(4.0)


# ----------------------------------------------------------------------------- accuracy family

def test_binary_accuracy_several_batches_and_reset():
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])  # 3 of 4
    check_result(m, 0.75)
    m.update_state([[1], [0]], [[0.51], [0.5]])                        # 0.5 is not > 0.5 -> 0: 2 of 2
    check_result(m, 5 / 6)
    m.reset_state()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], sample_weight=[1, 0, 0, 1])
    check_result(m, 0.5)
    t = metrics.BinaryAccuracy(threshold=0.7)
    t.update_state([[1], [1]], [[0.65], [0.75]])
    check_result(t, 0.5)


def test_binary_accuracy_with_one_dim_labels_counts_each_sample():
    m = metrics.BinaryAccuracy()
    m.update_state(np.array([1, 0, 1]), np.array([[0.9], [0.2], [0.1]], np.float32))  # 2 of 3
    m.update_state(np.array([0.0]), np.array([[0.7]], np.float32))                   # 0 of 1
    check_result(m, 0.5)


def test_categorical_accuracy_batches():
    m = metrics.CategoricalAccuracy()
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    check_result(m, 0.5)
    m.update_state([[1, 0, 0]], [[0.5, 0.2, 0.3]])
    check_result(m, 2 / 3)
    m.reset_state()
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
    check_result(m, 0.3)


@pytest.mark.parametrize("labels", [
    np.array([2, 1]), np.array([[2], [1]]), np.array([2.0, 1.0], np.float32), np.array([[2.0], [1.0]])])
def test_sparse_categorical_accuracy_label_forms(labels):
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(labels, [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    check_result(m, 0.5)
    m.update_state(labels, [[0.1, 0.2, 0.7], [0.05, 0.95, 0]])
    check_result(m, 0.75)
    m.reset_state()
    m.update_state(labels, [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
    check_result(m, 0.3)


def test_sparse_categorical_accuracy_rejects_one_hot_labels():
    with pytest.raises(ValueError, match="one-hot"):
        metrics.SparseCategoricalAccuracy().update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.6, 0.3], [0, 1, 0]])


def test_accuracy_exact_match():
    m = metrics.Accuracy()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    check_result(m, 0.75)
    m.update_state([[1], [2]], [[1], [1]])
    check_result(m, 4 / 6)


def test_top_k_accuracies():
    m = metrics.TopKCategoricalAccuracy(k=1)
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    check_result(m, 0.5)
    k2 = metrics.TopKCategoricalAccuracy(k=2)
    k2.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    check_result(k2, 1.0)
    s = metrics.SparseTopKCategoricalAccuracy(k=1)
    s.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
    check_result(s, 0.3)
    s.update_state([[0]], [[0.4, 0.4, 0.2]])  # tie at the top: counted as in (tf.math.in_top_k)
    check_result(s, 1.3 / 2.0)
    assert metrics.TopKCategoricalAccuracy().get_config()["k"] == 5


def test_accuracy_functions_return_per_sample_tensors():
    out = metrics.binary_accuracy([[1, 1], [0, 0]], [[0.9, 0.2], [0.4, 0.6]])
    np.testing.assert_allclose(value(out), [0.5, 0.5])
    out = metrics.categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    np.testing.assert_allclose(value(out), [0.0, 1.0])
    for labels in ([2, 1], [[2], [1]], [2.0, 1.0]):
        out = metrics.sparse_categorical_accuracy(labels, [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        assert out.shape == (2,)
        np.testing.assert_allclose(value(out), [0.0, 1.0])
    out = metrics.top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1)
    np.testing.assert_allclose(value(out), [0.0, 1.0])
    out = metrics.sparse_top_k_categorical_accuracy([2, 2], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=2)
    np.testing.assert_allclose(value(out), [1.0, 0.0])


# ----------------------------------------------------------------------------- regression metrics

def test_regression_metrics_doc_values():
    y_true, y_pred = [[0, 1], [0, 0]], [[1, 1], [0, 0]]
    mse = metrics.MeanSquaredError()
    mse.update_state(y_true, y_pred)
    check_result(mse, 0.25)
    mse.reset_state()
    mse.update_state(y_true, y_pred, sample_weight=[1, 0])
    check_result(mse, 0.5)
    mae = metrics.MeanAbsoluteError()
    mae.update_state(y_true, y_pred)
    check_result(mae, 0.25)
    rmse = metrics.RootMeanSquaredError()
    rmse.update_state(y_true, y_pred)
    check_result(rmse, 0.5)
    rmse.reset_state()
    rmse.update_state(y_true, y_pred, sample_weight=[1, 0])
    check_result(rmse, np.sqrt(0.5))
    mape = metrics.MeanAbsolutePercentageError()
    mape.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    check_result(mape, 250000000.0, tol=1.0)  # |0 - 1| / 1e-7 * 100 / 2, averaged over 2 samples


def test_rmse_accumulates_elements_across_batches():
    m = metrics.RootMeanSquaredError()
    m.update_state([[0.0], [0.0]], [[1.0], [3.0]])   # squares 1, 9
    m.update_state([[0.0]], [[2.0]])                 # square 4
    check_result(m, np.sqrt(14 / 3), tol=1e-6)


# ----------------------------------------------------------------------------- confusion-matrix metrics

def test_precision_and_recall_doc_examples():
    p = metrics.Precision()
    p.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    check_result(p, 2 / 3)
    p.reset_state()
    p.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    check_result(p, 1.0)
    r = metrics.Recall()
    r.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    check_result(r, 2 / 3)
    r.reset_state()
    r.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    check_result(r, 1.0)
    assert p.name == "precision" and r.name == "recall"


def test_precision_top_k_and_thresholds():
    m = metrics.Precision(top_k=2)
    m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
    check_result(m, 0.0)
    m = metrics.Precision(top_k=4)
    m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
    check_result(m, 0.5)
    multi = metrics.Precision(thresholds=[0.2, 0.8])
    multi.update_state([0, 1, 1, 1], [0.5, 0.1, 0.9, 0.3])
    np.testing.assert_allclose(value(multi.result()), [2 / 3, 1.0], atol=1e-6)
    r = metrics.Recall(class_id=1)
    r.update_state([[0, 1], [0, 1], [1, 0]], [[0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
    check_result(r, 0.5)


def test_precision_over_several_batches():
    m = metrics.Precision()
    m.update_state([1, 0], [0.9, 0.8])    # tp 1, fp 1
    m.update_state([1, 1, 0], [0.6, 0.4, 0.2])  # tp 1
    check_result(m, 2 / 3)


def test_confusion_metrics_reject_out_of_range_predictions():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.Precision().update_state([0, 1], [-0.5, 2.0])
    with pytest.raises(ValueError, match="from_logits"):
        metrics.AUC().update_state([0, 1], [-0.5, 2.0])


def test_auc_doc_example():
    m = metrics.AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    # thresholds [-eps, 0.5, 1+eps]: TPR [1, 0.5, 0], FPR [1, 0, 0] -> (1 - 0) * (1 + 0.5) / 2
    check_result(m, 0.75)
    m.reset_state()
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
    check_result(m, 1.0)
    default = metrics.AUC()
    default.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    check_result(default, 0.75)  # 3 of the 4 (positive, negative) pairs are ranked right, no ties
    assert default.name == "auc" and len(default.thresholds) == 200


def test_auc_perfect_reversed_and_accumulated():
    y = np.array([0, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.35, 0.6, 0.8, 0.95])
    perfect = metrics.AUC()
    perfect.update_state(y, s)
    check_result(perfect, 1.0)
    reversed_ = metrics.AUC()
    reversed_.update_state(y, 1 - s)
    check_result(reversed_, 0.0)
    # two batches: same as one batch with everything
    split = metrics.AUC()
    split.update_state(y[:3], s[[0, 3, 1]])
    split.update_state(y[3:], s[[4, 2, 5]])
    # scores by label: negatives {0.1, 0.6, 0.2}, positives {0.8, 0.35, 0.95}:
    # pairs right: 0.8 > all 3, 0.95 > all 3, 0.35 > {0.1, 0.2}: 8 of 9
    check_result(split, 8 / 9, tol=1e-6)


def test_auc_from_logits_and_pr_curve():
    m = metrics.AUC(from_logits=True)
    m.update_state([0, 1, 0, 1], [-3.0, 2.0, -1.0, 0.5])
    check_result(m, 1.0)
    pr = metrics.AUC(curve="PR", num_thresholds=3)
    pr.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    # Davis & Goadrich interpolation, by hand: tp [2,1,0], fp [2,0,0], fn [0,1,2]
    # slopes [1/3, 1], intercepts [2/3, 0], p-ratio [4, 1]
    expected = (1 / 3) * (1 + (2 / 3) * np.log(4)) / 2 + 1 * (1 + 0) / 2
    check_result(pr, expected, tol=1e-6)


def test_auc_multi_label_averages_columns():
    y = np.array([[0, 1], [1, 0], [1, 1], [0, 0]])
    s = np.array([[0.1, 0.9], [0.8, 0.3], [0.7, 0.2], [0.2, 0.6]])
    m = metrics.AUC(multi_label=True)
    m.update_state(y, s)
    # column 0: perfect (1.0); column 1: positives {0.9, 0.2}, negatives {0.3, 0.6}: 2 of 4 pairs
    check_result(m, (1.0 + 0.5) / 2, tol=1e-6)


# ----------------------------------------------------------------------------- name resolution (compile(metrics=[...]))

@pytest.mark.parametrize("identifier, loss, output_shape, cls", [
    ("acc", "binary_crossentropy", (None, 3), metrics.BinaryAccuracy),
    ("acc", losses.BinaryCrossentropy(), None, metrics.BinaryAccuracy),
    ("accuracy", "sparse_categorical_crossentropy", (None, 10), metrics.SparseCategoricalAccuracy),
    ("accuracy", losses.SparseCategoricalCrossentropy(from_logits=True), (None, 10),
     metrics.SparseCategoricalAccuracy),
    ("accuracy", losses.sparse_categorical_crossentropy, (None, 10), metrics.SparseCategoricalAccuracy),
    ("accuracy", "categorical_crossentropy", (None, 10), metrics.CategoricalAccuracy),
    ("acc", losses.CategoricalCrossentropy(), (None, 10), metrics.CategoricalAccuracy),
    ("accuracy", "mse", (None, 1), metrics.BinaryAccuracy),
    ("accuracy", "mse", (None, 4), metrics.CategoricalAccuracy),
])
def test_accuracy_resolves_by_loss_and_output_shape_and_keeps_the_name(identifier, loss, output_shape, cls):
    m = metrics.get_metric(identifier, loss=loss, output_shape=output_shape)
    assert type(m) is cls
    assert m.name == identifier


@pytest.mark.parametrize("target_shape, output_shape, cls", [
    ((None,), (None, 10), metrics.SparseCategoricalAccuracy),
    ((None, 1), (None, 10), metrics.SparseCategoricalAccuracy),
    ((None, 10), (None, 10), metrics.CategoricalAccuracy),
    ((None, 1), (None, 1), metrics.BinaryAccuracy),
])
def test_accuracy_resolves_by_target_and_output_shapes_as_tf_keras_2_11(target_shape, output_shape, cls):
    m = metrics.get_metric("accuracy", loss="categorical_crossentropy", output_shape=output_shape,
                           target_shape=target_shape)
    assert type(m) is cls and m.name == "accuracy"


def test_resolved_accuracy_computes_the_right_thing():
    m = metrics.get_metric("acc", loss="sparse_categorical_crossentropy", output_shape=(None, 3))
    m.update_state(np.array([2, 1]), [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    check_result(m, 0.5)
    b = metrics.get_metric("acc", loss="binary_crossentropy", output_shape=(None, 1))
    b.update_state(np.array([1, 0]), [[0.7], [0.6]])
    check_result(b, 0.5)


def test_crossentropy_shortcut():
    m = metrics.get_metric("ce", loss="binary_crossentropy", output_shape=(None, 1))
    assert isinstance(m, metrics.BinaryCrossentropy) and m.name == "ce"
    m.update_state([[0.0], [1.0]], [[0.4], [0.4]])
    expected = -(np.log(0.6 + 1e-7) + np.log(0.4 + 1e-7)) / 2
    check_result(m, expected, tol=1e-5)


@pytest.mark.parametrize("identifier, name, cls", [
    ("mae", "mae", metrics.MeanMetricWrapper),
    ("mean_absolute_error", "mean_absolute_error", metrics.MeanMetricWrapper),
    ("mse", "mse", metrics.MeanMetricWrapper),
    ("AUC", "auc", metrics.AUC),
    ("auc", "auc", metrics.AUC),
    ("Precision", "precision", metrics.Precision),
    ("RootMeanSquaredError", "root_mean_squared_error", metrics.RootMeanSquaredError),
])
def test_string_metrics_names(identifier, name, cls):
    m = metrics.get_metric(identifier)
    assert type(m) is cls and m.name == name


def test_instances_functions_and_classes():
    auc = metrics.AUC()
    assert metrics.get_metric(auc) is auc
    assert metrics.get_metric(metrics.Precision()).name == "precision"
    assert metrics.get_metric(metrics.Recall).name == "recall"
    wrapped = metrics.get_metric(metrics.binary_accuracy)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "binary_accuracy"

    def my_metric(y_true, y_pred):
        return chainrule.reduce_mean(y_pred - y_true, axis=-1)

    custom = metrics.get_metric(my_metric)
    assert custom.name == "my_metric"
    custom.update_state([[1.0], [2.0]], [[2.0], [4.0]])
    check_result(custom, 1.5)
    m = metrics.get_metric("mae")
    m.update_state([[0.0, 1.0]], [[1.0, 1.0]])
    check_result(m, 0.5)


def test_misspelled_metric_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'binary_accuracy'"):
        metrics.get_metric("binary_acuracy")
    with pytest.raises(ValueError, match="Did you mean 'sparse_categorical_accuracy'"):
        metrics.get("spare_categorical_accuracy")


def test_configs_round_trip():
    for m in (metrics.BinaryAccuracy(threshold=0.3), metrics.AUC(num_thresholds=50, curve="PR"),
              metrics.Precision(thresholds=[0.3, 0.6]), metrics.SparseTopKCategoricalAccuracy(k=3),
              metrics.Mean(name="loss")):
        config = m.get_config()
        clone = type(m).from_config(config)
        assert clone.get_config() == config and clone.name == m.name
    assert metrics.BinaryAccuracy().get_config() == {"name": "binary_accuracy", "dtype": "float32",
                                                     "threshold": 0.5}
    restored = metrics.deserialize(metrics.serialize(metrics.AUC(num_thresholds=10)))
    assert isinstance(restored, metrics.AUC) and restored.num_thresholds == 10


# ----------------------------------------------------------------------------- no tape involvement, custom metrics

def test_metrics_record_nothing_on_a_tape():
    z = Tensor(np.array([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]], np.float32))
    with GradientTape() as tape:
        tape.watch(z)
        probs = activations.softmax(z)
        n_records = len(tape._records)
        for m in (metrics.SparseCategoricalAccuracy(), metrics.MeanSquaredError(), metrics.AUC(),
                  metrics.get_metric("ce", loss="sparse_categorical_crossentropy", output_shape=(None, 3))):
            m.update_state(np.array([1, 2]) if not isinstance(m, (metrics.MeanSquaredError, metrics.AUC))
                           else np.eye(3)[[1, 2]], probs)
        assert len(tape._records) == n_records


def test_custom_metric_subclass_with_add_weight():
    class CountPositives(metrics.Metric):
        def __init__(self, name="count_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.count = self.add_weight(name="count", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.count.assign_add(np.sum(np.asarray(y_pred) > 0.5))

        def result(self):
            return self.count.value()

    m = CountPositives()
    m.update_state(None, [0.2, 0.7, 0.9])
    m.update_state(None, [0.6])
    assert float(m.result()) == 3.0
    m.reset_state()
    assert float(m.result()) == 0.0
    assert len(m.variables) == 1
