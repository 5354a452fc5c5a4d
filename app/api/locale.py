"""The API's language: Chinese unless the request's ``Accept-Language`` prefers English."""

from __future__ import annotations

from flask import current_app, has_request_context, request

API_LANGUAGES = ("zh_CN", "en")


def api_locale() -> str:
    """``zh_CN`` by default; ``en`` when ``Accept-Language`` ranks English above Chinese."""
    if not has_request_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    return request.accept_languages.best_match(API_LANGUAGES) or "zh_CN"
