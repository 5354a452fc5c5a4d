"""Two app nodes (two gunicorn instances on different ports) sharing the database, Redis and the upload folder.

Nothing may assume one process: a session opened on one node is valid on the other and ends on both at logout;
a write through one node is read through the other, cached pages included; evidence uploaded through one is
downloaded from the other; the failed logins of one address are counted across both.
"""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.web.support import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "password123"  # the factories' test password


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Node:
    def __init__(self, port: int, process: subprocess.Popen) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = process

    def wait_until_up(self) -> None:
        for _ in range(300):
            try:
                requests.get(f"{self.url}/login", timeout=10)
                return
            except (requests.ConnectionError, requests.Timeout):
                assert self.process.poll() is None, self.process.stdout.read().decode()
                time.sleep(0.05)
        pytest.fail(f"{self.url} did not answer")


@pytest.fixture
def nodes(app, db, redis_url, tmp_path) -> Iterator[tuple[Node, Node]]:
    """Two single-worker gunicorn instances on the test's database, one Redis and one upload folder."""
    import os

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {key: value for key, value in os.environ.items() if key not in ("APP_ENV", "DATABASE_URL")}
    env.update(
        DATABASE_URL=url.replace("postgresql+psycopg://", "postgresql://"),
        SECRET_KEY=secrets.token_hex(32),
        UPLOAD_FOLDER=str(tmp_path / "shared-uploads"),
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=f"two-nodes-{uuid.uuid4().hex}",
        LOGIN_LIMIT_PER_ADDRESS="3 per minute",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    started = []
    for _ in range(2):
        port = _free_port()
        process = subprocess.Popen(  # noqa: S603 - our own command
            [str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        started.append(Node(port, process))
    try:
        for node in started:
            node.wait_until_up()
        yield started[0], started[1]
    finally:
        for node in started:
            node.process.terminate()
        for node in started:
            node.process.wait(timeout=10)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _login(browser: requests.Session, node: Node, username: str, password: str = PASSWORD) -> requests.Response:
    token = _csrf(browser.get(f"{node.url}/login").text)
    return browser.post(f"{node.url}/login", data={"csrf_token": token, "username": username, "password": password},
                        allow_redirects=False)


def _token(node: Node, username: str) -> dict[str, str]:
    answer = requests.post(f"{node.url}/api/v1/tokens", json={"username": username, "password": PASSWORD}, timeout=10)
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_a_session_of_one_node_is_valid_on_the_other_and_ends_on_both(nodes, clerk):
    first, second = nodes
    browser = requests.Session()
    assert _login(browser, first, clerk.username).status_code == 302
    page = browser.get(f"{second.url}/decisions/new", allow_redirects=False)
    assert page.status_code == 200, "the second node does not know the session the first one opened"

    token, cookie = _csrf(page.text), browser.cookies.get("session")
    assert browser.post(f"{second.url}/logout", data={"csrf_token": token}, allow_redirects=False).status_code == 302
    stale = requests.get(f"{first.url}/decisions/new", cookies={"session": cookie},
                         allow_redirects=False, timeout=10)
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]


def test_a_write_through_one_node_is_read_through_the_other(nodes, clerk, auditor):
    first, second = nodes
    clerk_api, auditor_api = _token(first, clerk.username), _token(second, auditor.username)
    before = requests.get(f"{second.url}/api/v1/reports/completeness?year=2026", headers=auditor_api, timeout=10)
    assert before.status_code == 200, before.text

    created = requests.post(f"{first.url}/api/v1/decisions", headers=clerk_api, timeout=10, json={
        "title": "两个节点的事项", "category": "major_matter", "department": "党政办", "year": 2026,
        "summary": "摘要", "draft_text": "草案正文"})
    assert created.status_code == 201, created.text
    decision_id = created.json()["id"]

    read = requests.get(f"{second.url}/api/v1/decisions/{decision_id}", headers=auditor_api, timeout=10)
    assert read.status_code == 200 and read.json()["title"] == "两个节点的事项"
    after = requests.get(f"{second.url}/api/v1/reports/completeness?year=2026", headers=auditor_api, timeout=10)
    assert after.json()["total"] == before.json()["total"] + 1, "the second node served a stale cached report"

    upload = requests.post(f"{first.url}/api/v1/decisions/{decision_id}/attachments", headers=clerk_api, timeout=10,
                           data={"step": "public_participation"},
                           files={"file": ("征求意见公告.pdf", pdf_bytes("两个节点"), "application/pdf")})
    assert upload.status_code == 201, upload.text
    browser = requests.Session()
    assert _login(browser, second, clerk.username).status_code == 302
    download = browser.get(f"{second.url}/attachments/{upload.json()['id']}")
    assert download.status_code == 200 and download.content == pdf_bytes("两个节点")


def test_failed_logins_of_one_address_are_counted_across_nodes(nodes, clerk):
    first, second = nodes
    answers = [_login(requests.Session(), node, clerk.username, "wrong-password").status_code
               for node in (first, second, first, second)]
    assert 429 not in answers[:3]
    assert answers[3] == 429, f"the fourth failure in a minute (limit 3, across nodes) was {answers[3]}"
