"""Which package may import which: no blueprint imports another, and shared code imports no blueprint."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
#: The web blueprint packages and the JSON API.
BLUEPRINTS = {"admin", "api", "archive", "audit_views", "auth", "catalogues", "decisions", "payments", "public",
              "reports", "review", "tasks"}
SOURCES = sorted(APP.rglob("*.py"))


def imported(path: Path, source: str | None = None) -> set[str]:
    """The ``app`` modules a file imports, with relative imports resolved against its package."""
    package = path.relative_to(APP.parent).with_suffix("").parts[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source if source is not None else path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.startswith("app.")}


def foreign_blueprints(path: Path, source: str | None = None) -> set[str]:
    """The imports of blueprint packages other than the file's own."""
    parts = path.relative_to(APP).parts
    own = parts[0] if len(parts) > 1 else None
    return {name for name in imported(path, source) if name.split(".")[1] in BLUEPRINTS - {own}}


def test_sources_found() -> None:
    assert {path.parts[-2] for path in SOURCES} >= BLUEPRINTS | {"web", "services"}


@pytest.mark.parametrize("path", [p for p in SOURCES if p.parent != APP], ids=lambda p: str(p.relative_to(APP)))
def test_imports_no_other_blueprint(path: Path) -> None:
    """``app/__init__.py`` and ``app/cli.py`` assemble the blueprints; every other module stays in its lane."""
    assert not foreign_blueprints(path)


def test_a_cross_import_is_seen_in_either_spelling() -> None:
    path = APP / "review" / "views.py"
    source = "from app.decisions import queries\nfrom ..decisions.forms import StepForm\nfrom .forms import SignForm\n"
    assert foreign_blueprints(path, source) >= {"app.decisions", "app.decisions.forms"}
    assert "app.review.forms" not in foreign_blueprints(path, source)
