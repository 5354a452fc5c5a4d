"""Every word of the pages is translated, and every stored value has a label."""

from __future__ import annotations

from enum import StrEnum

import pytest
from babel.messages.pofile import read_po

from .conftest import TRANSLATIONS


def test_chinese_catalog_is_complete():
    with (TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]
    assert untranslated == []


def test_catalog_covers_the_template():
    with (TRANSLATIONS / "messages.pot").open("rb") as pot_file:
        template = read_po(pot_file)
    with (TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    missing = [message.id for message in template if message.id and message.id not in catalog]
    assert missing == []


@pytest.mark.parametrize("enum_name", ["Category", "DecisionStatus", "StepKind", "StepStatus", "Severity", "Role",
                                       "ParticipationMethod", "ExpertReviewMethod", "RiskType", "RiskLevel",
                                       "RiskConclusion", "LegalOpinion", "MeetingType", "Position", "Outcome"])
def test_every_enum_value_has_a_label(enum_name):
    from app.rulebook import vocabulary
    from app.web import labels

    enum: type[StrEnum] = getattr(vocabulary, enum_name)
    mapping = labels.ENUM_LABELS[enum]
    assert set(mapping) == {member.value for member in enum}


def test_every_step_field_has_a_label():
    from app.services.step_fields import COMMON_FIELDS, KIND_FIELDS
    from app.web.labels import FIELDS

    names = {field.name for fields in KIND_FIELDS.values() for field in fields} | {f.name for f in COMMON_FIELDS}
    assert names - set(FIELDS) == set()


def test_labels_follow_the_language(app, ctx):
    from app.web.labels import CATEGORIES, STEP_STATUSES

    with app.test_request_context("/"):
        assert str(CATEGORIES["large_fund"]) == "大额度资金使用"
        assert str(STEP_STATUSES["exempted"]) == "依法免除"


def test_service_messages_are_translated(app, ctx):
    from flask_babel import gettext

    with app.test_request_context("/"):
        assert gettext("must be a date in the form YYYY-MM-DD") == "须为 YYYY-MM-DD 格式的日期"


def _rulebook_and_page_words():
    from app.rulebook import labels as rulebook
    from app.web import labels as pages

    return [
        ("step kind", rulebook.STEP_ZH, rulebook.STEP_EN, pages.STEP_KINDS),
        ("step status", rulebook.STEP_STATUS_ZH, rulebook.STEP_STATUS_EN, pages.STEP_STATUSES),
        ("decision status", rulebook.DECISION_STATUS_ZH, rulebook.DECISION_STATUS_EN, pages.DECISION_STATUSES),
        ("role", rulebook.ROLE_ZH, rulebook.ROLE_EN, pages.ROLES),
        ("position", rulebook.POSITION_ZH, rulebook.POSITION_EN, pages.POSITIONS),
        ("outcome", rulebook.OUTCOME_ZH, rulebook.OUTCOME_EN, pages.OUTCOMES),
        ("risk conclusion", rulebook.CONCLUSION_ZH, rulebook.CONCLUSION_EN, pages.RISK_CONCLUSIONS),
    ]


def test_rulebook_words_are_the_pages_words(app):
    """The rulebook's messages and the pages name every value alike, in Chinese and in English."""
    from flask_babel import force_locale

    disagree = []
    with app.app_context():
        for table, zh, en, page in _rulebook_and_page_words():
            assert set(zh) == set(en) == set(page), table
            for value, label in page.items():
                with force_locale("zh_CN"):
                    page_zh = str(label)
                with force_locale("en"):
                    page_en = str(label)
                # Mid-sentence in a message, a heading on a page: the English differs only in its first letter.
                if (zh[value], en[value]) != (page_zh, page_en[0].lower() + page_en[1:]):
                    disagree.append((table, value, zh[value], page_zh, en[value], page_en))
    assert disagree == []
