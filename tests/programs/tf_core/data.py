"""The TensorFlow guide "tf.data: Build TensorFlow input pipelines", adapted for chainrule.

Source: tensorflow/docs, site/en/guide/data.ipynb (TF 2.21 docs). The code cells are here in order; bare
expressions are printed. Adaptations:

* Downloads are replaced by small local files written here (clearly stand-ins, not the guide's data): three
  text files for the Iliad translations and a 12-row CSV with the Titanic file's columns. Fashion-MNIST is
  read from ``CHAINRULE_DATA`` (the real files). The flowers photos (image decoding and augmentation), the
  FSNS TFRecord file (TFRecordDataset, tf.train.Example) and the credit-card resampling section (a 69 MB
  download) are skipped.
* ``tf.random`` data is drawn from seeded numpy so both frameworks print the same numbers; lines whose values
  depend on a framework's own random numbers (shuffles, training) print "[varies]" and are not compared.
* Plots print the values they would draw; Keras training runs with ``verbose=0``.

Run with chainrule: ``CHAINRULE_DATA=... python data.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow python data.py`` (see ``make_expected.py``).
"""
import os
import pathlib
import tempfile

import numpy as np

if os.environ.get("CHAINRULE_REFERENCE") == "tensorflow":
    import tensorflow as tf
else:
    import chainrule as tf

np.set_printoptions(precision=4)
rng = np.random.RandomState(0)
work = pathlib.Path(tempfile.mkdtemp())

# %% Basic mechanics
dataset = tf.data.Dataset.from_tensor_slices([8, 3, 0, 8, 2, 1])
print(repr(dataset))

for elem in dataset:
  print(elem.numpy())

it = iter(dataset)

print(next(it).numpy())

print(dataset.reduce(0, lambda state, value: state + value).numpy())

# %% Dataset structure
dataset1 = tf.data.Dataset.from_tensor_slices(tf.constant(rng.uniform(size=[4, 10]).astype(np.float32)))

print(dataset1.element_spec)

dataset2 = tf.data.Dataset.from_tensor_slices(
   (tf.constant(rng.uniform(size=[4]).astype(np.float32)),
    tf.constant(rng.randint(0, 100, size=[4, 100]).astype(np.int32))))

print(dataset2.element_spec)

dataset3 = tf.data.Dataset.zip((dataset1, dataset2))

print(dataset3.element_spec)

# Dataset containing a sparse tensor.
dataset4 = tf.data.Dataset.from_tensors(tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4]))

print(dataset4.element_spec)

# Use value_type to see the type of value represented by the element spec
print(dataset4.element_spec.value_type.__name__)   # adapted: TF prints the class with its module path

dataset1 = tf.data.Dataset.from_tensor_slices(
    tf.constant(rng.randint(1, 10, size=[4, 10]).astype(np.int32)))

print(repr(dataset1))

for z in dataset1:
  print(z.numpy())

dataset2 = tf.data.Dataset.from_tensor_slices(
   (tf.constant(rng.uniform(size=[4]).astype(np.float32)),
    tf.constant(rng.randint(0, 100, size=[4, 100]).astype(np.int32))))

print(repr(dataset2))

dataset3 = tf.data.Dataset.zip((dataset1, dataset2))

print(repr(dataset3))

for a, (b,c) in dataset3:
  print('shapes: {a.shape}, {b.shape}, {c.shape}'.format(a=a, b=b, c=c))

# %% Consuming NumPy arrays
train, test = tf.keras.datasets.fashion_mnist.load_data()

images, labels = train
images = images/255

dataset = tf.data.Dataset.from_tensor_slices((images, labels))
print(repr(dataset))

# %% Consuming Python generators
def count(stop):
  i = 0
  while i<stop:
    yield i
    i += 1

for n in count(5):
  print(n)

ds_counter = tf.data.Dataset.from_generator(count, args=[25], output_types=tf.int32, output_shapes = (), )

for count_batch in ds_counter.repeat().batch(10).take(10):
  print(count_batch.numpy())

np.random.seed(0)   # adapted: so that both frameworks print the same series

def gen_series():
  i = 0
  while True:
    size = np.random.randint(0, 10)
    yield i, np.random.normal(size=(size,))
    i += 1

for i, series in gen_series():
  print(i, ":", str(series))
  if i > 5:
    break

ds_series = tf.data.Dataset.from_generator(
    gen_series,
    output_types=(tf.int32, tf.float32),
    output_shapes=((), (None,)))

print(repr(ds_series))

ds_series_batch = ds_series.shuffle(20).padded_batch(10)

ids, sequence_batch = next(iter(ds_series_batch))
print("[varies]", ids.numpy())
print()
print("[varies]", sequence_batch.numpy().shape[0], sequence_batch.dtype)

# (skipped: the flowers ImageDataGenerator cells and the FSNS TFRecord cells: downloads, image
#  augmentation, TFRecordDataset and tf.train.Example)

# %% Consuming text data
# Stand-ins for the guide's cowper.txt, derby.txt and butler.txt (downloads).
file_paths = []
for name, lines in (("cowper.txt", ["Achilles sing, O Goddess! Peleus' son;", "His wrath pernicious, who ten thousand woes",
                                    "Caused to Achaia's host, sent many a soul", "Illustrious into Ades premature,",
                                    "And Heroes gave (so stood the will of Jove)"]),
                    ("derby.txt", ["Of Peleus' son, Achilles, sing, O Muse,", "The vengeance, deep and deadly; whence to Greece",
                                   "Unnumbered ills arose; which many a soul"]),
                    ("butler.txt", ["Sing, O goddess, the anger of Achilles son of Peleus, that brought",
                                    "countless ills upon the Achaeans. Many a brave soul did it send",
                                    "hurrying down to Hades, and many a hero did it yield a prey to dogs and"])):
  path = work / name
  path.write_text("\n".join(lines) + "\n")
  file_paths.append(str(path))

dataset = tf.data.TextLineDataset(file_paths)

for line in dataset.take(5):
  print(line.numpy())

files_ds = tf.data.Dataset.from_tensor_slices(file_paths)
lines_ds = files_ds.interleave(tf.data.TextLineDataset, cycle_length=3)

for i, line in enumerate(lines_ds.take(9)):
  if i % 3 == 0:
    print()
  print(line.numpy())

# A stand-in for the Titanic train.csv (a download): the same columns, 12 rows.
titanic_file = str(work / "train.csv")
with open(titanic_file, "w") as f:
  f.write("survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone\n"
          "0,male,22.0,1,0,7.25,Third,unknown,Southampton,n\n"
          "1,female,38.0,1,0,71.2833,First,C,Cherbourg,n\n"
          "1,female,26.0,0,0,7.925,Third,unknown,Southampton,y\n"
          "1,female,35.0,1,0,53.1,First,C,Southampton,n\n"
          "0,male,28.0,0,0,8.4583,Third,unknown,Queenstown,y\n"
          "0,male,2.0,3,1,21.075,Third,unknown,Southampton,n\n"
          "1,female,27.0,0,2,11.1333,Third,unknown,Southampton,n\n"
          "1,female,14.0,1,0,30.0708,Second,unknown,Cherbourg,n\n"
          "1,female,4.0,1,1,16.7,Third,G,Southampton,n\n"
          "0,male,20.0,0,0,8.05,Third,unknown,Southampton,y\n"
          "0,male,39.0,1,5,31.275,Third,unknown,Southampton,n\n"
          "0,female,14.0,0,0,7.8542,Third,unknown,Southampton,y\n")
titanic_lines = tf.data.TextLineDataset(titanic_file)

for line in titanic_lines.take(10):
  print(line.numpy())

def survived(line):
  return tf.not_equal(tf.strings.substr(line, 0, 1), "0")

survivors = titanic_lines.skip(1).filter(survived)

for line in survivors.take(10):
  print(line.numpy())

# %% Consuming CSV data
# adapted: the guide reads the file with pandas (df = pd.read_csv(titanic_file)); the same columns are read
# here with the csv module (ints, floats or strings, as pandas infers them), since the TensorFlow reference
# environment has no pandas.
import csv

def read_columns(path):
  with open(path) as f:
    rows = list(csv.DictReader(f))
  columns = {}
  for key in rows[0]:
    values = [r[key] for r in rows]
    for kind in (int, float, str):
      try:
        columns[key] = np.array([kind(v) for v in values])
        break
      except ValueError:
        continue
  return columns

df = read_columns(titanic_file)
print(list(df)[:3], len(df["age"]))

titanic_slices = tf.data.Dataset.from_tensor_slices(dict(df))

for feature_batch in titanic_slices.take(1):
  for key, value in feature_batch.items():
    print("  {!r:20s}: {}".format(key, value))

titanic_batches = tf.data.experimental.make_csv_dataset(
    titanic_file, batch_size=4,
    label_name="survived", shuffle=False)   # adapted: shuffle=False so both frameworks give the same rows

for feature_batch, label_batch in titanic_batches.take(1):
  print("'survived': {}".format(label_batch))
  print("features:")
  for key, value in feature_batch.items():
    print("  {!r:20s}: {}".format(key, value))

titanic_batches = tf.data.experimental.make_csv_dataset(
    titanic_file, batch_size=4,
    label_name="survived", select_columns=['class', 'fare', 'survived'], shuffle=False)

for feature_batch, label_batch in titanic_batches.take(1):
  print("'survived': {}".format(label_batch))
  for key, value in feature_batch.items():
    print("  {!r:20s}: {}".format(key, value))

titanic_types  = [tf.int32, tf.string, tf.float32, tf.int32, tf.int32, tf.float32, tf.string, tf.string, tf.string, tf.string]
dataset = tf.data.experimental.CsvDataset(titanic_file, titanic_types , header=True)

for line in dataset.take(10):
  print([item.numpy() for item in line])

(work / "missing.csv").write_text("1,2,3,4\n,2,3,4\n1,,3,4\n1,2,,4\n1,2,3,\n,,,\n")
os.chdir(work)

# Creates a dataset that reads all of the records from two CSV files, each with
# four float columns which may have missing values.

record_defaults = [999,999,999,999]
dataset = tf.data.experimental.CsvDataset("missing.csv", record_defaults)
dataset = dataset.map(lambda *items: tf.stack(items))
print(repr(dataset))

for line in dataset:
  print(line.numpy())

# Creates a dataset that reads all of the records from two CSV files with
# headers, extracting float data from columns 2 and 4.
record_defaults = [999, 999] # Only provide defaults for the selected columns
dataset = tf.data.experimental.CsvDataset("missing.csv", record_defaults, select_cols=[1, 3])
dataset = dataset.map(lambda *items: tf.stack(items))
print(repr(dataset))

for line in dataset:
  print(line.numpy())

# %% Consuming sets of files
# (skipped: the flowers photos; the same calls on a stand-in folder of text files)
flowers_root = work / "flower_photos"
for label in ("daisy", "roses", "tulips"):
  (flowers_root / label).mkdir(parents=True)
  for k in range(2):
    (flowers_root / label / f"{label}_{k}.jpg").write_bytes(f"not really a {label} photo {k}".encode())

for item in sorted(flowers_root.glob("*")):   # adapted: sorted (the guide's order is the file system's)
  print(item.name)

list_ds = tf.data.Dataset.list_files(str(flowers_root/'*/*'))

for f in list_ds.take(5):
  print("[varies]", f.numpy())

def process_path(file_path):
  label = tf.strings.split(file_path, os.sep)[-2]
  return tf.io.read_file(file_path), label

labeled_ds = list_ds.map(process_path)

for image_raw, label_text in labeled_ds.take(1):
  print("[varies]", repr(image_raw.numpy()[:100]))
  print()
  print("[varies]", label_text.numpy())

labeled_sorted = tf.data.Dataset.list_files(str(flowers_root/'*/*'), shuffle=False).map(process_path)  # added
for image_raw, label_text in labeled_sorted.take(2):
  print(repr(image_raw.numpy()[:100]), label_text.numpy())

# %% Batching dataset elements
inc_dataset = tf.data.Dataset.range(100)
dec_dataset = tf.data.Dataset.range(0, -100, -1)
dataset = tf.data.Dataset.zip((inc_dataset, dec_dataset))
batched_dataset = dataset.batch(4)

for batch in batched_dataset.take(4):
  print([arr.numpy() for arr in batch])

print(repr(batched_dataset))

batched_dataset = dataset.batch(7, drop_remainder=True)
print(repr(batched_dataset))

dataset = tf.data.Dataset.range(100)
dataset = dataset.map(lambda x: tf.fill([tf.cast(x, tf.int32)], x))
dataset = dataset.padded_batch(4, padded_shapes=(None,))

for batch in dataset.take(2):
  print(batch.numpy())
  print()

# %% Training workflows
titanic_lines = tf.data.TextLineDataset(titanic_file)

def plot_batch_sizes(ds):
  batch_sizes = [batch.shape[0] for batch in ds]
  print("batch sizes:", batch_sizes)   # adapted: the guide draws a bar chart of these

titanic_batches = titanic_lines.repeat(3).batch(5)   # adapted: batches of 5 for the 13-line stand-in file
plot_batch_sizes(titanic_batches)

titanic_batches = titanic_lines.batch(5).repeat(3)
plot_batch_sizes(titanic_batches)

epochs = 3
dataset = titanic_lines.batch(5)

for epoch in range(epochs):
  for batch in dataset:
    print(batch.shape)
  print("End of epoch: ", epoch)

lines = tf.data.TextLineDataset(titanic_file)
counter = tf.data.experimental.Counter()

dataset = tf.data.Dataset.zip((counter, lines))
dataset = dataset.shuffle(buffer_size=100)
dataset = dataset.batch(20)
print(repr(dataset))

n,line_batch = next(iter(dataset))
print("[varies]", n.numpy())

dataset = tf.data.Dataset.zip((counter, lines))
shuffled = dataset.shuffle(buffer_size=100).batch(10).repeat(2)

print("Here are the item ID's near the epoch boundary:\n")
for n, line_batch in shuffled.skip(1).take(2):   # adapted: skip/take for the 13-line file
  print("[varies]", n.numpy())

shuffle_repeat = [n.numpy().mean() for n, line_batch in shuffled]
print("[varies]", shuffle_repeat)

dataset = tf.data.Dataset.zip((counter, lines))
shuffled = dataset.repeat(2).shuffle(buffer_size=100).batch(10)

print("Here are the item ID's near the epoch boundary:\n")
for n, line_batch in shuffled.skip(1).take(2):
  print("[varies]", n.numpy())

repeat_shuffle = [n.numpy().mean() for n, line_batch in shuffled]
print("[varies]", repeat_shuffle)

# %% Preprocessing data
# (skipped: parse_image / random_rotate_image on the flowers photos: image decoding, resizing, py_function)

# %% Time series windowing
range_ds = tf.data.Dataset.range(100000)

batches = range_ds.batch(10, drop_remainder=True)

for batch in batches.take(5):
  print(batch.numpy())

def dense_1_step(batch):
  # Shift features and labels one step relative to each other.
  return batch[:-1], batch[1:]

predict_dense_1_step = batches.map(dense_1_step)

for features, label in predict_dense_1_step.take(3):
  print(features.numpy(), " => ", label.numpy())

batches = range_ds.batch(15, drop_remainder=True)

def label_next_5_steps(batch):
  return (batch[:-5],   # Inputs: All except the last 5 steps
          batch[-5:])   # Labels: The last 5 steps

predict_5_steps = batches.map(label_next_5_steps)

for features, label in predict_5_steps.take(3):
  print(features.numpy(), " => ", label.numpy())

feature_length = 10
label_length = 3

features = range_ds.batch(feature_length, drop_remainder=True)
labels = range_ds.batch(feature_length).skip(1).map(lambda labels: labels[:label_length])

predicted_steps = tf.data.Dataset.zip((features, labels))

for features, label in predicted_steps.take(5):
  print(features.numpy(), " => ", label.numpy())

window_size = 5

windows = range_ds.window(window_size, shift=1)
for sub_ds in windows.take(5):
  print(repr(sub_ds).split(" ")[1])   # adapted: TF prints the class name _VariantDataset

for x in windows.flat_map(lambda x: x).take(30):
   print(x.numpy(), end=' ')
print()

def sub_to_batch(sub):
  return sub.batch(window_size, drop_remainder=True)

for example in windows.flat_map(sub_to_batch).take(5):
  print(example.numpy())

def make_window_dataset(ds, window_size=5, shift=1, stride=1):
  windows = ds.window(window_size, shift=shift, stride=stride)

  def sub_to_batch(sub):
    return sub.batch(window_size, drop_remainder=True)

  windows = windows.flat_map(sub_to_batch)
  return windows

ds = make_window_dataset(range_ds, window_size=10, shift = 5, stride=3)

for example in ds.take(10):
  print(example.numpy())

dense_labels_ds = ds.map(dense_1_step)

for inputs,labels in dense_labels_ds.take(3):
  print(inputs.numpy(), "=>", labels.numpy())

# (skipped: "Resampling" on the credit-card fraud data: a 69 MB download)

# %% Iterator Checkpointing
range_ds = tf.data.Dataset.range(20)

iterator = iter(range_ds)
ckpt = tf.train.Checkpoint(step=tf.Variable(0), iterator=iterator)
manager = tf.train.CheckpointManager(ckpt, str(work / 'my_ckpt'), max_to_keep=3)  # adapted: in the temp folder
print([next(iterator).numpy() for _ in range(5)])
save_path = manager.save()
print([next(iterator).numpy() for _ in range(5)])
ckpt.restore(manager.latest_checkpoint)
print([next(iterator).numpy() for _ in range(5)])

# %% Using tf.data with tf.keras
train, test = tf.keras.datasets.fashion_mnist.load_data()

images, labels = train
images = images/255.0
labels = labels.astype(np.int32)

fmnist_train_ds = tf.data.Dataset.from_tensor_slices((images, labels))
fmnist_train_ds = fmnist_train_ds.shuffle(5000).batch(32)

model = tf.keras.Sequential([
  tf.keras.layers.Flatten(),
  tf.keras.layers.Dense(10)
])

model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])

history = model.fit(fmnist_train_ds.take(300), epochs=2, verbose=0)   # adapted: 300 batches, quiet
print("[varies] accuracy after 2 epochs:", history.history["accuracy"][-1])

model.fit(fmnist_train_ds.repeat(), epochs=2, steps_per_epoch=20, verbose=0)

loss, accuracy = model.evaluate(fmnist_train_ds.take(100), verbose=0)   # adapted: 100 batches

print("[varies] Loss :", loss)
print("[varies] Accuracy :", accuracy)
print("accuracy above 0.7:", accuracy > 0.7)

loss, accuracy = model.evaluate(fmnist_train_ds.repeat(), steps=10, verbose=0)

print("[varies] Loss :", loss)
print("[varies] Accuracy :", accuracy)

predict_ds = tf.data.Dataset.from_tensor_slices(images).batch(32)
result = model.predict(predict_ds, steps = 10, verbose=0)
print(result.shape)

result = model.predict(fmnist_train_ds, steps = 10, verbose=0)
print(result.shape)
