"""Argument and object names, written once: the "Did you mean ...?" hint of error messages, and what a
function's signature accepts."""
import difflib
import functools
import inspect


def did_you_mean(name, candidates) -> str:
    """``" Did you mean 'relu'?"`` for the closest of ``candidates``, or ``""`` when none is close."""
    close = difflib.get_close_matches(str(name), list(candidates), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


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
