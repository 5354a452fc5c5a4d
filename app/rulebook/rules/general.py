"""Rules about the procedures as a whole: which are missing, lawful exemptions, evidence on file."""

from __future__ import annotations

from collections.abc import Iterator

from ..labels import STEP_EN, STEP_STATUS_EN, STEP_STATUS_ZH, STEP_ZH
from ..vocabulary import EXEMPTIBLE_STEPS, Category, Severity, StepKind, StepStatus
from .base import REG, Context, Issue, rule

#: The article that establishes each procedure, cited when it is missing.
STEP_ARTICLE: dict[StepKind, str] = {
    StepKind.PUBLIC_PARTICIPATION: f"{REG}第十四条",
    StepKind.EXPERT_REVIEW: f"{REG}第十九条",
    StepKind.RISK_ASSESSMENT: f"{REG}第二十二条",
    StepKind.LEGALITY_REVIEW: f"{REG}第二十五条",
    StepKind.COLLECTIVE_DECISION: f"{REG}第三十条",
}


@rule(
    "GEN-01",
    Severity.BLOCKER,
    None,
    citation=f"{REG}第二章、第三章",
    title_zh="必经程序未履行",
    title_en="A required procedure is missing",
)
def required_step_missing(ctx: Context) -> Iterator[Issue]:
    """A decision stands only once every procedure the profile requires is done or lawfully set aside."""
    for kind in ctx.profile.required_steps(ctx.snapshot.category):
        step = ctx.step(kind)
        if not step.is_done:
            yield Issue(
                f"{STEP_ZH[kind]}程序尚未完成，也未依法免除（当前状态：{STEP_STATUS_ZH[step.status]}）",
                f"The {STEP_EN[kind]} step is neither completed nor exempted (status: {STEP_STATUS_EN[step.status]})",
                step=kind,
                citation=STEP_ARTICLE[kind],
            )


@rule(
    "GEN-02",
    Severity.BLOCKER,
    None,
    citation=f"{REG}第十四条、第十九条、第二十二条",
    title_zh="程序免除不合法",
    title_en="An exemption is not lawful",
)
def unlawful_exemption(ctx: Context) -> Iterator[Issue]:
    """Only the three conditional procedures may be set aside, and only with a stated reason and legal basis."""
    for kind in StepKind:
        step = ctx.step(kind)
        if step.status != StepStatus.EXEMPTED:
            continue
        if kind not in EXEMPTIBLE_STEPS:
            yield Issue(
                f"{STEP_ZH[kind]}是法定必经程序，不得免除；只有公众参与、专家论证、风险评估可依法免除",
                f"The {STEP_EN[kind]} step cannot be exempted; only public participation, expert review "
                "and risk assessment can",
                step=kind,
            )
            continue
        missing = [
            (zh, en)
            for value, zh, en in (
                (step.exemption_reason, "免除理由", "reason"),
                (step.exemption_basis, "法律依据", "legal basis"),
            )
            if value is None or not value.strip()
        ]
        if missing:
            yield Issue(
                f"免除{STEP_ZH[kind]}程序未载明{'和'.join(zh for zh, _ in missing)}",
                f"The exemption of the {STEP_EN[kind]} step states no {' and no '.join(en for _, en in missing)}",
                step=kind,
            )


@rule(
    "EVD-01",
    Severity.WARNING,
    None,
    citation=f"{REG}第三十三条",
    title_zh="程序证明材料未归档",
    title_en="No evidence file for a completed step",
)
def evidence_missing(ctx: Context) -> Iterator[Issue]:
    """The records of each procedure must be archived completely, so a completed step needs a file."""
    for kind in StepKind:
        step = ctx.step(kind)
        if step.status == StepStatus.COMPLETED and step.evidence_count <= 0:
            yield Issue(
                f"{STEP_ZH[kind]}程序已完成，但未上传任何证明材料",
                f"The {STEP_EN[kind]} step is completed but has no evidence file",
                step=kind,
            )


#: The categories whose 事项清单 standard is a money threshold.
MONEY_CATEGORIES = (Category.MAJOR_PROJECT, Category.LARGE_FUND)


@rule(
    "GEN-03",
    Severity.VIOLATION,
    None,
    citation="“三重一大”决策制度（大额度资金标准）",
    title_zh="重大项目或大额资金未载明金额",
    title_en="A major project or large fund states no amount",
)
def amount_missing(ctx: Context) -> Iterator[Issue]:
    """Whether a project or a fund use is "major" is judged by its amount, so the ledger must state it."""
    if ctx.snapshot.category in MONEY_CATEGORIES and ctx.snapshot.amount_cny is None:
        yield Issue(
            "重大项目安排或大额度资金使用事项未载明金额",
            "A major project or large fund decision states no amount (amount_cny)",
        )
