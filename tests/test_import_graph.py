"""The import graph of ``src/chainrule``: no cycle, and no import hidden in a function without a reason.

Read with ``ast`` (nothing is imported). Module-level imports make the graph; ``from pkg import
name`` counts as an import of the module that really provides ``name``, and a package's
``__init__`` importing its own submodules is its public face, not an edge. An import of a
chainrule module inside a function is allowed only with a comment on that line or the line
before it saying why (a façade such as ``Model.save`` importing the saving package).
"""
import ast
import os

import chainrule

ROOT = os.path.dirname(chainrule.__file__)
PACKAGE = "chainrule"


def _modules() -> dict:
    found = {}
    for folder, _, files in os.walk(ROOT):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, os.path.dirname(ROOT))[:-3].replace(os.sep, ".")
                found[rel[: -len(".__init__")] if rel.endswith(".__init__") else rel] = path
    return found


MODULES = _modules()
PACKAGES = {m for m, p in MODULES.items() if p.endswith("__init__.py")}
TREES = {m: ast.parse(open(p, encoding="utf-8").read(), filename=p) for m, p in MODULES.items()}


def _module_level_imports(tree):
    """Imports run when the module is imported (also under a top-level ``if``/``try``)."""
    for node in tree.body:
        if isinstance(node, (ast.If, ast.Try)):
            yield from (n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom)))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node


def _absolute(module, node) -> str:
    if not node.level:
        return node.module or ""
    parts = (module if module in PACKAGES else module.rsplit(".", 1)[0]).split(".")
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _reexports() -> dict:
    table = {}
    for package in PACKAGES:
        names = {}
        for node in _module_level_imports(TREES[package]):
            if isinstance(node, ast.ImportFrom):
                base = _absolute(package, node)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    names[alias.asname or alias.name] = full if full in MODULES else base
        table[package] = names
    return table


REEXPORTS = _reexports()


def _provider(base, name):
    """The module that really defines ``name`` imported ``from base``."""
    for _ in range(10):
        if f"{base}.{name}" in MODULES:
            return f"{base}.{name}"
        target = REEXPORTS.get(base, {}).get(name)
        if base not in PACKAGES or target is None or target == base:
            break
        if target not in PACKAGES:
            return target
        base = target
    return base if base in MODULES else None


def import_graph() -> dict:
    edges = {m: set() for m in MODULES}
    for module, tree in TREES.items():
        for node in _module_level_imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _absolute(module, node)
                targets = [_provider(base, alias.name) for alias in node.names]
            for target in targets:
                if target in MODULES and target != module and not (
                        module in PACKAGES and target.startswith(module + ".")):
                    edges[module].add(target)
    return edges


def find_cycles(edges) -> list:
    """Every strongly connected group of more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, groups, counter = {}, {}, set(), [], [], [0]
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def _imports_chainrule(module, node) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").split(".")[0] == PACKAGE
    return any(alias.name.split(".")[0] == PACKAGE for alias in node.names)


def _function_imports(module, tree, lines) -> list:
    """``(line, has_reason)`` for every import of a chainrule module inside a function of one module."""
    found = []
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and _imports_chainrule(module, node):
                    same = lines[node.lineno - 1]
                    before = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
                    found.append((node.lineno, "#" in same or before.startswith("#")))
    return sorted(set(found))


def function_level_imports() -> list:
    """``(path, line, has_reason)`` for every import of a chainrule module inside a function."""
    found = []
    for module, tree in TREES.items():
        path = MODULES[module]
        lines = open(path, encoding="utf-8").read().splitlines()
        rel = os.path.relpath(path, os.path.dirname(ROOT))
        found += [(rel, line, reason) for line, reason in _function_imports(module, tree, lines)]
    return found


def test_no_import_cycle_in_the_package():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles among chainrule modules:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_every_function_level_import_says_why():
    silent = [f"{path}:{line}" for path, line, has_reason in function_level_imports() if not has_reason]
    assert not silent, ("imports of chainrule modules inside functions without a comment saying why (import at "
                        "module level, or explain the façade):\n" + "\n".join(silent))


def test_the_checker_sees_a_cycle_and_a_silent_import():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    source = ("import os\n\ndef f():\n    from . import x\n    import json\n\n"
              "def g():\n    # the saving package imports this module\n    from chainrule import y\n"
              "    import chainrule.keras  # a façade\n")
    found = _function_imports("chainrule.m", ast.parse(source), source.splitlines())
    assert found == [(4, False), (9, True), (10, True)]
