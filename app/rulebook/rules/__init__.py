"""The rule catalogue (DESIGN §3): every rule by id, in catalogue order."""

from __future__ import annotations

from types import MappingProxyType

# Importing a rule module registers its rules.
from . import (  # noqa: F401
    catalogue,
    collective_decision,
    expert_review,
    general,
    legality_review,
    public_participation,
    publication,
    record,
    risk_assessment,
)
from .base import REGISTRY, CatalogueContext, Context, Issue, Rule

#: The catalogue ids, in the order of DESIGN §3; part of the API.
CATALOGUE: tuple[str, ...] = (
    "GEN-01", "GEN-02",
    "PP-01", "PP-02", "PP-03",
    "ER-01", "ER-02", "ER-03",
    "RA-01",
    "LR-01", "LR-02", "LR-03", "LR-04", "LR-05",
    "CD-01", "CD-02", "CD-03", "CD-04", "CD-05", "CD-06", "CD-07", "CD-08",
    "PUB-01",
    "EVD-01",
    "GEN-03",
    "REC-01", "REC-02",
    "CAT-01", "CAT-02", "CAT-03",
)  # fmt: skip

if set(REGISTRY) != set(CATALOGUE):  # pragma: no cover - guards the catalogue against a stray edit
    raise RuntimeError(f"rule modules and catalogue disagree: {sorted(set(REGISTRY) ^ set(CATALOGUE))}")

RULES: MappingProxyType[str, Rule] = MappingProxyType({rule_id: REGISTRY[rule_id] for rule_id in CATALOGUE})

__all__ = ["CATALOGUE", "RULES", "CatalogueContext", "Context", "Issue", "Rule"]
