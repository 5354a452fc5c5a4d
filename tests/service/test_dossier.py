"""The decision dossier (决策档案): the ZIP agrees with its manifest, the PDF says what the record says,
``archive verify`` names a tampered file or event, other organisations get 404, and the demo's year exports whole."""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from app.demo.load import DEMO_PASSWORD, load_demo
from app.models import AuditEvent, Decision, DossierProduction, User
from app.rulebook.labels import STEP_ZH
from app.rulebook.vocabulary import StepKind
from app.services.dossier import MANIFEST, PDF_NAME, produce_dossier

ROOT = Path(__file__).resolve().parents[2]
VERIFY_SCRIPT = ROOT / "tools" / "verify_dossier.py"
REF_NO = "BD-2024-017"


@pytest.fixture
def demo(db, orgs):
    load_demo()
    db.session.commit()
    return db.session.execute(select(Decision).where(Decision.ref_no == REF_NO)).scalar_one()


def _token(client, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    answer = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _flat(text: str) -> str:
    return "".join(text.split())


def test_the_dossier_zip_agrees_with_its_manifest_and_its_pdf_with_the_record(app, db, client, demo, make_user):
    decision_id = demo.id
    meeting = demo.step(StepKind.COLLECTIVE_DECISION)
    members = [opinion.member for opinion in meeting.opinions]
    signed = demo.step(StepKind.LEGALITY_REVIEW).draft_sha256
    assert len(members) >= 3 and signed
    events_before = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.decision_id == decision_id)).scalar_one()
    db.session.commit()

    answer = client.get(f"/api/v1/decisions/{decision_id}/dossier", headers=_token(client, "auditor"))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    assert answer.mimetype == "application/zip"
    assert REF_NO in answer.headers["Content-Disposition"] or "filename*" in answer.headers["Content-Disposition"]

    with zipfile.ZipFile(io.BytesIO(answer.get_data())) as package:
        manifest = json.loads(package.read(MANIFEST))
        names = {name for name in package.namelist() if not name.endswith("/")}
        listed = {entry["name"]: entry for entry in manifest["files"]}
        assert names == {*listed, MANIFEST}
        for name, entry in listed.items():
            data = package.read(name)
            assert (len(data), _sha256(data)) == (entry["size"], entry["sha256"]), name
        evidence = [entry for entry in manifest["files"] if entry["name"] != PDF_NAME]
        assert evidence and all("/" in entry["name"] for entry in evidence)
        assert {entry["name"].split("/")[0] for entry in evidence} <= {
            f"{i:02d}-{STEP_ZH[kind]}" for i, kind in enumerate(StepKind, start=1)}
        pdf = PdfReader(io.BytesIO(package.read(PDF_NAME)))
        text = "\n".join(page.extract_text() for page in pdf.pages)

    segment = manifest["audit"]["segments"][0]
    assert len(segment["events"]) == events_before
    assert manifest["decision"]["ref_no"] == REF_NO and manifest["decision"]["archival_code"].endswith("-0017")

    assert REF_NO in text
    for kind in StepKind:
        assert STEP_ZH[kind] in text
    assert "归档文件目录" in text and manifest["decision"]["archival_code"] in _flat(text)
    statements = text[text.index("组成人员表态"):]
    positions = [statements.index(member) for member in members]
    assert positions == sorted(positions), (members, positions)
    assert signed in _flat(text)

    # Producing it is recorded: the archiving clock's row and an audit event with the manifest's hash.
    production = db.session.execute(select(DossierProduction).where(DossierProduction.decision_id == decision_id)
                                    ).scalar_one()
    event = db.session.execute(select(AuditEvent).where(AuditEvent.decision_id == decision_id,
                                                        AuditEvent.action == "dossier.produce")).scalar_one()
    assert production.manifest_sha256 == event.after_data["manifest_sha256"]
    assert production.manifest_sha256 == _sha256(zipfile.ZipFile(io.BytesIO(answer.get_data())).read(MANIFEST))

    # The archiving clock of /due (art. 33) stops for this decision only.
    from app.services.deadlines import all_deadlines

    waiting = {d.decision_id for d in all_deadlines([demo.organization_id]) if d.deadline == "archiving"}
    assert decision_id not in waiting
    assert waiting, "the demo's other decided decisions still wait for their dossier"

    # Another organisation's reader: 404, nothing recorded.
    outsider = make_user("clerk", org="CD")
    db.session.commit()
    answer = client.get(f"/api/v1/decisions/{decision_id}/dossier",
                        headers=_token(client, outsider.username, "password123"))
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"
    assert db.session.execute(select(func.count()).select_from(DossierProduction)).scalar_one() == 1


def test_the_decision_page_button_downloads_the_dossier(app, db, client, demo, login, make_user):
    decision_id = demo.id
    db.session.commit()  # no read snapshot of the test's own may outlive the requests' writes (SQLite)
    client.post("/login", data={"username": "clerk", "password": DEMO_PASSWORD})
    page = client.get(f"/decisions/{decision_id}")
    assert f"/decisions/{decision_id}/dossier" in page.get_data(as_text=True)
    answer = client.get(f"/decisions/{decision_id}/dossier")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(answer.get_data())).testzip() is None
    outsider = make_user("clerk", org="CD")
    login(outsider)
    assert client.get(f"/decisions/{decision_id}/dossier").status_code == 404


def _rewrite(source: Path, target: Path, change) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, change(info.filename, old.read(info.filename)))


def test_archive_verify_names_the_tampered_file_and_the_tampered_event(app, db, demo, tmp_path):
    auditor = db.session.execute(select(User).where(User.username == "auditor")).scalar_one()
    original = tmp_path / "dossier.zip"
    with original.open("wb") as target:
        produce_dossier(auditor, demo.id, target)
    db.session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["archive", "verify", str(original)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK dossier BD-2024-017")
    assert "hashes compared with this database's trail" in result.output
    script = subprocess.run([sys.executable, str(VERIFY_SCRIPT), str(original)],  # noqa: S603 - our script
                            capture_output=True, text=True, check=False)
    assert script.returncode == 0 and script.stdout.startswith("OK"), script.stdout + script.stderr

    manifest = json.loads(zipfile.ZipFile(original).read(MANIFEST))
    evidence = next(entry["name"] for entry in manifest["files"] if entry["name"] != PDF_NAME)
    changed_file = tmp_path / "file.zip"
    _rewrite(original, changed_file, lambda name, data: data + b"%" if name == evidence else data)
    result = runner.invoke(args=["archive", "verify", str(changed_file)])
    assert result.exit_code == 1
    assert f"MISMATCH file {evidence}: sha256" in result.output

    event = manifest["audit"]["segments"][0]["events"][2]

    def forge(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        forged = json.loads(data)
        forged["audit"]["segments"][0]["events"][2]["actor"] = "someone_else"
        return json.dumps(forged, ensure_ascii=False).encode()

    changed_event = tmp_path / "event.zip"
    _rewrite(original, changed_event, forge)
    for output, code in (
        ((r := runner.invoke(args=["archive", "verify", str(changed_event)])).output, r.exit_code),
        ((s := subprocess.run([sys.executable, str(VERIFY_SCRIPT), str(changed_event)],  # noqa: S603
                              capture_output=True, text=True, check=False)).stdout, s.returncode),
    ):
        assert code == 1
        assert f"MISMATCH event chain {event['chain']} seq {event['seq']} ({event['action']}" in output
        # The manifest itself is no evidence file: the package lists no hash of it, the trail anchors it.
        assert "file manifest.json" not in output

    # A forged event rehashed to agree with itself still differs from the live trail.
    def rehash(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        sys.path.insert(0, str(VERIFY_SCRIPT.parent))
        from verify_dossier import event_hash

        forged = json.loads(data)
        row = forged["audit"]["segments"][0]["events"][-1]
        row["actor"] = "someone_else"
        row["hash"] = event_hash(row)
        return json.dumps(forged, ensure_ascii=False).encode()

    rehashed = tmp_path / "rehashed.zip"
    _rewrite(original, rehashed, rehash)
    result = runner.invoke(args=["archive", "verify", str(rehashed)])
    assert result.exit_code == 1
    assert "the database's trail holds" in result.output
    assert runner.invoke(args=["archive", "verify", "--offline", str(rehashed)]).exit_code == 0


def test_the_year_export_of_the_demo_holds_47_dossiers_and_its_catalogue(app, db, demo, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "BD-2024.zip"
    result = runner.invoke(args=["archive", "export", "--org", "BD", "--year", "2024", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("47 dossiers")
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read(MANIFEST))
        assert manifest["kind"] == "year" and len(manifest["dossiers"]) == 47
        folders = {d["folder"] for d in manifest["dossiers"]}
        assert folders == {name.split("/")[0] + "/" for name in package.namelist() if "/" in name}
        for dossier in manifest["dossiers"]:
            inner = json.loads(package.read(dossier["folder"] + MANIFEST))
            assert inner["decision"]["ref_no"] == dossier["ref_no"]
            assert dossier["folder"] + PDF_NAME in package.namelist()
        sheet = load_workbook(io.BytesIO(package.read("归档文件目录.xlsx")), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("序号", "档号", "文号", "责任者", "题名", "日期", "页数", "密级", "备注")
    assert [row[2] for row in rows[2:]] == [f"BD-2024-{n:03d}" for n in range(1, 48)]
    assert all(len(str(row[5])) == 8 and row[6] >= 5 for row in rows[2:])
    produced = db.session.execute(select(func.count(DossierProduction.decision_id.distinct()))).scalar_one()
    assert produced == 47

    verified = runner.invoke(args=["archive", "verify", str(out)])
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("OK 47 dossiers")

    folder = tmp_path / "folder"
    again = runner.invoke(args=["archive", "export", "--org", "BD", "--year", "2025", "--out", str(folder)])
    assert again.exit_code == 0, again.output
    assert (folder / MANIFEST).is_file() and (folder / "归档文件目录.xlsx").is_file()
    refused = runner.invoke(args=["archive", "export", "--org", "BD", "--year", "2025", "--out", str(folder)])
    assert refused.exit_code == 2 and str(folder) in refused.output  # the folder is not empty
    unknown = runner.invoke(args=["archive", "export", "--org", "ZZ", "--year", "2024", "--out", str(tmp_path / "z")])
    assert unknown.exit_code == 2


def test_the_offline_checker_needs_only_the_standard_library():
    tree = ast.parse(VERIFY_SCRIPT.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= set(sys.stdlib_module_names)


def test_the_dashboard_offers_the_year_archive_and_refuses_what_it_cannot_export(app, db, client, demo):
    db.session.commit()
    client.post("/login", data={"username": "auditor", "password": DEMO_PASSWORD})
    page = client.get("/reports/dashboard?year=2024&org=BD")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    assert 'id="archive-download"' in html and "/archive/BD/2024.zip" in html
    assert "47" in html[html.index('id="archive"'):]
    assert client.get("/archive/CD/2024.zip").status_code == 404  # an organisation outside the auditor's view
    assert client.get("/archive/BD/2031.zip").status_code == 422  # nothing decided that year: nothing written
    assert db.session.execute(select(func.count()).select_from(DossierProduction)).scalar_one() == 0
