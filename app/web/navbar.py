"""The main menu of every page, rendered once per user, locale and page and then served from the page cache.

The menu shows who is logged in (name, organisation, role), the entries the
role may open, which one is active, and the review queue's count: all of it is
in the key, with the user's id, so no one is ever shown another user's menu.
Its CSRF tokens and the address the language buttons return to are slots,
filled in for each request (``page_cache.fill``).
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup, escape

from . import page_cache
from .templating import current_locale


def next_slot() -> str:
    """Where the language buttons return to: this page (its slot while a shared fragment is rendered)."""
    if page_cache.rendering_shared():
        return Markup(page_cache.NEXT_SLOT)  # noqa: S704 - a constant
    return escape(request.full_path if request.query_string else request.path)


def navbar(waiting: int = 0) -> Markup:
    """The menu as HTML: from the cache when this user saw it on this page in this language, with these facts.

    ``waiting`` is the review queue's count (base.html asks the review blueprint; 0 for other roles).
    """
    user = current_user._get_current_object()
    who = None
    if user.is_authenticated:
        who = (user.id, user.display_name, user.organization.name, user.role, user.is_active, user.organization_id)
    cache_key = page_cache.key("nav", who, waiting, current_locale(), request.endpoint, request.blueprint)
    return page_cache.fragment(cache_key, lambda: render_template("_navbar.html", waiting=waiting))
