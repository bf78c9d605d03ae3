"""keras.io "Text classification with Transformer" (text_classification_with_transformer): one Transformer
block (MultiHeadAttention, LayerNormalization, a feed-forward net) over token and position embeddings.

The keras.io example unchanged apart from the imports: the custom layers ``TransformerBlock`` and
``TokenAndPositionEmbedding`` (subclassed ``layers.Layer``, using ``tf.shape`` and ``tf.range``),
``imdb.load_data(num_words=20000)`` cut to 200 tokens, ``embed_dim=32``, 2 heads, ``ff_dim=32``,
``GlobalAveragePooling1D``, dropout, ``Dense(2, softmax)``, Adam, sparse categorical cross-entropy,
batch 32, 2 epochs with the test reviews as validation data (keras.io reports about 0.88; issue 17
asks for >= 0.84).

    python examples/imdb_transformer.py [--quick] [--out DIR]

``--quick`` uses 640 training and 320 validation reviews, 1 epoch. Writes ``imdb_transformer_attention.png``
(the attention weights of the first head on a test review).
"""
from _common import Timer, banner, parse_args, plt, savefig

import chainrule as tf
from chainrule import keras
from chainrule.keras import layers


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
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


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = tf.shape(x)[-1]
        positions = tf.range(start=0, limit=maxlen, delta=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


vocab_size = 20000  # Only consider the top 20k words
maxlen = 200  # Only consider the first 200 words of each movie review


def main():
    args = parse_args(__doc__.splitlines()[0])
    keras.utils.set_random_seed(0)

    banner("Download and prepare dataset")
    (x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=vocab_size)
    if args.quick:
        x_train, y_train, x_val, y_val = x_train[:640], y_train[:640], x_val[:320], y_val[:320]
    print(len(x_train), "Training sequences")
    print(len(x_val), "Validation sequences")
    x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
    x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen)

    banner("Create classifier model using transformer layer")
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
    model.summary()

    banner("Train and Evaluate")
    epochs = 1 if args.quick else 2
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with Timer() as timer:
        history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_val, y_val),
                            verbose=2)
    val_acc = history.history["val_accuracy"][-1]
    print(f"validation (test set) accuracy after {epochs} epochs: {val_acc:.4f} ({timer.seconds:.0f} s)")

    # Not in the keras.io example: the first head's attention weights on the first validation review.
    review = x_val[:1]
    _, scores = transformer_block.att(embedding_layer(review), embedding_layer(review),
                                      return_attention_scores=True)
    start = int((review[0] != 0).argmax())  # the review's first real token (pad_sequences pads at the front)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    im = ax.imshow(scores.numpy()[0, 0, start:start + 40, start:start + 40], cmap="viridis")
    fig.colorbar(im, ax=ax)
    ax.set_title("attention weights, head 1 (first 40 tokens)")
    ax.set_xlabel("key position")
    ax.set_ylabel("query position")
    savefig(fig, args.out, "imdb_transformer_attention.png")


if __name__ == "__main__":
    main()
