"""The contact history sits below cases: nothing in it imports the cases app."""

from __future__ import annotations

import ast
from pathlib import Path

import ventanilla.interactions


def test_the_interactions_app_imports_nothing_from_cases() -> None:
    root = Path(ventanilla.interactions.__file__).parent
    upward = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            upward += [
                f"{path.name}: {name}" for name in names if name.startswith("ventanilla.cases")
            ]

    assert upward == []
