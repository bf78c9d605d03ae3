"""Attention layers: ``MultiHeadAttention``, ``Attention``, ``AdditiveAttention``."""
from .dense_attention import AdditiveAttention, Attention, BaseDenseAttention
from .multi_head_attention import MultiHeadAttention

__all__ = ["MultiHeadAttention", "Attention", "AdditiveAttention", "BaseDenseAttention"]
