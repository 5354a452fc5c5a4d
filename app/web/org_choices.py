"""Which organisations a selector offers: the whole tree while it is small, a drill-down once it is large.

A province's auditor sees a thousand townships; a select of a thousand options is
neither usable nor cheap to render on every page. Beyond ``OFFER_MAX`` the
selector lists the roots, the way down to the chosen organisation and the level
below it; any organisation stays a valid choice by its code.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.services.organizations import OrgNode

#: Beyond this many organisations the selector offers a drill-down instead of the whole tree.
OFFER_MAX = 150


def offered(choices: Sequence[OrgNode], chosen_id: int | None, limit: int | None = None) -> list[OrgNode]:
    """``choices`` (in tree order) as a selector should list them, around ``chosen_id`` (None: the first one)."""
    if len(choices) <= (OFFER_MAX if limit is None else limit):
        return list(choices)
    if chosen_id is None:
        chosen_id = choices[0].id
    parents = {choice.id: choice.parent_id for choice in choices}
    path: set[int | None] = set()
    node_id = chosen_id
    while node_id in parents:
        path.add(node_id)
        node_id = parents[node_id]
    return [choice for choice in choices
            if choice.id in path or choice.parent_id not in parents
            or choice.parent_id == chosen_id]
