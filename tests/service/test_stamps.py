"""Scope stamps: a write moves the stamp of its organisation's scopes and of no other."""

from __future__ import annotations

from app.services.decisions import update_decision
from app.services.stamps import database_stamp, scope_stamp


def test_a_write_moves_its_scopes_stamp_and_no_other(db, orgs, make_decision, make_user):
    here = make_decision()
    there = make_decision(user=make_user("clerk", "CD"))
    bd, cd = here.organization_id, there.organization_id
    before = {"bd": scope_stamp([bd]), "cd": scope_stamp([cd]), "both": scope_stamp([bd, cd]),
              "db": database_stamp()}
    assert before["both"] == before["bd"] + before["cd"] > 0

    update_decision(here.created_by, here, {"title": "改了", "version": here.version})
    db.session.flush()

    assert scope_stamp([cd]) == before["cd"]
    assert scope_stamp([bd]) > before["bd"]
    assert scope_stamp([bd, cd]) > before["both"]
    assert database_stamp() > before["db"]


def test_an_empty_scope_is_zero_and_an_unknown_organisation_adds_nothing(db, orgs):
    assert scope_stamp([]) == 0
    assert scope_stamp([orgs["HA"].id, 987654]) == scope_stamp([orgs["HA"].id])
