"""Imports run one way: the apps that hold a person's rows never import ``privacy``, which reads
and changes all of them; only the doors above it (pages, the API) may."""

from __future__ import annotations

import ast
from pathlib import Path

import ventanilla

# The apps privacy stands on.
BELOW = (
    "retention",
    "cases",
    "interactions",
    "consent",
    "identity",
    "parties",
    "catalog",
    "audit",
    "access",
    "core",
)


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_app_below_privacy_imports_it() -> None:
    root = Path(ventanilla.__file__).parent
    offenders = sorted(
        str(path.relative_to(root))
        for app in BELOW
        for path in (root / app).rglob("*.py")
        if any(name.split(".")[:2] == ["ventanilla", "privacy"] for name in _imported(path))
    )

    assert not offenders, f"these import privacy, which stands above them: {offenders}"
