"""Seed 003 (Auto MPG, "자동차 연비 예측"): regression with a functional model and EarlyStopping.

As in the seed: ``get_file('auto-mpg.data', ...)`` and pandas, the 6 rows with a missing horsepower
dropped, 'Origin' one-hot encoded, an 80/20 split with ``sample(frac=0.8, random_state=0)``,
normalization with the training statistics, a functional 9-64-64-1 model (RMSprop(0.001), mse,
metrics mae and mse), 1,000 epochs with ``validation_split=0.2``; then a fresh model with
``EarlyStopping(monitor='val_loss', patience=10)``, evaluation, the prediction scatter plot and
the error histogram. (The seed's seaborn pairplot is drawn with pandas' ``scatter_matrix``.)

    python examples/auto_mpg_regression.py [--quick] [--out DIR]

``--quick``: 30 epochs at most in each run, 3 columns in the pair plot. Training output is kept quiet (``verbose=0``);
the history's last rows are printed instead of 1,000 progress lines.
Data: ``auto-mpg.data`` from ``$CHAINRULE_DATA`` via ``keras.utils.get_file``.
Writes ``auto_mpg_pairplot.png``, ``auto_mpg_history.png``, ``auto_mpg_history_early_stopping.png``,
``auto_mpg_predictions.png``, ``auto_mpg_error_hist.png``.
"""
import pandas as pd
from pandas.plotting import scatter_matrix

from _common import banner, parse_args, plot_model_or_note, plt, savefig

import chainrule as tf
from chainrule.keras.callbacks import EarlyStopping
from chainrule.keras.layers import Dense, Input
from chainrule.keras.models import Model
from chainrule.keras.optimizers import RMSprop
from chainrule.keras.utils import get_file


def plot_history(history, out, name):
    hist = pd.DataFrame(history.history)
    hist['epoch'] = history.epoch
    fig = plt.figure(figsize=(12, 6))
    plt.subplot(1, 2, 1)
    plt.xlabel('Epochs')
    plt.ylabel('MPG Mean Absolute Error')
    plt.plot(hist['epoch'], hist['mae'], label='Train Error')
    plt.plot(hist['epoch'], hist['val_mae'], label='Val Error')
    plt.ylim([0, 5])
    plt.legend()
    plt.subplot(1, 2, 2)
    plt.xlabel('Epochs')
    plt.ylabel('MPG Mean Squared Error')
    plt.plot(hist['epoch'], hist['mse'], label='Train Error')
    plt.plot(hist['epoch'], hist['val_mse'], label='Val Error')
    plt.ylim([0, 20])
    plt.legend()
    savefig(fig, out, name)


def main():
    args = parse_args(__doc__.splitlines()[0])
    tf.keras.utils.set_random_seed(0)

    banner("2. Data")
    dataset_path = get_file("auto-mpg.data",
                            "http://archive.ics.uci.edu/ml/machine-learning-databases/auto-mpg/auto-mpg.data")
    column_names = ['MPG', 'Cylinders', 'Displacement', 'Horsepower', 'Weight', 'Acceleration', 'Model Year',
                    'Origin']
    raw_dataset = pd.read_csv(dataset_path, names=column_names, na_values='?', comment='\t', sep=' ',
                              skipinitialspace=True)
    dataset = raw_dataset.copy()
    print(dataset.tail())

    banner("4. Preprocessing")
    print(dataset.isna().sum())
    dataset = dataset.dropna()
    origin = dataset.pop('Origin')
    dataset['USA'] = (origin == 1) * 1.0
    dataset['Europe'] = (origin == 2) * 1.0
    dataset['Japan'] = (origin == 3) * 1.0
    train_dataset = dataset.sample(frac=0.8, random_state=0)
    test_dataset = dataset.drop(train_dataset.index)

    columns = ['MPG', 'Cylinders', 'Displacement', 'Horsepower', 'Weight']
    axes = scatter_matrix(train_dataset[columns[:3] if args.quick else columns], figsize=(10, 10), diagonal='hist')
    savefig(axes[0, 0].figure, args.out, "auto_mpg_pairplot.png")

    train_stats = train_dataset.describe()
    train_stats.pop("MPG")
    train_stats = train_stats.transpose()
    print(train_stats)
    train_labels = train_dataset.pop('MPG')
    test_labels = test_dataset.pop('MPG')

    def normalization(x):
        return (x - train_stats['mean']) / train_stats['std']

    normed_train_data = normalization(train_dataset)
    normed_test_data = normalization(test_dataset)

    banner("5. Model")

    def build_model():
        input = Input(shape=len(train_dataset.keys()), name='input')
        hidden1 = Dense(64, activation='relu', name='dense1')(input)
        hidden2 = Dense(64, activation='relu', name='dense2')(hidden1)
        output = Dense(1, name='output')(hidden2)
        model = Model(inputs=[input], outputs=[output])
        model.compile(loss='mse', optimizer=RMSprop(0.001), metrics=['mae', 'mse'])
        return model

    model = build_model()
    model.summary()
    plot_model_or_note(model, args.out, "auto_mpg_model.png")

    banner("6. Predictions of the untrained model on 10 samples")
    sample_batch = normed_train_data[:10]
    sample_result = model.predict(sample_batch)
    print(sample_result.ravel())

    epochs = 30 if args.quick else 1000
    banner(f"7-8. Training for {epochs} epochs")
    history = model.fit(normed_train_data, train_labels, epochs=epochs, validation_split=0.2, verbose=0)
    hist = pd.DataFrame(history.history)
    hist['epoch'] = history.epoch
    print(hist.tail())
    plot_history(history, args.out, "auto_mpg_history.png")

    banner("9. EarlyStopping(monitor='val_loss', patience=10)")
    model = build_model()
    early_stop = EarlyStopping(monitor='val_loss', patience=10)
    history = model.fit(normed_train_data, train_labels, epochs=epochs, validation_split=0.2,
                        callbacks=[early_stop], verbose=0)
    print(f"early stopping: stopped after {len(history.epoch)} of {epochs} epochs")
    plot_history(history, args.out, "auto_mpg_history_early_stopping.png")

    banner("10. Evaluation")
    loss, mae, mse = model.evaluate(normed_test_data, test_labels, verbose=2)
    print(mae)
    print(f"test mae: {mae:.4f} MPG")

    banner("11. Predictions")
    test_pred = model.predict(normed_test_data).flatten()
    fig = plt.figure()
    plt.scatter(test_labels, test_pred)
    plt.xlabel('True Values')
    plt.ylabel('Predictions')
    plt.axis('equal')
    plt.axis('square')
    plt.grid()
    plt.xlim([0, plt.xlim()[1]])
    plt.ylim([0, plt.ylim()[1]])
    plt.plot([-50, 50], [-50, 50])
    savefig(fig, args.out, "auto_mpg_predictions.png")

    error = test_pred - test_labels
    fig = plt.figure()
    plt.hist(error, bins=30)
    plt.xlabel('Prediction Error')
    plt.grid()
    plt.ylabel('Count')
    savefig(fig, args.out, "auto_mpg_error_hist.png")


if __name__ == "__main__":
    main()
