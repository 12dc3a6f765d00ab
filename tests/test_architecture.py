"""Dependencies point one way: no import cycle among sbsk's modules, and no module imports a later stage.

The graph is built with `ast` from every module of the installed sbsk package, found by walking it
(the folders mapped into it by pyproject.toml, sbsk.flows and sbsk.schemas …, are found the same
way, through the import system), with every import statement counted wherever it stands: at module
level, inside a function, under `if TYPE_CHECKING`. A new module is covered the day it is written.
"""

from __future__ import annotations

import ast
import pkgutil
import re
from importlib.util import find_spec
from pathlib import Path

import pytest

# The stage order (README.md says it too): a module may import its own stage and earlier ones.
# A stage is a list of module names, each standing for itself and everything below it; a module
# belongs to the longest name that covers it ("sbsk" alone means the package's own __init__).
STAGES = [
    ("foundations", ["sbsk", "sbsk.text", "sbsk.files", "sbsk.faults", "sbsk.failures", "sbsk.runtime", "sbsk.temp_server",
                     "sbsk.fingerprint",
                     "sbsk.reference", "sbsk.transforms"]),
    ("schemas", ["sbsk.schemas"]),
    ("config", ["sbsk.config"]),
    # the byte-level guard and what it stands on: it never reaches into the reader or validation
    ("intake.guard", ["sbsk.intake.guard", "sbsk.intake.sandbox", "sbsk.intake.sheets", "sbsk.intake.errors"]),
    ("intake", ["sbsk.intake"]),
    ("store", ["sbsk.store"]),
    ("outputs", ["sbsk.outputs"]),
    ("samples", ["sbsk.samples"]),
    ("pipeline", ["sbsk.pipeline", "sbsk.dispatch"]),
    ("flows", ["sbsk.flows"]),
    ("cli", ["sbsk.cli", "sbsk.arguments", "sbsk.demo", "sbsk.__main__"]),
]
ROOT = "sbsk"
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


# ---- the graph ----
def _spec(name: str):
    try:
        return find_spec(name)
    except (ImportError, ValueError, AttributeError):  # a name below a module, not a module
        return None


def walk(root: str) -> dict[str, Path]:
    """Every module of the package `root`: its folders walked, then every package that a module
    imports or names (the mapped folders) walked too, until nothing new turns up."""
    modules: dict[str, Path] = {}
    packages, walked = [root], set()
    while packages:
        while packages:
            name = packages.pop()
            if name in walked:
                continue
            walked.add(name)
            spec = _spec(name)
            if spec is None or spec.origin is None:
                continue
            modules[name] = Path(spec.origin)
            for info in pkgutil.iter_modules(spec.submodule_search_locations, name + "."):
                if info.ispkg:
                    packages.append(info.name)
                else:
                    modules[info.name] = Path(info.module_finder.find_spec(info.name).origin)
        for path in list(modules.values()):
            for name in _names_in(path, root):
                parts = name.split(".")
                known = max(i for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules)
                if known == len(parts) or modules[".".join(parts[:known])].name != "__init__.py":
                    continue  # a module found already, or a name inside one
                # a child the package's own folder does not hold (a mapped folder), or an attribute
                child = ".".join(parts[:known + 1])
                spec = _spec(child)
                if spec is not None and spec.origin is not None and child not in walked:
                    (packages.append(child) if spec.submodule_search_locations else
                     modules.setdefault(child, Path(spec.origin)))
    return modules


def _names_in(path: Path, root: str) -> set[str]:
    """The dotted names under `root` a module imports or spells out (import_module("sbsk.x"))."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _DOTTED.fullmatch(node.value):
            names.add(node.value)
    return {n for n in names if n == root or n.startswith(root + ".")}


def imports(modules: dict[str, Path], root: str) -> dict[str, dict[str, int]]:
    """module → {module it imports: line of the first such import}; imports of a package's own
    name point at its __init__, `from p import m` at the module m when there is one."""

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [known(a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else known(base) for a in node.names]
            elif _is_import_module(node):  # importlib.import_module("sbsk.x") with a literal name
                targets = [known(node.args[0].value)]
            for target in targets:
                if target and target != module and (target == root or target.startswith(root + ".")):
                    edges.setdefault(target, node.lineno)
        graph[module] = edges
    return graph


def _is_import_module(node) -> bool:
    if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name == "import_module" and isinstance(node.args[0].value, str)


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Each strongly connected group of more than one module, as one cycle through it (Tarjan)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_one_cycle(graph, group) for group in groups]


def _one_cycle(graph: dict[str, dict[str, int]], group: set[str]) -> list[str]:
    start = min(group)
    paths = {start: [start]}
    todo = [start]
    while todo:  # breadth first, inside the group, back to the start
        v = todo.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                return paths[v] + [start]
            if w in group and w not in paths:
                paths[w] = paths[v] + [w]
                todo.append(w)
    raise AssertionError("a strongly connected group without a cycle")


def stage_of(module: str, stages=STAGES, root: str = ROOT) -> int | None:
    best, rank = -1, None
    for i, (_, names) in enumerate(stages):
        for name in names:
            covers = module == name or (name != root and module.startswith(name + "."))
            if covers and len(name) > best:
                best, rank = len(name), i
    return rank


def back_edges(graph: dict[str, dict[str, int]], stages=STAGES, root: str = ROOT) -> list[str]:
    found = []
    for module, edges in sorted(graph.items()):
        for target, line in sorted(edges.items()):
            here, there = stage_of(module, stages, root), stage_of(target, stages, root)
            if here is not None and there is not None and there > here:
                found.append(f"{module} (stage {stages[here][0]}) imports {target} (stage {stages[there][0]}), "
                             f"line {line}")
    return found


# ---- the product ----
@pytest.fixture(scope="module")
def product() -> tuple[dict[str, Path], dict[str, dict[str, int]]]:
    modules = walk(ROOT)
    return modules, imports(modules, ROOT)


def test_the_walk_finds_every_stage_and_the_mapped_folders(product):
    modules, _ = product
    for name in ("sbsk.cli", "sbsk.intake.guard.limits", "sbsk.intake.reader", "sbsk.flows.quarter",
                 "sbsk.schemas.definitions", "sbsk.transforms", "sbsk.reference", "sbsk.store.warehouse"):
        assert name in modules
    # every .py file in the package's own folder is a module the walk found
    own = Path(find_spec(ROOT).origin).parent
    files = {p.resolve() for p in own.rglob("*.py") if "__pycache__" not in p.parts}
    assert files <= {p.resolve() for p in modules.values()}


def test_every_module_has_a_stage(product):
    modules, _ = product
    assert [m for m in sorted(modules) if stage_of(m) is None] == [], \
        "give each new top-level module a stage in tests/test_architecture.py STAGES (and README.md)"


def test_no_import_cycle(product):
    _, graph = product
    assert [" → ".join(c) for c in cycles(graph)] == []


def test_no_module_imports_a_later_stage(product):
    _, graph = product
    assert back_edges(graph) == []


def test_the_cache_fingerprint_covers_every_module_that_decides_a_verdict(product):
    from sbsk.fingerprint import _covered

    modules, _ = product
    # the outputs, the samples and the SQL models cannot change a file's verdict (sbsk/fingerprint.py)
    deciding = {path.resolve() for name, path in modules.items()
                if not name.startswith(("sbsk.outputs", "sbsk.samples", "sbsk.transforms"))}
    covered = {path.resolve() for _, path in _covered()}
    assert sorted(map(str, deciding - covered)) == []
    assert Path(find_spec("sbsk.intake.guard.limits").origin).resolve() in covered


def test_the_readme_states_the_stage_order():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "Stage order: " + " → ".join(name for name, _ in STAGES) in readme


# ---- the checker itself, on a small package written here (expected results worked out by hand) ----
def test_the_checker_finds_a_cycle_a_back_edge_and_a_dynamic_import(tmp_path, monkeypatch):
    pkg = tmp_path / "toy"
    (pkg / "low").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low" / "__init__.py").write_text("")
    (pkg / "low" / "a.py").write_text("def f():\n    from toy.low import b\n")       # function level
    (pkg / "low" / "b.py").write_text("from . import c\n")                            # relative
    (pkg / "low" / "c.py").write_text("import toy.low.a\nimport os\n")
    (pkg / "high.py").write_text("from toy.low import a\n")
    (pkg / "late.py").write_text("")
    (pkg / "low" / "d.py").write_text("import importlib\nimportlib.import_module('toy.late')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    modules = walk("toy")
    assert sorted(modules) == ["toy", "toy.high", "toy.late", "toy.low", "toy.low.a", "toy.low.b",
                               "toy.low.c", "toy.low.d"]
    graph = imports(modules, "toy")
    assert graph["toy.low.a"] == {"toy.low.b": 2}
    assert graph["toy.low.b"] == {"toy.low.c": 1}
    assert graph["toy.low.c"] == {"toy.low.a": 1}
    assert graph["toy.high"] == {"toy.low.a": 1}
    assert cycles(graph) == [["toy.low.a", "toy.low.b", "toy.low.c", "toy.low.a"]]
    stages = [("low", ["toy", "toy.low"]), ("high", ["toy.high", "toy.late"])]
    assert back_edges(graph, stages, "toy") == ["toy.low.d (stage low) imports toy.late (stage high), line 2"]
    assert stage_of("toy.lowly", stages, "toy") is None  # a prefix of letters is not a parent
