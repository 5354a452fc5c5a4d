"""How a decision is read whole: its steps with their experts and members, drafts and stored findings.

One place for the loader options, so the decision page, the API's answers and
the summary rebuild read the same graph in the same fixed number of queries.
"""

from __future__ import annotations

from sqlalchemy.orm import defer, joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from app.models import CatalogueItem, Decision, DraftVersion, Step


def whole_decision(*, draft_texts: bool = False, findings: bool = True) -> tuple[ORMOption, ...]:
    """Loader options of a decision with everything its rules and pages read.

    Older versions' texts can be long: they are loaded only when asked for
    (``draft_texts``); a draft's sha256 and author always are.
    """
    drafts = selectinload(Decision.drafts)
    drafts = drafts.options(selectinload(DraftVersion.author)) if draft_texts else drafts.options(
        defer(DraftVersion.text), selectinload(DraftVersion.author))
    options: tuple[ORMOption, ...] = (
        selectinload(Decision.steps).selectinload(Step.experts),
        selectinload(Decision.steps).selectinload(Step.opinions),
        drafts,
        # CAT-01 reads whether the item's catalogue is published: joined, no extra query.
        joinedload(Decision.catalogue_item).joinedload(CatalogueItem.catalogue),
    )
    return (*options, selectinload(Decision.findings)) if findings else options
