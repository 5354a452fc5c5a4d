"""URL converters every blueprint shares.

``<id:decision_id>`` is a row id: ASCII digits, from 1 to the largest value of
the databases' ``INTEGER`` primary keys (2³¹ − 1). Anything else does not
match the route and answers 404 before a view or the database sees it: an
unbounded ``<int:…>`` lets ``/decisions/99999999999999999999`` reach SQLite,
whose driver cannot bind an integer beyond 64 bits (a 500), and PostgreSQL,
which refuses one beyond 32 bits.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

#: The largest id the ``INTEGER`` primary keys hold (the API's ``DECISION_ID`` uses the same bound).
ID_MAX = 2_147_483_647


class IdConverter(IntegerConverter):
    """A positive row id no larger than ``ID_MAX``; leading zeros and signs do not match."""

    #: ASCII digits only (``\d`` would take any script's), at most as many as ``ID_MAX`` has.
    regex = rf"[1-9][0-9]{{0,{len(str(ID_MAX)) - 1}}}"

    def __init__(self, map, **_kwargs) -> None:
        super().__init__(map, fixed_digits=0, min=1, max=ID_MAX, signed=False)


def register(app: Flask) -> None:
    """Before any blueprint adds its rules: rules are compiled with the converters known at that time."""
    app.url_map.converters["id"] = IdConverter
