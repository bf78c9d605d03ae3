"""``keras.preprocessing.image``: tf.keras 2's older path to the image file helpers.

``array_to_img``, ``img_to_array``, ``load_img`` and ``save_img`` are the functions of ``keras.utils``
(:mod:`chainrule.keras.utils.image_utils`; Pillow needed). The guides still call them here, for instance
``keras.preprocessing.image.array_to_img(generated_images[0] * 255.0)`` in "Writing a training loop from
scratch". ``ImageDataGenerator`` and the random transform helpers are not provided.
"""
from ..utils.image_utils import array_to_img, img_to_array, load_img, save_img

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
