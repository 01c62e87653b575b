"""The layout a newcomer relies on: imports run downward, never in a circle, and the top of
``qabot/`` stays small (docs/architecture.md).

Every import counts: at module level, inside a function, and under ``TYPE_CHECKING``. An
import moved into a function to dodge a circle is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("qabot", "embeddings")

# Lower numbers sit lower. A module may import its own layer and the layers below it.
LAYERS: dict[str, int] = {
    "embeddings": 0,
    "qabot": 1,  # the package's __init__: the version string only
    "qabot.errors": 1,
    "qabot.models": 1,
    "qabot.text": 1,
    "qabot.settings": 2,
    "qabot.state": 2,
    "qabot.store": 2,
    "qabot.ingest": 3,
    "qabot.answers": 3,
    "qabot.service": 4,
    "qabot.wiring": 5,
    "qabot.interfaces": 6,
    "qabot.__main__": 6,
}
# Within one layer these pairs stay apart: answering never reaches into ingest, nor the reverse.
APART = {("qabot.answers", "qabot.ingest"), ("qabot.ingest", "qabot.answers")}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every project module ``name`` imports, wherever in the file the import stands."""

    def resolve(dotted: str) -> str:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted

    out: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(resolve(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                out.add(full if full in known else resolve(module))
    out.discard("")
    out.discard(name)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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
                    found.append(sorted(group))
    return found


def layer_of(module: str) -> str:
    best = ""
    for prefix in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    if not best:
        raise AssertionError(f"{module} belongs to no layer: add its package to LAYERS")
    return best


def test_cycle_finder_sees_a_circle() -> None:
    """The check itself: a circle through a function-level import is found."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles() -> None:
    found = cycles(graph())
    assert not found, "modules import each other in a circle: " + "; ".join(" <-> ".join(c) for c in found)


def test_imports_run_downward() -> None:
    wrong = []
    for module, targets in graph().items():
        mine = layer_of(module)
        for target in targets:
            theirs = layer_of(target)
            if LAYERS[theirs] > LAYERS[mine] or (mine, theirs) in APART:
                wrong.append(f"{module} imports {target} ({theirs} is not below {mine})")
    assert not wrong, "\n".join(sorted(wrong))


def test_embeddings_never_imports_qabot() -> None:
    wrong = [f"{m} -> {t}" for m, ts in graph().items() if m.startswith("embeddings") for t in ts
             if t.startswith("qabot")]
    assert not wrong, wrong


def test_top_of_qabot_stays_small() -> None:
    top = sorted(p.name for p in (REPO / "qabot").glob("*.py"))
    assert len(top) <= 12, f"{len(top)} modules directly in qabot/: {top}; give them a package"


@pytest.mark.parametrize("package", sorted(
    str(p.parent.relative_to(REPO)) for name in PACKAGES for p in (REPO / name).rglob("__init__.py")
))
def test_every_package_says_what_it_does(package: str) -> None:
    doc = ast.get_docstring(ast.parse((REPO / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc, f"{package}/__init__.py has no docstring saying what the stage does"


def test_no_function_over_80_lines() -> None:
    long = []
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, "split these along their jobs:\n" + "\n".join(long)
