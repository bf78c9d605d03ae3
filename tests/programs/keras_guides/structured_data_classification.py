"""The TensorFlow tutorial "Classify structured data using Keras preprocessing layers" (tf.keras 2), adapted.

Source: tensorflow/docs, site/en/tutorials/structured_data/preprocessing_layers.ipynb (TF 2.21 docs). The code
cells are here in order; bare expressions are printed. Adaptations:

* the PetFinder-mini download is replaced by a small CSV with its columns written here from a seeded numpy
  generator (600 made-up pets: a stand-in with the same schema, not the real data);
* ``dataframe.sample(frac=1)`` takes ``random_state=0`` and the datasets are not shuffled, so both frameworks
  see the same batches;
* the model keeps the tutorial's ``Dropout(0.5)``, whose masks come from each framework's own random numbers:
  the training results print as ``[varies]`` (the prediction's probability is checked to be a probability);
  before training, the model starts from ``seeded_weights`` and prints its predictions for the first test pets;
* ``plot_model`` is skipped.

Run with chainrule: ``python structured_data_classification.py``; the expected output was made with
``CHAINRULE_REFERENCE=tensorflow`` (see ``make_expected.py``).
"""
import numpy as np
import pandas as pd
from guide_support import framework, seeded_weights

tf, keras = framework()
layers = keras.layers

print("[varies]", tf.__version__)

# %% Load the dataset and read it into a pandas DataFrame
# adapted: a local stand-in for petfinder-mini.csv (same columns), made from a seeded generator
rng = np.random.RandomState(0)
n = 600
pets = pd.DataFrame({
    "Type": rng.choice(["Cat", "Dog"], n),
    "Age": rng.choice([1, 2, 3, 4, 6, 12, 24, 36], n),
    "Breed1": rng.choice(["Tabby", "Mixed Breed", "Domestic Short Hair", "Poodle"], n),
    "Gender": rng.choice(["Male", "Female"], n),
    "Color1": rng.choice(["Black", "Brown", "Golden", "White"], n),
    "Color2": rng.choice(["White", "Brown", "Cream", "No Color"], n),
    "MaturitySize": rng.choice(["Small", "Medium", "Large"], n),
    "FurLength": rng.choice(["Short", "Medium", "Long"], n),
    "Vaccinated": rng.choice(["Yes", "No", "Not Sure"], n),
    "Sterilized": rng.choice(["Yes", "No", "Not Sure"], n),
    "Health": rng.choice(["Healthy", "Minor Injury"], n),
    "Fee": rng.choice([0, 0, 0, 50, 100, 200, 300], n),
    "Description": ["a pet"] * n,
    "PhotoAmt": rng.poisson(3, n),
})
pets["AdoptionSpeed"] = np.where(pets["PhotoAmt"] + (pets["Fee"] == 0) * 2 + rng.normal(0, 1.5, n) > 4, 2, 4)
csv_file = "petfinder-mini.csv"
pets.to_csv(csv_file, index=False)
dataframe = pd.read_csv(csv_file)

print(dataframe.head())

# %% Create a target variable
# In the original dataset, `'AdoptionSpeed'` of `4` indicates
# a pet was not adopted.
dataframe['target'] = np.where(dataframe['AdoptionSpeed']==4, 0, 1)

# Drop unused features.
dataframe = dataframe.drop(columns=['AdoptionSpeed', 'Description'])

# %% Split the DataFrame into training, validation, and test sets
# adapted: random_state=0, and slices instead of np.split (which gives numpy arrays with pandas 3)
shuffled = dataframe.sample(frac=1, random_state=0)
cut1, cut2 = int(0.8*len(dataframe)), int(0.9*len(dataframe))
train, val, test = shuffled.iloc[:cut1], shuffled.iloc[cut1:cut2], shuffled.iloc[cut2:]

print(len(train), 'training examples')
print(len(val), 'validation examples')
print(len(test), 'test examples')


# %% Create an input pipeline using tf.data
def df_to_dataset(dataframe, shuffle=True, batch_size=32):
  df = dataframe.copy()
  labels = df.pop('target')
  df = {key: value.to_numpy()[:,tf.newaxis] for key, value in dataframe.items()}
  ds = tf.data.Dataset.from_tensor_slices((dict(df), labels))
  if shuffle:
    ds = ds.shuffle(buffer_size=len(dataframe))
  ds = ds.batch(batch_size)
  ds = ds.prefetch(batch_size)
  return ds


batch_size = 5
train_ds = df_to_dataset(train, shuffle=False, batch_size=batch_size)  # adapted: shuffle=False

[(train_features, label_batch)] = train_ds.take(1)
print('Every feature:', list(train_features.keys()))
print('A batch of ages:', train_features['Age'])
print('A batch of targets:', label_batch )


# %% Apply the Keras preprocessing layers: numerical columns
def get_normalization_layer(name, dataset):
  # Create a Normalization layer for the feature.
  normalizer = layers.Normalization(axis=None)

  # Prepare a Dataset that only yields the feature.
  feature_ds = dataset.map(lambda x, y: x[name])

  # Learn the statistics of the data.
  normalizer.adapt(feature_ds)

  return normalizer


photo_count_col = train_features['PhotoAmt']
layer = get_normalization_layer('PhotoAmt', train_ds)
print(layer(photo_count_col))

# %% Categorical columns
def get_category_encoding_layer(name, dataset, dtype, max_tokens=None):
  # Create a layer that turns strings into integer indices.
  if dtype == 'string':
    index = layers.StringLookup(max_tokens=max_tokens)
  # Otherwise, create a layer that turns integer values into integer indices.
  else:
    index = layers.IntegerLookup(max_tokens=max_tokens)

  # Prepare a `tf.data.Dataset` that only yields the feature.
  feature_ds = dataset.map(lambda x, y: x[name])

  # Learn the set of possible values and assign them a fixed integer index.
  index.adapt(feature_ds)

  # Encode the integer indices.
  encoder = layers.CategoryEncoding(num_tokens=index.vocabulary_size())

  # Apply multi-hot encoding to the indices. The lambda function captures the
  # layer, so you can use them, or include them in the Keras Functional model later.
  return lambda feature: encoder(index(feature))


test_type_col = train_features['Type']
test_type_layer = get_category_encoding_layer(name='Type',
                                              dataset=train_ds,
                                              dtype='string')
print(test_type_layer(test_type_col))

test_age_col = train_features['Age']
test_age_layer = get_category_encoding_layer(name='Age',
                                             dataset=train_ds,
                                             dtype='int64',
                                             max_tokens=5)
print(test_age_layer(test_age_col))

# %% Preprocess selected features to train the model on
batch_size = 256
train_ds = df_to_dataset(train, shuffle=False, batch_size=batch_size)  # adapted: shuffle=False
val_ds = df_to_dataset(val, shuffle=False, batch_size=batch_size)
test_ds = df_to_dataset(test, shuffle=False, batch_size=batch_size)

all_inputs = {}
encoded_features = []

# Numerical features.
for header in ['PhotoAmt', 'Fee']:
  numeric_col = tf.keras.Input(shape=(1,), name=header)
  normalization_layer = get_normalization_layer(header, train_ds)
  encoded_numeric_col = normalization_layer(numeric_col)
  all_inputs[header] = numeric_col
  encoded_features.append(encoded_numeric_col)

age_col = tf.keras.Input(shape=(1,), name='Age', dtype='int64')

encoding_layer = get_category_encoding_layer(name='Age',
                                             dataset=train_ds,
                                             dtype='int64',
                                             max_tokens=5)
encoded_age_col = encoding_layer(age_col)
all_inputs['Age'] = age_col
encoded_features.append(encoded_age_col)

categorical_cols = ['Type', 'Color1', 'Color2', 'Gender', 'MaturitySize',
                    'FurLength', 'Vaccinated', 'Sterilized', 'Health', 'Breed1']

for header in categorical_cols:
  categorical_col = tf.keras.Input(shape=(1,), name=header, dtype='string')
  encoding_layer = get_category_encoding_layer(name=header,
                                               dataset=train_ds,
                                               dtype='string',
                                               max_tokens=5)
  encoded_categorical_col = encoding_layer(categorical_col)
  all_inputs[header] = categorical_col
  encoded_features.append(encoded_categorical_col)

print([(tuple(f.shape), f.dtype.name) for f in encoded_features])  # the tutorial shows `encoded_features`

# %% Create, compile, and train the model
all_features = tf.keras.layers.concatenate(encoded_features)
x = tf.keras.layers.Dense(32, activation="relu")(all_features)
x = tf.keras.layers.Dropout(0.5)(x)
output = tf.keras.layers.Dense(1)(x)

model = tf.keras.Model(all_inputs, output)
seeded_weights(model)

model.compile(optimizer='adam',
              loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=["accuracy"],
              run_eagerly=True)

# (skipped: tf.keras.utils.plot_model(model, show_shapes=True, show_layer_names=True, rankdir="LR"))
print(sorted(all_inputs), model.count_params())
[(test_features, test_labels)] = test_ds.take(1)  # adapted: the seeded model's first predictions (no dropout)
print(np.round(model.predict(test_features, verbose=0)[:5, 0], 5))

history = model.fit(train_ds, epochs=10, validation_data=val_ds, verbose=0)
print(sorted(history.history))
print("[varies]", {k: round(v[-1], 4) for k, v in history.history.items()})

result = model.evaluate(test_ds, return_dict=True, verbose=0)
print(sorted(result))
print("[varies]", {k: round(v, 4) for k, v in result.items()})

# %% Perform inference
model.save('my_pet_classifier.keras')
reloaded_model = tf.keras.models.load_model('my_pet_classifier.keras')

sample = {
    'Type': 'Cat',
    'Age': 3,
    'Breed1': 'Tabby',
    'Gender': 'Male',
    'Color1': 'Black',
    'Color2': 'White',
    'MaturitySize': 'Small',
    'FurLength': 'Short',
    'Vaccinated': 'No',
    'Sterilized': 'No',
    'Health': 'Healthy',
    'Fee': 100,
    'PhotoAmt': 2,
}

input_dict = {name: tf.convert_to_tensor([value]) for name, value in sample.items()}
predictions = reloaded_model.predict(input_dict, verbose=0)
prob = tf.nn.sigmoid(predictions[0])
print(np.allclose(predictions, model.predict(input_dict, verbose=0)))

print(
    "[varies] This particular pet had a %.1f percent probability "
    "of getting adopted." % (100 * prob[0])  # adapted: prob[0] (numpy 2 converts only 0-d arrays to float)
)
print(0.0 <= float(prob[0]) <= 1.0)
