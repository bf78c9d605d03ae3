"""The documentation cannot rot: generated pages are current, the support table is where errors point, and
what users call documents its arguments.

The site itself is built by ``make docs`` (``mkdocs build --strict``, in CI); these are the quick checks.
"""
import importlib
import inspect
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs" / "tools"))

import gen_api  # noqa: E402
import gen_examples  # noqa: E402
import gen_support  # noqa: E402
from _nav import nav_is_current  # noqa: E402

REGENERATE = "is not current: run `make docs-pages` (docs/tools/gen_*.py) and commit the result"


def test_support_table_is_current():
    assert (ROOT / "docs" / "support.md").read_text(encoding="utf-8") == gen_support.render(), \
        f"docs/support.md {REGENERATE}"


def test_support_table_is_where_the_missing_name_error_points():
    from chainrule._missing import SUPPORT_TABLE
    assert (ROOT / SUPPORT_TABLE).is_file()


def test_support_table_resolves_names_without_the_explaining_getattr():
    import chainrule
    assert gen_support.provided("tf.keras.layers.Dense", chainrule)
    assert gen_support.provided("tf.math.reduce_sum", chainrule)
    assert not gen_support.provided("tf.keras.layers.DenseFeatures", chainrule)
    assert not gen_support.provided("tf.keras.applications.ResNet50", chainrule)  # a missing module, then a name
    assert not gen_support.provided("tf.xla", chainrule)  # a TensorFlow module chainrule does not have
    text = gen_support.render(chainrule, [("tf.keras.layers.Dense", "class"), ("tf.keras.layers.Nope", "class"),
                                          ("tf.nope", "module")])
    assert "chainrule provides **1 of 3** names" in text
    assert "| [`tf.keras.layers`](#tfkeraslayers) | 1 | 2 |" in text
    assert "| `tf.keras.layers.Nope` | class | no |" in text


@pytest.mark.parametrize("name", ["examples", "api"])
def test_generated_pages_are_current(name):
    generator = {"examples": gen_examples, "api": gen_api}[name]
    pages = generator.render()
    for file, text in pages.items():
        path = generator.OUT / file
        assert path.is_file() and path.read_text(encoding="utf-8") == text, f"docs/{name}/{file} {REGENERATE}"
    assert sorted(p.name for p in generator.OUT.glob("*.md")) == sorted(pages), f"docs/{name}/ {REGENERATE}"
    entries = gen_examples.nav_entries(pages) if name == "examples" else gen_api.nav_entries()
    assert nav_is_current(name, entries), f"mkdocs.yml's {name} list {REGENERATE}"


# -- What users call documents its arguments (Google style: Args, Returns, Raises) ---------------------------

# Public names exempt from the Args rule, each with the reason.
EXEMPT = {
    "chainrule.keras.layers.KerasTensor": "the symbolic tensor a layer call on Input returns; never constructed "
                                          "by users",
    "chainrule.keras.layers.Node": "the record of one functional-graph call; never constructed by users",
}
# Callables whose docstring must also have a Returns section.
MUST_RETURN = {"chainrule.keras.models.Model.fit", "chainrule.keras.models.Model.evaluate",
               "chainrule.keras.models.Model.predict"}


def args_documented(doc: str) -> set[str] | None:
    """The parameter names the ``Args:`` sections of ``doc`` document, or None when it has no such section."""
    lines = (doc or "").expandtabs().splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() in ("Args:", "Arguments:")]
    if not starts:
        return None
    names: set[str] = set()
    for start in starts:
        section_indent = len(lines[start]) - len(lines[start].lstrip())
        entry_indent = None
        for line in lines[start + 1:]:
            if not line.strip():
                continue
            depth = len(line) - len(line.lstrip())
            if depth <= section_indent:
                break
            if entry_indent is None:
                entry_indent = depth
            match = re.match(r"\*{0,2}(\w+)\s*(\([^)]*\))?\s*:", line.strip())
            if depth == entry_indent and match:
                names.add(match.group(1))
    return names


def has_section(doc: str, section: str) -> bool:
    return any(line.strip() == f"{section}:" for line in (doc or "").splitlines())


def named_parameters(fn) -> list[str]:
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def public_callables():
    """``(dotted name, object, parameters, docstring)`` of everything users call that the rule covers."""
    out = []
    for module in ["chainrule.keras.layers", "chainrule.keras.optimizers", "chainrule.keras.optimizers.schedules",
                   "chainrule.keras.losses", "chainrule.keras.callbacks", "chainrule.keras.models"]:
        names, _ = gen_api.public_names(module)
        mod = importlib.import_module(module)
        for name in names:
            obj = vars(mod)[name]
            dotted = f"{module}.{name}"
            if inspect.isclass(obj):
                owner = next(c for c in obj.__mro__ if "__init__" in vars(c))
                if owner is object:
                    continue
                # the class's own docstring, or the one of the class whose __init__ it uses
                doc = "\n".join(d or "" for d in (obj.__doc__, owner.__doc__, vars(owner)["__init__"].__doc__))
                out.append((dotted, obj, named_parameters(owner.__init__), doc))
            else:
                out.append((dotted, obj, named_parameters(obj), obj.__doc__ or ""))
    model = importlib.import_module("chainrule.keras.models").Model
    for method in ["compile", "fit", "evaluate", "predict"]:
        fn = getattr(model, method)
        out.append((f"chainrule.keras.models.Model.{method}", fn, named_parameters(fn), fn.__doc__ or ""))
    return out


def test_what_users_call_documents_its_arguments():
    problems = []
    for dotted, _, params, doc in public_callables():
        if dotted in EXEMPT or not params and dotted not in MUST_RETURN:
            continue
        documented = args_documented(doc)
        if params and documented is None:
            problems.append(f"{dotted}: no Args section (parameters {params})")
        elif params and set(params) - documented:
            problems.append(f"{dotted}: Args does not document {sorted(set(params) - documented)}")
        if dotted in MUST_RETURN and not has_section(doc, "Returns"):
            problems.append(f"{dotted}: no Returns section")
    assert not problems, f"{len(problems)} public names lack documented arguments:\n" + "\n".join(problems)


def test_the_exemptions_name_public_callables():
    names = {dotted for dotted, *_ in public_callables()}
    assert set(EXEMPT) <= names


def test_every_name_in_the_api_reference_has_its_own_docstring():
    undocumented = []
    for spec in gen_api.PAGES:
        if spec.submodules:
            continue
        names, _ = gen_api.public_names(spec.module, spec.source)
        namespace = vars(importlib.import_module(spec.source or spec.module))
        undocumented += [f"{spec.module}.{n}" for n in names if not (namespace[n].__doc__ or "").strip()]
    assert not undocumented, f"public names without a docstring: {undocumented}"
