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
        # The printed values lie over the bars: let a click through to the bar's link (the drill-down).
        "css": [*pygal.Config().css, "inline:.text-overlay, .text-overlay * { pointer-events: none; }"],
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


def _linked(value: int | None, href: str | None) -> int | dict | None:
    """A bar's value; with ``href`` the bar links to the decisions it counts (same tab)."""
    if value is None or not href:
        return value
    return {"value": value, "xlink": {"href": href, "target": "_self"}}


def completeness_chart(complete: int, incomplete: int, hrefs: Sequence[str | None] = (None, None)) -> Markup:
    """A ring of complete against not complete decisions; ``hrefs`` link each part to its list."""
    chart = pygal.Pie(**{**_config(260, SUCCESS, DANGER, inner_radius=0.55, legend_at_bottom_columns=2), "width": 360})
    chart.add(_("Complete"), [_linked(complete, hrefs[0])])
    chart.add(_("Not complete"), [_linked(incomplete, hrefs[1])])
    return _svg(chart)


def steps_chart(labels: Sequence[str], completed: Sequence[int], exempted: Sequence[int],
                missing: Sequence[int], hrefs: Sequence[Sequence[str | None]] | None = None) -> Markup:
    """One bar per procedure: completed, lawfully exempted and missing decisions, stacked.

    ``hrefs`` gives per procedure the links of its three parts.
    """
    links = list(hrefs) if hrefs is not None else [(None, None, None)] * len(labels)
    totals = [sum(counts) for counts in zip(completed, exempted, missing, strict=True)]
    chart = pygal.HorizontalStackedBar(**_config(60 + 48 * len(labels), SUCCESS, INFO, DANGER,
                                                 margin_left=_label_room(labels),
                                                 y_labels=_value_ticks(max(totals, default=0))))
    # pygal draws a horizontal chart's first label at the bottom: reverse, so the first step is on top.
    chart.x_labels = list(reversed(labels))
    for index, (name, counts) in enumerate(
        ((_("Completed"), completed), (_("Lawfully exempted"), exempted), (_("Missing"), missing))
    ):
        values = [_linked(count, link[index]) for count, link in zip(counts, links, strict=True)]
        chart.add(name, list(reversed(values)))
    return _svg(chart)


def rules_chart(rules: Sequence[tuple[str, str | None, int]], severity_labels: dict[str, str],
                hrefs: Sequence[str | None] | None = None) -> Markup:
    """One bar per rule broken, coloured by the rule's severity: ``rules`` is ``(rule id, severity, decisions)``.

    ``hrefs`` links each rule's bar to its decisions.
    """
    top = max((count for _rule, _severity, count in rules), default=0)
    links = list(reversed(hrefs if hrefs is not None else [None] * len(rules)))
    chart = pygal.HorizontalStackedBar(**_config(60 + 30 * len(rules), DANGER, WARNING, INFO, SECONDARY,
                                                 y_labels=_value_ticks(top)))
    rules = list(reversed(rules))
    chart.x_labels = [rule for rule, _severity, _count in rules]
    for severity in ("blocker", "violation", "warning"):
        chart.add(severity_labels[severity],
                  [_linked(count, link) if rule_severity == severity else None
                   for (_rule, rule_severity, count), link in zip(rules, links, strict=True)])
    return _svg(chart)


def organizations_chart(rows: Sequence[tuple[str, int, int]],
                        hrefs: Sequence[tuple[str | None, str | None]] | None = None) -> Markup:
    """One bar per organisation: ``(name, complete, not complete)``; ``hrefs`` link both parts."""
    links = list(reversed(hrefs if hrefs is not None else [(None, None)] * len(rows)))
    top = max((complete + incomplete for _name, complete, incomplete in rows), default=0)
    chart = pygal.HorizontalStackedBar(**_config(60 + 40 * len(rows), SUCCESS, DANGER, legend_at_bottom_columns=2,
                                                 margin_left=_label_room([name for name, *_counts in rows]),
                                                 y_labels=_value_ticks(top)))
    rows = list(reversed(rows))
    chart.x_labels = [name for name, _complete, _incomplete in rows]
    chart.add(_("Complete"), [_linked(row[1], link[0]) for row, link in zip(rows, links, strict=True)])
    chart.add(_("Not complete"), [_linked(row[2], link[1]) for row, link in zip(rows, links, strict=True)])
    return _svg(chart)
