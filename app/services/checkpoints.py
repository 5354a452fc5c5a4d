"""Signed checkpoints of the audit trail: what anchors the hash chains outside the database.

A hash chain alone can be rewritten and rehashed, or cut short, by anyone who
can write to the database. A checkpoint records every chain's tip (event count
and last hash) at a moment and signs it with an Ed25519 key that lives in a
file outside the database (``AUDIT_SIGNING_KEY_FILE``). An auditor keeps the
checkpoint file; ``verify_chain(checkpoint=…)`` then fails when a chain no
longer holds that hash at that position or has fewer events.

The document is JSON; the signature covers the canonical JSON (sorted keys,
no spaces) of every field but ``signature``, so whitespace in the file is free.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.extensions import db
from app.models import GLOBAL_CHAIN, AuditCheckpoint, Organization, User

from .audit import Tip, canonical_json, chain_tips, format_at, record_event

FORMAT = "audit-checkpoint/1"


class CheckpointError(Exception):
    """A checkpoint is malformed, or its signature does not hold for the trusted key."""


class KeyUnavailable(CheckpointError):
    """No key is configured, or the key file cannot be read: a set-up problem, not a broken trail."""


# -- keys ---------------------------------------------------------------------------------------------


def generate_key_files(private_path: Path) -> Path:
    """Write a new Ed25519 private key (PEM, mode 0600) and its public key beside it (``.pub``)."""
    public_path = private_path.with_name(private_path.name + ".pub")
    for path in (private_path, public_path):
        if path.exists():
            raise KeyUnavailable(f"{path} exists already: a signing key is never overwritten")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return public_path


def _read(path: str | os.PathLike, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise KeyUnavailable(f"cannot read the {what} {path}: {error.strerror}") from error


def signing_key() -> Ed25519PrivateKey:
    path = current_app.config.get("AUDIT_SIGNING_KEY_FILE")
    if not path:
        raise KeyUnavailable("AUDIT_SIGNING_KEY_FILE is not set (create a key with `flask audit keygen FILE`)")
    try:
        key = serialization.load_pem_private_key(_read(path, "signing key"), password=None)
    except ValueError as error:
        raise KeyUnavailable(f"{path} is not a PEM private key") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyUnavailable(f"{path} is not an Ed25519 key")
    return key


def verify_key(path: str | os.PathLike | None = None) -> Ed25519PublicKey:
    """The trusted public key: ``path``, else ``AUDIT_VERIFY_KEY_FILE``, else the signing key's own.

    Never the key a checkpoint carries: whoever forges a checkpoint can embed their own.
    """
    path = path or current_app.config.get("AUDIT_VERIFY_KEY_FILE")
    if not path:
        if current_app.config.get("AUDIT_SIGNING_KEY_FILE"):
            return signing_key().public_key()
        raise KeyUnavailable("no verification key: set AUDIT_VERIFY_KEY_FILE or give --public-key")
    try:
        key = serialization.load_pem_public_key(_read(path, "public key"))
    except ValueError as error:
        raise KeyUnavailable(f"{path} is not a PEM public key") from error
    if not isinstance(key, Ed25519PublicKey):
        raise KeyUnavailable(f"{path} is not an Ed25519 key")
    return key


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(key)).hexdigest()[:16]


# -- checkpoints --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainEntry:
    chain: int
    #: The organisation's code, ``None`` for the global chain.
    org: str | None
    events: int
    tip: str


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint whose signature has been checked against a trusted key."""

    created_at: str
    key_id: str
    chains: tuple[ChainEntry, ...]

    @property
    def events(self) -> int:
        return sum(entry.events for entry in self.chains)

    def tips(self) -> dict[int, Tip]:
        return {entry.chain: Tip(entry.events, entry.tip) for entry in self.chains}


def _signed_text(document: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in document.items() if k != "signature"}).encode()


def create_checkpoint(actor: User | None = None, session: Session | None = None) -> tuple[AuditCheckpoint, str]:
    """Sign every chain's tip now, store the document and log it; return the row and the file's text.

    The ``audit.checkpoint`` event goes to the global chain after the tips were
    read, so the checkpoint does not cover itself and the next one covers it.
    """
    session = session or db.session
    key = signing_key()
    public = key.public_key()
    tips = chain_tips(session)  # one statement: one consistent snapshot of all chains
    codes = dict(session.execute(select(Organization.id, Organization.code).where(Organization.id.in_(tips))).all())
    created_at = utcnow()
    document: dict[str, Any] = {
        "format": FORMAT,
        "created_at": format_at(created_at),
        "key_id": key_id(public),
        "public_key": base64.b64encode(_raw(public)).decode(),
        "chains": [{"chain": chain, "org": codes.get(chain), "events": tip.seq, "tip": tip.hash}
                   for chain, tip in sorted(tips.items())],
    }
    document["signature"] = base64.b64encode(key.sign(_signed_text(document))).decode()
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    row = AuditCheckpoint(created_at=created_at, key_id=document["key_id"], document=text)
    session.add(row)
    session.flush()
    record_event(actor, "audit.checkpoint", "audit_checkpoint", row.id, chain=GLOBAL_CHAIN, after={
        "key_id": document["key_id"], "chains": len(tips), "events": sum(t.seq for t in tips.values()),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    })
    return row, text


def load_checkpoint(text: str | bytes, key: Ed25519PublicKey) -> Checkpoint:
    """Parse a checkpoint and check its signature with the trusted ``key``; ``CheckpointError`` if not."""
    try:
        document = json.loads(text)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise CheckpointError(f"not a checkpoint (format {FORMAT} expected)")
        signature = base64.b64decode(document["signature"], validate=True)
        chains = tuple(ChainEntry(int(c["chain"]), c["org"], int(c["events"]), str(c["tip"]))
                       for c in document["chains"])
        created_at, signer = str(document["created_at"]), str(document["key_id"])
    except (ValueError, KeyError, TypeError) as error:
        raise CheckpointError(f"malformed checkpoint: {error}") from error
    if signer != key_id(key):
        raise CheckpointError(f"the checkpoint was signed by key {signer}, not by the trusted key {key_id(key)}")
    try:
        key.verify(signature, _signed_text(document))
    except InvalidSignature as error:
        raise CheckpointError("the checkpoint's signature does not match its content") from error
    return Checkpoint(created_at, signer, chains)


def latest_checkpoint(session: Session | None = None) -> AuditCheckpoint | None:
    session = session or db.session
    return session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).scalar()
