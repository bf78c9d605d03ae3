"""The generated parts of ``mkdocs.yml``'s nav: the lines between ``# BEGIN <name>`` and ``# END <name>``."""
from __future__ import annotations

from pathlib import Path

MKDOCS = Path(__file__).resolve().parent.parent.parent / "mkdocs.yml"


def with_nav(mkdocs_yml: str, name: str, entries: list[str]) -> str:
    """``mkdocs.yml``'s text with ``entries`` (nav lines such as ``examples/x.md``) between its markers."""
    lines = mkdocs_yml.splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if line.strip().startswith(f"# BEGIN {name}"))
    end = next(i for i, line in enumerate(lines) if line.strip().startswith(f"# END {name}"))
    indent = lines[begin][:len(lines[begin]) - len(lines[begin].lstrip())]
    return "".join(lines[:begin + 1] + [f"{indent}- {entry}\n" for entry in entries] + lines[end:])


def nav_is_current(name: str, entries: list[str]) -> bool:
    text = MKDOCS.read_text(encoding="utf-8")
    return text == with_nav(text, name, entries)


def write_nav(name: str, entries: list[str]) -> None:
    MKDOCS.write_text(with_nav(MKDOCS.read_text(encoding="utf-8"), name, entries), encoding="utf-8")
