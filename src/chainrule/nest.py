"""``chainrule.nest``: nested structures of lists, tuples and dicts, as ``tf.nest`` handles them.

A *structure* is a leaf or a list, tuple (namedtuples included) or dict of structures; anything
else (a Tensor, an array, a string, ``None``) is a leaf. Dicts are visited in sorted key order,
as TensorFlow does, so a dict and the same dict built in another order flatten alike.
``flatten(..., sort_dicts=False)`` keeps a dict's insertion order instead: Keras 3 tracks the
layers held in a dict attribute that way (TensorFlow's nest has no such switch).

No function here recurses: a structure may be nested thousands of levels deep.

Example::

    nest.flatten({"b": [1, 2], "a": 3})                # [3, 1, 2]
    nest.map_structure(lambda v: v * 10, (1, [2]))     # (10, [20])
    nest.pack_sequence_as({"b": 0, "a": 0}, [1, 2])    # {'b': 2, 'a': 1}
"""
from __future__ import annotations

from typing import Any

__all__ = ["is_nested", "flatten", "map_structure", "pack_sequence_as"]


def is_nested(structure: Any) -> bool:
    """True for a list, tuple or dict (the containers ``flatten`` opens), False for a leaf."""
    return isinstance(structure, (list, tuple, dict))


def _children(structure: Any, sort_dicts: bool = True) -> list:
    if isinstance(structure, dict):
        keys = sorted(structure) if sort_dicts else list(structure)
        return [structure[k] for k in keys]
    return list(structure)


def flatten(structure: Any, expand_composites: bool = False, *, sort_dicts: bool = True) -> list:
    """The leaves of ``structure`` in order, as a list (a leaf gives ``[leaf]``).

    ``expand_composites`` is accepted for signature compatibility with ``tf.nest`` only:
    chainrule has no composite tensors to expand.
    """
    if not is_nested(structure):
        return [structure]
    out, stack = [], [structure]
    while stack:
        item = stack.pop()
        if is_nested(item):
            stack.extend(reversed(_children(item, sort_dicts)))
        else:
            out.append(item)
    return out


def _rebuild(like: Any, items: list) -> Any:
    """A container of ``like``'s type (and, for a dict, its key order) holding ``items``."""
    if isinstance(like, dict):
        by_key = dict(zip(sorted(like), items))
        return type(like)((k, by_key[k]) for k in like)
    if isinstance(like, tuple) and hasattr(like, "_fields"):  # namedtuple
        return type(like)(*items)
    return type(like)(items)


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """``flat_sequence`` put back into the nesting of ``structure`` (the inverse of :func:`flatten`).

    Raises ``ValueError`` when the number of leaves differs.
    """
    flat = list(flat_sequence)
    count = len(flatten(structure))
    if count != len(flat):
        raise ValueError(f"pack_sequence_as: the structure has {count} leaves but {len(flat)} values were given.")
    leaves = iter(flat)
    if not is_nested(structure):
        return next(leaves)
    # Post-order walk with an explicit stack: a container is rebuilt once all its children are.
    root: list[Any] = []
    stack: list[tuple[Any, Any, list[Any], list[Any]]] = [(structure, _children(structure), [], root)]
    while stack:
        node, children, built, parent = stack[-1]
        if len(built) == len(children):
            stack.pop()
            parent.append(_rebuild(node, built))
            continue
        child = children[len(built)]
        if is_nested(child):
            stack.append((child, _children(child), [], built))
        else:
            built.append(next(leaves))
    return root[0]


def map_structure(func: Any, *structures: Any) -> Any:
    """``func`` applied to the leaves of ``structures`` (all of the same nesting), in that nesting.

    ``map_structure(f, a, b)`` calls ``f(leaf_of_a, leaf_of_b)``. Structures whose nesting
    differs raise ``ValueError``.
    """
    if not structures:
        raise ValueError("map_structure: give at least one structure.")
    first = structures[0]
    if len(structures) == 1 and not is_nested(first):  # the common case: one tensor
        return func(first)
    flats = [flatten(s) for s in structures]
    if any(len(f) != len(flats[0]) for f in flats[1:]):
        raise ValueError(f"map_structure: the structures do not have the same nesting (leaf counts "
                         f"{[len(f) for f in flats]}).")
    return pack_sequence_as(first, [func(*leaves) for leaves in zip(*flats)])
