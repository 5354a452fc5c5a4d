"""The rulebook stays pure: no Flask, SQLAlchemy or other app code, only stdlib and chinese_calendar."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

RULEBOOK = Path(__file__).resolve().parents[2] / "app" / "rulebook"
ALLOWED_THIRD_PARTY = {"chinese_calendar"}
SOURCES = sorted(RULEBOOK.rglob("*.py"))


def imported_modules(path: Path) -> list[str]:
    """Absolute module names a file imports; relative imports stay inside the rulebook."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_sources_found() -> None:
    assert {p.name for p in SOURCES} >= {"__init__.py", "profiles.py", "workdays.py", "findings.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(RULEBOOK)))
def test_only_stdlib_and_chinese_calendar(path: Path) -> None:
    for module in imported_modules(path):
        top = module.split(".")[0]
        assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, f"{path.name} imports {module}"


def test_loads_alone_without_flask_or_sqlalchemy() -> None:
    """Load the package from its folder, bypassing ``app/__init__.py`` (the Flask factory)."""
    script = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "rulebook", {str(RULEBOOK / "__init__.py")!r}, submodule_search_locations=[{str(RULEBOOK)!r}])
module = importlib.util.module_from_spec(spec)
sys.modules["rulebook"] = module
spec.loader.exec_module(module)
assert len(module.RULES) == 30
loaded = {{name.split(".")[0] for name in sys.modules}}
bad = loaded & {{"flask", "sqlalchemy", "flask_sqlalchemy", "app"}}
assert not bad, bad
"""
    result = subprocess.run(  # noqa: S603 - runs this interpreter on a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=RULEBOOK
    )
    assert result.returncode == 0, result.stderr
