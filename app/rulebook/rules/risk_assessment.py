"""风险评估 (713号令 arts. 22–24): a decision goes ahead only when its risk is controllable."""

from __future__ import annotations

from collections.abc import Iterator

from ..labels import CONCLUSION_EN, CONCLUSION_ZH
from ..vocabulary import RiskConclusion, RiskLevel, Severity, StepKind
from .base import REG, Context, Issue, active, filled, rule

RA = StepKind.RISK_ASSESSMENT

_NOT_CONTROLLABLE = (RiskConclusion.ADJUST, RiskConclusion.SUSPEND)


@rule(
    "RA-01",
    Severity.BLOCKER,
    RA,
    citation=f"{REG}第二十三条、第二十四条",
    title_zh="风险不可控",
    title_en="Risk not controllable",
)
def risk_controllable(ctx: Context) -> Iterator[Issue]:
    """An uncontrollable risk must be brought under control (e.g. by changing the draft) before deciding."""
    step = ctx.step(RA)
    if not active(step):
        return
    problems: list[tuple[str, str]] = []
    if step.get("risk_level") == RiskLevel.HIGH and not filled(step.get("mitigation")):
        problems.append(("风险等级为高，但未提出风险防范措施", "the risk level is high but no mitigation is recorded"))
    conclusion = step.get("conclusion")
    if conclusion in _NOT_CONTROLLABLE:
        problems.append(
            (
                f"风险评估结论为“{CONCLUSION_ZH[RiskConclusion(conclusion)]}”",
                f"the assessment concluded '{CONCLUSION_EN[RiskConclusion(conclusion)]}'",
            )
        )
    if problems:
        yield Issue(
            "风险不可控，须调整决策草案等确保风险可控后方可提请决策：" + "；".join(zh for zh, _ in problems),
            "The risk is not controllable; the draft must be changed until it is before the decision "
            "goes to the meeting: " + "; ".join(en for _, en in problems),
        )
