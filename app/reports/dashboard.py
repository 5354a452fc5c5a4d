"""What the auditor dashboard shows, from the reports service, kept until the data changes.

The numbers come from ``reports.completeness`` and
``reports.completeness_of_parts`` (one level down) (the counters every write keeps:
a few dozen rows, whatever the year's size). Drawing four charts and rendering
the tables costs more than the page's whole budget (DESIGN §7: at least the
throughput of a bare page doing one GROUP BY over 100,000 rows), so the
rendered sections are kept too, per worker, under a key of the organisations,
the year, the language and the scope's stamp (``reports.data_stamp``: the sum
of the scope's audit chain tips): every write through the services appends an
audit event to its organisation's chain in its transaction, so a new stamp
means new data in the scope, and a write in another organisation leaves the
dashboard warm. Writes that bypass the chain (``flask compliance rebuild``)
show after ``REPORT_CACHE_SECONDS`` (60 by default; 0 turns both caches off).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from flask import current_app, render_template, url_for
from markupsafe import Markup
from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Decision, User
from app.rulebook import CATALOGUE, RULES
from app.rulebook.vocabulary import Severity, StepKind
from app.services.reports import CompletenessReport, completeness, completeness_of_parts, data_stamp
from app.web import labels
from app.web.templating import current_locale, is_english

from . import charts
from .params import ReportQuery

#: Seconds a cached dashboard may live even if the audit chain has not moved: the reports service's default.
DEFAULT_TTL = 60
CACHE_SIZE = 64


@dataclass(frozen=True)
class StepRow:
    kind: StepKind
    label: object
    completed: int
    exempted: int
    missing: int


@dataclass(frozen=True)
class RuleRow:
    rule: str
    severity: str | None
    title: str
    decisions: int


@dataclass(frozen=True)
class OrganizationRow:
    code: str
    name: str
    depth: int
    total: int
    complete: int
    #: The counts include the organisation's sub-organisations (its row links to its own dashboard).
    whole: bool = False

    @property
    def incomplete(self) -> int:
        return self.total - self.complete


@dataclass
class Dashboard:
    report: CompletenessReport
    steps: list[StepRow]
    rules: list[RuleRow]
    organizations: list[OrganizationRow]
    charts: dict[str, Markup] = field(default_factory=dict)
    #: The summary, charts and tables, rendered once for everyone who sees the same numbers.
    html: Markup = field(default_factory=Markup)

    @property
    def rate(self) -> float | None:
        """Share of complete decisions, in per cent (None without decisions)."""
        if not self.report.total:
            return None
        return 100.0 * self.report.complete / self.report.total


class _Cache:
    """A small LRU with an age limit, shared by the threads of one worker."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, ttl: float) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > ttl:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


#: The numbers, charts and their rendered sections, per organisations × year × language × data.
dashboards = _Cache(CACHE_SIZE)
#: Rendered pages of the list of incomplete decisions, under the same key plus the page number.
incomplete_pages = _Cache(4 * CACHE_SIZE)


#: Drawn charts by their inputs and language (pure functions of them): a write in the scope that leaves a chart's
#: numbers as they were does not redraw it (drawing is most of a cold dashboard's time).
drawn_charts = _Cache(4 * CACHE_SIZE)


def clear_caches() -> None:
    dashboards.clear()
    incomplete_pages.clear()
    drawn_charts.clear()


def _drawn(name: str, draw: Callable[..., Markup], *args: Any) -> Markup:
    key = (name, current_locale(), repr(args))
    found = drawn_charts.get(key, float("inf"))
    if found is None:
        found = draw(*args)
        drawn_charts.put(key, found)
    return found


def cache_key(query: ReportQuery) -> tuple:
    """What a dashboard's content depends on; read before the numbers, so they are never older than their key.

    The stamp moves only when something in the query's organisations is written, so a write elsewhere leaves
    this dashboard warm.
    """
    return (str(db.engine.url), tuple(query.scope), query.year, data_stamp(query.scope), current_locale(),
            current_app.config["RULEBOOK_PROFILE"])


def key_stamp(key: tuple) -> tuple[str, int]:
    """The scope's stamp inside a ``cache_key``: other lines of the page are kept under it too."""
    return key[3]


def _ttl() -> float:
    return current_app.config.get("REPORT_CACHE_SECONDS", DEFAULT_TTL)


def build_dashboard(user: User, query: ReportQuery, key: tuple) -> Dashboard:
    """The numbers, charts and rendered sections of one organisation (with its sub-organisations) and year."""
    found = dashboards.get(key, _ttl()) if _ttl() else None
    if found is None:
        found = _compute(user, query)
        found.html = Markup(render_template(  # noqa: S704 - our own template, autoescaped
            "reports/_aggregates.html", data=found, query=query, link=partial(decisions_url, query)))
        dashboards.put(key, found)
    return found


def incomplete_section(query: ReportQuery, key: tuple, total: int, per_page: int) -> Markup:
    """The rendered page of incomplete decisions: two queries on a miss, none on a hit."""
    page_key = (*key, query.page, per_page)
    found = incomplete_pages.get(page_key, _ttl()) if _ttl() else None
    if found is None:
        pages = max(1, -(-total // per_page))
        items = incomplete_decisions(query, per_page) if query.page <= pages else []
        found = Markup(render_template(  # noqa: S704 - our own template, autoescaped
            "reports/_incomplete.html", items=items, total=total, page=query.page, pages=pages,
            # The organisation always in the links: the fragment is shared by users whose default differs.
            args={"year": query.year, "org": query.organization.code},
        ))
        incomplete_pages.put(page_key, found)
    return found


def _compute(user: User, query: ReportQuery) -> Dashboard:
    report = completeness(user, query.year, query.scope)
    steps = _step_rows(report)
    rules = _rule_rows(report)
    organizations = _organization_rows(user, query) if query.includes_children else []
    drawn = _charts(report, steps, rules, organizations, partial(decisions_url, query)) if report.total else {}
    return Dashboard(report=report, steps=steps, rules=rules, organizations=organizations, charts=drawn)


def _step_rows(report: CompletenessReport) -> list[StepRow]:
    return [
        StepRow(StepKind(kind), labels.STEP_KINDS[StepKind(kind)], counts.completed, counts.exempted, counts.missing)
        for kind, counts in report.by_step.items()
    ]


def _rule_rows(report: CompletenessReport) -> list[RuleRow]:
    """The rules broken, in the catalogue's order; a rule the catalogue does not know is shown by its id, last."""
    english = is_english()
    order = {rule: index for index, rule in enumerate(CATALOGUE)}
    rows = []
    for rule_id, count in sorted(report.by_rule.items(), key=lambda item: (order.get(item[0], 999), item[0])):
        rule = RULES.get(rule_id)
        title = (rule.title_en if english else rule.title_zh) if rule else rule_id
        rows.append(RuleRow(rule_id, rule.severity.value if rule else None, title, count))
    return rows


def _organization_rows(user: User, query: ReportQuery) -> list[OrganizationRow]:
    """The chosen organisation's own decisions, then each sub-organisation with everything under it.

    One level at a time, so a province's page lists its cities, not its thousand townships; each row below
    leads to that organisation's own dashboard.
    """
    rows = completeness_of_parts(user, query.year, query.organization.id)
    return [OrganizationRow(row.code, row.name, 1 if row.whole else 0, row.total, row.complete, row.whole)
            for row in rows]


def decisions_url(query: ReportQuery, *, org: str | None = None, whole: bool = False, **filters: Any) -> str:
    """The decision list filtered to exactly the decisions a number counts.

    The year and organisation are always in the link (the rendered sections
    are shared by users whose default organisation differs); ``org`` names one
    organisation alone (``own=1``), or with its sub-organisations (``whole``),
    as the table by organisation counts them.
    """
    if org is not None and whole:
        return url_for("decisions.index", year=query.year, org=org, **filters)
    if org is not None:
        return url_for("decisions.index", year=query.year, org=org, own="1", **filters)
    return url_for("decisions.index", year=query.year, org=query.organization.code, **filters)


def _charts(report: CompletenessReport, steps: list[StepRow], rules: list[RuleRow],
            organizations: list[OrganizationRow], link: Callable[..., str]) -> dict[str, Markup]:
    drawn = {
        "completeness": _drawn("completeness", charts.completeness_chart, report.complete, report.incomplete,
                               (link(complete="yes"), link(complete="no"))),
        "steps": _drawn(
            "steps", charts.steps_chart,
            [str(row.label) for row in steps], [row.completed for row in steps], [row.exempted for row in steps],
            [row.missing for row in steps],
            [tuple(link(step=row.kind.value, step_status=status) for status in ("completed", "exempted", "missing"))
             for row in steps],
        ),
    }
    if rules:
        severity_labels = {severity.value: str(labels.SEVERITIES[severity]) for severity in Severity}
        drawn["rules"] = _drawn("rules", charts.rules_chart, [(r.rule, r.severity, r.decisions) for r in rules],
                                severity_labels, [link(rule=r.rule) for r in rules])
    if len(organizations) > 1:
        drawn["organizations"] = _drawn(
            "organizations", charts.organizations_chart,
            [(row.name, row.complete, row.incomplete) for row in organizations],
            [(link(org=row.code, whole=row.whole, complete="yes"), link(org=row.code, whole=row.whole, complete="no"))
             for row in organizations],
        )
    return drawn


def incomplete_decisions(query: ReportQuery, per_page: int) -> list[Decision]:
    """One page of the year's incomplete decisions in the query's organisations, with the rules they break.

    Two queries whatever the page size; the total comes from the report.
    """
    stmt = (
        select(Decision)
        .where(Decision.organization_id.in_(query.scope), Decision.year == query.year,
               Decision.is_complete == false())
        .options(selectinload(Decision.findings))
        .order_by(Decision.organization_id, Decision.seq)
        .limit(per_page)
        .offset((query.page - 1) * per_page)
    )
    return list(db.session.execute(stmt).scalars())
