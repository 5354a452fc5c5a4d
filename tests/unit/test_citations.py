"""Citations in English: every source the rulebook cites, rendered without a Chinese character left."""

from __future__ import annotations

import re

import pytest

from app.rulebook import RULES
from app.rulebook.labels import citation_en, zh_number
from app.rulebook.profiles import PROFILES
from app.rulebook.rules.general import STEP_ARTICLE

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef《》“”]")


def _every_citation() -> list[str]:
    found = [rule.citation for rule in RULES.values()]
    found += [text for profile in PROFILES.values() for text in profile.citations.values()]
    found += list(STEP_ARTICLE.values())
    return found


@pytest.mark.parametrize("citation", _every_citation())
def test_every_citation_has_an_english_rendering(citation):
    english = citation_en(citation)
    assert not CJK.search(english.replace("“", "").replace("”", "")), english
    assert english == english.strip() and "  " not in english


def test_articles_and_chapters():
    assert citation_en("《重大行政决策程序暂行条例》第二十五条、第三十条") == (
        "Interim Regulation on Major Administrative Decision-making Procedures art. 25, art. 30")
    assert citation_en("《重大行政决策程序暂行条例》第二章、第三章").endswith("ch. 2, ch. 3")
    assert citation_en("《重大行政决策程序暂行条例》第二十六条；《南通市重大行政决策程序规定》第二十三条") == (
        "Interim Regulation on Major Administrative Decision-making Procedures art. 26; "
        "Nantong Provisions on Major Administrative Decision-making Procedures art. 23")


@pytest.mark.parametrize(("text", "number"), [("一", 1), ("十", 10), ("十四", 14), ("二十", 20), ("二十六", 26),
                                              ("三十三", 33), ("一百", 100), ("一百零二", 102), ("两百一十", 210)])
def test_chinese_numerals(text, number):
    assert zh_number(text) == number


def test_not_a_numeral():
    with pytest.raises(ValueError, match="第"):
        zh_number("第")
