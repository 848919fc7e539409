"""The public names of ``interop.policy``, and its independence from the rest of the project."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import interop.policy

SOURCE = Path(interop.policy.__file__).parent


def test_every_listed_name_exists_and_is_documented() -> None:
    names = interop.policy.__all__
    assert len(names) == len(set(names))
    for name in names:
        obj = getattr(interop.policy, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name


def test_every_module_is_documented() -> None:
    for path in SOURCE.glob("*.py"):
        tree = ast.parse(path.read_text())
        assert ast.get_docstring(tree), path.name


def test_policy_imports_nothing_else_from_the_project() -> None:
    """The functional core depends on the standard library only."""
    for path in SOURCE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""] if node.level == 0 else ["interop.policy"]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert top != "interop" or module.startswith("interop.policy"), (path.name, module)
                assert top in {"interop", "__future__"} or top in _STDLIB, (path.name, module)


_STDLIB = {
    "calendar",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "re",
    "types",
    "typing",
    "zoneinfo",
}
