"""The Keras example "Knowledge Distillation" (keras.io), adapted for chainrule.

Source: keras-team/keras-io, examples/vision/knowledge_distillation.py (Kenneth Borup, last modified 2020/09/01;
the tf.keras 2 version, commit 501fb4cb, whose ``train_step`` scales the distillation loss by the temperature
squared). The code is here in order. Adaptations:

* MNIST is read from ``$CHAINRULE_DATA`` (``guide_support.load_mnist``) instead of
  ``keras.datasets.mnist.load_data()``, the first 1280 training and 200 test images (the example: 60000 and
  10000);
* the teacher, the student and the student's clone start from ``seeded_weights`` (numpy-drawn), and the
  program prints the teacher's and the student's logits for two test images before training;
* each ``fit`` runs 1 epoch (the example: 5 for the teacher, 3 for the students) with ``shuffle=False`` and
  ``verbose=0`` (no progress bar, and the same batches in both frameworks); each ``fit``'s history and each
  ``evaluate``'s result are printed (rounded) instead of the progress bars. No model has dropout, so the
  trainings are deterministic and compared.

Run with chainrule: ``CHAINRULE_DATA=... python knowledge_distillation.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
# %% Setup
import numpy as np
from guide_support import framework, load_mnist, seeded_weights

tf, keras = framework()
layers = keras.layers


def rounded(history):
    return {k: [round(float(v), 4) for v in vals] for k, vals in sorted(history.history.items())}


# %% Construct `Distiller()` class
class Distiller(keras.Model):
    def __init__(self, student, teacher):
        super(Distiller, self).__init__()
        self.teacher = teacher
        self.student = student

    def compile(
        self,
        optimizer,
        metrics,
        student_loss_fn,
        distillation_loss_fn,
        alpha=0.1,
        temperature=3,
    ):
        """Configure the distiller.

        Args:
            optimizer: Keras optimizer for the student weights
            metrics: Keras metrics for evaluation
            student_loss_fn: Loss function of difference between student
                predictions and ground-truth
            distillation_loss_fn: Loss function of difference between soft
                student predictions and soft teacher predictions
            alpha: weight to student_loss_fn and 1-alpha to distillation_loss_fn
            temperature: Temperature for softening probability distributions.
                Larger temperature gives softer distributions.
        """
        super(Distiller, self).compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha
        self.temperature = temperature

    def train_step(self, data):
        # Unpack data
        x, y = data

        # Forward pass of teacher
        teacher_predictions = self.teacher(x, training=False)

        with tf.GradientTape() as tape:
            # Forward pass of student
            student_predictions = self.student(x, training=True)

            # Compute losses
            student_loss = self.student_loss_fn(y, student_predictions)

            # Compute scaled distillation loss from https://arxiv.org/abs/1503.02531
            # The magnitudes of the gradients produced by the soft targets scale
            # as 1/T^2, multiply them by T^2 when using both hard and soft targets.
            distillation_loss = (
                self.distillation_loss_fn(
                    tf.nn.softmax(teacher_predictions / self.temperature, axis=1),
                    tf.nn.softmax(student_predictions / self.temperature, axis=1),
                )
                * self.temperature**2
            )

            loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss

        # Compute gradients
        trainable_vars = self.student.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)

        # Update weights
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))

        # Update the metrics configured in `compile()`.
        self.compiled_metrics.update_state(y, student_predictions)

        # Return a dict of performance
        results = {m.name: m.result() for m in self.metrics}
        results.update(
            {"student_loss": student_loss, "distillation_loss": distillation_loss}
        )
        return results

    def test_step(self, data):
        # Unpack the data
        x, y = data

        # Compute predictions
        y_prediction = self.student(x, training=False)

        # Calculate the loss
        student_loss = self.student_loss_fn(y, y_prediction)

        # Update the metrics.
        self.compiled_metrics.update_state(y, y_prediction)

        # Return a dict of performance
        results = {m.name: m.result() for m in self.metrics}
        results.update({"student_loss": student_loss})
        return results


# %% Create student and teacher models
# Create the teacher
teacher = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(256, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(alpha=0.2),
        layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
        layers.Conv2D(512, (3, 3), strides=(2, 2), padding="same"),
        layers.Flatten(),
        layers.Dense(10),
    ],
    name="teacher",
)

# Create the student
student = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(alpha=0.2),
        layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
        layers.Conv2D(32, (3, 3), strides=(2, 2), padding="same"),
        layers.Flatten(),
        layers.Dense(10),
    ],
    name="student",
)

# Clone student for later comparison
student_scratch = keras.models.clone_model(student)

# adapted: the same start in both frameworks
seeded_weights(teacher)
seeded_weights(student, seed=1)
seeded_weights(student_scratch, seed=1)
print(teacher.name, student.name, len(student_scratch.layers), student_scratch.count_params())

# %% Prepare the dataset
# Prepare the train and test dataset.
batch_size = 64
(x_train, y_train), (x_test, y_test) = load_mnist(1280, 200)  # adapted: local MNIST, fewer images

# Normalize data
x_train = x_train.astype("float32") / 255.0
x_train = np.reshape(x_train, (-1, 28, 28, 1))

x_test = x_test.astype("float32") / 255.0
x_test = np.reshape(x_test, (-1, 28, 28, 1))

print(np.round(teacher.predict(x_test[:2], verbose=0), 4))  # adapted: the start, checked
print(np.round(student.predict(x_test[:2], verbose=0), 4))

# %% Train the teacher
# Train teacher as usual
teacher.compile(
    optimizer=keras.optimizers.Adam(),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)

# Train and evaluate teacher on data.
print(rounded(teacher.fit(x_train, y_train, epochs=1, shuffle=False, verbose=0)))  # adapted: 1 epoch, quiet
print(np.round(teacher.evaluate(x_test, y_test, verbose=0), 4))

# %% Distill teacher to student
# Initialize and compile distiller
distiller = Distiller(student=student, teacher=teacher)
distiller.compile(
    optimizer=keras.optimizers.Adam(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
    student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    distillation_loss_fn=keras.losses.KLDivergence(),
    alpha=0.1,
    temperature=10,
)

# Distill teacher to student
print(rounded(distiller.fit(x_train, y_train, epochs=1, shuffle=False, verbose=0)))  # adapted: 1 epoch, quiet

# Evaluate student on test dataset
print(np.round(distiller.evaluate(x_test, y_test, verbose=0), 4))
print(distiller.metrics_names)  # adapted: what evaluate's list holds

# %% Train student from scratch for comparison
# Train student as doen usually
student_scratch.compile(
    optimizer=keras.optimizers.Adam(),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)

# Train and evaluate student trained from scratch.
print(rounded(student_scratch.fit(x_train, y_train, epochs=1, shuffle=False, verbose=0)))  # adapted: as above
print(np.round(student_scratch.evaluate(x_test, y_test, verbose=0), 4))
