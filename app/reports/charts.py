"""The dashboard's charts, drawn as SVG on the server with pygal and put inline in the page.

No script is sent: pygal's tooltip script would come from a CDN (``js=[]``
turns it off) and its inline configuration script has nothing to configure
without it, so it is removed too. Values are printed on the bars instead.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.style import Style

# pygal appends an old-style import hook for its map plugins (unused here). It has no find_spec(), so Python
# warns (ImportWarning) on every import that the other finders miss, and an optional import that should fail
# quietly fails loudly under ``-W error``. Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

FONT = ('system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
        '"Noto Sans CJK SC", sans-serif')
# Bootstrap 5's colours, so the charts match the badges next to them.
SUCCESS, INFO, DANGER, WARNING, SECONDARY = "#198754", "#0dcaf0", "#dc3545", "#ffc107", "#adb5bd"
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)


def _style(*colours: str) -> Style:
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        opacity="1",
        opacity_hover=".85",
        colors=colours,
        font_family=FONT,
        label_font_family=FONT,
        major_label_font_family=FONT,
        value_font_family=FONT,
        value_label_font_family=FONT,
        title_font_family=FONT,
        legend_font_family=FONT,
        tooltip_font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        value_font_size=12,
        value_label_font_size=12,
        title_font_size=15,
    )


def _config(height: int, *colours: str, **extra) -> dict:
    return {
        "js": [],  # pygal would load its tooltips from a CDN; the app must work offline
        "disable_xml_declaration": True,
        "width": 640,
        "height": height,
        "style": _style(*colours),
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "print_values": True,
        "print_zeroes": False,
        "value_formatter": lambda value: f"{value:,.0f}",
        "margin": 8,
        "truncate_label": -1,
        "truncate_legend": -1,
        **extra,
    }


def _value_ticks(top: int, most: int = 6) -> list[int]:
    """Whole-number ticks for a count axis (pygal would put ticks on fractions and round them alike)."""
    top = max(1, top)
    step = 1
    while top / step > most:
        for factor in (2, 5, 10):
            if top / (step * factor) <= most or factor == 10:
                step *= factor
                break
    return list(range(0, top + step, step))


def _label_room(labels: Sequence[str], font_size: int = 13) -> int:
    """Extra left margin for the labels of a horizontal chart.

    pygal sizes labels as 0.6 em per character; a Chinese character is a full
    em, so long step names would be cut off without the difference added.
    """
    wide = max((sum(1 for char in label if ord(char) > 0x2E80) for label in labels), default=0)
    return 8 + int(wide * 0.45 * font_size)


def _svg(chart) -> Markup:
    """The chart as inline SVG markup, without any script."""
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))  # noqa: S704 - pygal's own markup, labels escaped by it


def completeness_chart(complete: int, incomplete: int) -> Markup:
    """A ring of complete against not complete decisions."""
    chart = pygal.Pie(**{**_config(260, SUCCESS, DANGER, inner_radius=0.55, legend_at_bottom_columns=2), "width": 360})
    chart.add(_("Complete"), complete)
    chart.add(_("Not complete"), incomplete)
    return _svg(chart)


def steps_chart(labels: Sequence[str], completed: Sequence[int], exempted: Sequence[int],
                missing: Sequence[int]) -> Markup:
    """One bar per procedure: completed, lawfully exempted and missing decisions, stacked."""
    totals = [sum(counts) for counts in zip(completed, exempted, missing, strict=True)]
    chart = pygal.HorizontalStackedBar(**_config(60 + 48 * len(labels), SUCCESS, INFO, DANGER,
                                                 margin_left=_label_room(labels),
                                                 y_labels=_value_ticks(max(totals, default=0))))
    # pygal draws a horizontal chart's first label at the bottom: reverse, so the first step is on top.
    chart.x_labels = list(reversed(labels))
    chart.add(_("Completed"), list(reversed(completed)))
    chart.add(_("Lawfully exempted"), list(reversed(exempted)))
    chart.add(_("Missing"), list(reversed(missing)))
    return _svg(chart)


def rules_chart(rules: Sequence[tuple[str, str | None, int]], severity_labels: dict[str, str]) -> Markup:
    """One bar per rule broken, coloured by the rule's severity: ``rules`` is ``(rule id, severity, decisions)``."""
    top = max((count for _rule, _severity, count in rules), default=0)
    chart = pygal.HorizontalStackedBar(**_config(60 + 30 * len(rules), DANGER, WARNING, INFO, SECONDARY,
                                                 y_labels=_value_ticks(top)))
    rules = list(reversed(rules))
    chart.x_labels = [rule for rule, _severity, _count in rules]
    for severity in ("blocker", "violation", "warning"):
        chart.add(severity_labels[severity],
                  [count if rule_severity == severity else None for _rule, rule_severity, count in rules])
    return _svg(chart)


def organizations_chart(rows: Sequence[tuple[str, int, int]]) -> Markup:
    """One bar per organisation: ``(name, complete, not complete)``."""
    top = max((complete + incomplete for _name, complete, incomplete in rows), default=0)
    chart = pygal.HorizontalStackedBar(**_config(60 + 40 * len(rows), SUCCESS, DANGER, legend_at_bottom_columns=2,
                                                 margin_left=_label_room([name for name, *_counts in rows]),
                                                 y_labels=_value_ticks(top)))
    rows = list(reversed(rows))
    chart.x_labels = [name for name, _complete, _incomplete in rows]
    chart.add(_("Complete"), [complete for _name, complete, _incomplete in rows])
    chart.add(_("Not complete"), [incomplete for _name, _complete, incomplete in rows])
    return _svg(chart)
