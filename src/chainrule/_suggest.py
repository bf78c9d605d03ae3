"""The "Did you mean ...?" hint of error messages, written once."""
import difflib
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


def did_you_mean_argument(valid, unknown) -> str:
    """The hint for the first of the ``unknown`` keywords that is close to one of the ``valid`` names."""
    return next((hint for hint in (did_you_mean(key, valid) for key in unknown) if hint), "")
