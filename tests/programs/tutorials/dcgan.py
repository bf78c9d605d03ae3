"""The TensorFlow tutorial "Deep Convolutional Generative Adversarial Network" (tf.keras 2), adapted for chainrule.

Source: tensorflow/docs, site/en/tutorials/generative/dcgan.ipynb (TF 2.21 docs). The code cells are here in
order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``tf.keras.datasets.mnist.load_data()``: the first 300 training images (the tutorial: 60000), so
  ``BUFFER_SIZE`` is 300; ``BATCH_SIZE`` is 64 (the tutorial: 256), which leaves a smaller last batch as the
  tutorial's sizes do (``train_step`` is traced for both shapes), and ``EPOCHS`` is 2 (the tutorial: 50);
* ``tf.__version__``, the ``pip install`` cells, imageio, PIL, IPython's display and the GIF cells are skipped;
  each plot prints a summary of the images instead (shape, dtype, range);
* both models start from ``seeded_weights`` (numpy-drawn), and the two noise tensors drawn once outside training
  (the first ``noise`` and the GIF's ``seed``) are drawn by numpy (``np.random.RandomState``) and made tensors
  with ``tf.constant``, so the untrained generator's image and the discriminator's ``decision`` on it are the
  same numbers in both frameworks; a few lines print both models' summaries and the two losses on that seed
  before training (inference mode: no Dropout), and the gradients of one step made deterministic (the seed as
  noise, the discriminator without Dropout), by their norms, and the generator's moving statistics after it;
* the training itself draws ``tf.random.normal`` noise at each step, uses Dropout and a shuffled dataset: each
  framework's own random numbers, so what it produces is printed as ``[varies]``, with the facts both
  frameworks share (shapes, dtypes, finiteness, tanh's range, the optimizers' step counts);
* the checkpoint is saved after every epoch (the tutorial: every 15 of its 50 epochs), so the restore cell
  restores ``ckpt-2``; the generated images before and after the restore are checked to be equal.

Run with chainrule: ``CHAINRULE_DATA=... python dcgan.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import os
import time

import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()
layers = keras.layers


def describe(images):
    """The facts about generated images that do not depend on the training's random numbers."""
    values = images.numpy()
    return (f"{tuple(images.shape)} {images.dtype.name} finite: {bool(np.isfinite(values).all())} "
            f"within [-1, 1]: {bool((np.abs(values) <= 1).all())}")


# %% Load and prepare the dataset
(train_images, train_labels), (_, _) = load_mnist(300, 0)  # adapted: local MNIST, 300 images

train_images = train_images.reshape(train_images.shape[0], 28, 28, 1).astype('float32')
train_images = (train_images - 127.5) / 127.5  # Normalize the images to [-1, 1]
print(train_images.shape, train_images.dtype, train_images.min(), train_images.max())

BUFFER_SIZE = 300  # adapted: 60000
BATCH_SIZE = 64  # adapted: 256

# Batch and shuffle the data
train_dataset = tf.data.Dataset.from_tensor_slices(train_images).shuffle(BUFFER_SIZE).batch(BATCH_SIZE)
print(train_dataset.element_spec)


# %% The Generator
def make_generator_model():
    model = tf.keras.Sequential()
    model.add(layers.Dense(7*7*256, use_bias=False, input_shape=(100,)))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Reshape((7, 7, 256)))
    assert model.output_shape == (None, 7, 7, 256)  # Note: None is the batch size

    model.add(layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding='same', use_bias=False))
    assert model.output_shape == (None, 7, 7, 128)
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding='same', use_bias=False))
    assert model.output_shape == (None, 14, 14, 64)
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU())

    model.add(layers.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding='same', use_bias=False, activation='tanh'))
    assert model.output_shape == (None, 28, 28, 1)

    return model


generator = make_generator_model()
seeded_weights(generator)  # adapted: the same start in both frameworks
generator.summary()  # adapted: printed

noise = tf.constant(np.random.RandomState(1).normal(size=(1, 100)).astype('float32'))  # adapted: numpy-drawn
generated_image = generator(noise, training=False)

# (skipped: plt.imshow of the image; a summary of it instead)
print(describe(generated_image))
print(np.round(generated_image[0, 12:16, 12:16, 0].numpy(), 4))


# %% The Discriminator
def make_discriminator_model():
    model = tf.keras.Sequential()
    model.add(layers.Conv2D(64, (5, 5), strides=(2, 2), padding='same',
                                     input_shape=[28, 28, 1]))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))

    model.add(layers.Conv2D(128, (5, 5), strides=(2, 2), padding='same'))
    model.add(layers.LeakyReLU())
    model.add(layers.Dropout(0.3))

    model.add(layers.Flatten())
    model.add(layers.Dense(1))

    return model


discriminator = make_discriminator_model()
seeded_weights(discriminator, seed=2)  # adapted: the same start in both frameworks
discriminator.summary()  # adapted: printed
decision = discriminator(generated_image)
print (decision)

# %% Define the loss and optimizers
# This method returns a helper function to compute cross entropy loss
cross_entropy = tf.keras.losses.BinaryCrossentropy(from_logits=True)


def discriminator_loss(real_output, fake_output):
    real_loss = cross_entropy(tf.ones_like(real_output), real_output)
    fake_loss = cross_entropy(tf.zeros_like(fake_output), fake_output)
    total_loss = real_loss + fake_loss
    return total_loss


def generator_loss(fake_output):
    return cross_entropy(tf.ones_like(fake_output), fake_output)


generator_optimizer = tf.keras.optimizers.Adam(1e-4)
discriminator_optimizer = tf.keras.optimizers.Adam(1e-4)

# %% Save checkpoints
checkpoint_dir = './training_checkpoints'
checkpoint_prefix = os.path.join(checkpoint_dir, "ckpt")
checkpoint = tf.train.Checkpoint(generator_optimizer=generator_optimizer,
                                 discriminator_optimizer=discriminator_optimizer,
                                 generator=generator,
                                 discriminator=discriminator)

# %% Define the training loop
EPOCHS = 2  # adapted: 50
noise_dim = 100
num_examples_to_generate = 16

# You will reuse this seed overtime (so it's easier)
# to visualize progress in the animated GIF)
seed = tf.constant(np.random.RandomState(3).normal(size=(num_examples_to_generate, noise_dim)).astype('float32'))
# (adapted: numpy-drawn, for tf.random.normal([num_examples_to_generate, noise_dim]))

# adapted: the losses on the seed before training, in inference mode (deterministic)
seed_output = discriminator(generator(seed, training=False), training=False)
real_output = discriminator(train_images[:16], training=False)
print("generator loss:", np.round(generator_loss(seed_output).numpy(), 4))
print("discriminator loss:", np.round(discriminator_loss(real_output, seed_output).numpy(), 4))

# adapted: the gradients of one step made deterministic (the seed as noise, the discriminator without Dropout),
# compared by their norms; the training below runs the tutorial's train_step
with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
    generated_images = generator(seed, training=True)
    real_output = discriminator(train_images[:16], training=False)
    fake_output = discriminator(generated_images, training=False)
    gen_loss = generator_loss(fake_output)
    disc_loss = discriminator_loss(real_output, fake_output)
for name, tape, loss, model in (("generator", gen_tape, gen_loss, generator),
                                ("discriminator", disc_tape, disc_loss, discriminator)):
    grads = tape.gradient(loss, model.trainable_variables)
    print(name, "loss", "%.7g" % float(loss), "gradient norms", ["%.7g" % np.linalg.norm(g.numpy()) for g in grads])
print("moving statistics", ["%.7g" % np.linalg.norm(w.numpy()) for w in generator.non_trainable_weights])


# Notice the use of `tf.function`
# This annotation causes the function to be "compiled".
@tf.function
def train_step(images):
    noise = tf.random.normal([BATCH_SIZE, noise_dim])

    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
      generated_images = generator(noise, training=True)

      real_output = discriminator(images, training=True)
      fake_output = discriminator(generated_images, training=True)

      gen_loss = generator_loss(fake_output)
      disc_loss = discriminator_loss(real_output, fake_output)

    gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
    gradients_of_discriminator = disc_tape.gradient(disc_loss, discriminator.trainable_variables)

    generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
    discriminator_optimizer.apply_gradients(zip(gradients_of_discriminator, discriminator.trainable_variables))


def train(dataset, epochs):
  for epoch in range(epochs):
    start = time.time()

    for image_batch in dataset:
      train_step(image_batch)

    # Produce images for the GIF as you go
    # (skipped: display.clear_output(wait=True))
    generate_and_save_images(generator,
                             epoch + 1,
                             seed)

    # Save the model every 15 epochs
    if (epoch + 1) % 1 == 0:  # adapted: every epoch (% 15 in the tutorial)
      checkpoint.save(file_prefix = checkpoint_prefix)

    print ('[varies] Time for epoch {} is {} sec'.format(epoch + 1, time.time()-start))

  # Generate after the final epoch
  # (skipped: display.clear_output(wait=True))
  generate_and_save_images(generator,
                           epochs,
                           seed)


def generate_and_save_images(model, epoch, test_input):
  # Notice `training` is set to False.
  # This is so all layers run in inference mode (batchnorm).
  predictions = model(test_input, training=False)

  # (skipped: the 4x4 grid of images saved as image_at_epoch_{:04d}.png; a summary of them instead)
  print('epoch', epoch, describe(predictions))
  print('[varies] mean pixel', float(np.mean(predictions.numpy() * 127.5 + 127.5)))


# %% Train the model
train(train_dataset, EPOCHS)
print("steps:", int(generator_optimizer.iterations.numpy()), int(discriminator_optimizer.iterations.numpy()))
print(sorted(os.listdir(checkpoint_dir)))
before = generator(seed, training=False).numpy()  # adapted: checks the restore below

# Restore the latest checkpoint.
checkpoint.restore(tf.train.latest_checkpoint(checkpoint_dir))
print(os.path.basename(tf.train.latest_checkpoint(checkpoint_dir)))
print("restored images equal:", bool(np.array_equal(generator(seed, training=False).numpy(), before)))
# (skipped: display_image, the GIF and its embedding)
