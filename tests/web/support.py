"""Helpers of the form, review and evidence tests: what the database holds, form bodies, sample files."""

from __future__ import annotations

import html
import re
from typing import Any

#: The tables a refused form must leave untouched.
COUNTED = ("decisions", "draft_versions", "steps", "experts", "member_opinions", "attachments", "audit_events")


def db_state(decision=None) -> dict[str, Any]:
    """Row counts of every written table, and the decision's version: equal before and after a refusal.

    Read on a connection of its own, so it sees what requests committed and
    leaves the test's session (and its objects) alone. Logins and logouts in
    between are not writes of the decision: their audit events (``auth.*``)
    and session rows are left out.
    """
    from sqlalchemy import text

    from app.extensions import db

    decision_id = decision.id if decision is not None else None
    with db.engine.connect() as conn:
        state: dict[str, Any] = {
            table: conn.execute(text(f"SELECT count(*) FROM {table}" + (
                " WHERE action NOT LIKE 'auth.%'" if table == "audit_events" else ""))).scalar_one()
            for table in COUNTED
        }
        if decision_id is not None:
            state["version"], state["row_version"] = conn.execute(
                text("SELECT version, row_version FROM decisions WHERE id = :id"), {"id": decision_id}
            ).one()
            # Each step has its own lock: a refused write moves none of them.
            state["step_versions"] = conn.execute(
                text("SELECT sum(version) FROM steps WHERE decision_id = :id"), {"id": decision_id}
            ).scalar_one()
    return state


def flatten(data: dict[str, Any]) -> dict[str, Any]:
    """A step in the API's shape as the form posts it: ``experts-0-name``, checkboxes only when ticked."""
    body: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, row in enumerate(value):
                for key, item in row.items():
                    if isinstance(item, bool):
                        if item:
                            body[f"{name}-{index}-{key}"] = "y"
                    elif item is not None:
                        body[f"{name}-{index}-{key}"] = str(item)
        elif isinstance(value, bool):
            if value:
                body[name] = "y"
        elif isinstance(value, list):
            body[name] = [str(item) for item in value]
        elif value is not None:
            body[name] = str(value)
    return body


def text_of(body: str) -> str:
    """The page with its tags removed and entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def field_block(body: str, field_id: str) -> str:
    """The HTML of one field's wrapper (``id="field-<id>"``) up to the next field."""
    start = body.index(f'id="field-{field_id}"')
    end = body.find('id="field-', start + 10)
    return html.unescape(body[start: end if end != -1 else len(body)])


def input_value(body: str, name: str) -> str | None:
    """The ``value`` of the input named ``name``, or None."""
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def pdf_bytes(text: str = "evidence") -> bytes:
    """A valid one-page PDF, as the demo's evidence files are (the evidence service checks the content)."""
    from app.demo.pdf import make_pdf

    return make_pdf([text])


#: A Windows program: what an ".exe renamed .pdf" contains.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
