"""Administrators set the e-mail address the reminders go to (optional, checked, audited)."""

from __future__ import annotations

import pytest
from sqlalchemy import select


@pytest.fixture
def admin(make_user):
    return make_user("admin", "HA")


def _email(db, username: str) -> str | None:
    from app.models import User

    db.session.rollback()
    return db.session.execute(select(User.email).where(User.username == username)).scalar_one_or_none()


def test_create_and_change_the_address(db, login, admin, clerk, page_text):
    from app.models import AuditEvent

    client = login(admin)
    response = client.post("/admin/users/new", data={
        "username": "wang.fang", "display_name": "王芳", "role": "clerk", "organization": "BD",
        "email": " wang.fang@bd.example.cn ", "password": "s3cret-pass"})
    assert response.status_code == 302
    assert _email(db, "wang.fang") == "wang.fang@bd.example.cn"
    body = page_text(client.get(f"/admin/users/{clerk.id}"))
    assert 'name="email"' in body and "每日的法定期限提醒发送到此邮箱" in body
    data = {"display_name": clerk.display_name, "role": "clerk", "organization": "BD"}
    assert client.post(f"/admin/users/{clerk.id}", data={**data, "email": "chen@bd.example.cn"}).status_code == 302
    assert _email(db, clerk.username) == "chen@bd.example.cn"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.update")
                               .order_by(AuditEvent.id.desc())).scalars().first()
    assert event.before_data == {"email": None} and event.after_data == {"email": "chen@bd.example.cn"}
    assert client.post(f"/admin/users/{clerk.id}", data={**data, "email": ""}).status_code == 302
    assert _email(db, clerk.username) is None  # emptied: no reminders


@pytest.mark.parametrize("bad", ["chen", "chen@", "陈@bd.cn", "a b@bd.cn", "x@y.cn, z@w.cn", "a" * 250 + "@b.cn"])
def test_a_bad_address_is_refused_next_to_the_field(db, login, admin, clerk, page_text, bad):
    data = {"display_name": clerk.display_name, "role": "clerk", "organization": "BD", "email": bad}
    body = page_text(login(admin).post(f"/admin/users/{clerk.id}", data=data), 422)
    assert 'id="email"' in body and "is-invalid" in body
    assert _email(db, clerk.username) is None
