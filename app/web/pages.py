"""Whole pages from the page cache: layout, menu and body stored as one text per user and what the body shows.

A cached body (``page_cache.fragment``) still costs the layout around it on
every answer: the template, the menu's key, the frame. For the pages read most
(the decision page, the list) the whole answer is stored under the body's key
plus the menu's (``navbar.menu_key``: the user's id, name, role and
organisation, the review queue's count, the locale and the page), so an answer
from the cache is one lookup and the slots filled in. A flashed message is
shown once and so never stored: while one waits, the page is rendered.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import session
from markupsafe import Markup

from . import navbar, page_cache


def cached_page(body_key: str, render: Callable[[], str]) -> Markup | str:
    """The page whose body is cached under ``body_key``, rendered by ``render`` (the whole template) when not stored."""
    if session.get("_flashes"):
        return render()
    return page_cache.fragment(page_cache.key("page", body_key, navbar.menu_key()), render)
