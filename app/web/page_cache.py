"""Rendered page fragments, kept until what they show changes (Flask-Caching: in-process, or Redis when shared).

A fragment is stored under a key made of everything it shows — the record's
versions, the locale, the facts about the viewer that change which buttons it
holds — so a write never has to find and delete anything: it bumps a version,
and the next read asks for a key that was never stored. Keys also carry
``code_version()``, a digest of the templates, catalogues and code, so a
deployment never serves fragments rendered by the previous one (Redis outlives
workers).

What belongs to one user and one request stays out of the cached HTML: the
CSRF token and the address a form returns to are written as slots
(``csrf_slot()``, ``NEXT_SLOT``) and filled in by ``fill()`` on every answer,
and the navbar (name, role, menu) is cached per user. A slot is a raw ``<…>``
text: escaped user data can never contain one, so only our slots are replaced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TypeVar

from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.extensions import cache as page_cache
from app.services.memo import StampedLru

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
#: Stand-ins for the per-request values of a cached fragment (never produced by escaping user data).
CSRF_SLOT = "<csrf-slot>"
NEXT_SLOT = "<next-slot>"
#: Set while a fragment that will be shared is rendered: the CSRF token is then written as its slot.
_SHARED = "_page_cache_shared"
#: Signed CSRF tokens by (secret, the session's raw token): signing one cost as much as a page's lookup.
_SIGNED = StampedLru(1024)


@cache
def code_version() -> str:
    """A digest of what renders the pages (templates, compiled catalogues, code), computed once per process."""
    digest = hashlib.blake2b(digest_size=8)
    for pattern in ("templates/**/*.html", "translations/**/*.mo", "app/**/*.py"):
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def key(kind: str, *parts: object) -> str:
    """The cache key of a fragment of ``kind`` that shows exactly ``parts`` (plain values, in a fixed order)."""
    text = repr((code_version(), current_app.config.get("WTF_CSRF_ENABLED", True), parts))
    return f"{kind}:{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"


def rendering_shared() -> bool:
    """Whether the fragment being rendered will be shared (its per-request values must be slots)."""
    return bool(g.get(_SHARED))


def csrf_token() -> str:
    """This session's signed CSRF token (Flask-WTF's), signed once per process and session.

    Only without ``WTF_CSRF_TIME_LIMIT``: then the signature's date is never
    checked, and the same signed token is as valid as a fresh one. With a limit
    every answer signs anew, as Flask-WTF does.
    """
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    raw = session.get(field)
    signed = _SIGNED.get((secret, raw)) if isinstance(raw, str) else None
    if signed is None:
        signed = generate_csrf()  # the session's first token is made here; or one a form already signed
        _SIGNED.put((secret, session[field]), signed)
    elif field not in g:
        setattr(g, field, signed)  # what Flask-WTF's generate_csrf returns for the rest of the request
    return signed


def csrf_slot(token: str | None = None) -> str:
    """The CSRF token for a form: its slot while a shared fragment is rendered, else the token itself."""
    if g.get(_SHARED):
        return Markup(CSRF_SLOT)  # noqa: S704 - a constant
    return token or csrf_token()


def _slots(html: str) -> tuple[str, ...]:
    """The slots a freshly rendered fragment holds (stored with it: no scan of the HTML on every read)."""
    return tuple(slot for slot in (CSRF_SLOT, NEXT_SLOT) if slot in html)


def fill(html: str, slots: Iterable[str] = (CSRF_SLOT, NEXT_SLOT)) -> Markup:
    """A fragment with this request's values in its slots (``slots``: those it holds, when known).

    Inside a fragment that will be shared (a whole page around a cached body)
    the slots stay: the outer fragment is filled when it is answered.
    """
    if g.get(_SHARED):
        return Markup(html)  # noqa: S704 - rendered by our autoescaped templates
    for slot in slots:
        if slot == CSRF_SLOT:
            html = html.replace(CSRF_SLOT, str(escape(csrf_token())))
        elif slot == NEXT_SLOT:
            html = html.replace(NEXT_SLOT, str(escape(request.full_path if request.query_string else request.path)))
    return Markup(html)  # noqa: S704 - rendered by our autoescaped templates; the slots' values escaped above


def render_shared(render: Callable[[], T]) -> T:
    """Run ``render`` with slots in place of the per-request values, so that its HTML may be shared."""
    previous = g.get(_SHARED)
    setattr(g, _SHARED, True)
    try:
        return render()
    finally:
        setattr(g, _SHARED, previous)


def fragment(cache_key: str, render: Callable[[], str]) -> Markup:
    """The fragment stored under ``cache_key``, rendered (with slots) and stored first if it is not there."""
    stored = page_cache.get(cache_key)
    if stored is None:
        html = str(render_shared(render))
        stored = (html, _slots(html))
        page_cache.set(cache_key, stored)
    return fill(*stored)


def fragments(keys: Mapping[str, object], render: Callable[[list[object]], Iterable[str]]) -> dict[str, str]:
    """Many fragments at once (one round trip): ``keys`` maps each key to what renders it.

    ``render`` gets the items whose key was not stored and returns their HTML
    in the same order; they are stored in one ``set_many``. The HTML comes
    back with its slots, for one ``fill()`` of the whole page.
    """
    wanted = list(keys)
    found = dict(zip(wanted, page_cache.get_many(*wanted), strict=True)) if wanted else {}
    missing = [k for k in wanted if found[k] is None]
    if missing:
        rendered = [str(html) for html in render_shared(lambda: list(render([keys[k] for k in missing])))]
        fresh = dict(zip(missing, rendered, strict=True))
        page_cache.set_many(fresh)
        found.update(fresh)
    return found


def clear() -> None:
    """Forget every fragment (after a change the keys do not see: a restored database, a summary rebuild)."""
    page_cache.clear()
