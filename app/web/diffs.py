"""A readable side-by-side comparison of two draft texts.

Lines are matched first (``difflib``), then a changed line is compared with
its counterpart character by character, so a one-character change in a
Chinese sentence (which has no spaces to split words on) is marked exactly.
Long runs of unchanged lines are folded, keeping a few lines of context.
The result is plain data; the template escapes and marks it up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

#: Unchanged lines kept around each change.
CONTEXT = 3
#: Lines longer than this are marked as changed as a whole (character matching is quadratic).
CHAR_DIFF_MAX = 3000
#: Below this similarity two lines are shown as one removed and one added, not as an edit.
SIMILAR = 0.3


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool = False


@dataclass(frozen=True)
class Side:
    number: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Row:
    """One row of the table: ``equal``, ``change``, ``delete``, ``insert`` or ``skip`` (folded lines)."""

    kind: str
    left: Side | None = None
    right: Side | None = None
    skipped: int = 0


@dataclass
class Diff:
    rows: list[Row] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _whole(number: int, text: str, changed: bool) -> Side:
    return Side(number, (Segment(text, changed),) if text else ())


def _char_diff(left: str, right: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]] | None:
    """Mark the characters that differ; None when the lines are too long or too different to pair."""
    if len(left) > CHAR_DIFF_MAX or len(right) > CHAR_DIFF_MAX:
        return None
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    if matcher.ratio() < SIMILAR:
        return None
    ours: list[Segment] = []
    theirs: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ours.append(Segment(left[i1:i2]))
            theirs.append(Segment(right[j1:j2]))
            continue
        if i2 > i1:
            ours.append(Segment(left[i1:i2], changed=True))
        if j2 > j1:
            theirs.append(Segment(right[j1:j2], changed=True))
    return _merge(ours), _merge(theirs)


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    """Join neighbouring segments of the same kind (a deletion on one side leaves two equal ones)."""
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].changed == segment.changed:
            merged[-1] = Segment(merged[-1].text + segment.text, segment.changed)
        else:
            merged.append(segment)
    return tuple(merged)


def _replace(diff: Diff, a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> None:
    for offset in range(max(i2 - i1, j2 - j1)):
        i, j = i1 + offset, j1 + offset
        if i < i2 and j < j2:
            pair = _char_diff(a[i], b[j])
            if pair is not None:
                diff.rows.append(Row("change", Side(i + 1, pair[0]), Side(j + 1, pair[1])))
                diff.changed += 1
            else:
                diff.rows.append(Row("delete", left=_whole(i + 1, a[i], True)))
                diff.rows.append(Row("insert", right=_whole(j + 1, b[j], True)))
                diff.removed += 1
                diff.added += 1
        elif i < i2:
            diff.rows.append(Row("delete", left=_whole(i + 1, a[i], True)))
            diff.removed += 1
        else:
            diff.rows.append(Row("insert", right=_whole(j + 1, b[j], True)))
            diff.added += 1


def compare(old: str, new: str, context: int = CONTEXT) -> Diff:
    """The differences from ``old`` to ``new``, line by line and within changed lines."""
    a, b = old.splitlines(), new.splitlines()
    diff = Diff()
    if a == b:
        return diff
    matcher = SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > 4000)
    shown_until = 0  # lines of ``a`` accounted for so far
    for group in matcher.get_grouped_opcodes(context):
        first = group[0][1]
        if first > shown_until:
            diff.rows.append(Row("skip", skipped=first - shown_until))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset in range(i2 - i1):
                    diff.rows.append(Row("equal", _whole(i1 + offset + 1, a[i1 + offset], False),
                                         _whole(j1 + offset + 1, b[j1 + offset], False)))
            elif tag == "delete":
                _replace(diff, a, b, i1, i2, j1, j1)
            elif tag == "insert":
                _replace(diff, a, b, i1, i1, j1, j2)
            else:
                _replace(diff, a, b, i1, i2, j1, j2)
        shown_until = group[-1][2]
    if shown_until < len(a):
        diff.rows.append(Row("skip", skipped=len(a) - shown_until))
    return diff
