"""The Keras example "Variational AutoEncoder" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/generative/vae.py (fchollet, last modified 2020/05/03; the tf.keras 2
version, commit 09e02e17, whose ``VAE`` also has a ``call``). The code is here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``keras.datasets.mnist.load_data()``, the first 1000 training and 200 test images (the example: all 70000);
* the encoder and decoder start from ``seeded_weights`` (numpy-drawn); before training the program prints what
  does not depend on random numbers: the encoder's ``z_mean``/``z_log_var`` and the decoder's reconstruction
  of the same latent points, the example's two losses with ``z = z_mean`` (no sampling) and the norms of their
  gradients, taken as ``train_step`` takes them;
* ``fit`` runs 2 epochs instead of 30, with ``verbose=0`` (no progress bar); ``Sampling`` draws from each
  framework's own random numbers, so the training history prints as ``[varies]`` and is checked to have gone
  down; the two plots are skipped (their data, the decoded latent grid and the encoded test digits, print as
  shapes and value ranges instead).

Run with chainrule: ``CHAINRULE_DATA=... python vae.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()
layers = keras.layers


# %% Create a sampling layer
class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = tf.shape(z_mean)[0]
        dim = tf.shape(z_mean)[1]
        epsilon = tf.keras.backend.random_normal(shape=(batch, dim))
        return z_mean + tf.exp(0.5 * z_log_var) * epsilon


# %% Build the encoder
latent_dim = 2

encoder_inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
x = layers.Flatten()(x)
x = layers.Dense(16, activation="relu")(x)
z_mean = layers.Dense(latent_dim, name="z_mean")(x)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
encoder.summary()

# %% Build the decoder
latent_inputs = keras.Input(shape=(latent_dim,))
x = layers.Dense(7 * 7 * 64, activation="relu")(latent_inputs)
x = layers.Reshape((7, 7, 64))(x)
x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")
decoder.summary()


# %% Define the VAE as a `Model` with a custom `train_step`
class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super(VAE, self).__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(
            name="reconstruction_loss"
        )
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [
            self.total_loss_tracker,
            self.reconstruction_loss_tracker,
            self.kl_loss_tracker,
        ]

    def train_step(self, data):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = tf.reduce_mean(
                tf.reduce_sum(
                    keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2)
                )
            )
            kl_loss = -0.5 * (1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))
            kl_loss = tf.reduce_mean(tf.reduce_sum(kl_loss, axis=1))
            total_loss = reconstruction_loss + kl_loss
        grads = tape.gradient(total_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.total_loss_tracker.update_state(total_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        return {
            "loss": self.total_loss_tracker.result(),
            "reconstruction_loss": self.reconstruction_loss_tracker.result(),
            "kl_loss": self.kl_loss_tracker.result(),
        }

    def call(self, x):
        z_mean, z_log_var, z = self.encoder(x)
        return self.decoder(z)


# %% Train the VAE
(x_train, _), (x_test, _) = load_mnist(1000, 200)  # adapted: local MNIST, fewer images
mnist_digits = np.concatenate([x_train, x_test], axis=0)
mnist_digits = np.expand_dims(mnist_digits, -1).astype("float32") / 255

vae = VAE(encoder, decoder)
vae.compile(optimizer=keras.optimizers.Adam())

# adapted: the same start in both frameworks, and what train_step computes without the sampling, checked
seeded_weights(encoder)
seeded_weights(decoder, seed=1)
print(len(vae.trainable_weights), [m.name for m in vae.metrics])
batch = mnist_digits[:64]
z_mean_0, z_log_var_0, _ = encoder.predict(batch[:3], verbose=0)
print(np.round(z_mean_0, 4), np.round(z_log_var_0, 4))
print(np.round(decoder.predict(z_mean_0, verbose=0)[:, 10:14, 14, 0], 4))
with tf.GradientTape() as tape:
    z_mean_b, z_log_var_b, _ = vae.encoder(batch)
    reconstruction = vae.decoder(z_mean_b)
    reconstruction_loss = tf.reduce_mean(
        tf.reduce_sum(keras.losses.binary_crossentropy(batch, reconstruction), axis=(1, 2)))
    kl_loss = -0.5 * (1 + z_log_var_b - tf.square(z_mean_b) - tf.exp(z_log_var_b))
    kl_loss = tf.reduce_mean(tf.reduce_sum(kl_loss, axis=1))
    total_loss = reconstruction_loss + kl_loss
grads = tape.gradient(total_loss, vae.trainable_weights)
print(round(float(reconstruction_loss), 3), round(float(kl_loss), 5), round(float(total_loss), 3))
print([round(float(tf.norm(g)), 4) for g in grads])

history = vae.fit(mnist_digits, epochs=2, batch_size=128, verbose=0)  # adapted: 2 epochs, quiet
print(sorted(history.history))
print("[varies]", {k: [round(float(v), 3) for v in vals] for k, vals in history.history.items()})
print("loss went down:", history.history["loss"][-1] < history.history["loss"][0])  # adapted: both reach it


# %% Display a grid of sampled digits
def plot_latent_space(vae, n=30, figsize=15):
    # display a n*n 2D manifold of digits
    digit_size = 28
    scale = 1.0
    figure = np.zeros((digit_size * n, digit_size * n))
    # linearly spaced coordinates corresponding to the 2D plot
    # of digit classes in the latent space
    grid_x = np.linspace(-scale, scale, n)
    grid_y = np.linspace(-scale, scale, n)[::-1]

    for i, yi in enumerate(grid_y):
        for j, xi in enumerate(grid_x):
            z_sample = np.array([[xi, yi]])
            x_decoded = vae.decoder.predict(z_sample, verbose=0)  # adapted: quiet
            digit = x_decoded[0].reshape(digit_size, digit_size)
            figure[
                i * digit_size : (i + 1) * digit_size,
                j * digit_size : (j + 1) * digit_size,
            ] = digit

    # adapted: the plot is skipped; what it would show is printed
    print(figure.shape)
    print("[varies]", round(float(figure.min()), 3), round(float(figure.max()), 3))
    print("pixels within [0, 1]:", 0.0 <= figure.min() and figure.max() <= 1.0)


plot_latent_space(vae, n=4)  # adapted: a 4x4 grid (the example: 30x30)


# %% Display how the latent space clusters different digit classes
def plot_label_clusters(vae, data, labels):
    # display a 2D plot of the digit classes in the latent space
    z_mean, _, _ = vae.encoder.predict(data, verbose=0)  # adapted: quiet
    # adapted: the scatter plot is skipped; the mean latent point of each digit class is printed
    print(z_mean.shape)
    print("[varies]", {int(c): np.round(z_mean[labels == c].mean(axis=0), 2).tolist() for c in np.unique(labels)[:3]})


(x_train, y_train), _ = load_mnist(1000, 0)  # adapted: local MNIST, fewer images
x_train = np.expand_dims(x_train, -1).astype("float32") / 255

plot_label_clusters(vae, x_train, y_train)
