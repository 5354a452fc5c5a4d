"""The decision list's query string: filters, page and page size.

Bad values never reach the database: each is dropped and named, so the page
can say which filter it ignored instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.rulebook import RULES
from app.rulebook.vocabulary import YEAR_MAX, YEAR_MIN, Category, DecisionStatus, StepKind, values
from app.services.decisions import STEP_FILTER_STATUSES, DecisionFilter
from app.services.organizations import OrgNode, OrgTree
from app.web.paging import page_args, positive_int

COMPLETE_VALUES = {"yes": True, "no": False}
#: A longer search is no title or reference number (titles hold 200 characters).
SEARCH_MAX = 200


@dataclass(frozen=True)
class OrgChoice:
    """The organisation filter: the one chosen and whether its sub-organisations count too."""

    node: OrgNode
    with_children: bool


@dataclass(frozen=True)
class ListQuery:
    filters: DecisionFilter
    page: int
    per_page: int
    default_per_page: int
    #: Names of the arguments whose values were not understood and were ignored.
    ignored: tuple[str, ...] = ()
    organization: OrgChoice | None = None

    def args(self, **changes: Any) -> dict[str, Any]:
        """The normalised query arguments, for links that keep the list's state."""
        f = self.filters
        complete = None if f.complete is None else ("yes" if f.complete else "no")
        args: dict[str, Any] = {
            "year": f.year,
            "category": f.category,
            "status": f.status,
            "complete": complete,
            "rule": f.rule,
            "step": f.step,
            "step_status": f.step_status,
            "org": self.organization.node.code if self.organization else None,
            "own": "1" if self.organization and not self.organization.with_children else None,
            "q": f.search,
            "per_page": self.per_page if self.per_page != self.default_per_page else None,
            "page": self.page if self.page != 1 else None,
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value is not None}


def wants_organizations(args: Mapping[str, str]) -> bool:
    """Whether reading the query needs the organisation tree."""
    return bool((args.get("org") or "").strip())


def parse_list_args(args: Mapping[str, str], default_per_page: int, max_per_page: int, *,
                    tree: OrgTree | None = None, visible: list[int] | None = None) -> ListQuery:
    """Read the list's query string; anything not understood is ignored and reported.

    ``org`` is an organisation code, with its sub-organisations unless ``own=1``
    (the dashboard's cards count the organisation with its sub-organisations,
    its table each organisation alone); ``tree`` and ``visible`` resolve it, and
    a code the user may not see is ignored like any other bad value.
    """
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

    rule = choice("rule", list(RULES))
    step = choice("step", values(StepKind))
    step_status = choice("step_status", list(STEP_FILTER_STATUSES))
    if (step is None) != (step_status is None):
        # One without the other names no decisions: say which half was missing its partner.
        if step is not None:
            ignored.append("step")
        if step_status is not None:
            ignored.append("step_status")
        step = step_status = None

    search = " ".join((args.get("q") or "").split()) or None
    if search is not None and len(search) > SEARCH_MAX:
        ignored.append("q")
        search = None

    organization, organization_ids = _organization(args, tree, visible or [], ignored)

    page, per_page = page_args(args, default_per_page, max_per_page, ignored)

    return ListQuery(
        filters=DecisionFilter(year=year, category=category, status=status, complete=complete, rule=rule,
                               step=step, step_status=step_status, organization_ids=organization_ids,
                               search=search),
        page=page,
        per_page=per_page,
        default_per_page=default_per_page,
        ignored=tuple(ignored),
        organization=organization,
    )


def _organization(args: Mapping[str, str], tree: OrgTree | None, visible: list[int],
                  ignored: list[str]) -> tuple[OrgChoice | None, tuple[int, ...] | None]:
    code = (args.get("org") or "").strip()
    if not code:
        return None, None
    node = tree.by_code(code) if tree is not None else None
    if node is None or node.id not in visible:
        ignored.append("org")
        return None, None
    with_children = (args.get("own") or "").strip() != "1"
    ids = tree.subtree(node.id) if with_children else [node.id]
    wanted = set(visible)
    return OrgChoice(node, with_children), tuple(org_id for org_id in ids if org_id in wanted)
