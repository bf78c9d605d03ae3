"""The "Did you mean ...?" hint of error messages, written once."""
import difflib


def did_you_mean(name, candidates) -> str:
    """``" Did you mean 'relu'?"`` for the closest of ``candidates``, or ``""`` when none is close."""
    close = difflib.get_close_matches(str(name), list(candidates), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""
