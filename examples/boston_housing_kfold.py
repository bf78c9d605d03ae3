"""Seed 003 (Boston housing, "주택 가격 예측"): regression, then 3-fold cross-validation.

As in the seed: ``boston_housing.load_data(test_split=0.2, seed=111)``, standardization with the
training mean and std, ``train_test_split(test_size=0.3, random_state=111)``, a Sequential
13-100-64-32-1 model (Adam(1e-2), mse, mae), 300 epochs with validation, ``evaluate`` on the test
set, the loss/MAE curves; then ``KFold(n_splits=3, shuffle=True, random_state=111)`` with a
functional model (Adam, 300 epochs per fold) and the mean test MAE.

The seed's K-fold loop splits ``x_train`` (the 282-row training part of the first split) but takes
the labels from ``y_train_full`` (all 404 rows), so features and labels do not belong together;
that is why its MAE is about 8.9. This script runs the loop as published and then once more with
matching features and labels (``x_train_preprocessed`` with ``y_train_full``), and prints both.

    python examples/boston_housing_kfold.py [--quick] [--out DIR]

``--quick``: 10 epochs instead of 300. Data: Boston housing from ``$CHAINRULE_DATA``.
Writes ``boston_history.png`` and ``boston_kfold_mae.png``.
"""
import numpy as np

from _common import banner, parse_args, plot_model_or_note, plt, savefig
from sklearn.model_selection import KFold, train_test_split

import chainrule as tf
from chainrule.keras.datasets.boston_housing import load_data
from chainrule.keras.layers import Dense, Input
from chainrule.keras.models import Model, Sequential
from chainrule.keras.optimizers import Adam


def main():
    args = parse_args(__doc__.splitlines()[0])
    epochs = 10 if args.quick else 300

    banner("2. Data")
    tf.random.set_seed(111)
    (x_train_full, y_train_full), (x_test, y_test) = load_data(path='boston_housing.npz', test_split=0.2, seed=111)
    print(x_train_full[0])
    print(y_train_full[0])
    print('학습 데이터: {}\t레이블: {}'.format(x_train_full.shape, y_train_full.shape))
    print('테스트 데이터: {}\t레이블: {}'.format(x_test.shape, y_test.shape))

    banner("4. Standardization and a validation split")
    mean = np.mean(x_train_full, axis=0)
    std = np.std(x_train_full, axis=0)
    x_train_preprocessed = (x_train_full - mean) / std
    x_test = (x_test - mean) / std
    x_train, x_val, y_train, y_val = train_test_split(x_train_preprocessed, y_train_full, test_size=0.3,
                                                      random_state=111)
    print("학습 데이터: {}\t레이블: {}".format(x_train_full.shape, y_train_full.shape))
    print("학습 데이터: {}\t레이블: {}".format(x_train.shape, y_train.shape))
    print("검증 데이터: {}\t레이블: {}".format(x_val.shape, y_val.shape))
    print("테스트 데이터: {}\t레이블: {}".format(x_test.shape, y_test.shape))

    banner("5-7. Sequential model, Adam(1e-2), %d epochs" % epochs)
    model = Sequential([Dense(100, activation='relu', input_shape=(13, ), name='dense1'),
                        Dense(64, activation='relu', name='dense2'),
                        Dense(32, activation='relu', name='dense3'),
                        Dense(1, name='output')])
    model.summary()
    plot_model_or_note(model, args.out, "boston_model.png")
    model.compile(loss='mse', optimizer=Adam(learning_rate=1e-2), metrics=['mae'])
    history = model.fit(x_train, y_train, epochs=epochs, validation_data=(x_val, y_val), verbose=0)

    banner("8. Evaluation")
    result = model.evaluate(x_test, y_test)
    print(result)
    print(f"test mae: {result[1]:.4f}")

    history_dict = history.history
    loss, val_loss = history_dict['loss'], history_dict['val_loss']
    ep = range(1, len(loss) + 1)
    fig = plt.figure(figsize=(12, 6))
    ax1 = fig.add_subplot(1, 2, 1)
    ax1.plot(ep, loss, color='blue', label='train_loss')
    ax1.plot(ep, val_loss, color='red', label='val_loss')
    ax1.set_title('Train and Validation Loss')
    ax1.set_xlabel('Epochs')
    ax1.set_ylabel('Loss')
    ax1.grid()
    ax1.legend()
    mae, val_mae = history_dict['mae'], history_dict['val_mae']
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.plot(ep, mae, color='blue', label='train_mae')
    ax2.plot(ep, val_mae, color='red', label='val_mae')
    ax2.set_title('Train and Validation MAE')
    ax2.set_xlabel('Epochs')
    ax2.set_ylabel('MAE')
    ax2.grid()
    ax2.legend()
    savefig(fig, args.out, "boston_history.png")

    banner("10. K-fold cross-validation (k = 3)")
    tf.random.set_seed(111)
    k = 3
    kfold = KFold(n_splits=k, random_state=111, shuffle=True)

    def build_model():
        input = Input(shape=(13, ), name='input')
        hidden1 = Dense(100, activation='relu', input_shape=(13, ), name='dense1')(input)
        hidden2 = Dense(64, activation='relu', name='dense2')(hidden1)
        hidden3 = Dense(32, activation='relu', name='dense3')(hidden2)
        output = Dense(1, name='output')(hidden3)
        model = Model(inputs=[input], outputs=[output])
        model.compile(loss='mse', optimizer='adam', metrics=['mae'])
        return model

    def cross_validate(features, labels):
        mae_list = []
        for train_idx, val_idx in kfold.split(features):
            x_train_fold, x_val_fold = features[train_idx], features[val_idx]
            y_train_fold, y_val_fold = labels[train_idx], labels[val_idx]
            model = build_model()
            model.fit(x_train_fold, y_train_fold, epochs=epochs, validation_data=(x_val_fold, y_val_fold),
                      verbose=0)
            _, test_mae = model.evaluate(x_test, y_test)
            mae_list.append(test_mae)
        return mae_list

    print("As published: kfold.split(x_train) with labels y_train_full[train_idx] (mismatched rows)")
    mae_seed = cross_validate(x_train, y_train_full)
    print(mae_seed)
    print(np.mean(mae_seed))
    print("Corrected: kfold.split(x_train_preprocessed) with labels y_train_full[train_idx]")
    mae_fixed = cross_validate(x_train_preprocessed, y_train_full)
    print(mae_fixed)
    print(np.mean(mae_fixed))
    print(f"k-fold mean test mae: as published {np.mean(mae_seed):.4f}, corrected {np.mean(mae_fixed):.4f}")

    fig = plt.figure()
    xs = np.arange(1, k + 1)
    plt.bar(xs - 0.2, mae_seed, width=0.4, label=f"as published (mean {np.mean(mae_seed):.2f})")
    plt.bar(xs + 0.2, mae_fixed, width=0.4, label=f"labels matched (mean {np.mean(mae_fixed):.2f})")
    plt.xticks(xs, [f"fold {i}" for i in xs])
    plt.ylabel("test MAE ($1000)")
    plt.title("Boston housing: 3-fold cross-validation")
    plt.legend()
    savefig(fig, args.out, "boston_kfold_mae.png")


if __name__ == "__main__":
    main()
