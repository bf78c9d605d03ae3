"""``chainrule.train`` (``tf.train``): checkpoints of Variables, Modules, Keras models, optimizers and iterators.

``Checkpoint``, ``CheckpointManager``, ``latest_checkpoint``, ``get_checkpoint_state``,
``list_variables``, ``load_variable`` and ``load_checkpoint``, with TensorFlow's signatures. The
files (``<prefix>.index``, ``<prefix>.data-00000-of-00001``, the folder's ``checkpoint``) have
TensorFlow's names but chainrule's own content: TensorFlow cannot read them, nor chainrule
TensorFlow's. The implementation lives with Keras's saving code (it knows layers and optimizers):
``chainrule.keras.saving.tf_checkpoint``.

``Example``, ``Features``, ``Feature``, ``BytesList``, ``FloatList`` and ``Int64List`` are the
records TFRecord files hold (:mod:`chainrule.io.example_proto`, protobuf's bytes without protobuf).
"""
from ..io.example_proto import BytesList, Example, Feature, Features, FloatList, Int64List  # noqa: F401
from ..keras.saving.tf_checkpoint import (Checkpoint, CheckpointLoadStatus, CheckpointManager,  # noqa: F401
                                          CheckpointReader, get_checkpoint_state, latest_checkpoint,
                                          list_variables, load_checkpoint, load_variable)


class CheckpointOptions:
    """Accepted for TensorFlow's signatures (``experimental_io_device``...); chainrule has no options to set."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False, experimental_sharding_callback=None,
                 experimental_skip_slot_variables=False):
        self.experimental_io_device = experimental_io_device
        self.enable_async = bool(enable_async or experimental_enable_async_checkpoint)
