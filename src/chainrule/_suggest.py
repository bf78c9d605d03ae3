"""Argument and object names, written once: the "Did you mean ...?" hint of error messages, and what a
function's signature accepts."""
import difflib
import functools
import inspect


def _typo_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``: optimal string alignment."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def did_you_mean(name, candidates) -> str:
    """``" Did you mean 'relu'?"`` for the closest of ``candidates``, or ``""`` when none is close.

    difflib finds the close names; of its best three the fewest typing edits wins (so 'adma' is 'adam',
    a swap, rather than 'adamax', which difflib's ratio ranks first), ties in difflib's order.
    """
    name = str(name)
    close = difflib.get_close_matches(name, [str(c) for c in candidates], n=3)
    if not close:
        return ""
    best = min(close, key=lambda c: _typo_distance(name.lower(), c.lower()))
    return f" Did you mean {best!r}?"


def init_arguments(cls) -> list:
    """Names of the keyword arguments of ``cls.__init__`` and its bases' (``self``, ``*args``, ``**kw`` left out)."""
    names = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            continue
        names += [p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self"]
    return list(dict.fromkeys(names))


def accepts_argument(fn, name: str, through_kwargs=True) -> bool:
    """True when ``fn`` (a function or bound method) takes an argument ``name`` (or, with
    ``through_kwargs``, has ``**kwargs``)."""
    return _accepts(getattr(fn, "__func__", fn), name, through_kwargs)


@functools.lru_cache(maxsize=None)
def _accepts(fn, name: str, through_kwargs: bool) -> bool:  # cached: asked once per layer built or loaded
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or through_kwargs and any(p.kind is p.VAR_KEYWORD for p in params.values())


def did_you_mean_argument(valid, unknown) -> str:
    """The hint for the first of the ``unknown`` keywords that is close to one of the ``valid`` names."""
    return next((hint for hint in (did_you_mean(key, valid) for key in unknown) if hint), "")
