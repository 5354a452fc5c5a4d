"""The organisation tree (市 → 镇/街道), read whole in one query: it holds tens of rows, not thousands."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import select

from app.extensions import db
from app.models import Organization, User

from .audit import record_event


@dataclass(frozen=True)
class OrgNode:
    id: int
    code: str
    name: str
    parent_id: int | None
    #: 0 for a root of the listed tree, 1 for its children, and so on.
    depth: int = 0


class OrgTree:
    """Every organisation with its parent; walks and orders them without further queries."""

    def __init__(self, rows: Iterable[tuple[int, str, str, int | None]]) -> None:
        self.nodes: dict[int, OrgNode] = {}
        self.children: dict[int | None, list[int]] = {}
        for org_id, code, name, parent_id in sorted(rows, key=lambda row: row[1]):
            self.nodes[org_id] = OrgNode(org_id, code, name, parent_id)
            self.children.setdefault(parent_id, []).append(org_id)
        self._by_code = {node.code: node for node in self.nodes.values()}

    def by_code(self, code: str) -> OrgNode | None:
        return self._by_code.get(code)

    def subtree(self, org_id: int) -> list[int]:
        """The organisation and all its descendants, depth first."""
        return [node.id for node in self.walk([org_id])]

    def walk(self, roots: Iterable[int] | None = None) -> list[OrgNode]:
        """Depth-first, children by code, each node with its depth below the roots given (default: the real roots)."""
        roots = list(self.children.get(None, [])) if roots is None else [r for r in roots if r in self.nodes]
        ordered: list[OrgNode] = []
        seen: set[int] = set()
        stack = [(org_id, 0) for org_id in reversed(roots)]
        while stack:
            org_id, depth = stack.pop()
            if org_id in seen:  # a cycle cannot be stored through the services; never loop on one anyway
                continue
            seen.add(org_id)
            node = self.nodes[org_id]
            ordered.append(OrgNode(node.id, node.code, node.name, node.parent_id, depth))
            stack.extend((child, depth + 1) for child in reversed(self.children.get(org_id, [])))
        return ordered

    def visible_roots(self, visible: Iterable[int]) -> list[int]:
        """Among ``visible``, those whose parent is not visible: the tops of what a user sees."""
        wanted = set(visible)
        return [org_id for org_id in sorted(wanted, key=lambda i: self.nodes[i].code)
                if org_id in self.nodes and self.nodes[org_id].parent_id not in wanted]


def load_tree() -> OrgTree:
    """The whole organisation tree, one query, read once per request (a page asks for it several times:
    the user's scope, the list's organisation filter); adding an organisation forgets it."""
    if has_request_context() and "org_tree" in g:
        return g.org_tree
    rows = db.session.execute(
        select(Organization.id, Organization.code, Organization.name, Organization.parent_id)
    ).all()
    tree = OrgTree(tuple(row) for row in rows)
    if has_request_context():
        g.org_tree = tree
    return tree


def add_organization(actor: User | None, code: str, name: str, parent: Organization | None) -> Organization:
    """Create an organisation and its audit event (the operator's command has no actor)."""
    if has_request_context():
        g.pop("org_tree", None)
    organization = Organization(code=code, name=name, parent=parent)
    db.session.add(organization)
    db.session.flush()
    record_event(actor, "organization.create", "organization", organization.id,
                 after={"code": code, "name": name, "parent": parent.code if parent else None})
    return organization
