"""Seed 000 ("딥러닝 기초 (2) 역전파"): a Keras Sequential classifier for the Iris flowers.

4 features -> Dense(200, relu) -> Dense(100, relu) -> Dense(3, softmax), Adam, sparse categorical
cross-entropy, 50 epochs with the test set as validation data; then the accuracy/loss plot.
The split is scikit-learn's ``train_test_split(test_size=0.2, random_state=42)`` (reproduced with
numpy in ``_common.py``, same 30 test rows as in the seed).

    python examples/iris_sequential.py [--quick] [--out DIR]

Data: ``iris.data`` from ``$CHAINRULE_DATA`` (else downloaded from the seed's UCI address).
Writes ``iris_accuracy_loss.png``.
"""
import numpy as np
import pandas as pd

from _common import parse_args, plt, savefig, seed_file
from sklearn.model_selection import train_test_split

from chainrule.keras.layers import Dense
from chainrule.keras.models import Sequential
from chainrule.keras.utils import set_random_seed

URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data"


def main():
    args = parse_args(__doc__.splitlines()[0])
    set_random_seed(42)
    df = pd.read_csv(seed_file("iris.data", URL), header=None)
    print(np.unique(df[4]))

    X = df.drop(4, axis=1)
    y = df[4].map({'Iris-setosa': 0, 'Iris-versicolor': 1, 'Iris-virginica': 2})  # the seed chains .replace()
    print(np.unique(y))
    print(X.shape, y.shape)

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    print(X_train.shape, X_test.shape)

    model = Sequential()
    num_of_column = 4
    first_hidden_layer = 200
    second_hidden_layer = 100
    output_layer = 3
    model.add(Dense(first_hidden_layer, input_dim=num_of_column, activation='relu'))
    model.add(Dense(second_hidden_layer, activation='relu'))
    model.add(Dense(output_layer, activation='softmax'))
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    epochs = 15 if args.quick else 50
    results = model.fit(X_train, y_train, epochs=epochs, validation_data=(X_test, y_test),
                        verbose=2 if args.quick else 1)

    test_loss, test_acc = model.evaluate(X_test, y_test, verbose=1)
    print(f"test_loss: {test_loss:.4f}, test_acc: {test_acc:.4f}")

    fig = plt.figure()
    plt.plot(results.history['accuracy'])
    plt.plot(results.history['loss'])
    plt.title('The Increase of Epochs')
    plt.xlabel('Epochs')
    plt.ylabel('Range')
    plt.legend(['accuracy', 'loss'], loc='right')
    savefig(fig, args.out, "iris_accuracy_loss.png")


if __name__ == "__main__":
    main()
