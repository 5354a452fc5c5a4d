"""``flask --app wsgi …`` commands; each command is one transaction."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

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
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(username: str, role: str, org_code: str, display_name: str | None, password: str) -> None:
    """Create a user (the password is asked for unless --password is given)."""
    from .services.users import create_user

    with write_intent():
        try:
            user = create_user(username, role, org_code, password, display_name)
        except DomainError as error:
            _fail(error)
        db.session.commit()
    click.echo(f"created {user.username} ({user.role}, {org_code})")


audit_cli = AppGroup("audit", help="The hash-chained audit trail.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Walk the chain; exit 1 at the first broken event."""
    from .services.audit import verify_chain

    started = time.perf_counter()
    report = verify_chain()
    elapsed = time.perf_counter() - started
    if report.ok:
        click.echo(f"ok: {report.events} events verified in {elapsed:.1f} s")
        return
    click.echo(
        f"BROKEN at event {report.first_broken}: {report.reason} ({report.events} events before it are intact)",
        err=True,
    )
    sys.exit(1)


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

    with write_intent():
        count = rebuild_all()
        db.session.commit()
    click.echo(f"rebuilt {count} decisions")


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
def demo_synth_command(count: int, seed: int) -> None:
    """Bulk synthetic decisions with steps and audit events, for benchmarks."""
    from .demo.synth import synthesise

    started = time.perf_counter()
    with write_intent():
        summary = synthesise(count, seed)
    click.echo(f"{summary} in {time.perf_counter() - started:.1f} s")


def register(app: Flask) -> None:
    for group in (users_cli, audit_cli, calendar_cli, compliance_cli, demo_cli):
        app.cli.add_command(group)
