"""The read answers of decisions, serialised once per state of the decision and kept per process.

A decision's answer (its fields, draft, steps and the rulebook's findings) is a
function of what its organisation's audit chain and the global chain (the holiday
calendar) record, of the day (deadlines) and of the locale. Every write it depends
on appends to one of those chains in its own transaction, so the pair of chain
tips, read in the same statement as the row, stamps the answer: a write makes a
new key and the next read serialises afresh; writes in other organisations keep
the answer warm. The JSON text is kept, so a warm list is the page's row query
plus joining texts: no loading, no rule evaluation, no schema dump.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from flask import Response, current_app, request

from app.clock import today
from app.services.decisions import DecisionFilter, ListedDecision, decision_stamp, list_decision_rows
from app.services.memo import StampedLru
from app.services.permissions import can_read_in, readable_decision

from .locale import api_locale
from .presenters import decision_to_dict, decisions_to_dicts, load_for_answer
from .schemas import DecisionSchema

#: (decision id, stamp, day, locale) -> the decision's JSON text. A few thousand answers of a few KB.
_ANSWERS = StampedLru(4096)
_SCHEMA = DecisionSchema()


def _key(row: ListedDecision, locale: str) -> tuple:
    return (row.id, row.stamp, today().isoformat(), locale)


def _text(value: object) -> str:
    """JSON as the API's ``jsonify`` writes it (compact, keys sorted)."""
    provider = current_app.json
    return json.dumps(value, default=provider.default, ensure_ascii=provider.ensure_ascii,
                      sort_keys=provider.sort_keys, separators=(",", ":"))


def _json_response(body: str, etag: str | None = None) -> Response:
    response = current_app.response_class(f"{body}\n", mimetype="application/json")
    if etag is not None:
        response.set_etag(etag)
    return response


def decision_answer(user, decision_id: int) -> Response:
    """``GET /decisions/{id}``: the cached text when the decision has not moved; 304 for a matching ETag."""
    row = decision_stamp(decision_id)
    if row is None or not can_read_in(user, row.organization_id):
        readable_decision(user, None)  # the same 404 as any decision the user cannot see
    locale = api_locale()
    key = _key(row, locale)
    etag = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
        response.set_etag(etag)
        return response
    body = _ANSWERS.get(key)
    if body is None:
        decision = load_for_answer([decision_id])[0]  # what the answer shows, texts with it, in one go
        body = _text(_SCHEMA.dump(decision_to_dict(decision, locale)))
        _ANSWERS.put(key, body)
    return _json_response(body, etag)


def list_answer(user, filters: DecisionFilter, page: int, per_page: int) -> Response:
    """``GET /decisions``: the page's rows and their stamps, then each decision's text, serialised only if moved."""
    listing = list_decision_rows(user, filters, page=page, per_page=per_page)
    locale = api_locale()
    rows: Sequence[ListedDecision] = listing.items
    texts = {row.id: _ANSWERS.get(_key(row, locale)) for row in rows}
    missing = [row for row in rows if texts[row.id] is None]
    if missing:
        by_id = {row.id: row for row in missing}
        decisions = load_for_answer(list(by_id))
        for decision, answer in zip(decisions, decisions_to_dicts(decisions, locale), strict=True):
            texts[decision.id] = text = _text(_SCHEMA.dump(answer))
            _ANSWERS.put(_key(by_id[decision.id], locale), text)
    items = ",".join(text for text in (texts[row.id] for row in rows) if text is not None)
    tail = _text({"page": listing.page, "per_page": listing.per_page, "total": listing.total})
    return _json_response(f'{{"items":[{items}],{tail[1:]}')
