#!/usr/bin/env python3
"""Reference Python import graph for the code-graph accuracy benchmark.

Usage: python3 bench/python-imports.py ROOT [--root SOURCE_ROOT ...] [--exclude DIR ...]

Parses every .py file under ROOT with Python's own `ast` module and resolves each import to a .py file under ROOT
purely by path: nothing is imported or executed, so the answer does not depend on what happens to be installed on
this machine (sys.path, site-packages, C extensions). Prints JSON to stdout:

    {"files": [...], "edges": [[from, to], ...], "parse_errors": [{"path": ..., "reason": ...}]}

Paths are relative to ROOT with "/" separators. Semantics (chosen to mirror CPython's import system where a path
check can decide it):

- Every `Import` / `ImportFrom` node counts, wherever it is (function bodies, try/except ImportError, if
  TYPE_CHECKING). `__import__()` / `importlib.import_module()` calls do not: they are not import statements.
- `import a.b.c` gives one edge, to the module a.b.c itself (a/b/c.py or a/b/c/__init__.py) - not to the parent
  packages a and a.b, even though Python executes their __init__.py too.
- `from a.b import x` with a.b a module gives one edge, to a.b. With a.b a package, the edges are the direct
  targets the statement binds: one to each x that is a submodule (a/b/x.py or a/b/x/__init__.py), and one to
  a/b/__init__.py only when some x is not a submodule (an attribute defined there) or for `from a.b import *`
  (a namespace package has no file, so no such edge).
- Relative imports resolve against the importing file's directory (level 1 = that directory, 2 = its parent...),
  whether or not the directories carry __init__.py. `from . import x` is "from <this package> import x", by the
  same rule: `from . import sub` is an edge to sub only, not to the package's __init__.py.
- Absolute imports are looked up in the source roots, in order, like sys.path entries (default: ROOT, plus ROOT/src
  when it holds .py files). Within one directory a regular package (dir with __init__.py) wins over a module file;
  a directory without __init__.py is a namespace package portion, used only when no root has a regular
  package/module of that name, and its portions from all roots are merged (PEP 420). The importing file's own
  directory is NOT searched (that is only sys.path[0] for a script run directly), and neither are .pyi stubs or
  C extensions.
- Imports that resolve to nothing under ROOT are external and dropped; so are self-edges. Files that do not parse
  (Python 2 syntax, bad encodings) are listed under parse_errors and contribute no edges, but are still in "files"
  and can still be the target of edges.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import warnings

SKIP_DIRS = {"node_modules", "__pycache__"}


def list_python_files(root: str, excluded: set[str]) -> list[str]:
    """Relative paths of all .py files under root, skipping dot-dirs, node_modules, __pycache__ and `excluded`."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        # Pruning in place keeps os.walk from descending; sorting makes the output stable across file systems.
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and d not in SKIP_DIRS and (f"{rel_dir}/{d}" if rel_dir else d) not in excluded
        )
        for name in sorted(filenames):
            if name.endswith(".py"):
                found.append(f"{rel_dir}/{name}" if rel_dir else name)
    return found


class Resolver:
    """Maps module names to files, using only the set of files and the directories that contain them."""

    def __init__(self, files: list[str], source_roots: list[str]):
        self.files = set(files)
        # Every ancestor directory of a listed file; a directory with no .py file below it cannot contribute a
        # module, so this set is all a path-only resolver needs to know about directories.
        self.dirs = {""}
        for path in files:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                self.dirs.add("/".join(parts[:i]))
        self.source_roots = source_roots

    @staticmethod
    def _join(directory: str, name: str) -> str:
        return f"{directory}/{name}" if directory else name

    def find(self, dotted: list[str], search_dirs: list[str]) -> tuple[str | None, list[str] | None] | None:
        """Finds the module `dotted` (a list of name parts) starting in search_dirs.

        Returns None when it does not exist under ROOT, otherwise (file, package_dirs): file is the module's .py or
        __init__.py (None for a namespace package) and package_dirs the directories its submodules live in (None for
        a plain module, which has no submodules).
        """
        current = search_dirs
        result: tuple[str | None, list[str] | None] | None = None
        for name in dotted:
            if current is None:  # a plain module has no submodules: a.py cannot provide a.b
                return None
            found = None
            portions = []
            for directory in current:
                candidate = self._join(directory, name)
                if self._join(candidate, "__init__.py") in self.files:
                    found = (self._join(candidate, "__init__.py"), [candidate])
                    break
                if candidate + ".py" in self.files:
                    found = (candidate + ".py", None)
                    break
                if candidate in self.dirs:
                    portions.append(candidate)
            if found is None and portions:
                found = (None, portions)
            if found is None:
                return None
            result = found
            current = found[1]
        return result

    def package_dir(self, importer: str, level: int) -> str | None:
        """The directory `level` dots refer to from importer, or None when that climbs above ROOT."""
        parts = importer.split("/")[:-1]
        up = level - 1
        if up > len(parts):
            return None
        return "/".join(parts[: len(parts) - up])

    def targets(self, importer: str, node: ast.AST) -> list[str]:
        """Files the import statement `node` in `importer` depends on."""
        out: list[str | None] = []
        if isinstance(node, ast.Import):
            for alias in node.names:
                found = self.find(alias.name.split("."), self.source_roots)
                if found:
                    out.append(found[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = self.package_dir(importer, node.level)
                if base is None:
                    return []
                if node.module:
                    found = self.find(node.module.split("."), [base])
                else:
                    # `from . import x`: the package is the directory itself; its file is __init__.py if present.
                    init = self._join(base, "__init__.py")
                    found = (init if init in self.files else None, [base])
            else:
                found = self.find(node.module.split("."), self.source_roots) if node.module else None
            if not found:
                return []
            package_dirs = found[1]
            if package_dirs is None:
                out.append(found[0])
            else:
                # From a package: each submodule imported, and the package itself only for a name it defines.
                attributes = False
                for alias in node.names:
                    sub = None if alias.name == "*" else self.find([alias.name], package_dirs)
                    if sub:
                        out.append(sub[0])
                    else:
                        attributes = True
                if attributes:
                    out.append(found[0])
        return [t for t in out if t is not None and t != importer]


# Statements only ever appear in these list fields (of statements, except handlers and match cases), so following
# them reaches every import without visiting the far more numerous expression nodes that ast.walk would.
STATEMENT_LIST_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def import_nodes(tree: ast.AST):
    """Yields every Import / ImportFrom in tree, at any depth (functions, classes, try, if, with, match...)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        for field in STATEMENT_LIST_FIELDS:
            children = getattr(node, field, None)
            if isinstance(children, list):
                stack.extend(children)


def parse(path: str) -> ast.AST:
    with open(path, "rb") as handle:
        source = handle.read()
    # Bytes let compile() honour PEP 263 coding cookies the way the interpreter does; SyntaxWarnings (invalid
    # escape sequences in old code) are noise here, not errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root")
    parser.add_argument(
        "--root",
        dest="source_roots",
        action="append",
        default=None,
        metavar="SOURCE_ROOT",
        help="absolute-import source root relative to ROOT, repeatable, searched in order (replaces the default)",
    )
    parser.add_argument("--exclude", action="append", default=[], metavar="DIR", help="directory relative to ROOT")
    args = parser.parse_args()

    root = os.path.abspath(args.root)
    excluded = {e.strip("/") for e in args.exclude}
    files = list_python_files(root, excluded)

    if args.source_roots is None:
        source_roots = [""]
        if any(f.startswith("src/") for f in files):
            source_roots.append("src")
    else:
        source_roots = []
        for source_root in args.source_roots:
            rel = os.path.relpath(os.path.join(root, source_root), root).replace(os.sep, "/")
            if rel.startswith(".."):
                sys.exit(f"source root {source_root} is outside {root}")
            source_roots.append("" if rel == "." else rel)

    resolver = Resolver(files, source_roots)
    edges: set[tuple[str, str]] = set()
    parse_errors = []
    for rel in files:
        try:
            tree = parse(os.path.join(root, rel))
        except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError) as error:
            # ValueError covers "source code string cannot contain null bytes"; UnicodeDecodeError bad cookies.
            parse_errors.append({"path": rel, "reason": f"{type(error).__name__}: {error}"})
            continue
        for node in import_nodes(tree):
            for target in resolver.targets(rel, node):
                edges.add((rel, target))

    json.dump(
        {"files": files, "edges": sorted(edges), "parse_errors": parse_errors},
        sys.stdout,
        separators=(",", ":"),
    )


if __name__ == "__main__":
    main()
