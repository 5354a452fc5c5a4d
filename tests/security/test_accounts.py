"""Accounts: administrators manage their own subtree only; usernames; the first password is changed at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import sign_in


@pytest.fixture
def bd_admin(make_user):
    return make_user("admin", "BD")


@pytest.fixture
def ha_legal(make_user):
    return make_user("legal_adviser", "HA")


def test_an_admin_of_bd_gets_404_for_a_user_of_ha(app, client, bd_admin, ha_legal, db):
    browser = sign_in(client, bd_admin)
    assert browser.get(f"/admin/users/{ha_legal.id}").status_code == 404
    assert browser.post(f"/admin/users/{ha_legal.id}/password", data={"password": "new-secret-1"}).status_code == 404
    assert browser.post(f"/admin/users/{ha_legal.id}/deactivate").status_code == 404
    listing = browser.get("/admin/").get_data(as_text=True)
    assert ha_legal.username not in listing and bd_admin.username in listing


def test_the_services_refuse_another_subtree(db, bd_admin, ha_legal):
    from app.services import admin
    from app.services.errors import NotFound, ValidationFailed

    with pytest.raises(NotFound):
        admin.reset_password(bd_admin, ha_legal, "new-secret-1")
    with pytest.raises(NotFound):
        admin.update_user(bd_admin, ha_legal, {"display_name": "x", "role": "clerk", "organization": "BD"})
    with pytest.raises(ValidationFailed) as caught:
        admin.create_account(bd_admin, {"username": "x1", "display_name": "某人", "role": "clerk",
                                        "organization": "HA", "password": "s3cret-pass"})
    assert set(caught.value.errors) == {"organization"}
    with pytest.raises(ValidationFailed):
        admin.create_organization(bd_admin, {"code": "XY", "name": "某村", "parent": "HA"})


def test_an_admin_of_ha_still_manages_bd(db, make_user):
    from app.services import admin

    ha_admin, bd_clerk = make_user("admin", "HA"), make_user("clerk", "BD")
    admin.reset_password(ha_admin, bd_clerk, "new-secret-1")
    assert bd_clerk.must_change_password


@pytest.mark.parametrize("username", ["张三", "a b", "x@y", "", "a" * 65])
def test_usernames_are_ascii_letters_digits_and_dot_underscore_hyphen(db, orgs, username):
    from app.services.errors import ValidationFailed
    from app.services.users import create_user

    with pytest.raises(ValidationFailed) as caught:
        create_user(username, "clerk", "BD", "password123", "某人")
    assert "username" in caught.value.errors


def test_usernames_are_unique_whatever_the_case(db, clerk):
    from sqlalchemy.exc import IntegrityError

    from app.models import User
    from app.services.errors import ValidationFailed
    from app.services.users import create_user

    with pytest.raises(ValidationFailed):
        create_user(clerk.username.upper(), "clerk", "BD", "password123", "某人")
    db.session.rollback()
    # The database itself refuses it (the unique index on lower(username)).
    twin = User(username="CLERK_BD", display_name="x", role="clerk", organization_id=clerk.organization_id,
                password_hash="x")
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert create_user("wang.fang-2", "clerk", "BD", "password123", "王芳").username == "wang.fang-2"


def test_login_ignores_the_case_of_the_username(client, clerk):
    response = client.post("/login", data={"username": clerk.username.upper(), "password": "password123"})
    assert response.status_code == 302


def test_a_password_set_by_an_admin_is_changed_at_first_login(client, db, make_user):
    from app.models import AuditEvent, User
    from app.services.admin import create_account

    create_account(make_user("admin", "HA"), {"username": "zhou", "display_name": "周", "role": "clerk",
                                              "organization": "BD", "password": "given-by-admin"})
    db.session.commit()
    token = client.post("/api/v1/tokens", json={"username": "zhou", "password": "given-by-admin"})
    assert token.status_code == 403 and token.get_json()["error"]["code"] == "password_change_required"
    response = client.post("/login", data={"username": "zhou", "password": "given-by-admin"})
    assert response.headers["Location"] == "/password"
    assert client.get("/").headers["Location"] == "/password"  # nothing else before the change
    refused = client.post("/password", data={"current_password": "wrong", "new_password": "my-own-pass",
                                             "confirm": "my-own-pass"})
    assert refused.status_code == 422
    done = client.post("/password", data={"current_password": "given-by-admin", "new_password": "my-own-pass",
                                          "confirm": "my-own-pass"})
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # the session carries on with the new epoch
    db.session.rollback()
    user = db.session.execute(select(User).where(User.username == "zhou")).scalar_one()
    assert not user.must_change_password and user.check_password("my-own-pass")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "auth.password_change")).scalar_one()
    assert event.actor == "zhou"


def test_changing_the_password_ends_the_other_sessions(app, client, login, clerk):
    browser = login(clerk)
    other = sign_in(app.test_client(), clerk)
    assert other.get("/").status_code == 200
    assert browser.post("/password", data={"current_password": "password123", "new_password": "another-pass",
                                           "confirm": "another-pass"}).status_code == 302
    assert other.get("/").status_code == 302
    assert browser.get("/").status_code == 200


def test_the_operator_sets_a_final_password(app, orgs, db):
    from app.models import User

    result = app.test_cli_runner().invoke(args=["users", "create", "--username", "ops", "--role", "admin",
                                                "--org", "HA", "--password", "operator-pass"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert not db.session.execute(select(User).where(User.username == "ops")).scalar_one().must_change_password
