"""The demo's decisions: 白甸镇's 2024 ledger and the 2025 cases, each with the facts its forms would send.

The 47 decisions of 2024 satisfy every rule; each 2025 case changes its plan
(``tweak``) or acts after its stages (``after``) to show one kind of finding
(DESIGN §3), so the demo has something to show for every rule that can stand
on a decision. ``app.demo.load`` runs them through the workflow services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.clock import TIMEZONE
from app.models import Decision, User
from app.rulebook import WorkdayCalendar
from app.rulebook.vocabulary import Category, StepKind
from app.services.compliance import refresh_summary
from app.services.decisions import submit_decision, update_decision
from app.services.errors import RuleBlocked

from .dates import next_workday

MM, CA, MP, LF = Category.MAJOR_MATTER, Category.CADRE_APPOINTMENT, Category.MAJOR_PROJECT, Category.LARGE_FUND

#: The 2024 ledger: title, category, department, amount in 万元 (projects and funds).
LEDGER_2024: tuple[tuple[str, Category, str, int | None], ...] = (
    ("关于白甸镇2024年度财政预算调整的决定", MM, "财政所", None),
    ("关于任免白甸镇村（社区）干部的决定", CA, "党政办", None),
    ("白甸镇农桥建设工程相关事宜", MP, "建设局", 125),
    ("白甸镇农村人居环境整治项目资金使用", LF, "农业农村局", 86),
    ("白甸镇国土空间总体规划实施方案", MM, "自然资源所", None),
    ("关于白甸镇机关中层干部岗位调整的决定", CA, "党政办", None),
    ("白甸镇镇区污水管网改造工程", MP, "建设局", 368),
    ("白甸镇2024年度村级公益事业“一事一议”财政奖补资金安排", LF, "财政所", 152),
    ("白甸镇农村集体经营性建设用地入市管理办法", MM, "自然资源所", None),
    ("关于聘任白甸镇便民服务中心主任的决定", CA, "党政办", None),
    ("白甸镇高标准农田建设项目", MP, "农业农村局", 890),
    ("白甸镇困难群众临时救助资金使用", LF, "社会事业局", 48),
    ("白甸镇2024年度重点工作目标责任制考核办法", MM, "党政办", None),
    ("关于白甸镇各村（社区）后备干部人选的决定", CA, "党政办", None),
    ("白甸镇中心小学教学楼加固改造工程", MP, "社会事业局", 215),
    ("白甸镇农业保险保费补贴资金安排", LF, "农业农村局", 63),
    ("白甸镇城乡居民最低生活保障实施细则", MM, "社会事业局", None),
    ("关于调整白甸镇事业单位负责人的决定", CA, "党政办", None),
    ("白甸镇农村公路提档升级工程", MP, "建设局", 460),
    ("白甸镇防汛抗旱物资储备资金使用", LF, "农业农村局", 35),
    ("白甸镇河长制工作实施方案", MM, "农业农村局", None),
    ("关于白甸镇网格长任免的决定", CA, "社会事业局", None),
    ("白甸镇文体活动中心建设项目", MP, "社会事业局", 530),
    ("白甸镇村级集体经济发展扶持资金安排", LF, "农业农村局", 120),
    ("白甸镇农村宅基地管理暂行办法", MM, "自然资源所", None),
    ("关于任命白甸镇财政所副所长的决定", CA, "党政办", None),
    ("白甸镇区域供水管网延伸工程", MP, "建设局", 276),
    ("白甸镇老年人助餐服务补贴资金使用", LF, "社会事业局", 42),
    ("关于白甸镇村级组织运转经费保障办法的决定", MM, "财政所", None),
    ("关于白甸镇村（社区）党组织书记轮岗交流的决定", CA, "党政办", None),
    ("白甸镇现代渔业产业园基础设施项目", MP, "农业农村局", 640),
    ("白甸镇秸秆综合利用补助资金使用", LF, "农业农村局", 28),
    ("白甸镇养老服务设施布局规划", MM, "社会事业局", None),
    ("关于任免白甸镇农业综合服务中心负责人的决定", CA, "农业农村局", None),
    ("白甸镇卫生院门诊楼改扩建工程", MP, "社会事业局", 720),
    ("白甸镇镇村公益性岗位补贴资金安排", LF, "社会事业局", 56),
    ("白甸镇农贸市场管理体制调整方案", MM, "经济发展局", None),
    ("关于白甸镇试用期满干部转正定级的决定", CA, "党政办", None),
    ("白甸镇镇区道路亮化工程", MP, "建设局", 188),
    ("白甸镇政府购买公共服务资金安排", LF, "财政所", 95),
    ("白甸镇安全生产委员会工作规则", MM, "应急管理办", None),
    ("白甸镇农村生活垃圾分类收运设施建设项目", MP, "建设局", 236),
    ("白甸镇耕地地力保护补贴资金发放", LF, "农业农村局", 310),
    ("关于白甸镇2025年度财政预算草案的决定", MM, "财政所", None),
    ("白甸镇河道疏浚整治工程", MP, "农业农村局", 345),
    ("白甸镇农村危房改造补助资金使用", LF, "建设局", 74),
    ("白甸镇消防设施更新购置资金使用", LF, "应急管理办", 39),
)

EXPERTS: dict[Category, tuple[tuple[str, str, str], ...]] = {
    MM: (
        ("周立新", "行政法学", "南通大学法学院"),
        ("钱慧", "公共管理", "江苏省委党校"),
        ("沈建军", "财政学", "南京财经大学"),
        ("陆雯", "城乡规划", "南通市规划设计院"),
        ("顾永强", "社会学", "扬州大学"),
    ),
    CA: (
        ("严国庆", "组织人事管理", "海安市委党校"),
        ("葛静", "人力资源管理", "南通大学商学院"),
        ("缪红", "基层治理", "江苏省社会科学院"),
        ("冒建华", "行政管理", "南通职业大学"),
    ),
    MP: (
        ("张国栋", "桥梁与道路工程", "南通大学交通与土木工程学院"),
        ("李秀英", "水利工程", "河海大学"),
        ("王海峰", "工程造价", "海安市工程造价管理站"),
        ("邵明", "环境工程", "南通市环境科学研究所"),
        ("季春林", "建筑结构", "江苏省建筑设计研究院"),
    ),
    LF: (
        ("沈建军", "财政学", "南京财经大学"),
        ("陈丽华", "会计与审计", "海安市审计事务所"),
        ("吴振宇", "农业经济", "扬州大学农学院"),
        ("许芳", "社会保障", "南通大学经济与管理学院"),
    ),
}

#: 镇政府常务会议 (principal: the town head) and 镇党委会 (principal: the Party secretary), principal last.
EXECUTIVE_MEMBERS = ("副镇长 刘建华", "副镇长 孙丽", "副镇长 周海军", "党政办主任 吴静", "财政所所长 郑强",
                     "人大主席 何志明", "镇长 徐国平")
COMMITTEE_MEMBERS = ("党委副书记 马文斌", "纪委书记 高雪梅", "组织委员 林涛", "宣传委员 黄丽娟", "武装部长 赵刚",
                     "副镇长 刘建华", "副镇长 孙丽", "镇长 徐国平", "党委书记 朱明")

RISK_TYPES: dict[Category, list[str]] = {
    MM: ["social_stability", "economic"],
    CA: ["social_stability"],
    MP: ["public_safety", "environment", "social_stability"],
    LF: ["fiscal"],
}

STAGES = (
    "public_participation", "expert_review", "risk_assessment", "submit_for_review", "sign", "submit", "meeting",
    "publish", "archive",
)  # fmt: skip


@dataclass
class Plan:
    """The facts of one decision's procedures, as the forms would send them."""

    public_participation: dict[str, Any]
    expert_review: dict[str, Any]
    risk_assessment: dict[str, Any]
    submitted_on: date
    signature: dict[str, Any]
    meeting: dict[str, Any]
    published_on: date


@dataclass
class Case:
    """One demo decision: what it is, how far it gets, and what is done differently."""

    title: str
    category: Category
    department: str
    amount_wan: int | None = None
    until: str | None = "archive"
    #: Changes the plan to produce the finding the case shows.
    tweak: Callable[[Plan, WorkdayCalendar], None] | None = None
    #: Upload an evidence file for each completed step.
    evidence: bool = True
    #: Runs after the stages (the LR-04 and LR-05 cases).
    after: Callable[[dict[str, User], Decision], None] | None = None
    #: The rule the case is there to show (for the summary and the tests).
    shows: str | None = None
    exempt: dict[StepKind, tuple[str, str]] = field(default_factory=dict)
    #: 补录: the decision is entered after the fact, with this reason (REC-02).
    backfill_reason: str | None = None


def _iso(day: date) -> str:
    return day.isoformat()


def _members(category: Category) -> tuple[tuple[str, ...], str]:
    if category == CA:
        return COMMITTEE_MEMBERS, "party_committee"
    return EXECUTIVE_MEMBERS, "government_executive"


def _opinions(members: tuple[str, ...], present: int, index: int) -> list[dict[str, Any]]:
    """The members present, in speaking order with the principal last; now and then a recorded dissent."""
    absent = set()
    others = list(members[:-1])
    for k in range(len(members) - present):
        absent.add(others[(index + 3 * k) % len(others)])
    speakers = [m for m in others if m not in absent]
    opinions: list[dict[str, Any]] = [{"member": m, "position": "agree"} for m in speakers]
    if index % 5 == 2:
        opinions[index % len(opinions)] = {"member": opinions[index % len(opinions)]["member"],
                                           "position": "disagree", "remarks": "建议进一步压缩投资规模，分期实施"}
    elif index % 7 == 3:
        opinions[-1] = {"member": opinions[-1]["member"], "position": "abstain", "remarks": "对该事项不熟悉，弃权"}
    opinions.append({"member": members[-1], "position": "agree", "is_principal": True})
    return opinions


def summary_text(title: str, category: Category, department: str, amount_wan: int | None) -> str:
    """The decision's one-line summary, worded as a town government would for its category."""
    if category == CA:
        matter = title.removeprefix("关于").removesuffix("的决定")
        return f"{matter}，由{department}提出人选建议，经组织考察后提请镇党委会讨论决定。"
    if amount_wan is not None:
        return f"{title}，资金总额约{amount_wan}万元，由白甸镇{department}组织实施，资金纳入镇级财政预算统筹安排。"
    return f"{title}，由白甸镇{department}牵头起草，经公开征求意见、专家论证、风险评估和合法性审查后提请集体讨论。"


def draft_text(title: str, category: Category, department: str, amount_wan: int | None) -> str:
    """A short draft decision in the usual numbered form, so the draft diff and LR-05 have text to compare."""
    lines = [
        f"{title}（草案）",
        "",
        f"一、决策事项：{title.removeprefix('关于').removesuffix('的决定')}。",
        f"二、承办单位：白甸镇{department}。",
        f"三、主要内容：{summary_text(title, category, department, amount_wan)}",
    ]
    if amount_wan is not None:
        lines.append(f"四、资金安排：总额{amount_wan}万元，按工程进度或发放进度分期拨付，专款专用，接受审计监督。")
    lines.append("五、本决定自公布之日起施行。")
    return "\n".join(lines)


def make_plan(category: Category, start: date, index: int, calendar: WorkdayCalendar) -> Plan:
    """Facts that satisfy every rule: ≥ 30 comment days, 3+ independent experts, ≥ 7 review workdays, quorum."""
    end = start + timedelta(days=29 + 5 * (index % 3))
    published_feedback = end + timedelta(days=3)
    received = 6 + (index * 7) % 23
    if category == CA:
        participation = {
            "status": "completed", "method": "symposium", "comments_received": received,
            "comments_adopted": received * 2 // 3,
            "feedback_summary": f"召开民主推荐座谈会，收到意见{received}条，已汇总反馈并在镇政务公开栏公示",
            "feedback_published_on": _iso(published_feedback), "completed_on": _iso(published_feedback),
        }
    else:
        participation = {
            "status": "completed", "method": "online_comment", "comment_start": _iso(start), "comment_end": _iso(end),
            "comments_received": received, "comments_adopted": received // 3,
            "feedback_summary": f"共收到意见{received}条，采纳{received // 3}条，未采纳意见已逐条说明理由",
            "feedback_published_on": _iso(published_feedback), "completed_on": _iso(published_feedback),
        }
    pool = EXPERTS[category]
    experts = [
        {"name": name, "field": field_, "institution": institution, "no_conflict": True}
        for name, field_, institution in (pool[(index + k) % len(pool)] for k in range(3 + index % 2))
    ]
    review_day = next_workday(end + timedelta(days=5), calendar)
    expert_review = {
        "status": "completed", "method": "meeting" if index % 3 else "written", "review_date": _iso(review_day),
        "opinion_text": "专家组认为决策草案依据充分、方案可行，建议细化实施步骤和监督措施。",
        "opinion_signed": True, "completed_on": _iso(review_day), "experts": experts,
    }
    if index % 4 == 1:
        expert_review["dissent"] = "一名专家建议对实施期限作进一步论证。"
    assessed = next_workday(end + timedelta(days=8), calendar)
    medium = index % 3 == 0
    risk = {
        "status": "completed", "risk_types": RISK_TYPES[category], "risk_level": "medium" if medium else "low",
        "risk_points": "实施过程中可能引发部分群众诉求，资金使用需防范廉政风险",
        "mitigation": "建立群众诉求快速响应机制，资金实行专户管理、全程审计",
        "contingency_plan": "成立工作专班，制定信访稳控应急预案",
        "conclusion": "proceed_with_measures" if medium else "proceed",
        "assessed_on": _iso(assessed), "completed_on": _iso(assessed),
    }
    submitted = next_workday(assessed + timedelta(days=2), calendar)
    reviewed, _years = calendar.add_workdays(submitted, 8 + index % 4)
    with_changes = index % 6 == 5
    signature = {
        "opinion": "lawful_with_changes" if with_changes else "lawful",
        "opinion_text": ("决策草案符合法律法规规定，建议对第四条资金拨付程序的表述作文字修改。" if with_changes
                         else "经审查，决策事项在法定权限内，程序符合规定，内容不违反法律法规。"),
        "reviewed_on": _iso(reviewed),
    }
    meeting_day = next_workday(reviewed + timedelta(days=4 + index % 5), calendar)
    members, meeting_type = _members(category)
    present = len(members) - (index % 2)
    prefix = "白委纪" if category == CA else "白政纪"
    meeting = {
        "status": "completed", "meeting_type": meeting_type, "meeting_date": _iso(meeting_day),
        "members_total": len(members), "members_present": present, "outcome": "approved",
        "minutes_ref": f"{prefix}〔{meeting_day.year}〕{index + 1}号",
        "opinions": _opinions(members, present, index),
    }
    published = meeting_day + timedelta(days=5 + index % 4)
    return Plan(participation, expert_review, risk, submitted, signature, meeting, published)


# -- the tweaks that make each 2025 case show its finding ----------------------------------------------


def _short_period(plan: Plan, _calendar: WorkdayCalendar) -> None:
    start = date.fromisoformat(plan.public_participation["comment_start"])
    plan.public_participation["comment_end"] = _iso(start + timedelta(days=19))  # 20 days, no reason


def _late_hearing_materials(plan: Plan, _calendar: WorkdayCalendar) -> None:
    pp = plan.public_participation
    hearing = date.fromisoformat(pp["comment_end"]) - timedelta(days=6)
    pp.update(method="hearing", hearing_date=_iso(hearing), materials_sent_on=_iso(hearing - timedelta(days=3)))
    pp["feedback_summary"] = "召开听证会，听证参加人18名，发表意见11条，采纳4条"


def _conflicted_expert(plan: Plan, _calendar: WorkdayCalendar) -> None:
    plan.expert_review["experts"][1] = {"name": "蒋志远", "field": "光伏工程",
                                        "institution": "项目拟选设计单位江苏华能设计院", "no_conflict": False}


def _unsigned_opinion(plan: Plan, _calendar: WorkdayCalendar) -> None:
    plan.expert_review["opinion_signed"] = False


def _two_experts(plan: Plan, _calendar: WorkdayCalendar) -> None:
    plan.expert_review["experts"] = plan.expert_review["experts"][:2]


def _high_risk(plan: Plan, _calendar: WorkdayCalendar) -> None:
    plan.risk_assessment.update(risk_level="high", mitigation=None, conclusion="proceed",
                                risk_points="涉及多户居民利益协调，低层住户反对意见集中，可能引发群体性信访")


def _short_review(plan: Plan, calendar: WorkdayCalendar) -> None:
    reviewed, _years = calendar.add_workdays(plan.submitted_on, 4)
    plan.signature["reviewed_on"] = _iso(reviewed)


def _unlawful(plan: Plan, _calendar: WorkdayCalendar) -> None:
    plan.signature.update(opinion="unlawful",
                          opinion_text="草案第三条擅自提高征收补偿标准的计算基数，与《中华人民共和国土地管理法》"
                                       "第四十八条及省定区片综合地价不符，不具备合法性。")


def _no_quorum(plan: Plan, _calendar: WorkdayCalendar) -> None:
    members = EXECUTIVE_MEMBERS
    plan.meeting.update(members_present=3, opinions=[
        {"member": members[0], "position": "agree"}, {"member": members[3], "position": "agree"},
        {"member": members[-1], "position": "agree", "is_principal": True},
    ])


def _principal_not_last(plan: Plan, _calendar: WorkdayCalendar) -> None:
    opinions = plan.meeting["opinions"]
    principal = opinions.pop()
    opinions.insert(2, principal)


def _silent_dissent(plan: Plan, _calendar: WorkdayCalendar) -> None:
    plan.meeting["opinions"][1] = {"member": plan.meeting["opinions"][1]["member"], "position": "disagree"}


def _meeting_before_review(plan: Plan, calendar: WorkdayCalendar) -> None:
    reviewed = date.fromisoformat(plan.signature["reviewed_on"])
    day = reviewed - timedelta(days=2)
    while not calendar.is_workday(day):
        day -= timedelta(days=1)
    plan.meeting["meeting_date"] = _iso(day)
    plan.published_on = reviewed + timedelta(days=5)


def _appointment_minority(plan: Plan, _calendar: WorkdayCalendar) -> None:
    members = COMMITTEE_MEMBERS
    positions = ("agree", "abstain", "agree", "abstain", "agree", "abstain")
    opinions = [{"member": m, "position": p, "remarks": "对人选情况了解不够" if p == "abstain" else None}
                for m, p in zip(members[:6], positions, strict=True)]
    opinions.append({"member": members[-1], "position": "agree", "is_principal": True})
    plan.meeting.update(members_present=7, opinions=opinions)


def _recused_spoke(plan: Plan, _calendar: WorkdayCalendar) -> None:
    opinions = plan.meeting["opinions"]
    opinions[2] = {"member": opinions[2]["member"], "position": "agree", "recused": True,
                   "remarks": "拟任人选系本人近亲属，已申请回避"}


def _overruled_majority(plan: Plan, _calendar: WorkdayCalendar) -> None:
    plan.meeting["outcome"] = "rejected"


def _late_publication(plan: Plan, _calendar: WorkdayCalendar) -> None:
    plan.published_on = date.fromisoformat(plan.meeting["meeting_date"]) + timedelta(days=45)


def _late_feedback(plan: Plan, _calendar: WorkdayCalendar) -> None:
    day = date.fromisoformat(plan.meeting["meeting_date"]) + timedelta(days=2)
    plan.public_participation["feedback_published_on"] = _iso(day)
    plan.published_on = day + timedelta(days=3)


def _revise_after_signature(users: dict[str, User], decision: Decision) -> None:
    """LR-05: the clerk changes the draft after the adviser signed it."""
    text = decision.drafts[-1].text + "\n六、扶持资金对新建民宿的补助标准由每间5000元提高至8000元。"
    update_decision(users["clerk"], decision, {"draft_text": text, "version": decision.version})


def _submission_recorded_late(users: dict[str, User], decision: Decision) -> None:
    """REC-01: the meeting is stated as held before the decision was submitted for discussion in the system."""
    meeting = decision.step(StepKind.COLLECTIVE_DECISION).meeting_date
    decision.submitted_at = at_local(meeting + timedelta(days=9), hour=9)
    refresh_summary(decision)


def _try_submit(users: dict[str, User], decision: Decision) -> None:
    """LR-04: an unlawful draft is refused at submission; the decision stays in preparation."""
    try:
        submit_decision(users["clerk"], decision)
    except RuleBlocked as refused:
        if not any(f.rule == "LR-04" for f in refused.findings):
            raise
    else:  # pragma: no cover - the rulebook must refuse it
        raise RuntimeError("the unlawful draft was submitted")


ER_EXEMPTION = (
    "本事项为机关内部管理制度修订，不属于专业性、技术性较强的决策事项，无需组织专家论证",
    "《重大行政决策程序暂行条例》第十九条",
)

#: 2025: each case shows the rule in ``shows`` (the last two are complete, with warnings only or an exemption).
CASES_2025: tuple[Case, ...] = (
    Case("白甸镇集镇区机动车停放管理办法", MM, "综合执法局", until="risk_assessment", tweak=_short_period,
         shows="PP-01"),
    Case("白甸镇垃圾中转站选址建设项目", MP, "建设局", 280, until="risk_assessment", tweak=_late_hearing_materials,
         shows="PP-03"),
    Case("白甸镇屋顶分布式光伏发电项目", MP, "经济发展局", 450, until="risk_assessment", tweak=_conflicted_expert,
         shows="ER-02"),
    Case("白甸镇农田水利设施管护资金使用", LF, "农业农村局", 66, until="risk_assessment", tweak=_unsigned_opinion,
         shows="ER-03"),
    Case("白甸镇老旧小区加装电梯补助办法", MM, "社会事业局", until="risk_assessment", tweak=_high_risk,
         shows="RA-01"),
    Case("白甸镇村级公益性公墓建设项目", MP, "社会事业局", 160, until="sign", tweak=_short_review, shows="LR-03"),
    Case("白甸镇集体土地征收补偿标准调整方案", MM, "自然资源所", until="sign", tweak=_unlawful, after=_try_submit,
         shows="LR-04"),
    Case("白甸镇文化旅游发展扶持资金管理办法", LF, "经济发展局", 200, until="sign", after=_revise_after_signature,
         shows="LR-05"),
    Case("白甸镇镇区绿化提升工程", MP, "建设局", 175, until="meeting", tweak=_no_quorum, shows="CD-02"),
    Case("白甸镇农村饮用水安全保障资金使用", LF, "农业农村局", 58, until="meeting", tweak=_principal_not_last,
         shows="CD-03"),
    Case("白甸镇农贸市场改造提升工程", MP, "经济发展局", 310, until="meeting", tweak=_silent_dissent, shows="CD-04"),
    Case("关于白甸镇2025年度财政预算调整的决定", MM, "财政所", until="meeting", tweak=_meeting_before_review,
         shows="CD-05"),
    Case("关于任免白甸镇村（社区）后备干部的决定", CA, "党政办", until="meeting", tweak=_appointment_minority,
         shows="CD-06"),
    Case("关于白甸镇机关干部交流任职的决定", CA, "党政办", until="meeting", tweak=_recused_spoke, shows="CD-07"),
    Case("白甸镇招商引资奖励资金兑现方案", LF, "经济发展局", 260, until="meeting", tweak=_overruled_majority,
         shows="CD-08"),
    Case("白甸镇义务教育学校校车服务补助资金使用", LF, "社会事业局", 84, until="publish", tweak=_late_publication,
         shows="PUB-01"),
    Case("白甸镇河道保洁长效管理方案", MM, "农业农村局", until="publish", tweak=_late_feedback, shows="PP-02"),
    Case("白甸镇乡村振兴示范村创建项目", MP, "农业农村局", 380, until="publish", tweak=_two_experts, shows="ER-01"),
    Case("白甸镇残疾人两项补贴资金发放", LF, "社会事业局", 47, until="publish", evidence=False, shows="EVD-01",
         exempt={StepKind.RISK_ASSESSMENT: ("", "")}),  # the catalogue item leaves it out: cited, no reason typed
    Case("白甸镇机关事务管理办法", MM, "党政办", until="publish", shows="exemption",
         exempt={StepKind.EXPERT_REVIEW: ER_EXEMPTION}),
    Case("白甸镇2026年度为民办实事项目安排", MM, "党政办", until=None, shows="GEN-01"),
    Case("白甸镇农村公共厕所改造项目", MP, "建设局", None, until="risk_assessment", shows="GEN-03"),
    Case("白甸镇村级活动阵地提升工程", MP, "建设局", 96, until="meeting", after=_submission_recorded_late,
         shows="REC-01"),
    Case("白甸镇农村道路养护资金使用", LF, "建设局", 52, until="publish", shows="REC-02",
         backfill_reason="系统上线前已办结，依据纸质台账和会议纪要补录"),
)


def at_local(day: date, hour: int = 9) -> datetime:
    """A Beijing-time moment of ``day``, as the system would have stamped it then."""
    return datetime.combine(day, time(hour), TIMEZONE).astimezone(UTC)


def ledger_cases() -> list[Case]:
    """The 47 complete 2024 decisions: most published, every sixth one published and then archived."""
    return [
        Case(title, category, department, amount, until="archive" if index % 6 == 5 else "publish")
        for index, (title, category, department, amount) in enumerate(LEDGER_2024)
    ]
