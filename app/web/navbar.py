"""The main menu of every page, rendered once per user, locale and page and then served from the page cache.

The menu shows who is logged in (name, organisation, role), the entries the
role may open, which one is active, and the review queue's count: all of it is
in the key, with the user's id, so no one is ever shown another user's menu.
Its CSRF tokens and the address the language buttons return to are slots,
filled in for each request (``page_cache.fill``).
"""

from __future__ import annotations

from flask import current_app, get_template_attribute, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from . import page_cache
from .templating import current_locale, html_lang

#: Where each app keeps the frames it rendered (per locale and script root).
_FRAMES = "page_frames"


def next_slot() -> str:
    """Where the language buttons return to: this page (its slot while a shared fragment is rendered)."""
    if page_cache.rendering_shared():
        return Markup(page_cache.NEXT_SLOT)  # noqa: S704 - a constant
    return escape(request.full_path if request.query_string else request.path)


#: Key in ``app.extensions`` of the function that counts what waits beside the review queue's menu entry (the
#: review blueprint registers it: no web module imports a blueprint).
WAITING = "navbar_waiting"


def waiting_count() -> int:
    """The count the menu shows beside the review queue (0 for the roles without one)."""
    count = current_app.extensions.get(WAITING)
    return count() if count is not None else 0


def menu_key(waiting: int | None = None) -> str:
    """The menu's cache key: the user's own facts (with the id: no one sees another's menu), the count, where."""
    user = current_user._get_current_object()
    who = None
    if user.is_authenticated:
        who = (user.id, user.display_name, user.organization.name, user.role, user.is_active, user.organization_id)
    if waiting is None:
        waiting = waiting_count()
    return page_cache.key("nav", who, waiting, current_locale(), request.endpoint, request.blueprint)


def navbar(waiting: int | None = None) -> Markup:
    """The menu as HTML: from the cache when this user saw it on this page in this language, with these facts.

    ``waiting`` is the review queue's count when the page knows it (the queue itself), else it is asked for.
    """
    if waiting is None:
        waiting = waiting_count()
    return page_cache.fragment(menu_key(waiting), lambda: render_template("_navbar.html", waiting=waiting))


def page_frame() -> dict[str, str]:
    """The fixed parts of every page (stylesheets, skip link, footer, scripts, the title's words) in this locale.

    The same for every user and page, so rendered once per process and locale:
    base.html then only fills in the title, the menu, the messages and the body.
    """
    frames = current_app.extensions.setdefault(_FRAMES, {})
    frame_key = (current_locale(), request.script_root)
    frame = frames.get(frame_key)
    if frame is None:
        parts = {name: get_template_attribute("_frame.html", name)() for name in ("css", "skip", "foot")}
        frame = frames[frame_key] = {
            **parts, "lang": html_lang(), "error": _("Error: "), "close": _("Close"),
            "name": _("Major Decision Procedure Compliance Ledger"),
        }
    return frame
