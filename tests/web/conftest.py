"""Fixtures of the web tests: compiled catalogs, language, decisions in known states."""

from __future__ import annotations

from pathlib import Path

import pytest

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


def compile_catalogs() -> None:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older (``make`` does the same)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


def pytest_configure(config: pytest.Config) -> None:
    # Before any test runs: Flask-Babel caches a catalog the first time a language is used.
    compile_catalogs()


@pytest.fixture
def english(client):
    """Switch the client's session to English."""
    response = client.post("/language/en", data={"next": "/"})
    assert response.status_code == 302
    return client


@pytest.fixture
def page_text():
    """The response body as text, asserting the status first."""

    def read(response, status: int = 200) -> str:
        body = response.get_data(as_text=True)
        assert response.status_code == status, body[:2000]
        return body

    return read
