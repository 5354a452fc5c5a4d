"""The daily reminders (``flask reminders send``, for cron): each user's deadlines of ``/due`` by e-mail.

Every active clerk and legal adviser with an e-mail address gets one message
listing the deadlines that concern them (overdue and due within
``DUE_WINDOW_DAYS``), with their articles and links. What was sent is recorded
per user, item and day (``reminder_deliveries``, unique) in the transaction of
that user's message, committed only after the SMTP server accepted it: a second
run of the same day sends nothing twice, and a refused message is tried again
by the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.clock import today as local_today
from app.clock import utcnow
from app.extensions import db
from app.models import ReminderDelivery, User
from app.rulebook.vocabulary import Role

from . import mail
from .audit import record_event
from .deadlines import CLOCK_LABELS, Bound, Clock, Deadline, all_deadlines, concerns, within

#: The language of the reminders: the users' pages are Chinese first and the account keeps no language.
REMINDER_LOCALE = "zh_CN"


@dataclass
class Report:
    """What a run did: messages sent, items in them, users whose message failed (with why)."""

    day: date
    sent: int = 0
    items: int = 0
    delivered: list[str] = field(default_factory=list)
    #: Users whose items another run recorded while this one ran: not sent again.
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recipient:
    """What a reminder needs of an account, read once (the rows expire at each user's commit)."""

    id: int
    username: str
    display_name: str
    email: str
    role: str
    organization_id: int
    is_active: bool = True


def recipients() -> list[Recipient]:
    """Active clerks and legal advisers with an e-mail address: the roles that have deadlines."""
    rows = db.session.execute(
        select(User.id, User.username, User.display_name, User.email, User.role, User.organization_id)
        .where(User.is_active.is_(True), User.email.is_not(None), User.email != "",
               User.role.in_([Role.CLERK.value, Role.LEGAL_ADVISER.value]))
        .order_by(User.id)
    ).all()
    return [Recipient(*row) for row in rows]


def already_sent(day: date) -> set[tuple[int, str]]:
    return set(db.session.execute(
        select(ReminderDelivery.user_id, ReminderDelivery.item_key).where(ReminderDelivery.day == day)
    ).tuples())


def link_builder() -> Callable[[str, dict], str]:
    """URLs under ``PUBLIC_BASE_URL`` (no request here: cron runs the command)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")

    def build(endpoint: str, values: dict) -> str:
        return adapter.build(endpoint, values, force_external=True)

    return build


def _line(deadline: Deadline, today: date, link: str) -> str:
    label = CLOCK_LABELS[deadline.deadline]
    if deadline.bound == Bound.NOT_BEFORE:
        when = _("not before %(day)s", day=deadline.due_on.isoformat())
    elif deadline.overdue(today):
        when = _("overdue since %(day)s", day=deadline.due_on.isoformat())
    else:
        when = _("due by %(day)s", day=deadline.due_on.isoformat())
    return f"- {deadline.ref_no} {deadline.title}\n  {label}: {when} ({deadline.citation})\n  {link}"


def _target(deadline: Deadline, endpoint: str, link: Callable[[str, dict], str]) -> str:
    """Where the user acts on it: the decision, or the catalogue of a catalogue clock."""
    if deadline.deadline in (Clock.CATALOGUE_PUBLICATION, Clock.CATALOGUE_ITEM):
        if deadline.catalogue_id is None:
            return link("catalogues.index", {})
        return link("catalogues.detail", {"catalogue_id": deadline.catalogue_id})
    return link(endpoint, {"decision_id": deadline.decision_id})


def compose(user: Recipient, items: list[Deadline], today: date, link: Callable[[str, dict], str]):
    """The user's message, in Chinese: overdue first, then the rest, soonest first."""
    endpoint = "review.detail" if user.role == Role.LEGAL_ADVISER else "decisions.detail"
    overdue = [d for d in items if d.overdue(today)]
    rest = [d for d in items if not d.overdue(today)]
    lines = [_("Hello %(name)s,", name=user.display_name), "",
             _("The statutory deadlines below concern you (as of %(day)s).", day=today.isoformat())]
    for title, group in ((_("Overdue"), overdue), (_("Due"), rest)):
        if group:
            lines += ["", f"{title} ({len(group)})"]
            lines += [_line(d, today, _target(d, endpoint, link)) for d in group]
    lines += ["", _("All your to-dos: %(url)s", url=link("tasks.due", {}))]
    subject = _("%(count)d deadlines of major decisions to attend to", count=len(items))
    if overdue:
        subject = _("%(overdue)d overdue, %(count)d deadlines of major decisions in all", overdue=len(overdue),
                    count=len(items))
    return mail.message(user.email, subject, "\n".join(lines), to_name=user.display_name)


def send_reminders(today: date | None = None, within_days: int | None = None) -> Report:
    """Send every user the deadlines not yet sent to them today; commits once per user's message."""
    today = today or local_today()
    window = current_app.config["DUE_WINDOW_DAYS"] if within_days is None else within_days
    report = Report(today)
    users = recipients()
    if not users:
        return report
    deadlines = within(all_deadlines(sorted({u.organization_id for u in users}), today), today, window)
    sent = already_sent(today)
    outbox = []
    for user in users:
        items = [d for d in deadlines if concerns(user, d) and (user.id, d.key) not in sent]
        if items:
            outbox.append((user, items))
    if not outbox:
        return report
    link = link_builder()
    try:
        with mail.connection() as smtp:
            for user, items in outbox:
                _deliver(smtp, user, items, today, link, report)
    except mail.MailError as error:  # the server could not be reached, or dropped the connection
        db.session.rollback()
        for user, _items in outbox:
            if user.username not in report.delivered:
                report.failed.setdefault(user.username, str(error))
    return report


def _deliver(smtp, user: Recipient, items: list[Deadline], today: date, link, report: Report) -> None:
    """Record the items, hand the message over, commit; a refused message leaves nothing recorded."""
    with force_locale(REMINDER_LOCALE):
        message = compose(user, items, today, link)
    # One INSERT however many items; the unique key refuses what a concurrent run recorded meanwhile.
    try:
        db.session.execute(insert(ReminderDelivery), [
            {"user_id": user.id, "item_key": deadline.key, "day": today, "sent_at": utcnow()} for deadline in items
        ])
    except IntegrityError:
        db.session.rollback()
        report.skipped.append(user.username)
        return
    record_event(None, "reminder.send", "user", user.id, actor_name="reminders",
                 after={"day": today.isoformat(), "to": user.email, "items": [d.key for d in items]})
    try:
        mail.send(smtp, message)
    except mail.MailError as error:
        db.session.rollback()
        report.failed[user.username] = str(error)
        return
    db.session.commit()
    report.delivered.append(user.username)
    report.sent += 1
    report.items += len(items)
