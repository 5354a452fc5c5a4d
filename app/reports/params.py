"""The report pages' query string: year, organisation (with its sub-organisations) and page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.clock import today
from app.models import User
from app.rulebook.vocabulary import YEAR_MAX, YEAR_MIN
from app.services.errors import NotFound
from app.services.organizations import OrgNode, load_tree
from app.services.reports import report_scope
from app.web import org_choices

PAGE_MAX = 100_000


class BadArgument(ValueError):
    """A value of the query string that is not understood (exports refuse it; the dashboard ignores it)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class ReportQuery:
    year: int
    #: The organisation chosen; its visible descendants are included.
    organization: OrgNode
    #: Ids of the organisations the numbers cover: the chosen one and its visible descendants.
    scope: list[int]
    #: What the user may choose from, in tree order with depths (one entry for a clerk or an admin).
    choices: list[OrgNode]
    page: int = 1
    ignored: tuple[str, ...] = field(default_factory=tuple)

    @property
    def offered(self) -> list[OrgNode]:
        """The organisations the selector lists (a drill-down in a large tree: ``app.web.org_choices``)."""
        return org_choices.offered(self.choices, self.organization.id)

    @property
    def includes_children(self) -> bool:
        return len(self.scope) > 1

    def args(self, **changes: Any) -> dict[str, Any]:
        """Normalised query arguments for links that keep the page's state."""
        own = self.choices[0].id if self.choices else None
        args: dict[str, Any] = {
            "year": self.year,
            "org": self.organization.code if self.organization.id != own else None,
            "page": self.page if self.page != 1 else None,
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value is not None}


def _positive_int(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def parse_report_args(user: User, args: Mapping[str, str], *, strict: bool = False) -> ReportQuery:
    """Read ``year``, ``org`` and ``page`` for ``user``.

    ``PermissionDenied`` for a role without reports, ``NotFound`` for an
    organisation the user may not see. A bad year or page is ignored and named
    (``strict``: raises ``BadArgument``).
    """
    visible = report_scope(user)
    tree = load_tree()
    visible_set = set(visible)
    ignored: list[str] = []

    def bad(name: str) -> None:
        if strict:
            raise BadArgument(name)
        ignored.append(name)

    year = today().year
    if (args.get("year") or "").strip():
        parsed = _positive_int(args["year"], YEAR_MIN, YEAR_MAX)
        if parsed is None:
            bad("year")
        else:
            year = parsed

    code = (args.get("org") or "").strip()
    node = tree.by_code(code) if code else tree.nodes.get(user.organization_id)
    if node is None or node.id not in visible_set:
        raise NotFound("organisation not found")

    page = 1
    if (args.get("page") or "").strip():
        parsed = _positive_int(args["page"], 1, PAGE_MAX)
        if parsed is None:
            bad("page")
        else:
            page = parsed

    # The user's own organisation first: it is the default choice.
    choices = tree.walk([user.organization_id] + [r for r in tree.visible_roots(visible) if r != user.organization_id])
    choices = [choice for choice in choices if choice.id in visible_set]
    scope = [org_id for org_id in tree.subtree(node.id) if org_id in visible_set]
    return ReportQuery(
        year=year,
        organization=next(c for c in choices if c.id == node.id),
        scope=scope,
        choices=choices,
        page=page,
        ignored=tuple(ignored),
    )
