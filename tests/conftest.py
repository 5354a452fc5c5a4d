"""Fixtures shared by the service, audit, migration and web tests.

Every test that uses ``app`` runs on SQLite, and again on PostgreSQL when
``TEST_DATABASE_URL`` is set. Under ``CI=true`` a missing PostgreSQL is an
error, not a skip: CI must exercise both databases.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from config import TestConfig, database_url

PG_URL = os.environ.get("TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests would not run")


@contextmanager
def _private_postgres_database() -> Iterator[str]:
    """A database of this test process alone, so parallel runs never share tables."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(database_url_for(PG_URL))
    name = f"{base.database}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_url_for(url: str) -> str:
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        return database_url("")
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL")
        else:
            os.environ["DATABASE_URL"] = previous


def _config_for(backend: str, tmp_dir, pg_url: str | None) -> type[TestConfig]:
    url = f"sqlite:///{tmp_dir / 'test.sqlite'}" if backend == "sqlite" else pg_url

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_FOLDER = str(tmp_dir / "uploads")

    return Config


def _reset_schema(app) -> None:
    """Empty database, then the real migrations: the schema under test is the shipped one."""
    from flask_migrate import upgrade

    from app.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    if not PG_URL:
        yield None
        return
    with _private_postgres_database() as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    from app import create_app
    from app.database import engines_of
    from app.extensions import db as database

    backend = request.param
    pg_url = request.getfixturevalue("postgres_url") if backend == "postgresql" else None
    flask_app = create_app(_config_for(backend, tmp_path_factory.mktemp(backend), pg_url))
    _reset_schema(flask_app)
    flask_app.backend = backend
    yield flask_app
    with flask_app.app_context():
        database.session.remove()
        for engine in engines_of(database.engine):
            engine.dispose()


#: Tables whose triggers refuse UPDATE and DELETE (migration b7d2c4e9f1a3).
APPEND_ONLY = ("audit_events", "audit_checkpoints")


@contextmanager
def append_only_off(conn) -> Iterator[None]:
    """Lift the append-only triggers inside ``conn``'s transaction: what tampering has to do first.

    SQLite: drop them and create them again from their stored SQL; PostgreSQL:
    disable and enable them (both transactional, so a rollback restores them).
    """
    if conn.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield
        for table in APPEND_ONLY:
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        return
    triggers = conn.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_events', "
        "'audit_checkpoints')"
    )).all()
    for name, _sql in triggers:
        conn.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _name, sql in triggers:
        conn.execute(text(sql))


@pytest.fixture
def tamper(db):
    """Raw SQL on the audit tables in the test's session, the triggers lifted for it, then committed."""

    def run(sql: str, params: dict | None = None) -> None:
        with append_only_off(db.session.connection()):
            db.session.execute(text(sql), params or {})
        db.session.commit()

    return run


def _forget_cached_reports() -> None:
    """Report caches are keyed by the scope's stamp (a sum of chain lengths), which repeats from one emptied
    database to the next: every test starts without them."""
    from app.reports.dashboard import clear_caches
    from app.services import catalogues
    from app.services.annual_report import clear_annual_cache
    from app.services.reports import clear_report_cache

    clear_caches()
    clear_report_cache()
    clear_annual_cache()
    catalogues._summaries.clear()


def _clean(app) -> None:
    from app.extensions import db
    from app.services.memo import forget_all
    from app.web import page_cache

    _forget_cached_reports()
    # Ids start again at 1 in the emptied tables: a fragment of the previous test must not match.
    page_cache.clear()
    db.session.remove()
    forget_all()  # the stamps restart at 0 in an emptied database
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn, append_only_off(conn):
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys=ON"))
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def ctx(app) -> Iterator[None]:
    """An app context on an empty database, emptied again afterwards."""
    with app.app_context():
        _clean(app)
        yield
        _clean(app)


@pytest.fixture
def db(ctx):
    from app.extensions import db as database

    return database


class RequestContextClient(FlaskClient):
    """Each request in its own app context, as under a real server.

    The ``ctx`` fixture keeps one app context open for the whole test; Flask
    would reuse it for every request, so ``g`` (Flask-Login's cached user) and
    the SQLAlchemy session would leak from one request to the next and hide
    bugs (an uncommitted write that looks saved). A copied ``contextvars``
    context keeps a request's variables (the SQLite write intent) in it.
    """

    def open(self, *args, **kwargs):
        return contextvars.copy_context().run(self._open_in_app_context, *args, **kwargs)

    def _open_in_app_context(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, ctx):
    app.test_client_class = RequestContextClient
    try:
        yield app.test_client()
    finally:
        app.test_client_class = None


# -- factories ---------------------------------------------------------------------------------


@pytest.fixture
def orgs(db):
    """海安市 (HA) with 白甸镇 (BD) under it, and an unrelated 城东街道 (CD)."""
    from app.services.users import ensure_organization

    ha = ensure_organization("HA", "海安市")
    bd = ensure_organization("BD", "白甸镇", ha)
    cd = ensure_organization("CD", "城东街道")
    db.session.commit()
    return {"HA": ha, "BD": bd, "CD": cd}


@pytest.fixture
def make_user(db, orgs):
    from app.services.users import create_user

    def make(role: str = "clerk", org: str = "BD", username: str | None = None):
        name = username or f"{role}_{org}".lower()
        user = create_user(name, role, org, "password123", display_name=name)
        db.session.commit()
        return user

    return make


@pytest.fixture
def clerk(make_user):
    return make_user("clerk")


@pytest.fixture
def legal(make_user):
    return make_user("legal_adviser")


@pytest.fixture
def auditor(make_user):
    return make_user("auditor", "HA")


DECISION_DATA = {
    "title": "白甸镇农桥建设工程相关事宜",
    "category": "major_project",
    "department": "白甸镇建设局",
    "year": 2025,
    "summary": "新建农桥三座",
    "draft_text": "关于白甸镇农桥建设工程的决定（草案）",
    "amount_cny": "1250000.00",
}


#: The system records of the test decisions are dated here, before every stated 2025 date, so that
#: REC-01 (a stated date before the system's own record) holds unless a test moves them.
RECORDED_AT = datetime(2025, 1, 2, 1, 0, tzinfo=UTC)


def backdate(decision, at: datetime = RECORDED_AT) -> None:
    """Date the decision's draft versions, submission and decision records at ``at`` (and re-judge it)."""
    from app.services.compliance import refresh_summary

    for draft in decision.drafts:
        draft.created_at = at
    if decision.submitted_at is not None:
        decision.submitted_at = at
    if decision.decided_at is not None:
        decision.decided_at = at
    refresh_summary(decision)


@pytest.fixture
def make_decision(db, clerk):
    from app.services.decisions import create_decision

    def make(user=None, **overrides):
        decision = create_decision(user or clerk, {**DECISION_DATA, **overrides})
        backdate(decision)
        db.session.commit()
        return decision

    return make


# Facts that satisfy every rule, used to walk a decision through its steps.
COMPLETE_STEPS = {
    "public_participation": {
        "status": "completed",
        "method": "online_comment",
        "comment_start": "2025-03-01",
        "comment_end": "2025-03-30",
        "comments_received": 12,
        "comments_adopted": 5,
        "feedback_summary": "采纳5条",
        "feedback_published_on": "2025-04-02",
        "completed_on": "2025-04-02",
    },
    "expert_review": {
        "status": "completed",
        "method": "meeting",
        "review_date": "2025-04-05",
        "opinion_text": "方案可行",
        "opinion_signed": True,
        "completed_on": "2025-04-05",
        "experts": [
            {"name": "张工", "field": "桥梁", "institution": "南通大学", "no_conflict": True},
            {"name": "李工", "field": "水利", "institution": "河海大学", "no_conflict": True},
            {"name": "王工", "field": "造价", "institution": "造价站", "no_conflict": True},
        ],
    },
    "risk_assessment": {
        "status": "completed",
        "risk_types": ["social_stability"],
        "risk_level": "low",
        "risk_points": "施工期间交通",
        "mitigation": "设置便道",
        "conclusion": "proceed",
        "assessed_on": "2025-04-08",
        "completed_on": "2025-04-08",
    },
}

SIGNATURE = {"opinion": "lawful", "opinion_text": "合法", "reviewed_on": "2025-04-25"}

MEETING = {
    "status": "completed",
    "meeting_type": "government_executive",
    "meeting_date": "2025-05-06",
    "members_total": 7,
    "members_present": 6,
    "outcome": "approved",
    "minutes_ref": "白政纪〔2025〕5号",
    "opinions": [
        {"member": "副镇长甲", "position": "agree"},
        {"member": "副镇长乙", "position": "agree"},
        {"member": "委员丙", "position": "agree"},
        {"member": "委员丁", "position": "disagree", "remarks": "造价偏高"},
        {"member": "委员戊", "position": "agree"},
        {"member": "镇长", "position": "agree", "is_principal": True},
    ],
}


@pytest.fixture
def walk(db, clerk, legal):
    """Take a decision through the steps up to ``until`` (a stage name), committing each."""
    from app.services import steps as step_services
    from app.services.decisions import submit_decision

    stages = ["preparatory", "submitted_for_review", "signed", "submitted", "decided"]

    def run(decision, until: str = "decided"):
        for stage in stages[: stages.index(until) + 1]:
            if stage == "preparatory":
                for kind, data in COMPLETE_STEPS.items():
                    step_services.record_step(clerk, decision, kind, data)
            elif stage == "submitted_for_review":
                step_services.record_step(clerk, decision, "legality_review", {"status": "in_progress",
                                                                                "submitted_on": "2025-04-10"})
            elif stage == "signed":
                step_services.sign_legality_review(legal, decision, SIGNATURE)
            elif stage == "submitted":
                submit_decision(clerk, decision)
            elif stage == "decided":
                step_services.record_step(clerk, decision, "collective_decision", MEETING)
            backdate(decision)
            db.session.commit()
        return decision

    return run


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside the ``with`` block."""
    from app.database import QUICK_STATEMENT_LISTENERS, engines_of
    from app.extensions import db as database

    @contextmanager
    def counter():
        statements: list[str] = []

        def before(_conn, _cursor, statement, *_args):
            statements.append(statement)

        def quick(statement, _parameters):
            statements.append(statement)

        with app.app_context():
            engines = engines_of(database.engine)  # a reading request's statements run on the second
        for engine in engines:
            event.listen(engine, "before_cursor_execute", before)
        QUICK_STATEMENT_LISTENERS.append(quick)  # the session's statement of a reading request
        try:
            yield statements
        finally:
            QUICK_STATEMENT_LISTENERS.remove(quick)
            for engine in engines:
                event.remove(engine, "before_cursor_execute", before)

    return counter


def sign_in(client: FlaskClient, user) -> FlaskClient:
    """Give ``client`` a live server-side session of ``user`` without the login form (fast)."""
    import time

    from app.extensions import db as database
    from app.services.sessions import open_session

    database.session.commit()  # no older read snapshot under the write below (SQLite would refuse it)
    token = open_session(user, "127.0.0.1")
    database.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["sid"] = token
        session["seen"] = int(time.time())
    return client


@pytest.fixture
def login(client, db):
    def do(user):
        username = user.username
        # A login writes (its session row, its audit event): the test's own session must not hold an
        # older read snapshot when it writes next (SQLite would refuse it), so it ends its transaction.
        db.session.commit()
        response = client.post("/login", data={"username": username, "password": "password123"})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do


@pytest.fixture(scope="session")
def key_files(tmp_path_factory) -> tuple[str, str]:
    """One Ed25519 key pair for the run: (private PEM path, public PEM path)."""
    from app.services.checkpoints import generate_key_files

    private = tmp_path_factory.mktemp("keys") / "audit-signing.pem"
    public = generate_key_files(private)
    return str(private), str(public)


@pytest.fixture
def signing_key(app, key_files, monkeypatch) -> tuple[str, str]:
    """Checkpoints signed with ``key_files`` and verified with its public key, for this test."""
    monkeypatch.setitem(app.config, "AUDIT_SIGNING_KEY_FILE", key_files[0])
    monkeypatch.setitem(app.config, "AUDIT_VERIFY_KEY_FILE", key_files[1])
    return key_files
