"""Security headers on every answer (OWASP ASVS V14.4), in a few lines of our own.

- ``Content-Security-Policy``: scripts only from this server, never inline (the
  templates have no ``<script>`` body and no ``on*=`` handler; their scripts
  are files under ``static/js``). Styles may be inline: the dashboard's pygal
  charts are inline SVG with their own ``<style>`` and ``style`` attributes.
  ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` keep the pages out
  of frames. The Swagger UI at ``/api/v1/docs`` gets its own policy: its
  starter script is a file too (``templates/swagger_ui.html``), and it draws
  images from ``data:`` URLs and talks to the API of this server only.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``,
  ``Cross-Origin-Opener-Policy: same-origin``, a ``Permissions-Policy`` that
  switches off what the app never uses.
- ``Strict-Transport-Security`` when ``HSTS_SECONDS`` is set (production: a year).
- ``Cache-Control: no-store`` on every answer that is not a static file: pages
  of a logged-in user, the bearer token's answer and the API's data are never
  kept by a browser or a proxy. A view that chose its own caching keeps it,
  unless a user is logged in.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request

PAGE_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

SWAGGER_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

#: Where the Swagger UI page and its files are served.
SWAGGER_PREFIX = "/api/v1/docs"

FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def _is_static(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def _logged_in() -> bool:
    """Whether this request resolved a logged-in user (without loading one, or a column, just to ask).

    ``is_anonymous`` reads no column: after the commit the user's attributes are expired, and
    ``is_authenticated`` (which reads ``is_active``) would cost a query on every page.
    """
    user = g.get("_login_user")
    return bool(user is not None and not user.is_anonymous) or g.get("api_user") is not None


def add_security_headers(response: Response) -> Response:
    """Each header unless the view set it (names compared once, in lower case: a lookup in werkzeug's headers
    walks them all, and a miss raises and catches an exception)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 - Headers iterates (name, value) pairs
    policy = SWAGGER_POLICY if request.path.startswith(SWAGGER_PREFIX) else PAGE_POLICY
    for name, value in (("Content-Security-Policy", policy), *FIXED_HEADERS.items()):
        if name.lower() not in present:
            headers.add(name, value)
    hsts = current_app.config.get("HSTS_SECONDS") or 0
    if hsts and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", f"max-age={int(hsts)}; includeSubDomains")
    if not _is_static(request.endpoint) and (_logged_in() or "cache-control" not in present):
        headers["Cache-Control"] = "no-store"
        if "expires" in present:
            del headers["Expires"]
    return response


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
