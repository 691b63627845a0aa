"""The floors of the code (README "How it works"): a module imports only its own floor and the
floors below, `checks/` imports nothing of `crawler/`, and no import circle joins two packages.

Every `import` statement counts, also the ones inside functions: a lazy import is still a
dependency."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# package -> the packages of ours it may import (besides itself)
MAY_IMPORT = {
    "core": set(),
    "storage": {"core"},
    "checks": {"core"},
    "crawler": {"core", "storage"},
    "reports": {"core", "storage", "checks"},
    "govaudit": {"core", "storage", "checks", "crawler", "reports"},
}
# The artifacts contract: the plain records gathering fills and checks read. Storage loads them
# and the crawl's extractors build them, so every floor may import this one module of checks/.
CONTRACT = "checks.artifacts"


def _modules() -> dict[str, Path]:
    found = {}
    for top in MAY_IMPORT:
        for path in (ROOT / top).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            if "migrations" in parts and top == "storage":
                continue        # Alembic's scripts are loaded by Alembic, not imported
            found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Our modules that `name` imports (an imported name that is a module counts as that module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[:len(up) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def test_no_module_imports_a_higher_floor():
    wrong = sorted(f"{src} imports {dst}" for src, dsts in _graph().items() for dst in dsts
                   if (a := src.split(".")[0]) != (b := dst.split(".")[0]) and b not in MAY_IMPORT[a]
                   and dst != CONTRACT)
    assert wrong == []


def _package(module: str, graph: dict[str, set[str]]) -> str:
    """The folder a module lives in (a package's __init__ is its own folder)."""
    is_package = any(other.startswith(module + ".") for other in graph)
    return module if is_package else module.rpartition(".")[0]


def test_no_import_circle_joins_two_packages():
    graph = _graph()
    # Tarjan's strongly connected components, iteratively
    index, low, on_stack, stack, circles, counter = {}, {}, set(), [], [], [0]

    def visit(start: str) -> None:
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    if len({_package(m, graph) for m in members}) > 1:
                        circles.append(sorted(members))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert circles == []
