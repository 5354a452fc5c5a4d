"""Administration: users (create, edit, deactivate, reset password) and organisations, each audited."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select


@pytest.fixture
def admin(make_user):
    return make_user("admin", "HA")


def _events(db, action: str):
    from app.models import AuditEvent

    db.session.rollback()  # end the test's read transaction: see what the requests committed
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def _user(db, username: str):
    from app.models import User

    db.session.rollback()
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _new_client(app):
    """A second browser: the ``client`` fixture's class, its own cookies."""
    return app.test_client()


def _login(client, username: str, password: str = "password123"):  # noqa: S107 - the fixtures' password
    return client.post("/login", data={"username": username, "password": password})


# -- the users list ---------------------------------------------------------------------------------------------


def test_index_lists_users_with_role_org_and_state(login, admin, clerk, legal, page_text):
    body = page_text(login(admin).get("/admin/"))
    for name in ("admin_ha", "clerk_bd", "legal_adviser_bd"):
        assert f'data-username="{name}"' in body
    assert "经办人" in body and "法律顾问" in body and "管理员" in body
    assert "白甸镇" in body and "海安市" in body
    assert 'href="/admin/users/new"' in body


@pytest.mark.parametrize("role", ["clerk", "legal_adviser", "auditor"])
def test_other_roles_get_403(login, make_user, role):
    client = login(make_user(role, "BD"))
    for url in ("/admin/", "/admin/users/new", "/admin/organizations"):
        assert client.get(url).status_code == 403
    assert client.post("/admin/organizations", data={"code": "XX", "name": "某镇"}).status_code == 403


def test_the_navigation_shows_administration_to_admins_only(login, admin, clerk, page_text):
    assert 'href="/admin/"' in page_text(login(admin).get("/"))


def test_the_navigation_hides_administration_from_clerks(login, clerk, page_text):
    assert 'href="/admin/"' not in page_text(login(clerk).get("/"))


# -- creating users ---------------------------------------------------------------------------------------------


def test_create_user(db, app, login, admin, page_text):
    client = login(admin)
    response = client.post("/admin/users/new", data={
        "username": "wang.fang", "display_name": "王芳", "role": "auditor", "organization": "BD",
        "password": "s3cret-pass",
    })
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert "wang.fang" in page_text(client.get("/admin/"))
    user = _user(db, "wang.fang")
    assert (user.display_name, user.role, user.organization.code, user.is_active) == ("王芳", "auditor", "BD", True)
    assert user.check_password("s3cret-pass") and user.password_hash != "s3cret-pass"
    event = _events(db, "user.create")[-1]
    assert event.actor == "admin_ha" and event.after_data == {"username": "wang.fang", "role": "auditor",
                                                               "organization": "BD"}
    # The new account works.
    other = _new_client(app)
    assert _login(other, "wang.fang", "s3cret-pass").status_code == 302


def test_create_user_needs_a_display_name(db, login, admin, page_text):
    body = page_text(login(admin).post("/admin/users/new", data={
        "username": "li4", "role": "clerk", "organization": "BD", "password": "s3cret-pass",
    }), 422)
    assert 'id="display_name"' in body and "is-invalid" in body
    assert _user(db, "li4") is None


def test_duplicate_username_is_refused_next_to_the_field(db, login, admin, clerk, page_text):
    body = page_text(login(admin).post("/admin/users/new", data={
        "display_name": "某人", "username": "clerk_bd", "role": "clerk", "organization": "BD",
        "password": "s3cret-pass",
    }), 422)
    assert "已被占用" in body and "is-invalid" in body
    assert len(_events(db, "user.create")) == 2  # admin_ha and clerk_bd, nothing new


def test_short_password_is_refused(db, login, admin, page_text):
    body = page_text(login(admin).post("/admin/users/new", data={
        "display_name": "某人", "username": "zhao", "role": "clerk", "organization": "BD", "password": "short",
    }), 422)
    assert 'id="password"' in body and "is-invalid" in body
    assert _user(db, "zhao") is None


def test_unknown_organisation_is_refused(db, login, admin, page_text):
    body = page_text(login(admin).post("/admin/users/new", data={
        "display_name": "某人", "username": "zhao", "role": "clerk", "organization": "NOPE",
        "password": "s3cret-pass",
    }), 422)
    assert "is-invalid" in body
    assert _user(db, "zhao") is None


def test_missing_fields_are_named(db, login, admin, page_text):
    body = page_text(login(admin).post("/admin/users/new", data={}), 422)
    assert body.count("invalid-feedback") >= 2
    assert _user(db, "") is None


def test_create_account_service_errors(db, admin, orgs):
    from app.services.admin import create_account
    from app.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        create_account(admin, {"username": "bad name!", "role": "chief", "organization": "NOPE", "password": "x"})
    assert set(caught.value.errors) == {"username", "role", "organization", "password", "display_name"}
    db.session.rollback()
    with pytest.raises(ValidationFailed) as caught:
        create_account(admin, {"username": "ok", "display_name": "名" * 101, "role": "clerk",
                               "organization": "BD", "password": "s3cret-pass"})
    assert set(caught.value.errors) == {"display_name"}


def test_only_admins_may_use_the_service(db, clerk, orgs):
    from app.services.admin import create_account, create_organization
    from app.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_account(clerk, {"username": "x1", "role": "clerk", "organization": "BD", "password": "s3cret-pass"})
    with pytest.raises(PermissionDenied):
        create_organization(clerk, {"code": "XY", "name": "某镇"})


# -- editing, deactivating, resetting ---------------------------------------------------------------------------


def test_edit_role_organisation_and_name(db, login, admin, clerk, page_text):
    client = login(admin)
    body = page_text(client.get(f"/admin/users/{clerk.id}"))
    assert 'value="clerk_bd"' in body  # the display name, filled in
    response = client.post(f"/admin/users/{clerk.id}", data={
        "display_name": "张经办", "role": "auditor", "organization": "HA",
    })
    assert response.status_code == 302
    user = _user(db, "clerk_bd")
    assert (user.display_name, user.role, user.organization.code) == ("张经办", "auditor", "HA")
    event = _events(db, "user.update")[-1]
    assert event.before_data == {"display_name": "clerk_bd", "role": "clerk", "organization": "BD"}
    assert event.after_data == {"display_name": "张经办", "role": "auditor", "organization": "HA"}


def test_saving_without_changes_writes_no_event(db, login, admin, clerk):
    login(admin).post(f"/admin/users/{clerk.id}", data={
        "display_name": "clerk_bd", "role": "clerk", "organization": "BD",
    })
    assert _events(db, "user.update") == []


def test_admin_cannot_change_own_role(db, login, admin, page_text):
    body = page_text(login(admin).post(f"/admin/users/{admin.id}", data={
        "display_name": "管理员", "role": "clerk", "organization": "HA",
    }), 422)
    assert "is-invalid" in body
    assert _user(db, "admin_ha").role == "admin"


def test_unknown_user_is_404(login, admin):
    assert login(admin).get("/admin/users/9999").status_code == 404


def test_deactivation_ends_an_open_session_at_once(db, app, login, admin, clerk):
    clerk_client = _new_client(app)
    assert _login(clerk_client, "clerk_bd").status_code == 302
    assert clerk_client.get("/").status_code == 200
    admin_client = login(admin)
    response = admin_client.post(f"/admin/users/{clerk.id}/deactivate")
    assert response.status_code == 302
    # The clerk's very next request is sent to the login page.
    after = clerk_client.get("/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/login")
    assert _login(clerk_client, "clerk_bd").status_code == 200  # refused: the form again
    user = _user(db, "clerk_bd")
    assert not user.is_active and user.session_epoch == 1
    event = _events(db, "user.deactivate")[-1]
    assert event.actor == "admin_ha" and event.after_data == {"is_active": False}
    # Reactivated: may log in again; the old session stays ended.
    assert admin_client.post(f"/admin/users/{clerk.id}/reactivate").status_code == 302
    assert _user(db, "clerk_bd").is_active
    assert _events(db, "user.reactivate")
    assert _login(clerk_client, "clerk_bd").status_code == 302


def test_admin_cannot_deactivate_self(db, login, admin, page_text):
    client = login(admin)
    response = client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 302
    assert _user(db, "admin_ha").is_active
    assert client.get("/admin/").status_code == 200  # still logged in
    assert _events(db, "user.deactivate") == []


def test_reset_password_ends_sessions_and_sets_the_new_one(db, app, login, admin, clerk):
    clerk_client = _new_client(app)
    _login(clerk_client, "clerk_bd")
    assert clerk_client.get("/").status_code == 200
    response = login(admin).post(f"/admin/users/{clerk.id}/password", data={"password": "brand-new-pass"})
    assert response.status_code == 302
    assert clerk_client.get("/").status_code == 302
    assert _login(clerk_client, "clerk_bd", "password123").status_code == 200  # the old one is refused
    assert _login(clerk_client, "clerk_bd", "brand-new-pass").status_code == 302
    event = _events(db, "user.reset_password")[-1]
    assert "brand-new-pass" not in (event.after or "")


def test_reset_password_too_short_is_refused(db, login, admin, clerk, page_text):
    body = page_text(login(admin).post(f"/admin/users/{clerk.id}/password", data={"password": "short"}), 422)
    assert "is-invalid" in body
    assert _user(db, "clerk_bd").check_password("password123")
    assert _events(db, "user.reset_password") == []


def test_admin_resetting_own_password_stays_logged_in(db, login, admin):
    client = login(admin)
    assert client.post(f"/admin/users/{admin.id}/password", data={"password": "another-pass"}).status_code == 302
    assert client.get("/admin/").status_code == 200


# -- organisations ---------------------------------------------------------------------------------------------


def test_organisation_tree(login, admin, page_text):
    body = page_text(login(admin).get("/admin/organizations"))
    assert body.index('data-code="HA" data-depth="0"') < body.index('data-code="BD" data-depth="1"')
    assert 'data-code="CD"' not in body  # another organisation's tree: not this administrator's


def test_create_organisation_under_a_parent(db, login, admin, make_user, page_text):
    client = login(admin)
    response = client.post("/admin/organizations", data={"code": "qx", "name": "曲塘镇", "parent": "HA"})
    assert response.status_code == 302
    body = page_text(client.get("/admin/organizations"))
    assert 'data-code="QX" data-depth="1"' in body and "曲塘镇" in body
    event = _events(db, "organization.create")[-1]
    assert event.actor == "admin_ha" and event.after_data == {"code": "QX", "name": "曲塘镇", "parent": "HA"}
    # The city's auditor now sees the new town.
    from app.services.permissions import visible_organization_ids

    auditor = make_user("auditor", "HA")
    assert event.entity_id in visible_organization_ids(auditor)


def test_a_new_top_level_organisation_is_the_operators(db, login, admin):
    """An administrator manages a subtree: a new top level is outside it (``flask users``/the CLI's)."""
    response = login(admin).post("/admin/organizations", data={"code": "NT", "name": "南通市", "parent": ""})
    assert response.status_code == 422
    from app.models import Organization

    db.session.rollback()
    assert db.session.execute(select(Organization).where(Organization.code == "NT")).scalar_one_or_none() is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "BD", "name": "重复", "parent": "HA"}, "code"),
        ({"code": "B-D", "name": "坏代码", "parent": ""}, "code"),
        ({"code": "1AB", "name": "数字开头", "parent": ""}, "code"),
        ({"code": "ZZ", "name": "", "parent": ""}, "name"),
        ({"code": "ZZ", "name": "某镇", "parent": "NOPE"}, "parent"),
    ],
)
def test_organisation_errors(db, login, admin, page_text, data, field):
    body = html.unescape(page_text(login(admin).post("/admin/organizations", data=data), 422))
    assert f'id="{field}"' in body and "is-invalid" in body
    assert len(_events(db, "organization.create")) == 3  # the fixture's HA, BD and CD only


def test_create_organization_service_checks(db, admin, orgs):
    from app.services.admin import create_organization
    from app.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        create_organization(admin, {"code": "bd", "name": "", "parent": "NOPE"})
    assert set(caught.value.errors) == {"code", "name", "parent"}


def test_pages_are_chinese_by_default(login, admin, clerk, page_text):
    client = login(admin)
    assert "新建用户" in page_text(client.get("/admin/"))
    assert "重置密码" in page_text(client.get(f"/admin/users/{clerk.id}"))
    assert "单位层级" in page_text(client.get("/admin/organizations"))
