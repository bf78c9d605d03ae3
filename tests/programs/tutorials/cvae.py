"""The TensorFlow tutorial "Convolutional Variational Autoencoder" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/generative/cvae.ipynb (TF 2.21 docs). The code cells are here in
order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``tf.keras.datasets.mnist.load_data()``: the first 1024 training and 272 test images (the tutorial: 60000 and
  10000), so ``train_size`` and ``test_size`` are 1024 and 272 (the test set's last batch is a half one, as the
  tutorial's is); ``epochs`` is 2 (the tutorial: 10);
* the ``pip install`` cells, imageio, PIL, IPython's display and the GIF cells are skipped; each plot prints a
  summary of its images instead (shape, dtype, finiteness, range);
* TensorFlow Probability is not used: ``plot_latent_images``' ``tfp.distributions.Normal(0, 1).quantile`` is
  the standard library's ``statistics.NormalDist().inv_cdf`` (the same quantiles, as float64);
* the model starts from ``seeded_weights`` (numpy-drawn), and ``random_vector_for_generation`` (drawn once, outside
  training) is drawn by numpy and made a tensor with ``tf.constant``: the untrained model's samples of it are
  compared; a few lines print the parts of ``compute_loss`` on the first 16 test images before training, and
  the loss and gradient norms of one step with the reparameterization's ``eps`` drawn by numpy;
* the training draws ``eps`` with ``tf.random.normal`` in ``reparameterize`` at every step, and the datasets are
  shuffled: each framework's own random numbers, so the ELBOs and images after training are printed as
  ``[varies]``, with the facts both frameworks share (shapes, dtypes, finiteness, the sigmoid's range, the
  ELBO's improvement, the optimizer's step count).

Run with chainrule: ``CHAINRULE_DATA=... python cvae.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import statistics
import time

import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()


def describe(images):
    """The facts about images of probabilities that do not depend on the training's random numbers."""
    values = np.asarray(images)
    return (f"{tuple(values.shape)} {values.dtype.name} finite: {bool(np.isfinite(values).all())} "
            f"within [0, 1]: {bool(((values >= 0) & (values <= 1)).all())}")


# %% Load the MNIST dataset
(train_images, _), (test_images, _) = load_mnist(1024, 272)  # adapted: local MNIST, fewer images


def preprocess_images(images):
  images = images.reshape((images.shape[0], 28, 28, 1)) / 255.
  return np.where(images > .5, 1.0, 0.0).astype('float32')


train_images = preprocess_images(train_images)
test_images = preprocess_images(test_images)
print(train_images.shape, train_images.dtype, train_images.mean(), test_images.shape)

train_size = 1024  # adapted: 60000
batch_size = 32
test_size = 272  # adapted: 10000

# %% Use tf.data to batch and shuffle the data
train_dataset = (tf.data.Dataset.from_tensor_slices(train_images)
                 .shuffle(train_size).batch(batch_size))
test_dataset = (tf.data.Dataset.from_tensor_slices(test_images)
                .shuffle(test_size).batch(batch_size))
print(train_dataset.element_spec, len(train_dataset), len(test_dataset))


# %% Define the encoder and decoder networks with tf.keras.Sequential
class CVAE(tf.keras.Model):
  """Convolutional variational autoencoder."""

  def __init__(self, latent_dim):
    super(CVAE, self).__init__()
    self.latent_dim = latent_dim
    self.encoder = tf.keras.Sequential(
        [
            tf.keras.layers.InputLayer(input_shape=(28, 28, 1)),
            tf.keras.layers.Conv2D(
                filters=32, kernel_size=3, strides=(2, 2), activation='relu'),
            tf.keras.layers.Conv2D(
                filters=64, kernel_size=3, strides=(2, 2), activation='relu'),
            tf.keras.layers.Flatten(),
            # No activation
            tf.keras.layers.Dense(latent_dim + latent_dim),
        ]
    )

    self.decoder = tf.keras.Sequential(
        [
            tf.keras.layers.InputLayer(input_shape=(latent_dim,)),
            tf.keras.layers.Dense(units=7*7*32, activation=tf.nn.relu),
            tf.keras.layers.Reshape(target_shape=(7, 7, 32)),
            tf.keras.layers.Conv2DTranspose(
                filters=64, kernel_size=3, strides=2, padding='same',
                activation='relu'),
            tf.keras.layers.Conv2DTranspose(
                filters=32, kernel_size=3, strides=2, padding='same',
                activation='relu'),
            # No activation
            tf.keras.layers.Conv2DTranspose(
                filters=1, kernel_size=3, strides=1, padding='same'),
        ]
    )

  @tf.function
  def sample(self, eps=None):
    if eps is None:
      eps = tf.random.normal(shape=(100, self.latent_dim))
    return self.decode(eps, apply_sigmoid=True)

  def encode(self, x):
    mean, logvar = tf.split(self.encoder(x), num_or_size_splits=2, axis=1)
    return mean, logvar

  def reparameterize(self, mean, logvar):
    eps = tf.random.normal(shape=mean.shape)
    return eps * tf.exp(logvar * .5) + mean

  def decode(self, z, apply_sigmoid=False):
    logits = self.decoder(z)
    if apply_sigmoid:
      probs = tf.sigmoid(logits)
      return probs
    return logits


# %% Define the loss function and the optimizer
optimizer = tf.keras.optimizers.Adam(1e-4)


def log_normal_pdf(sample, mean, logvar, raxis=1):
  log2pi = tf.math.log(2. * np.pi)
  return tf.reduce_sum(
      -.5 * ((sample - mean) ** 2. * tf.exp(-logvar) + logvar + log2pi),
      axis=raxis)


def compute_loss(model, x):
  mean, logvar = model.encode(x)
  z = model.reparameterize(mean, logvar)
  x_logit = model.decode(z)
  cross_ent = tf.nn.sigmoid_cross_entropy_with_logits(logits=x_logit, labels=x)
  logpx_z = -tf.reduce_sum(cross_ent, axis=[1, 2, 3])
  logpz = log_normal_pdf(z, 0., 0.)
  logqz_x = log_normal_pdf(z, mean, logvar)
  return -tf.reduce_mean(logpx_z + logpz - logqz_x)


@tf.function
def train_step(model, x, optimizer):
  """Executes one training step and returns the loss.

  This function computes the loss and gradients, and uses the latter to
  update the model's parameters.
  """
  with tf.GradientTape() as tape:
    loss = compute_loss(model, x)
  gradients = tape.gradient(loss, model.trainable_variables)
  optimizer.apply_gradients(zip(gradients, model.trainable_variables))


# %% Training
epochs = 2  # adapted: 10
# set the dimensionality of the latent space to a plane for visualization later
latent_dim = 2
num_examples_to_generate = 16

# keeping the random vector constant for generation (prediction) so
# it will be easier to see the improvement.
random_vector_for_generation = tf.constant(  # adapted: numpy-drawn, for tf.random.normal
    np.random.RandomState(1).normal(size=[num_examples_to_generate, latent_dim]).astype('float32'))
model = CVAE(latent_dim)
seeded_weights(model)  # adapted: the same start in both frameworks
model.encoder.summary()  # adapted: printed
model.decoder.summary()

# adapted: the untrained model's parts of compute_loss on 16 test images, and its samples of the fixed vector
x = test_images[:16]
mean, logvar = model.encode(x)
print("mean", np.round(mean[:3].numpy(), 4), "logvar", np.round(logvar[:3].numpy(), 4))
x_logit = model.decode(mean)
cross_ent = tf.nn.sigmoid_cross_entropy_with_logits(logits=x_logit, labels=x)
print("cross_ent", cross_ent.shape, cross_ent.dtype.name, np.round(-tf.reduce_sum(cross_ent, axis=[1, 2, 3])[:4].numpy(), 3))
print("logpz", np.round(log_normal_pdf(mean, 0., 0.)[:4].numpy(), 4))
print("logqz_x", np.round(log_normal_pdf(mean, mean, logvar)[:4].numpy(), 4))
samples = model.sample(random_vector_for_generation)
print("samples", describe(samples), np.round(float(tf.reduce_mean(samples)), 5))
print("sample()", describe(model.sample()))

# adapted: the loss and gradients of one step with eps drawn by numpy (reparameterize's formula)
eps = tf.constant(np.random.RandomState(2).normal(size=(16, latent_dim)).astype('float32'))
with tf.GradientTape() as tape:
  mean, logvar = model.encode(x)
  z = eps * tf.exp(logvar * .5) + mean
  x_logit = model.decode(z)
  cross_ent = tf.nn.sigmoid_cross_entropy_with_logits(logits=x_logit, labels=x)
  loss = -tf.reduce_mean(-tf.reduce_sum(cross_ent, axis=[1, 2, 3]) + log_normal_pdf(z, 0., 0.)
                         - log_normal_pdf(z, mean, logvar))
gradients = tape.gradient(loss, model.trainable_variables)
print("loss", "%.7g" % float(loss), "gradient norms", ["%.7g" % np.linalg.norm(g.numpy()) for g in gradients])


def generate_and_save_images(model, epoch, test_sample):
  mean, logvar = model.encode(test_sample)
  z = model.reparameterize(mean, logvar)
  predictions = model.sample(z)
  # (skipped: the 4x4 grid of images saved as image_at_epoch_{:04d}.png; a summary of them instead)
  print('epoch', epoch, describe(predictions))
  print('[varies] mean pixel', float(tf.reduce_mean(predictions)))


# Pick a sample of the test set for generating output images
assert batch_size >= num_examples_to_generate
for test_batch in test_dataset.take(1):
  test_sample = test_batch[0:num_examples_to_generate, :, :, :]
print(test_sample.shape, test_sample.dtype.name)

generate_and_save_images(model, 0, test_sample)

first_elbo = None  # adapted: to check the improvement below
for epoch in range(1, epochs + 1):
  start_time = time.time()
  for train_x in train_dataset:
    train_step(model, train_x, optimizer)
  end_time = time.time()

  loss = tf.keras.metrics.Mean()
  for test_x in test_dataset:
    loss(compute_loss(model, test_x))
  elbo = -loss.result()
  # (skipped: display.clear_output(wait=False))
  print('[varies] Epoch: {}, Test set ELBO: {}, time elapse for current epoch: {}'
        .format(epoch, elbo, end_time - start_time))
  print('ELBO', elbo.shape, elbo.dtype.name, 'finite:', bool(np.isfinite(elbo.numpy())), 'count:', int(loss.count))
  first_elbo = elbo if first_elbo is None else first_elbo
  generate_and_save_images(model, epoch, test_sample)
print("ELBO improved:", float(elbo) > float(first_elbo), "steps:", int(optimizer.iterations))

# %% Display a generated image from the last training epoch
# (skipped: display_image, plt.imshow of it, the GIF and its embedding)


# %% Display a 2D manifold of digits
def plot_latent_images(model, n, digit_size=28):
  """Plots n x n digit images decoded from the latent space."""

  norm = statistics.NormalDist(0, 1)  # adapted: for tfp.distributions.Normal(0, 1)
  grid_x = np.array([norm.inv_cdf(p) for p in np.linspace(0.05, 0.95, n)])  # adapted: for norm.quantile(...)
  grid_y = np.array([norm.inv_cdf(p) for p in np.linspace(0.05, 0.95, n)])
  image_width = digit_size*n
  image_height = image_width
  image = np.zeros((image_height, image_width))

  for i, yi in enumerate(grid_x):
    for j, xi in enumerate(grid_y):
      z = np.array([[xi, yi]])
      x_decoded = model.sample(z)
      digit = tf.reshape(x_decoded[0], (digit_size, digit_size))
      image[i * digit_size: (i + 1) * digit_size,
            j * digit_size: (j + 1) * digit_size] = digit.numpy()

  # (skipped: plt.imshow of the image; a summary of it instead)
  print('latent images', describe(image))
  print('[varies] mean pixel', image.mean())


plot_latent_images(model, 20)
