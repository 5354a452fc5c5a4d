"""The query string's whole numbers and paging, read the same way by every list page."""

from __future__ import annotations

from collections.abc import Mapping

#: Far beyond any real list; keeps the OFFSET within what every database accepts.
PAGE_MAX = 100_000


def positive_int(raw: str, cap: int) -> int | None:
    """A whole number ≥ 1 written in ASCII digits, capped at ``cap``; None otherwise."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit():
        return None
    if len(raw) > len(str(cap)):  # also keeps int() away from huge digit strings
        return cap if raw.lstrip("0") else None
    value = int(raw)
    return min(value, cap) if value >= 1 else None


def page_args(args: Mapping[str, str], default_per_page: int, max_per_page: int,
              ignored: list[str]) -> tuple[int, int]:
    """``page`` and ``per_page``; a value not understood is named in ``ignored`` and its default used."""
    result = {"page": 1, "per_page": default_per_page}
    for name, cap in (("page", PAGE_MAX), ("per_page", max_per_page)):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        parsed = positive_int(raw, cap)
        if parsed is None:
            ignored.append(name)
        else:
            result[name] = parsed
    return result["page"], result["per_page"]
