"""Jurisdiction profiles: the numbers and citations a rule reads, per national, provincial or city rule.

A profile is chosen in config. Every value carries its source in a comment, and
``notes`` says plainly which ones are inherited from the national regulation
because the local text could not be confirmed (see RULES-SOURCES.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from .vocabulary import Category, StepKind


@dataclass(frozen=True)
class Quorum:
    """A share of the members (应到会) that must be reached: ``numerator/denominator``.

    ``inclusive`` True means "at least" (≥, 以上), False means "more than" (>, 超过).
    """

    numerator: int
    denominator: int
    inclusive: bool

    def met(self, count: int, total: int) -> bool:
        """Whether ``count`` of ``total`` reaches the share, in integer arithmetic (no rounding)."""
        reached, needed = count * self.denominator, total * self.numerator
        return reached >= needed if self.inclusive else reached > needed

    @property
    def text_zh(self) -> str:
        return f"{'不少于' if self.inclusive else '超过'}应到会人数的{self.numerator}/{self.denominator}"

    @property
    def text_en(self) -> str:
        return f"{'at least' if self.inclusive else 'more than'} {self.numerator}/{self.denominator} of the members"


#: All five procedures, in statutory order.
ALL_STEPS: tuple[StepKind, ...] = tuple(StepKind)

#: Parameters a local profile may change; ``inherited_from_national`` names those it did not.
PARAMETERS: tuple[str, ...] = (
    "comment_period_days",
    "hearing_notice_days",
    "experts_min",
    "review_workdays_min",
    "publish_workdays",
    "archive_days",
    "default_quorum",
    "category_quorums",
    "appointment_majority",
    "required",
)


def _frozen(mapping: Mapping) -> MappingProxyType:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Profile:
    """The parameters and citations of one jurisdiction, read by every rule."""

    name: str
    label_zh: str
    label_en: str
    #: 713号令 art. 15: 公开征求意见的期限一般不少于30日 (calendar days).
    comment_period_days: int = 30
    #: 713号令 art. 16: 听证会材料应当于召开听证会7日前送达.
    hearing_notice_days: int = 7
    #: No statutory number; local practice (ER-01 is only a warning).
    experts_min: int = 3
    #: 713号令 art. 26: 审查时间一般不少于7个工作日.
    review_workdays_min: int = 7
    #: 713号令 art. 32 says only 及时; 《政府信息公开条例》 art. 26 gives 20 working days for proactive disclosure.
    publish_workdays: int = 20
    #: 713号令 art. 33 says only 及时 (归档); 30 days after the decision follows local archive practice (深圳指引).
    archive_days: int = 30
    #: Quorum of the meeting unless the category has its own: present > 1/2 of members (三重一大 practice).
    default_quorum: Quorum = Quorum(1, 2, inclusive=False)
    #: 《党委（党组）讨论决定干部任免事项守则》: personnel items need ≥ 2/3 of members present.
    category_quorums: Mapping[Category, Quorum] = field(
        default_factory=lambda: {Category.CADRE_APPOINTMENT: Quorum(2, 3, inclusive=True)}
    )
    #: 干部任免事项守则: an appointment passes with agree votes > 1/2 of all members (应到会), not of those present.
    appointment_majority: Quorum = Quorum(1, 2, inclusive=False)
    #: Steps required per category. Stricter than 713号令 (which makes three of them conditional);
    #: Nantong catalogue practice lists all five for each item.
    required: Mapping[Category, tuple[StepKind, ...]] = field(
        default_factory=lambda: dict.fromkeys(Category, ALL_STEPS)
    )
    #: Whether decisions must be listed in the organisation's published catalogue of their year (CAT-01, CAT-02).
    #: 713号令 art. 3 says only 可以 (national: not required); Jiangsu and Nantong make the catalogue the rule.
    catalogue_required: bool = False
    #: The categories CAT-01 asks to be listed (南通 and 海安 catalogues list major matters and projects).
    catalogue_categories: tuple[Category, ...] = (Category.MAJOR_MATTER, Category.MAJOR_PROJECT)
    #: CAT-02: the catalogue is published by this (month, day) of its year.
    catalogue_publish_by: tuple[int, int] = (3, 31)
    #: Citation overrides by rule id; a rule without one cites its own default.
    citations: Mapping[str, str] = field(default_factory=dict)
    #: Names from PARAMETERS whose value is the national one because the local text was not confirmed.
    inherited_from_national: tuple[str, ...] = ()
    #: What an admin should know about the sources behind this profile.
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Read-only views, so a profile shared by every request cannot be changed by one of them.
        object.__setattr__(self, "category_quorums", _frozen(self.category_quorums))
        object.__setattr__(self, "required", _frozen({c: _in_step_order(steps) for c, steps in self.required.items()}))
        object.__setattr__(self, "citations", _frozen(self.citations))

    def __hash__(self) -> int:
        # The mappings are unhashable; a profile is identified by its name (so it can key a cache).
        return hash(self.name)

    def quorum(self, category: Category) -> Quorum:
        """The attendance the meeting needs for a decision of this category (CD-02)."""
        return self.category_quorums.get(category, self.default_quorum)

    def required_steps(self, category: Category) -> tuple[StepKind, ...]:
        """The procedures a decision of this category must go through, in statutory order."""
        return self.required.get(category, ALL_STEPS)

    def citation(self, rule_id: str, default: str) -> str:
        """The article a finding cites: the profile's own source if it names one, else the rule's."""
        return self.citations.get(rule_id, default)


def _in_step_order(steps: tuple[StepKind, ...]) -> tuple[StepKind, ...]:
    chosen = {StepKind(step) for step in steps}
    return tuple(kind for kind in ALL_STEPS if kind in chosen)


_NATIONAL_NOTES: tuple[str, ...] = (
    "征求意见期限（30日）、听证材料送达（7日前）、合法性审查时间（7个工作日）出自《重大行政决策程序暂行条例》"
    "第十五条、第十六条、第二十六条原文（已核对）。",
    "专家人数（3名）无法定依据，为地方实践，ER-01仅作提示。",
    "决策公布期限：条例第三十二条只规定“及时”，20个工作日参照《政府信息公开条例》第二十六条"
    "（主动公开的政府信息自形成之日起20个工作日内公开），PUB-01仅作提示。",
    "决策归档期限：条例第三十三条只规定“及时完整归档”，30日（自集体讨论决定之日起）参照地方档案工作指引，"
    "仅作待办提醒。",
    "到会人数（过半数；干部任免三分之二以上）和干部任免表决（同意票超过应到会半数）出自"
    "《党委（党组）讨论决定干部任免事项守则》及“三重一大”制度的转述，原文未核对。",
    "风险等级“高”须有防范措施出自社会稳定风险评估的分级做法（发改投资〔2012〕2492号），未核对原文；"
    "条例第二十四条只区分风险可控与不可控。",
    "五项程序均为必经程序，严于条例（公众参与、专家论证、风险评估为附条件程序），与南通市决策事项目录的做法一致。",
)

NATIONAL = Profile(
    name="national",
    label_zh="全国（《重大行政决策程序暂行条例》）",
    label_en="National (State Council Decree No. 713)",
    notes=_NATIONAL_NOTES,
)

JIANGSU = replace(
    NATIONAL,
    name="jiangsu",
    label_zh="江苏省",
    label_en="Jiangsu",
    inherited_from_national=PARAMETERS,
    catalogue_required=True,
    notes=(
        "《江苏省重大行政决策程序实施办法》（省政府令第134号，2020年8月1日起施行）的文本未能找到，"
        "所有参数均沿用全国规定，与条例的差异未知。",
        *_NATIONAL_NOTES,
    ),
)

NANTONG = replace(
    NATIONAL,
    name="nantong",
    label_zh="南通市",
    label_en="Nantong",
    inherited_from_national=PARAMETERS,
    catalogue_required=True,
    citations={
        "LR-03": "《重大行政决策程序暂行条例》第二十六条；《南通市重大行政决策程序规定》第二十三条",
        "CAT-01": "《重大行政决策程序暂行条例》第三条；《南通市重大行政决策程序规定》第四条",
    },
    notes=(
        "《南通市重大行政决策程序规定》第二十二条至第二十七条的文字见于南通日报2024年1月10日A04版，"
        "但版面未显示规章名称，归属为推断（可信度Q*），使用前应在南通市政府网站核对；令号和施行日期未查到。",
        "合法性审查时间仍为不少于7个工作日（第二十三条）；该条规定补充材料、征求意见、论证咨询的时间不计入审查期限，"
        "本系统未记录暂停时间，按送审次日至出具意见之日连续计算。",
        "法律顾问、公职律师的回避（第二十二条）和报送申报表、合法性审查意见书（第二十五条）尚未作为规则检查。",
        "江苏省实施办法的文本未能找到，其余参数沿用全国规定。",
        *_NATIONAL_NOTES,
    ),
)

PROFILES: Mapping[str, Profile] = MappingProxyType({profile.name: profile for profile in (NATIONAL, JIANGSU, NANTONG)})


def get_profile(name: str) -> Profile:
    """The profile named in config; an unknown name fails loudly at start-up rather than later."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(PROFILES)
        raise KeyError(f"unknown rulebook profile {name!r}; known profiles: {known}") from None
