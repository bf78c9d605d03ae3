"""``keras.utils.FeatureSpace``: one object that preprocesses and encodes a dict of structured-data features
(tf.keras 2.12+, written from tf_keras/utils/feature_space.py)."""
from __future__ import annotations

from .. import data as _data
from ..functions import expand_dims, reshape, squeeze
from ..tensor import Tensor, convert_to_tensor
from . import layers
from .layers.base import Layer, unique_name
from .layers.core import Identity
from .registry import deserialize as _deserialize, serialize as _serialize


class Cross:
    """A feature cross of ``FeatureSpace``: the named features hashed together into ``crossing_dim`` bins
    (``output_mode`` ``'one_hot'``, the default, or ``'int'``); its ``name`` is the names joined by ``_X_``."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in {"int", "one_hot"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot'}. "
                             f"Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self):
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Feature:
    """A feature of ``FeatureSpace``: its input ``dtype``, the ``preprocessor`` layer, and ``output_mode``
    (``'int'``, ``'one_hot'`` or ``'float'``)."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in {"int", "one_hot", "float"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot', 'float'}. "
                             f"Received: output_mode={output_mode}")
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = _deserialize("layers", preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self):
        return {"dtype": self.dtype, "preprocessor": _serialize(self.preprocessor), "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class FeatureSpace(Layer):
    """One-stop preprocessing and encoding of structured data, as ``tf.keras.utils.FeatureSpace``.

    Args:
        features: a dict from feature name to its type: a name (``"float"``, ``"float_normalized"``,
            ``"float_rescaled"``, ``"float_discretized"``, ``"integer_categorical"``, ``"string_categorical"``,
            ``"integer_hashed"``, ``"string_hashed"``) or a ``FeatureSpace.<type>(...)`` object.
        output_mode: ``"concat"`` (default: one float vector a sample, the encoded features in sorted name
            order, then the crosses) or ``"dict"`` (each encoded feature by name).
        crosses: feature name tuples (or ``FeatureSpace.cross(...)``) hashed together by ``HashedCrossing``.
        crossing_dim: bins of a cross given as a tuple (32). hashing_dim: bins of a ``"*_hashed"`` feature
            given by name (32). num_discretization_bins: bins of a ``"float_discretized"`` feature given by
            name (32).

    ``adapt(dataset)`` (a ``tf.data.Dataset`` of feature dicts) adapts each preprocessor (lookup vocabularies,
    normalization statistics, bin boundaries); then the space is called on a dict of raw values (batched, or
    one sample), and ``get_inputs()`` / ``get_encoded_features()`` give the Keras inputs and encoded tensors
    for a functional model. Categorical features with ``output_mode="one_hot"`` are multi-hot encoded to their
    preprocessor's cardinality. Raises ValueError for empty ``features``, unknown types or modes, a cross of
    unknown features, a call before ``adapt`` or on a non-dict. Not provided: ``save`` (the ``.keras`` file of a
    FeatureSpace).
    """

    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        name = name or unique_name("float", zero_based=False)
        return Feature(dtype="float32", preprocessor=Identity(dtype="float32", name=f"{name}_preprocessor"),
                       output_mode="float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        name = name or unique_name("float_rescaled", zero_based=False)
        preprocessor = layers.Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor")
        return Feature(dtype="float32", preprocessor=preprocessor, output_mode="float")

    @classmethod
    def float_normalized(cls, name=None):
        name = name or unique_name("float_normalized", zero_based=False)
        preprocessor = layers.Normalization(axis=-1, name=f"{name}_preprocessor")
        return Feature(dtype="float32", preprocessor=preprocessor, output_mode="float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        name = name or unique_name("float_discretized", zero_based=False)
        preprocessor = layers.Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                                             name=f"{name}_preprocessor")
        return Feature(dtype="float32", preprocessor=preprocessor, output_mode=output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        name = name or unique_name("integer_categorical", zero_based=False)
        preprocessor = layers.IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                            num_oov_indices=num_oov_indices)
        return Feature(dtype="int64", preprocessor=preprocessor, output_mode=output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        name = name or unique_name("string_categorical", zero_based=False)
        preprocessor = layers.StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                           num_oov_indices=num_oov_indices)
        return Feature(dtype="string", preprocessor=preprocessor, output_mode=output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or unique_name("string_hashed", zero_based=False)
        preprocessor = layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins)
        return Feature(dtype="string", preprocessor=preprocessor, output_mode=output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or unique_name("integer_hashed", zero_based=False)
        preprocessor = layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins)
        return Feature(dtype="int64", preprocessor=preprocessor, output_mode=output_mode)

    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32, hashing_dim=32,
                 num_discretization_bins=32, **kwargs):
        super().__init__(**kwargs)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {name: self._standardize_feature(name, value) for name, value in features.items()}
        self.crosses = []
        for cross in crosses or ():
            if isinstance(cross, dict):
                cross = Cross.from_config(cross.get("config", cross))
            if not isinstance(cross, Cross):
                if not crossing_dim:
                    raise ValueError("When specifying `crosses`, the argument `crossing_dim` (dimensionality of "
                                     "the crossing space) should be specified as well.")
                if any(key not in features for key in cross):
                    raise ValueError("All features referenced in the `crosses` argument should be present in the "
                                     f"`features` dict. Received unknown features: {cross}")
                cross = Cross(cross, crossing_dim=crossing_dim)
            self.crosses.append(cross)
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. "
                             f"Received: output_mode={output_mode}")
        self.output_mode = output_mode
        self.inputs = {name: layers.Input(shape=(1,), dtype=value.dtype, name=name)
                       for name, value in self.features.items()}
        self.preprocessors = {name: value.preprocessor for name, value in self.features.items()}
        self.encoded_features = None
        self.crossers = {cross.name: layers.HashedCrossing(cross.crossing_dim, name=cross.name)
                         for cross in self.crosses}
        self.one_hot_encoders: dict = {}
        self.built = False
        self._is_adapted = False
        self.concat = None
        self._preprocessed_features_names = None
        self._crossed_features_names = None

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return Feature.from_config(feature.get("config", feature))
        makers = {"float": lambda: self.float(name=name),
                  "float_normalized": lambda: self.float_normalized(name=name),
                  "float_rescaled": lambda: self.float_rescaled(name=name),
                  "float_discretized": lambda: self.float_discretized(name=name,
                                                                      num_bins=self.num_discretization_bins),
                  "integer_categorical": lambda: self.integer_categorical(name=name),
                  "string_categorical": lambda: self.string_categorical(name=name),
                  "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
                  "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name)}
        if not isinstance(feature, str) or feature not in makers:
            raise ValueError(f"Invalid feature type: {feature}")
        return makers[feature]()

    def _list_adaptable_preprocessors(self):
        names = []
        for name in self.features:
            preprocessor = self.preprocessors[name]
            # A Normalization layer given its mean and variance is not adapted.
            if isinstance(preprocessor, layers.Normalization) and preprocessor.input_mean is not None:
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Adapt each adaptable preprocessor to its feature in ``dataset`` (a ``tf.data.Dataset`` of dicts, no
        labels); raises ValueError for anything else."""
        if not isinstance(dataset, _data.Dataset):
            raise ValueError(f"`adapt()` can only be called on a tf.data.Dataset. Received instead: {dataset} "
                             f"(of type {type(dataset)})")
        for name in self._list_adaptable_preprocessors():
            feature_dataset = dataset.map(lambda x, name=name: x[name])
            x = next(iter(feature_dataset.take(1)))  # one element, to see its rank
            if x.shape.rank == 0:  # unbatched scalars: batch them
                feature_dataset = feature_dataset.batch(32)
            if x.shape.rank in {0, 1}:  # a trailing axis, so the statistics reduce over axis -1
                feature_dataset = feature_dataset.map(lambda x: expand_dims(x, -1))
            self.preprocessors[name].adapt(feature_dataset)
        self._is_adapted = True
        self.get_encoded_features()  # finishes building
        self.built = True

    def get_inputs(self):
        """The dict of ``keras.Input`` (shape ``(None, 1)``) of the features, by name."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded Keras tensor of the inputs (``"concat"``), or the dict of them (``"dict"``)."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess_features(self.inputs)
            self.encoded_features = self._merge_features(preprocessed, self._cross_features(preprocessed))
        return self.encoded_features

    def _preprocess_features(self, features):
        return {name: self.preprocessors[name](features[name]) for name in features}

    def _cross_features(self, features):
        return {cross.name: self.crossers[cross.name]([features[name] for name in cross.feature_names])
                for cross in self.crosses}

    def _merge_features(self, preprocessed_features, crossed_features):
        if not self._preprocessed_features_names:
            self._preprocessed_features_names = sorted(preprocessed_features)
            self._crossed_features_names = sorted(crossed_features)
        all_names = self._preprocessed_features_names + self._crossed_features_names
        all_features = [preprocessed_features[name] for name in self._preprocessed_features_names] + \
            [crossed_features[name] for name in self._crossed_features_names]
        if self.built:
            encoded = {}
            for name, feature in zip(all_names, all_features):
                encoder = self.one_hot_encoders.get(name)
                encoded[name] = encoder(feature) if encoder else feature
            return encoded if self.output_mode == "dict" else self.concat(list(encoded.values()))
        # The first time (on the Keras inputs): make the one-hot encoders and the Concatenate layer.
        all_specs = [self.features[name] for name in self._preprocessed_features_names] + \
            [self.crosses_by_name[name] for name in self._crossed_features_names]
        output = {}
        for name, feature, spec in zip(all_names, all_features, all_specs):
            dtype = feature.dtype.name
            if spec.output_mode == "one_hot":
                preprocessor = self.preprocessors.get(name) or self.crossers.get(name)
                if not dtype.startswith("int"):
                    raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. Thus its preprocessor should "
                                     f"return an int64 dtype. Instead it returns a {dtype} dtype.")
                if isinstance(preprocessor, (layers.IntegerLookup, layers.StringLookup)):
                    cardinality = preprocessor.vocabulary_size()
                elif isinstance(preprocessor, layers.CategoryEncoding):
                    cardinality = preprocessor.num_tokens
                elif isinstance(preprocessor, (layers.Discretization, layers.HashedCrossing, layers.Hashing)):
                    cardinality = preprocessor.num_bins
                else:
                    raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard "
                                     "feature and the dimensionality of its output space is not known, thus it "
                                     "cannot be one-hot encoded. Try using `output_mode='int'`.")
                encoder = layers.CategoryEncoding(num_tokens=cardinality, output_mode="multi_hot")
                self.one_hot_encoders[name] = encoder
                feature = encoder(feature)
            dtype = feature.dtype.name
            if self.output_mode == "concat" and (dtype.startswith("int") or dtype == "string"):
                raise ValueError(f"Cannot concatenate features because feature '{name}' has not been encoded (it "
                                 f"has dtype {dtype}). Consider using `output_mode='dict'`.")
            output[name] = feature
        if self.output_mode == "concat":
            self.concat = layers.Concatenate(axis=-1)
            return self.concat(list(output.values()))
        return output

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace before you can start "
                                 "using it.")
            self._is_adapted = True

    def _check_if_built(self):
        if not self.built:
            self._check_if_adapted()
            self.get_encoded_features()
            self.built = True

    def __call__(self, data):
        """Encode a dict of raw feature values: a batch (values of shape ``(n,)`` or ``(n, 1)``) gives
        ``(n, dim)``, one sample (scalars) gives ``(dim,)``."""
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(f"A FeatureSpace can only be called with a dict. Received: data={data} (of type "
                             f"{type(data)}")
        data = {key: value if isinstance(value, Tensor) else convert_to_tensor(value) for key, value in data.items()}
        rebatched = False
        for name, x in data.items():
            if x.shape.rank == 0:
                data[name] = reshape(x, [1, 1])
                rebatched = True
            elif x.shape.rank == 1:
                data[name] = expand_dims(x, -1)
        preprocessed = self._preprocess_features(data)
        merged = self._merge_features(preprocessed, self._cross_features(preprocessed))
        if rebatched:
            if self.output_mode == "concat":
                return squeeze(merged, axis=0)
            for name, x in merged.items():
                if x.shape.rank == 2 and x.shape[0] == 1:
                    merged[name] = squeeze(x, axis=0)
        return merged

    def get_config(self):
        return {"features": {name: {"class_name": "Feature", "config": f.get_config()}
                             for name, f in self.features.items()},
                "output_mode": self.output_mode,
                "crosses": [{"class_name": "Cross", "config": c.get_config()} for c in self.crosses],
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
