"""The README's folder map and the tree agree: every name the map gives exists, and every module and
folder of sbsk/, flows/, schemas/ and transforms/ is named in the map.

The map's format (README.md says it too): one entry per line, indented two spaces under its folder;
the entry's names (a folder ends with `/`, `<…>` and `*` stand for any name) come first, separated by
single spaces, then two or more spaces and the description. A line indented further than a child of
the entry above is a continuation of its description.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COVERED = ("sbsk", "flows", "schemas", "transforms")  # every module and folder of these must be named
SKIP = {"__pycache__", "__init__.py"}
_NAME = re.compile(r"[\w.*<>\-/]+")


def map_block(readme: str) -> list[str]:
    section = readme.split("## Folder map", 1)[1]
    return section.split("```", 2)[1].splitlines()[1:]  # the first fence line holds only the language


def map_names(lines: list[str]) -> list[tuple[str, bool]]:
    """(path relative to the repository, is a folder) for every name in the map, in order."""
    names: list[tuple[str, bool]] = []
    stack: list[tuple[int, str]] = []  # (indent, folder path) of the folders enclosing the current line
    last_indent = None
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if last_indent is not None and indent > last_indent + 2:
            continue  # a continuation of the description above
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        head = re.split(r" {2,}", line.strip(), maxsplit=1)[0]
        tokens = head.split(" ")
        bad = [t for t in tokens if not _NAME.fullmatch(t)]
        assert not bad, f"README folder map: {line.strip()!r} does not start with names (two spaces before the text)"
        for token in tokens:
            names.append((parent + token.rstrip("/"), token.endswith("/")))
        if len(tokens) == 1 and tokens[0].endswith("/"):
            stack.append((indent, parent + tokens[0]))
        last_indent = indent
    return names


def _pattern(name: str) -> str:
    return re.sub(r"<[^>]*>", "*", name)


def missing_paths(names: list[tuple[str, bool]], root: Path) -> list[str]:
    """Names with nothing behind them. A pattern must match a file; a folder pattern
    (data/raw/<quarter>/<dept>/) needs only its fixed prefix, since it names what a run creates."""
    missing = []
    for name, is_folder in names:
        pattern = _pattern(name)
        if "*" not in pattern:
            path = root / name
            found = path.is_dir() if is_folder else path.is_file()
        elif is_folder:
            found = (root / pattern.split("*", 1)[0]).is_dir()
        else:
            found = any(root.glob(pattern))
        if not found:
            missing.append(name + ("/" if is_folder else ""))
    return missing


def tree_entries(root: Path) -> list[tuple[str, bool]]:
    """Every module, data file and folder under the covered top-level folders."""
    found = []
    for top in COVERED:
        for path in sorted((root / top).rglob("*")):
            rel = path.relative_to(root)
            if set(rel.parts) & SKIP or path.name.endswith(".egg-info"):
                continue
            if path.is_dir():
                found.append((rel.as_posix(), True))
            elif path.suffix in (".py", ".sql", ".toml", ".csv"):
                found.append((rel.as_posix(), False))
    return found


def unnamed(entries: list[tuple[str, bool]], names: list[tuple[str, bool]]) -> list[str]:
    out = []
    for path, is_folder in entries:
        if not any(f == is_folder and fnmatch(path, _pattern(n)) for n, f in names):
            out.append(path + ("/" if is_folder else ""))
    return out


def _names() -> list[tuple[str, bool]]:
    return map_names(map_block((ROOT / "README.md").read_text(encoding="utf-8")))


def test_every_name_in_the_map_exists():
    missing = missing_paths(_names(), ROOT)
    assert not missing, "README folder map names what the tree does not have: " + ", ".join(missing)


def test_every_module_and_folder_is_in_the_map():
    absent = unnamed(tree_entries(ROOT), _names())
    assert not absent, "README folder map does not name: " + ", ".join(absent)


def test_the_map_parser_reads_nesting_patterns_and_continuations(tmp_path):
    # a small map and tree worked out by hand: nesting, two names on a line, a pattern, a continuation
    lines = ["pkg/                 the package",
             "  a.py b.py          two modules",
             "  sub/",
             "    int_<x>_m.sql    a pattern",
             "                     a continuation, not names",
             "  c.py               back one level",
             "data/raw/<q>/        what a run creates"]
    names = map_names(lines)
    assert names == [("pkg", True), ("pkg/a.py", False), ("pkg/b.py", False), ("pkg/sub", True),
                     ("pkg/sub/int_<x>_m.sql", False), ("pkg/c.py", False), ("data/raw/<q>", True)]
    for rel in ("pkg/a.py", "pkg/sub/int_r01_m.sql", "pkg/d.py", "pkg/sub/e.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    (tmp_path / "data" / "raw").mkdir(parents=True)
    assert missing_paths(names, tmp_path) == ["pkg/b.py", "pkg/c.py"]
    tree = [("pkg", True), ("pkg/a.py", False), ("pkg/d.py", False), ("pkg/sub", True),
            ("pkg/sub/int_r01_m.sql", False), ("pkg/sub/e.py", False), ("pkg/other", True)]
    assert unnamed(tree, names) == ["pkg/d.py", "pkg/sub/e.py", "pkg/other/"]
