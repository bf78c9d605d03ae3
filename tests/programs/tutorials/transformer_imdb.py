"""The Keras example "Text classification with Transformer" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/nlp/text_classification_with_transformer.py (Apoorv Nandan, created
2020/05/10), the tf.keras 2 version (before the 2024 Keras 3 conversion: ``tf.shape``/``tf.range`` where the
Keras 3 version has ``keras.ops``, ``keras.preprocessing.sequence.pad_sequences``, ``training`` passed to the
Dropout layers). The code is here in order. Adaptations:

* ``keras.datasets.imdb.load_data`` reads the shared IMDB rebuild in ``$CHAINRULE_DATA/imdb`` in both
  frameworks (``guide_support.framework`` points tf.keras's download there); the model trains on the first
  1000 training sequences and validates on the first 200 validation sequences (the example: 25000 each), for 1
  epoch instead of 2;
* the model starts from ``seeded_weights`` (numpy-drawn); before training the program prints what does not
  depend on random numbers (Dropout is off outside training): the predictions for two validation reviews, the
  validation loss and accuracy, and the norms of the loss's gradients for one batch (``training=False``);
* ``fit`` runs with ``verbose=0``; the model's Dropout masks come from each framework's own random numbers, so
  the history and the trained model's results print as ``[varies]`` and are checked for what both frameworks
  reach.

Run with chainrule: ``CHAINRULE_DATA=... python transformer_imdb.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np
from guide_support import framework, seeded_weights

tf, keras = framework()
layers = keras.layers


# %% Implement a Transformer block as a layer
class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super(TransformerBlock, self).__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim),]
        )
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


# %% Implement embedding layer
class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super(TokenAndPositionEmbedding, self).__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = tf.shape(x)[-1]
        positions = tf.range(start=0, limit=maxlen, delta=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


# %% Download and prepare dataset
vocab_size = 20000  # Only consider the top 20k words
maxlen = 200  # Only consider the first 200 words of each movie review
(x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=vocab_size)
print(len(x_train), "Training sequences")
print(len(x_val), "Validation sequences")
x_train, y_train, x_val, y_val = x_train[:1000], y_train[:1000], x_val[:200], y_val[:200]  # adapted: fewer
x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.preprocessing.sequence.pad_sequences(x_val, maxlen=maxlen)

# %% Create classifier model using transformer layer
embed_dim = 32  # Embedding size for each token
num_heads = 2  # Number of attention heads
ff_dim = 32  # Hidden layer size in feed forward network inside transformer

inputs = layers.Input(shape=(maxlen,))
embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
x = embedding_layer(inputs)
transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
x = transformer_block(x)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dropout(0.1)(x)
x = layers.Dense(20, activation="relu")(x)
x = layers.Dropout(0.1)(x)
outputs = layers.Dense(2, activation="softmax")(x)

model = keras.Model(inputs=inputs, outputs=outputs)
model.summary()  # adapted: what was built

# %% Train and Evaluate
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

# adapted: the same start in both frameworks, and what does not depend on random numbers, checked
seeded_weights(model)
print([w.name for w in model.weights][:6], len(model.weights))
print(np.round(model.predict(x_val[:2], verbose=0), 5))
print(np.round(model.evaluate(x_val, y_val, verbose=0), 5))
with tf.GradientTape() as tape:
    loss = keras.losses.sparse_categorical_crossentropy(y_train[:32], model(x_train[:32], training=False))
    loss = tf.reduce_mean(loss)
grads = tape.gradient(loss, model.trainable_weights)
print(round(float(loss), 5), [round(float(tf.norm(g)), 4) for g in grads])

history = model.fit(
    x_train, y_train, batch_size=32, epochs=1, validation_data=(x_val, y_val), verbose=0
)  # adapted: 1 epoch, quiet
print(sorted(history.history))
print("[varies]", {k: [round(float(v), 4) for v in vals] for k, vals in history.history.items()})
print("loss below the untrained one:", history.history["val_loss"][-1] < 0.75)  # adapted: both reach it
