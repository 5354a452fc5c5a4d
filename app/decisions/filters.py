"""The decision list's query string: filters, page and page size.

Bad values never reach the database: each is dropped and named, so the page
can say which filter it ignored instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.rulebook.vocabulary import YEAR_MAX, YEAR_MIN, Category, DecisionStatus, values
from app.services.decisions import DecisionFilter
from app.web.paging import page_args, positive_int

COMPLETE_VALUES = {"yes": True, "no": False}


@dataclass(frozen=True)
class ListQuery:
    filters: DecisionFilter
    page: int
    per_page: int
    default_per_page: int
    #: Names of the arguments whose values were not understood and were ignored.
    ignored: tuple[str, ...] = ()

    def args(self, **changes: Any) -> dict[str, Any]:
        """The normalised query arguments, for links that keep the list's state."""
        f = self.filters
        complete = None if f.complete is None else ("yes" if f.complete else "no")
        args: dict[str, Any] = {
            "year": f.year,
            "category": f.category,
            "status": f.status,
            "complete": complete,
            "per_page": self.per_page if self.per_page != self.default_per_page else None,
            "page": self.page if self.page != 1 else None,
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value is not None}


def parse_list_args(args: Mapping[str, str], default_per_page: int, max_per_page: int) -> ListQuery:
    """Read the list's query string; anything not understood is ignored and reported."""
    ignored: list[str] = []

    def choice(name: str, allowed: list[str]) -> str | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        if raw in allowed:
            return raw
        ignored.append(name)
        return None

    year = None
    raw_year = (args.get("year") or "").strip()
    if raw_year:
        year = positive_int(raw_year, YEAR_MAX + 1)
        if year is None or not YEAR_MIN <= year <= YEAR_MAX:
            ignored.append("year")
            year = None

    category = choice("category", values(Category))
    status = choice("status", values(DecisionStatus))
    complete_raw = choice("complete", list(COMPLETE_VALUES))
    complete = COMPLETE_VALUES.get(complete_raw) if complete_raw else None

    page, per_page = page_args(args, default_per_page, max_per_page, ignored)

    return ListQuery(
        filters=DecisionFilter(year=year, category=category, status=status, complete=complete),
        page=page,
        per_page=per_page,
        default_per_page=default_per_page,
        ignored=tuple(ignored),
    )
