"""The printable part of a decision dossier (决策档案): ``dossier.pdf``, A4, Chinese, fonts embedded.

fpdf2 writes the PDF in pure Python and embeds a subset of the font (only the
glyphs used), so the file renders the same on any machine and years later,
as an archive copy must; the font is Noto Sans CJK SC from the pip package
``noto-cjk-sans-otc`` (SIL Open Font License 1.1), nothing from the operating
system. The PDF is always Chinese: it is the archive's copy, like the paper
folder it replaces. It reads only the plain ``DossierContent`` the service
gathered: no database access here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import WrapMode, XPos, YPos

from .dossier_content import DossierContent, Section

#: Face of Simplified Chinese in the Noto Sans CJK collection (JP, KR, SC, TC, HK, then the Mono faces).
SC_FACE = 2
FONT = "notosanscjk"
FONT_FULL = "notosanscjk-full"
GREY = (235, 235, 235)


@cache
def font_path() -> Path:
    """The installed Noto Sans CJK collection (pip package ``noto-cjk-sans-otc``)."""
    from noto_cjk_sans_otc import FONT_PATH

    return Path(str(FONT_PATH))


def _working_codepoints() -> set[int]:
    """What the working font keeps: ASCII, Latin-1, punctuation, symbols and every GB 2312 character."""
    points = {*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2000, 0x2070), *range(0x2190, 0x2200),
              *range(0x2460, 0x2500), *range(0x3000, 0x3040), *range(0xFF00, 0xFFF0)}
    for cp in range(0x80, 0x10000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        points.add(cp)
    return points


def derive_working_font(source: Path, target: Path) -> None:
    """Cut the Simplified Chinese face down to ~8,000 glyphs (2 MB, TrueType), once per installation.

    Reading the whole 65,535-glyph face costs each PDF about 120 MB of
    transient memory; the cut font costs about 15 MB. Run in a child process
    (``python -m app.services.dossier_pdf SOURCE TARGET``) so that even this
    one-off peak stays out of the web worker; written under a temporary name and
    moved into place, so concurrent workers never read half a font.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=SC_FACE)
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.name_IDs = ["*"]  # keep the copyright and the OFL notice
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_working_codepoints())
    subsetter.subset(font)
    _to_truetype(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    font.save(str(partial))
    os.replace(partial, target)


def _to_truetype(font) -> None:
    """CFF outlines → TrueType (quadratic) ones, in place.

    fpdf2 writes a CID-keyed CFF font with a custom encoding CMap that some
    text extractors (pypdf) misread; a TrueType font is embedded with
    Identity-H, which every reader maps back to the text: the archive copy
    stays searchable.
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    del font["CFF "]
    maxp = newTable("maxp")
    maxp.tableVersion, maxp.numGlyphs = 0x00010000, len(order)
    for field_name in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                       "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field_name, 1 if field_name == "maxZones" else 0)
    font["maxp"] = maxp
    font["post"].formatType = 3.0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def working_font(cache_dir: Path) -> Path:
    """The cut font in ``cache_dir`` (derived on first use), named after the package's version."""
    from importlib.metadata import version

    target = cache_dir / f"NotoSansCJKsc-Regular-gb2312-{version('noto-cjk-sans-otc')}.ttf"
    if not target.is_file():
        subprocess.run([sys.executable, "-m", "app.services.dossier_pdf", str(font_path()), str(target)],  # noqa: S603
                       check=True, cwd=Path(__file__).resolve().parents[2], timeout=300)
    return target


@cache
def _covered(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.footer_text}    第 {self.page_no()} 页 共 {{nb}} 页", align="C")
        self.set_text_color(0, 0, 0)


def _text_of(content: DossierContent) -> set[str]:
    chars: set[str] = set(content.heading) | set(content.footer)
    for value in repr((content.cover, content.catalogue, content.procedures, content.findings, content.drafts,
                       content.events, content.notes)):
        chars.add(value)
    return chars


def _new_document(content: DossierContent, cache_dir: Path) -> _Document:
    pdf = _Document(orientation="portrait", unit="mm", format="A4")
    pdf.footer_text = content.footer
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    working = working_font(cache_dir)
    pdf.add_font(FONT, "", str(working))
    covered = _covered(working)
    if any(ord(char) not in covered for char in _text_of(content) if char.isprintable()):
        # A rare character (a name outside GB 2312): this document also embeds it from the whole face.
        pdf.add_font(FONT_FULL, "", str(font_path()), collection_font_number=SC_FACE)
        pdf.set_fallback_fonts([FONT_FULL], exact_match=False)
    pdf.set_font(FONT, size=10)
    pdf.set_creator("decision dossier (fpdf2)")
    pdf.alias_nb_pages()
    return pdf


def _heading(pdf: FPDF, text: str, size: float = 14) -> None:
    if pdf.will_page_break(size * 1.6):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, size=size)
    pdf.multi_cell(0, size * 0.55, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(150, 150, 150)
    pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.w - pdf.r_margin, pdf.get_y() + 0.5)
    pdf.ln(2.5)
    pdf.set_font(FONT, size=10)


def _facts(pdf: FPDF, facts: Iterable[tuple[str, str]], label_width: float = 42) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for label, value in facts:
        with pdf.table(col_widths=(label_width, width - label_width), first_row_as_headings=False,
                       wrapmode=WrapMode.CHAR, line_height=5.2, borders_layout="NONE", text_align="LEFT",
                       padding=(0.6, 1, 0.6, 0)) as table:
            row = table.row()
            row.cell(label, style=FontFace(color=(80, 80, 80)))
            row.cell(value or "—")


def _table(pdf: FPDF, headings: Sequence[str], widths: Sequence[float], rows: Sequence[Sequence[str]],
           size: float = 8.5) -> None:
    pdf.set_font(FONT, size=size)
    with pdf.table(col_widths=tuple(widths), wrapmode=WrapMode.CHAR, line_height=size * 0.5,
                   headings_style=FontFace(emphasis="", fill_color=GREY), text_align="LEFT",
                   repeat_headings=1, padding=0.8) as table:
        header = table.row()
        for text in headings:
            header.cell(text)
        for values in rows:
            row = table.row()
            for text in values:
                row.cell(text or "")
    pdf.set_font(FONT, size=10)
    pdf.ln(2)


def _paragraph(pdf: FPDF, label: str, text: str) -> None:
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(0, 5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5.4, text or "—", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _section(pdf: FPDF, section: Section, size: float = 12) -> None:
    _heading(pdf, section.title, size)
    _facts(pdf, section.facts)
    for label, text in section.paragraphs:
        _paragraph(pdf, label, text)
    for caption, headings, widths, rows in section.tables:
        if caption:
            pdf.set_font(FONT, size=9.5)
            pdf.multi_cell(0, 5.5, caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        _table(pdf, headings, widths, rows)


def _cover(pdf: FPDF, content: DossierContent) -> None:
    pdf.add_page()
    pdf.ln(28)
    pdf.set_font(FONT, size=26)
    pdf.cell(0, 16, "决 策 档 案", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=13)
    pdf.multi_cell(0, 8, content.heading, align="C", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(14)
    pdf.set_font(FONT, size=12)
    left = pdf.l_margin + 18
    with pdf.table(col_widths=(38, 110), first_row_as_headings=False, wrapmode=WrapMode.CHAR, line_height=8,
                   text_align="LEFT", width=148, align="CENTER", padding=(1, 2)) as table:
        for label, value in content.cover:
            row = table.row()
            row.cell(label, style=FontFace(fill_color=GREY))
            row.cell(value or "—")
    pdf.set_x(left)
    pdf.ln(10)
    pdf.set_font(FONT, size=9)
    for note in content.notes:
        pdf.multi_cell(0, 5, note, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(content: DossierContent, cache_dir: Path) -> tuple[bytes, int]:
    """The PDF's bytes and its page count (``cache_dir`` keeps the working font)."""
    pdf = _new_document(content, cache_dir)
    _cover(pdf, content)

    pdf.add_page()
    _heading(pdf, "归档文件目录", 15)
    _table(
        pdf,
        ("序号", "档号", "文号", "责任者", "题名", "日期", "页数", "密级", "备注"),
        (9, 30, 20, 20, 40, 15, 9, 9, 22),
        [(str(r.number), r.archival_code, r.doc_no, r.responsible, r.title, r.day, r.pages, r.secrecy, r.remarks)
         for r in content.catalogue],
        size=7.5,
    )

    pdf.add_page()
    _heading(pdf, "决策程序记录", 15)
    for section in content.procedures:
        _section(pdf, section)

    _heading(pdf, "合规检查结果（规则引擎）", 15)
    if content.findings:
        _table(pdf, ("规则", "严重程度", "问题", "依据"), (16, 18, 80, 60),
               [list(finding) for finding in content.findings])
    else:
        pdf.multi_cell(0, 6, "未发现问题：全部法定程序已完成或依法免除，规则引擎未报告任何问题。",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.add_page()
    _heading(pdf, "决策草案各稿", 15)
    for section in content.drafts:
        _section(pdf, section, 11)

    pdf.add_page()
    _heading(pdf, "审计事件（哈希链）", 15)
    _table(pdf, ("序号", "时间（UTC）", "操作人", "操作", "对象", "哈希（sha256）"), (12, 30, 20, 28, 22, 62),
           [list(event) for event in content.events], size=7)
    data = bytes(pdf.output())
    return data, pdf.page_no()


if __name__ == "__main__":  # python -m app.services.dossier_pdf SOURCE TARGET (see derive_working_font)
    derive_working_font(Path(sys.argv[1]), Path(sys.argv[2]))
