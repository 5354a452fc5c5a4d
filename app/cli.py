"""``flask --app wsgi …`` commands; each command is one transaction."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from .database import write_intent
from .extensions import db
from .services.errors import DomainError, ValidationFailed


def _fail(error: DomainError) -> None:
    db.session.rollback()
    if isinstance(error, ValidationFailed):
        for field, message in error.errors.items():
            click.echo(f"error: {field}: {message}", err=True)
    else:
        click.echo(f"error: {error.message}", err=True)
    sys.exit(2)


users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(["clerk", "legal_adviser", "auditor", "admin"]))
@click.option("--org", "org_code", required=True, help="Organisation code, e.g. BD.")
@click.option("--display-name", default=None)
@click.option("--email", default=None, help="Where the deadline reminders go (optional).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(username: str, role: str, org_code: str, display_name: str | None, email: str | None,
                        password: str) -> None:
    """Create a user (the password is asked for unless --password is given)."""
    from .services.admin import check_email
    from .services.users import create_user

    with write_intent():
        try:
            errors: dict[str, str] = {}
            email = check_email(email, errors)
            if errors:
                raise ValidationFailed(errors)
            user = create_user(username, role, org_code, password, display_name, email=email)
        except DomainError as error:
            _fail(error)
        db.session.commit()
    click.echo(f"created {user.username} ({user.role}, {org_code})")


audit_cli = AppGroup("audit", help="The hash-chained audit trail.")


def _chain_labels() -> dict[int, str]:
    from .models import GLOBAL_CHAIN, Organization

    labels = dict(db.session.execute(select(Organization.id, Organization.code)).all())
    labels[GLOBAL_CHAIN] = "global"
    return labels


@audit_cli.command("verify")
@click.option("--org", "org_code", default=None, help="Verify only this organisation's chain, e.g. BD.")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also fail when the chains no longer extend this signed checkpoint.")
@click.option("--public-key", "public_key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM public key that signed the checkpoint (default: AUDIT_VERIFY_KEY_FILE).")
def verify_command(org_code: str | None, checkpoint_file: Path | None, public_key: Path | None) -> None:
    """Walk the chains (or one organisation's); exit 1 at the first broken event or checkpoint not extended."""
    from .models import Organization
    from .services.audit import verify_chain
    from .services.checkpoints import CheckpointError, KeyUnavailable, load_checkpoint, verify_key

    chain = None
    if org_code is not None:
        chain = db.session.execute(select(Organization.id).where(Organization.code == org_code)).scalar()
        if chain is None:
            click.echo(f"error: no organisation {org_code}", err=True)
            sys.exit(2)
    checkpoint = None
    if checkpoint_file is not None:
        try:
            checkpoint = load_checkpoint(checkpoint_file.read_bytes(), verify_key(public_key))
        except KeyUnavailable as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        except CheckpointError as error:
            click.echo(f"BROKEN: {checkpoint_file}: {error}", err=True)
            sys.exit(1)
    started = time.perf_counter()
    report = verify_chain(chain=chain, checkpoint=checkpoint.tips() if checkpoint else None)
    elapsed = time.perf_counter() - started
    labels = _chain_labels()
    if report.ok:
        scope = f"chain {org_code}" if org_code else f"{report.chains} chains"
        extends = f"; they extend the checkpoint of {checkpoint.created_at}" if checkpoint else ""
        click.echo(f"ok: {report.events} events verified ({scope}) in {elapsed:.1f} s{extends}")
        return
    where = f"chain {labels.get(report.chain, report.chain)}"
    if report.first_broken is None:
        click.echo(f"BROKEN: {where}: {report.reason}", err=True)
    else:
        click.echo(f"BROKEN at event {report.first_broken} ({where}): {report.reason} "
                   f"({report.events} events before it are intact)", err=True)
    sys.exit(1)


@audit_cli.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="File to write the checkpoint to (default: standard output).")
def checkpoint_command(out: Path | None) -> None:
    """Sign every chain's tip with AUDIT_SIGNING_KEY_FILE; keep the file where the database cannot reach."""
    from .services.checkpoints import CheckpointError, create_checkpoint

    with write_intent():
        try:
            row, document = create_checkpoint()
        except CheckpointError as error:
            db.session.rollback()
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        db.session.commit()
    if out is None:
        click.echo(document, nl=False)
    else:
        out.write_text(document, encoding="utf-8")
        click.echo(f"checkpoint {row.id} (key {row.key_id}) written to {out}")


@audit_cli.command("keygen")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def keygen_command(file: Path) -> None:
    """Create an Ed25519 signing key FILE (mode 0600) and FILE.pub; point AUDIT_SIGNING_KEY_FILE at it."""
    from .services.checkpoints import CheckpointError, generate_key_files

    try:
        public = generate_key_files(file)
    except CheckpointError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"private key {file} (keep it outside the database and its backups), public key {public}")


calendar_cli = AppGroup("calendar", help="Statutory holidays and make-up workdays.")


@calendar_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calendar_load_command(file: Path) -> None:
    """Load a year's holidays and make-up workdays from a CSV of date,kind rows."""
    from .services.calendar import load_calendar_days

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        click.echo("error: the file is not UTF-8 text", err=True)
        sys.exit(2)
    with write_intent():
        try:
            count = load_calendar_days(text)
        except DomainError as error:
            _fail(error)
        db.session.commit()
    click.echo(f"loaded {count} days")


compliance_cli = AppGroup("compliance", help="The stored compliance summaries.")


@compliance_cli.command("rebuild")
def rebuild_command() -> None:
    """Recompute every decision's stored summary (after a rulebook or profile change)."""
    from .services.compliance import rebuild_all
    from .web import page_cache

    with write_intent():
        count = rebuild_all()
        db.session.commit()
    # A rebuild changes stored summaries without an audit event: the pages' stamps would not see it.
    page_cache.clear()
    click.echo(f"rebuilt {count} decisions")


@compliance_cli.command("statistics")
@click.option("--rebuild", is_flag=True, help="Recount the dashboard counters from the stored summaries.")
@click.option("--check", "check", is_flag=True, help="Compare the counters with a fresh count; exit 1 if they differ.")
@click.option("--org", "org_code", help="Rebuild only this organisation's own decisions (with --rebuild).")
@click.option("--year", type=int, help="Rebuild only this year (with --rebuild).")
def statistics_command(rebuild: bool, check: bool, org_code: str | None, year: int | None) -> None:
    """The rolled-up counters of the dashboards (decision_statistics): recount them, or check them."""
    from .models import Organization
    from .services.statistics import check_statistics, rebuild_statistics

    if not rebuild and not check:
        raise click.UsageError("say --rebuild or --check (or both)")
    if rebuild:
        orgs = None
        if org_code:
            org = db.session.execute(select(Organization).where(Organization.code == org_code)).scalar_one_or_none()
            if org is None:
                raise click.ClickException(f"no organisation {org_code}")
            orgs = [org.id]
        with write_intent():
            result = rebuild_statistics(orgs, None if year is None else [year])
            db.session.commit()
        click.echo(f"recounted: {result.signatures} decisions newly counted, {result.rows} counter rows written")
    if check:
        problems = check_statistics()
        for problem in problems[:50]:
            click.echo(problem, err=True)
        if problems:
            raise click.ClickException(f"{len(problems)} differences between the counters and the stored summaries")
        click.echo("the counters agree with the stored summaries")


@compliance_cli.command("clear-page-cache")
def clear_page_cache_command() -> None:
    """Forget every cached page fragment (after restoring a database: its versions may repeat older ones)."""
    from .web import page_cache

    page_cache.clear()
    click.echo("page cache cleared")


demo_cli = AppGroup("demo", help="Demonstration and benchmark data.")


@demo_cli.command("load")
def demo_load_command() -> None:
    """白甸镇 (under 海安市): 47 complete 2024 decisions, 2025 ones in progress, demo users."""
    from .demo.load import load_demo

    with write_intent():
        summary = load_demo()
        db.session.commit()
    click.echo(summary)


@demo_cli.command("synth")
@click.option("--decisions", "count", type=click.IntRange(1, 5_000_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--townships", type=click.IntRange(1, 100_000), default=None,
              help="Build a province SP > cities > counties > this many townships (10 a county, 10 counties a city), "
                   "with their users, beside the stored organisations, and spread the decisions over it.")
@click.option("--rebuild-indexes/--keep-indexes", "rebuild", default=None,
              help="PostgreSQL: drop the secondary indexes and constraints during the load and build them again "
                   "after, the tables locked against readers meanwhile (default: when loading 50,000 decisions or "
                   "more, and at least as many as are stored).")
def demo_synth_command(count: int, seed: int, townships: int | None, rebuild: bool | None) -> None:
    """Bulk synthetic decisions with steps and audit events, for benchmarks."""
    from .demo.synth import TreeRefused, synthesise

    started = time.perf_counter()
    with write_intent():
        try:
            summary = synthesise(count, seed, townships, rebuild)
        except TreeRefused as error:
            raise click.UsageError(str(error)) from error
    click.echo(f"{summary} in {time.perf_counter() - started:.1f} s")


archive_cli = AppGroup("archive", help="Decision dossiers (决策档案): a year's archive, and checking a package.")


@archive_cli.command("export")
@click.option("--org", "org_code", required=True, help="Organisation code, e.g. BD.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="A .zip file, or a folder (created, or empty) to hold the same files.")
def archive_export_command(org_code: str, year: int, out: Path) -> None:
    """One dossier per decided decision of the year, the 归档文件目录 (XLSX) and a manifest, streamed to OUT."""
    from .services.dossier import export_year_to, resolve_organization

    started = time.perf_counter()
    with write_intent():
        try:
            result = export_year_to(out, resolve_organization(None, org_code), year)
        except DomainError as error:
            _fail(error)
        db.session.commit()
    click.echo(f"{result.dossiers} dossiers, {result.files} files written to {out} "
               f"(manifest sha256 {result.manifest_sha256}) in {time.perf_counter() - started:.1f} s")


@archive_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--offline", is_flag=True, help="Only the package itself, not this database's audit trail.")
def archive_verify_command(file: Path, offline: bool) -> None:
    """Recompute every file's sha256 and the audit chain segment of FILE; name what does not match (exit 1)."""
    from tools.verify_dossier import NotADossier, verify

    from .services.dossier import trail_mismatches

    try:
        problems, summary = verify(str(file))
    except NotADossier as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if not offline:
        trail, compared = trail_mismatches(file)
        problems += trail
        summary += f"; {compared} hashes compared with this database's trail"
    for problem in problems:
        click.echo(f"MISMATCH {problem}")
    click.echo(("BROKEN " if problems else "OK ") + summary)
    sys.exit(1 if problems else 0)


import_cli = AppGroup("import", help="Import a finance ledger or an existing 台账.")


def _import_user(org_code: str, roles: tuple[str, ...]):
    """The organisation's first active user of one of ``roles``: the CLI acts as that account (audited)."""
    from .models import Organization, User

    organization = db.session.execute(select(Organization).where(Organization.code == org_code)).scalar_one_or_none()
    if organization is None:
        click.echo(f"error: no organisation {org_code}", err=True)
        sys.exit(2)
    for role in roles:
        user = db.session.execute(
            select(User).where(User.organization_id == organization.id, User.role == role, User.is_active.is_(True))
            .order_by(User.id).limit(1)
        ).scalar_one_or_none()
        if user is not None:
            return organization, user
    click.echo(f"error: {org_code} has no active {' or '.join(roles)} to import as", err=True)
    sys.exit(2)


def _report_refusals(refused) -> None:
    for refusal in refused:
        click.echo(f"row {refusal.row}: {refusal.field}: {refusal.message}", err=True)


@import_cli.command("payments")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_code", required=True, help="Organisation code, e.g. BD.")
@click.option("--dry-run", is_flag=True, help="Check and show the findings; write nothing.")
def import_payments_command(file: Path, org_code: str, dry_run: bool) -> None:
    """Import a finance ledger (CSV or XLSX) as the organisation's payments, with a row-by-row report."""
    from .services.payment_import import import_payments

    started = time.perf_counter()
    with write_intent():
        organization, user = _import_user(org_code, ("clerk", "auditor"))
        with file.open("rb") as stream:
            try:
                result = import_payments(user, organization, stream, file.name, dry_run=dry_run)
            except DomainError as error:
                _fail(error)
        if result.refused:
            db.session.rollback()
            _report_refusals(result.refused)
            click.echo(f"refused {len(result.refused)} rows: nothing imported", err=True)
            sys.exit(1)
        for row in result.rows:
            state = "already imported" if row.duplicate else "new"
            rules = ", ".join(f.rule for f in row.findings) or "-"
            click.echo(f"row {row.row}: {row.paid_on} {row.voucher_no} {row.payee} {row.amount_cny} {state} {rules}")
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {result.imported} payments ({result.skipped} already imported) "
               f"in {time.perf_counter() - started:.1f} s")


@import_cli.command("ledger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_code", required=True, help="Organisation code, e.g. BD.")
@click.option("--year", type=int, required=True)
@click.option("--reason", default="自原有台账导入（事后补录）", show_default=True,
              help="Why the decisions are entered after the fact (REC-02).")
@click.option("--dry-run", is_flag=True, help="Check and show each decision's findings; write nothing.")
def import_ledger_command(file: Path, org_code: str, year: int, reason: str, dry_run: bool) -> None:
    """Import an existing 台账 (the layout of the ledger export) as backfilled decisions."""
    from .services.ledger_import import import_ledger

    started = time.perf_counter()
    with write_intent():
        _organization, user = _import_user(org_code, ("clerk",))
        with file.open("rb") as stream:
            try:
                result = import_ledger(user, stream, file.name, year, reason, dry_run=dry_run)
            except DomainError as error:
                _fail(error)
        if result.refused:
            db.session.rollback()
            _report_refusals(result.refused)
            click.echo(f"refused {len(result.refused)} rows: nothing imported", err=True)
            sys.exit(1)
        for row in result.rows:
            rules = ", ".join(sorted({f.rule for f in row.findings})) or "-"
            click.echo(f"row {row.row}: {row.ledger_ref} → {row.ref_no} {row.title} {rules}")
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    verb = "would create" if dry_run else "created"
    click.echo(f"{verb} {result.created} decisions in {time.perf_counter() - started:.1f} s")


report_cli = AppGroup("report", help="Reports from the record.")


@report_cli.command("annual")
@click.option("--org", "org_code", required=True, help="Organisation code; its descendants are included.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--docx", "docx_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the paragraph as a Word document.")
def report_annual_command(org_code: str, year: int, docx_path: Path | None) -> None:
    """The annual report's paragraph on major decisions and its figures (法治政府建设年度报告)."""
    import json

    from .services.annual_report import system_annual_report, to_docx

    try:
        report = system_annual_report(org_code, year)
    except DomainError as error:
        _fail(error)
    click.echo(report.text)
    click.echo(json.dumps(report.statistics, ensure_ascii=False, indent=2))
    if docx_path is not None:
        docx_path.write_bytes(to_docx(report))
        click.echo(f"wrote {docx_path}", err=True)


reminders_cli = AppGroup("reminders", help="E-mail reminders of the statutory deadlines.")


@reminders_cli.command("send")
@click.option("--within-days", type=click.IntRange(0, 366), default=None,
              help="Deadlines ending within this many days (default: DUE_WINDOW_DAYS), and those passed.")
def reminders_send_command(within_days: int | None) -> None:
    """E-mail each clerk and legal adviser the deadlines that concern them; once a day per item (for cron).

    Exits 1 when a message could not be delivered (it is tried again by the next run).
    """
    from .services.reminders import send_reminders

    with write_intent():
        report = send_reminders(within_days=within_days)
    click.echo(f"{report.day}: sent {report.sent} messages with {report.items} deadlines")
    for username in report.skipped:
        click.echo(f"skipped {username}: another run sent these deadlines meanwhile")
    for username, reason in report.failed.items():
        click.echo(f"error: {username}: {reason}", err=True)
    if report.failed:
        sys.exit(1)


def register(app: Flask) -> None:
    for group in (users_cli, audit_cli, calendar_cli, compliance_cli, demo_cli, archive_cli, import_cli, report_cli,
                  reminders_cli):
        app.cli.add_command(group)
