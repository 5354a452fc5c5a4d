"""What a decision dossier's PDF prints, already in words (``dossier.gather`` fills it, ``dossier_pdf`` prints it).

Plain data, apart from the renderer: fpdf2 and its fonts (some 50 MB of a
worker) are loaded with the first dossier, not by every process that imports
the dossier service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CatalogueRow:
    """One line of the 归档文件目录 (DA/T 22-2015): one document of the dossier."""

    number: int
    archival_code: str
    doc_no: str
    responsible: str
    title: str
    day: str  # YYYYMMDD
    pages: str
    secrecy: str
    remarks: str


@dataclass(frozen=True)
class Section:
    """A titled block of the PDF: label/value facts, then optional tables."""

    title: str
    facts: Sequence[tuple[str, str]] = ()
    tables: Sequence[tuple[str, Sequence[str], Sequence[float], Sequence[Sequence[str]]]] = ()
    paragraphs: Sequence[tuple[str, str]] = ()


@dataclass
class DossierContent:
    """Everything the PDF prints, already in words (see ``dossier.gather``)."""

    cover: list[tuple[str, str]]
    heading: str
    catalogue: list[CatalogueRow]
    procedures: list[Section]
    findings: list[tuple[str, str, str, str]]  # rule, severity, message, citation
    drafts: list[Section]
    events: list[tuple[str, str, str, str, str, str]]  # seq, at, actor, action, entity, hash
    footer: str = ""
    notes: list[str] = field(default_factory=list)
