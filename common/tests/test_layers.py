"""Imports run one way, down the layers, and no two project modules import each other.

The order below is the project's one statement of its layers (see `shared/style.md`): a module
may import from its own app and from the apps of lower layers, never from a higher one. Apps
that share a layer (`dashboard` and `api`) may import each other. Imports inside functions
count as much as those at the top of a module: they run as soon as the function does, and a
dependency hidden in a function is still a dependency. Tests, test helpers' fixtures
(`conftest.py`) and migrations are exempt; everything else under the checkout is read.

To see the graph without pytest: `python -m common.tests.test_layers`.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Low to high. A name is a top-level folder (an app, or `benchmarks`' scripts) or a module
#: at the root of the checkout (`manage`).
LAYERS: list[tuple[str, ...]] = [
    ("common",),
    ("audit",),
    ("jobs",),
    ("org",),
    ("accounts",),
    ("policy",),
    ("funding",),
    ("reporting",),  # the read model: figures for a viewer and a period
    ("reminders",),
    ("supervision",),
    ("ledger",),
    ("dashboard", "api"),  # pages and the API over everything
    ("demo",),
    ("luoshi", "benchmarks", "manage"),
]

LEVEL = {name: level for level, names in enumerate(LAYERS) for name in names}

# Exceptions, each with its reason beside it (none today). The test fails on an entry that no
# longer matches, so the list cannot outlive its reason. Upward: "importer -> imported" (files).
UPWARD_EXCEPTIONS: set[str] = set()
CIRCLE_EXCEPTIONS: set[frozenset[str]] = set()

SKIPPED_DIRS = {"tests", "migrations", "__pycache__", "node_modules", "static", "templates"}


@dataclass(frozen=True)
class Import:
    """One import statement of a project module that names another project module."""

    source: str  # the importing file, relative to the checkout
    line: int
    text: str  # the statement as written
    target: str  # the imported file, relative to the checkout
    lazy: bool  # inside a function (runs when the function does)

    def __str__(self) -> str:
        where = "inside a function" if self.lazy else "at module level"
        return f"{self.source}:{self.line}: {self.text}  ({where}; -> {self.target})"


def project_files() -> list[Path]:
    """Every non-test, non-migration Python file that belongs to a layer."""
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or any(part in SKIPPED_DIRS for part in parts[:-1]):
            continue
        if path.name == "conftest.py" or path.name.startswith("test_"):
            continue
        files.append(path)
    return files


def top_name(relative: str) -> str:
    """The layer name of a file: its top-level folder, or its module name at the root."""
    first = relative.split("/", 1)[0]
    return first.removesuffix(".py")


def module_file(dotted: str) -> str | None:
    """The project file a dotted module name loads, or None for a module outside the project."""
    parts = dotted.split(".")
    if parts[0] not in LEVEL:
        return None
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.relative_to(ROOT).as_posix()
    return None


def _package_of(relative: str) -> list[str]:
    parts = relative.removesuffix(".py").split("/")
    return parts[:-1]  # a module's package; for `__init__.py`, the package itself


def imports_of(path: Path, relative: str | None = None) -> Iterator[Import]:
    """The imports of one file that name project modules, lazy ones included (once per
    statement and module imported)."""
    relative = relative or path.relative_to(ROOT).as_posix()
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=relative)
    lines = source.splitlines()
    seen: set[tuple[int, str]] = set()

    def once(node: ast.stmt, target: str | None, lazy: bool) -> Iterator[Import]:
        if target and (node.lineno, target) not in seen:
            seen.add((node.lineno, target))
            yield Import(relative, node.lineno, statement(node), target, lazy)

    def statement(node: ast.stmt) -> str:
        return " ".join(lines[node.lineno - 1 : node.end_lineno]).strip()

    def visit(node: ast.AST, lazy: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield from once(child, _deepest(alias.name), lazy)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    package = _package_of(relative)
                    package = package[: len(package) - (child.level - 1)]
                    base = ".".join(package + ([child.module] if child.module else []))
                else:
                    base = child.module or ""
                for alias in child.names:
                    # `from x import y` loads x.y when y is a submodule, else x
                    target = module_file(f"{base}.{alias.name}") or _deepest(base)
                    yield from once(child, target, lazy)
            yield from visit(child, inner)

    yield from visit(tree, False)


def _deepest(dotted: str) -> str | None:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        found = module_file(".".join(parts[:end]))
        if found:
            return found
    return None


@functools.cache
def all_imports() -> list[Import]:
    return [found for path in project_files() for found in imports_of(path)]


def upward(imports: list[Import]) -> list[Import]:
    return [
        found
        for found in imports
        if LEVEL[top_name(found.target)] > LEVEL[top_name(found.source)]
        and f"{found.source} -> {found.target}" not in UPWARD_EXCEPTIONS
    ]


def circles(imports: list[Import]) -> list[list[str]]:
    """Groups of files that reach each other through imports (Tarjan's strongly connected
    components of the file graph, of two or more files)."""
    graph: dict[str, set[str]] = {}
    for found in imports:
        if found.source != found.target:
            graph.setdefault(found.source, set()).add(found.target)
            graph.setdefault(found.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        # recursion depth is bounded by the length of an import chain, a few dozen at most
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
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

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(groups)


def describe(group: list[str], imports: list[Import]) -> str:
    members = set(group)
    edges = [
        f"    {found}"
        for found in imports
        if found.source in members and found.target in members and found.source != found.target
    ]
    return " <-> ".join(group) + "\n" + "\n".join(edges)


def test_every_project_file_has_a_layer():
    unknown = sorted(
        {top_name(path.relative_to(ROOT).as_posix()) for path in project_files()} - set(LEVEL)
    )
    assert not unknown, f"add these to LAYERS in {Path(__file__).name}: {unknown}"


def test_it_reads_every_kind_of_import(tmp_path):
    # a module written as if it were funding/example.py
    module = tmp_path / "example.py"
    module.write_text(
        "import os\n"
        "import funding.models\n"
        "from . import services\n"
        "from .querysets import ReceiptQuerySet\n"
        "from common import money, permissions\n"
        "\n"
        "def page():\n"
        "    from supervision.models import Dispatch\n"
        "    return Dispatch\n",
        encoding="utf-8",
    )
    found = {(i.line, i.target, i.lazy) for i in imports_of(module, "funding/example.py")}
    assert found == {
        (2, "funding/models.py", False),
        (3, module_file("funding.services"), False),  # a module or a package
        (4, "funding/querysets.py", False),
        (5, "common/money.py", False),
        (5, "common/permissions.py", False),
        (8, "supervision/models.py", True),
    }, found
    wrong = upward(list(imports_of(module, "funding/example.py")))
    assert [(i.line, i.lazy) for i in wrong] == [(8, True)]


def test_no_import_runs_up_the_layers():
    imports = all_imports()
    wrong = upward(imports)
    order = " < ".join(" = ".join(names) for names in LAYERS)
    assert not wrong, f"{len(wrong)} import(s) run up the layers ({order}):\n" + "\n".join(
        f"  {found}" for found in wrong
    )


def test_no_import_circles_between_files():
    imports = all_imports()
    found = [group for group in circles(imports) if frozenset(group) not in CIRCLE_EXCEPTIONS]
    assert not found, f"{len(found)} import circle(s) between files:\n" + "\n".join(
        describe(group, imports) for group in found
    )


def test_known_exceptions_still_exist():
    imports = all_imports()
    edges = {f"{found.source} -> {found.target}" for found in imports}
    gone = sorted(UPWARD_EXCEPTIONS - edges)
    groups = {frozenset(group) for group in circles(imports)}
    gone += sorted(" <-> ".join(sorted(group)) for group in CIRCLE_EXCEPTIONS - groups)
    assert not gone, f"remove these from the exceptions, they are fixed: {gone}"


if __name__ == "__main__":
    imports = all_imports()
    for found in upward(imports):
        print("UP", found)
    for group in circles(imports):
        print("CIRCLE", describe(group, imports))
