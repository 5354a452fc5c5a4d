"""The one mapping from the services' refusals to a page's answer.

A view wraps its service call in ``answer_refusals(page, …)``; ``page`` renders
the same screen again (``page(status, alert=…, refusal=…)``). Each domain error
becomes the answer people expect: field errors next to their inputs (422), the
rulebook's blockers in the findings box with the page that fixes each (422), a
stale version as the conflict box (409), a state that does not allow the action
as an alert (422). Not found and forbidden propagate to the error pages. The
page is rendered after the transaction's rollback (``Refused``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.models import Decision
from app.rulebook.vocabulary import StepKind
from app.services.errors import Conflict, InvalidState, RuleBlocked, ValidationFailed

from .checklist import BlockedFinding, blocked_findings
from .transaction import Refused


class Page(Protocol):
    def __call__(self, status: int, *, alert: str | None = ..., refusal: Any = ...) -> ResponseReturnValue: ...


class ErrorTarget(Protocol):
    def apply_errors(self, errors: dict[str, str]) -> None: ...


@dataclass(frozen=True)
class RefusalBox:
    """What the findings box shows: the refusal's message and each blocker with the page that fixes it."""

    message: str
    findings: list[BlockedFinding]


def refusal_box(decision: Decision, error: RuleBlocked, here: StepKind | None = None) -> RefusalBox:
    """The blockers of ``error``; a finding about the step of the page it is shown on links nowhere."""
    findings = blocked_findings(current_user, decision, error.findings)
    if here is not None:
        findings = [item if item.finding.step != here else BlockedFinding(item.finding, None) for item in findings]
    return RefusalBox(error.message, findings)


@contextmanager
def answer_refusals(
    page: Page,
    *,
    form: ErrorTarget | None = None,
    decision: Decision | None = None,
    here: StepKind | None = None,
    on_conflict: Callable[[Conflict], ResponseReturnValue] | None = None,
) -> Iterator[None]:
    """Turn a refusal raised inside the block into ``page``'s answer (see the module's text).

    ``form`` receives field errors (without one they are an alert); ``decision``
    links each blocker to its fix; ``on_conflict`` answers a stale version
    itself, e.g. with the stored values and what the user had typed.
    """
    try:
        yield
    except (ValidationFailed, RuleBlocked, Conflict, InvalidState) as error:
        raise Refused(_answer(error, page, form, decision, here, on_conflict)) from error


def _answer(
    error: ValidationFailed | RuleBlocked | Conflict | InvalidState,
    page: Page,
    form: ErrorTarget | None,
    decision: Decision | None,
    here: StepKind | None,
    on_conflict: Callable[[Conflict], ResponseReturnValue] | None,
) -> Callable[[], ResponseReturnValue]:
    """The answer to ``error``, to be called once the transaction is rolled back."""
    if isinstance(error, ValidationFailed) and form is not None:
        form.apply_errors(error.errors)
        return lambda: page(422)
    if isinstance(error, RuleBlocked) and decision is not None:
        return lambda: page(422, refusal=refusal_box(decision, error, here))
    if isinstance(error, Conflict):
        if on_conflict is not None:
            return lambda: on_conflict(error)
        return lambda: page(409, alert=error.message)
    return lambda: page(422, alert=error.message)
