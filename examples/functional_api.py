"""Seed 003 ("케라스": 주요 레이어, 모델 구성 방법, 모델 가중치 확인): building models and their shapes.

The seed's layer objects (Dense, Activation, Flatten, Input), then the models with their
summaries: Sequential with ``add`` and with a list (a 3-D input keeps its middle axis:
``(None, 28, 300)``), a functional Flatten model, wide & deep (Concatenate of the input and the
deep path), multi-input, multi-output and multi-input/multi-output models; ``plot_model`` where
chainrule has it. Then the weights of a layer (``model.layers``, ``get_layer``, ``get_weights``),
drawn as a histogram against the Glorot-uniform limit, and one short ``fit`` of the
two-input/two-output model on random numbers to show the loss per output.

    python examples/functional_api.py [--quick] [--out DIR]

No data needed. Writes ``functional_weights_hist.png``.
"""
import numpy as np

from _common import banner, parse_args, plot_model_or_note, plt, savefig

import chainrule as tf
from chainrule import keras
from chainrule.keras import Model
from chainrule.keras.layers import Activation, Concatenate, Dense, Flatten, Input
from chainrule.keras.models import Sequential


def main():
    args = parse_args(__doc__.splitlines()[0])
    keras.utils.set_random_seed(0)

    banner("1. Layers")
    print(keras.layers.Dense(10, activation='sigmoid'))
    print(keras.Model())
    print(keras.models.Sequential())
    print(Dense(10, activation='relu'))
    print(Flatten(input_shape=[28, 28]))
    X_train = np.random.randn(5500, 2)
    print(Input(shape=X_train.shape[1:]))
    dense = Dense(10, activation='relu', name='Dense Layer')
    print(dense)
    dense = Dense(10, kernel_initializer='he_normal', name='Dense Layer')
    dense = Activation(dense)   # as in the seed (an Activation wrapping a layer object)
    print(dense)
    input_1 = Input(shape=(28, 28), dtype=tf.float32)
    input_2 = Input(shape=(8,), dtype=tf.int32)
    print(input_1)
    print(input_2)

    banner("2a. Sequential, with add()")
    model = Sequential()
    model.add(Input(shape=(28, 28)))
    model.add(Dense(300, activation='relu'))
    model.add(Dense(100, activation='relu'))
    model.add(Dense(10, activation='softmax'))
    model.summary()
    plot_model_or_note(model, args.out, "functional_sequential_add.png")

    banner("2b. Sequential, from a list")
    model = Sequential([Input(shape=(28, 28), name='Input'),
                        Dense(300, activation='relu', name='Dense1'),
                        Dense(100, activation='relu', name='Dense2'),
                        Dense(10, activation='softmax', name='Output')])
    model.summary()

    banner("2c. Functional API")
    inputs = Input(shape=(28, 28, 1))
    x = Flatten(input_shape=(28, 28, 1))(inputs)
    x = Dense(300, activation='relu')(x)
    x = Dense(100, activation='relu')(x)
    x = Dense(10, activation='softmax')(x)
    model = Model(inputs=inputs, outputs=x)
    model.summary()
    plot_model_or_note(model, args.out, "functional_flatten.png")

    banner("2d. Wide & deep")
    input_layer = Input(shape=(28, 28))
    hidden1 = Dense(100, activation='relu')(input_layer)
    hidden2 = Dense(30, activation='relu')(hidden1)
    concat = Concatenate()([input_layer, hidden2])
    output = Dense(1)(concat)
    model = Model(inputs=[input_layer], outputs=[output])
    model.summary()
    plot_model_or_note(model, args.out, "functional_wide_deep.png")

    banner("2e. Multiple inputs")
    input_1 = Input(shape=(10, 10), name='input_1')
    input_2 = Input(shape=(10, 28), name='input_2')
    hidden1 = Dense(100, activation='relu')(input_2)
    hidden2 = Dense(10, activation='relu')(hidden1)
    concat = Concatenate()([input_1, hidden2])
    output = Dense(1, activation='sigmoid', name='output')(concat)
    model = Model(inputs=[input_1, input_2], outputs=[output])
    model.summary()
    plot_model_or_note(model, args.out, "functional_multi_input.png")

    banner("2f. Multiple outputs")
    input_ = Input(shape=(10, 10), name='input_')
    hidden1 = Dense(100, activation='relu')(input_)
    hidden2 = Dense(10, activation='relu')(hidden1)
    output = Dense(1, activation='sigmoid', name='main_output')(hidden2)
    sub_out = Dense(1, name='sum_output')(hidden2)
    model = Model(inputs=[input_], outputs=[output, sub_out])
    model.summary()
    plot_model_or_note(model, args.out, "functional_multi_output.png")

    banner("2g. Multiple inputs and outputs")
    input_1 = Input(shape=(10, 10), name='input_1')
    input_2 = Input(shape=(10, 28), name='input_2')
    hidden1 = Dense(100, activation='relu')(input_2)
    hidden2 = Dense(10, activation='relu')(hidden1)
    concat = Concatenate()([input_1, hidden2])
    output = Dense(1, activation='sigmoid', name='main_output')(concat)
    sub_out = Dense(1, name='sum_output')(hidden2)
    multi_model = Model(inputs=[input_1, input_2], outputs=[output, sub_out])
    multi_model.summary()
    plot_model_or_note(multi_model, args.out, "functional_multi_io.png")

    banner("3. The weights of a layer")
    inputs = Input(shape=(28, 28, 1))
    x = Flatten(input_shape=(28, 28, 1))(inputs)
    x = Dense(300, activation='relu')(x)
    x = Dense(100, activation='relu')(x)
    x = Dense(10, activation='softmax')(x)
    model = Model(inputs=inputs, outputs=x)
    model.summary()
    print(model.layers)
    hidden_2 = model.layers[2]
    print(repr(hidden_2.name))
    print(model.get_layer(hidden_2.name) is hidden_2)
    weights, biases = hidden_2.get_weights()
    print(weights)
    print(biases[:10], "...")
    print(weights.shape)
    print(biases.shape)
    limit = np.sqrt(6 / (784 + 300))
    print(f"glorot_uniform: all weights within +-sqrt(6 / (784 + 300)) = {limit:.4f}: "
          f"{bool(np.all(np.abs(weights) <= limit))}; biases all zero: {bool(np.all(biases == 0))}")

    fig = plt.figure()
    plt.hist(weights.ravel(), bins=50)
    plt.axvline(-limit, color="r", linestyle="--")
    plt.axvline(limit, color="r", linestyle="--", label=f"+-{limit:.4f}")
    plt.title(f"{hidden_2.name}: initial kernel {weights.shape} (glorot_uniform)")
    plt.legend()
    savefig(fig, args.out, "functional_weights_hist.png")

    banner("4. fit() of the two-input, two-output model on random numbers")
    n = 64
    x1, x2 = np.random.randn(n, 10, 10), np.random.randn(n, 10, 28)
    y_main, y_sub = (np.random.rand(n, 10, 1) > 0.5).astype("float32"), np.random.randn(n, 10, 1)
    multi_model.compile(optimizer='adam', loss={'main_output': 'binary_crossentropy', 'sum_output': 'mse'})
    hist = multi_model.fit([x1, x2], {'main_output': y_main, 'sum_output': y_sub}, epochs=2, batch_size=32,
                           verbose=2)
    print("history keys:", list(hist.history))
    main_pred, sub_pred = multi_model.predict([x1, x2], verbose=0)
    print("prediction shapes:", main_pred.shape, sub_pred.shape)


if __name__ == "__main__":
    main()
