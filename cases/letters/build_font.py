"""Build the letters' Chinese font: Noto Sans CJK SC, subset and converted to TrueType outlines.

    python -m cases.letters.build_font [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

Reproducible from Debian's `fonts-noto-cjk` alone (no network). See assets/fonts/README.md for why
this character set and why TrueType. Runs in about a minute; not imported by the application.
"""

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FAMILY = "Noto Sans CJK SC"
TARGET = Path(__file__).resolve().parent / "assets" / "fonts" / "LetterSansSC-Regular.ttf"
FAMILY = "Letter Sans SC"
POSTSCRIPT_NAME = "LetterSansSC-Regular"
# Maximum distance, in font units (1000 per em), between a CFF cubic curve and its quadratic
# replacement: invisible at letter sizes, and fewer points than fontTools' default of 1.0.
MAX_ERR = 2.0

# Characters in names that GB2312 (1980) lacks but people are commonly named with (GBK / 通用规范汉字表
# level 2). Rarer ones, and CJK Extension B such as 𠮷, come from the fallback fonts.
NAME_EXTRAS = (
    "喆堃昇玥珺琤瑄璟祎婧晞暐頔翀赟淼垚鑫犇骉焱燚劼玟琨琦瑾珂琰钰煜炜玮昱晗晔彧懿湉沄泓淏浛滢镕堉堇琎瑒珏玘玙璇甯"
)
# Typographic punctuation and symbols the letter or its readers use.
SYMBOLS = "¥€£$©®™°±×÷§¶·•…‰′″‹›«»“”‘’‚„–—―‐‑№℃←→↑↓√∞≈≠≤≥□■○●△▲◇◆★☆※〒〓ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"


def gb2312() -> str:
    """Every character of GB2312: 6,763 hanzi plus its 682 symbols (full-width forms, CJK
    punctuation, pinyin letters, Greek, Cyrillic, kana, box drawing)."""
    chars = []
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def character_set() -> set[int]:
    ranges = [
        range(0x20, 0x7F),  # ASCII
        range(0xA0, 0x180),  # Latin-1 and Latin Extended-A (names, accents)
        range(0x2010, 0x2028),  # dashes, quotes, bullets, ellipsis
        range(0x2030, 0x203C),
        range(0x3000, 0x3040),  # CJK symbols and punctuation
        range(0xFF01, 0xFF5F),  # full-width forms
        range(0xFFE0, 0xFFE7),
    ]
    codepoints = {cp for r in ranges for cp in r}
    codepoints |= {ord(c) for c in gb2312() + NAME_EXTRAS + SYMBOLS}
    codepoints |= {ord(c) for c in "ǎǐǒǔǖǘǚǜ"}  # pinyin tone marks outside Latin-1/Extended-A
    return codepoints


def to_truetype(font: TTFont) -> None:
    """CFF → glyf, after fontTools' Snippets/otf2ttf.py: curves become quadratic, hints go."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    for name, glyph in glyf.glyphs.items():  # left side bearing = xMin, as TrueType expects
        advance, _ = font["hmtx"][name]
        font["hmtx"][name] = (advance, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont) -> None:
    """A name of its own, so fontconfig never mistakes it for the full system Noto Sans CJK SC
    (the OFL also asks a modified font not to pass for the original)."""
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16, 21):
            record.string = FAMILY if record.nameID in (1, 16, 21) else f"{FAMILY} Regular"
        elif record.nameID in (6, 20):
            record.string = POSTSCRIPT_NAME
        elif record.nameID == 3:
            record.string = f"{POSTSCRIPT_NAME};subset of {SOURCE_FAMILY}"
    names.names = [r for r in names.names if r.nameID not in (17, 22)]


def gb2312_level1() -> set[str]:
    """GB2312's 3,755 level-1 hanzi (rows 16–55): the common ones, what most letters are written in."""
    return set(_level1_chars())


def _level1_chars() -> list[str]:
    chars = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def common_first(font: TTFont) -> None:
    """Number the glyphs in order of use: Latin, digits and punctuation, then the common hanzi, then
    the rest. WeasyPrint subsets a font keeping glyph ids (HarfBuzz's RETAIN_GIDS) up to the highest
    one used, so the embedded font's loca and hmtx tables cover every id below it: with the common
    characters first, a letter written in them embeds (and compresses, twice) far smaller tables."""
    for tag in list(font.keys()):  # keys() lists the tables not loaded yet too
        font[tag]  # decompile every table: they refer to glyphs by name, and are compiled in the new order
    level1 = gb2312_level1()
    best = {}
    for codepoint, name in font.getBestCmap().items():
        char = chr(codepoint)
        if codepoint < 0x3040 or codepoint >= 0xFF00:
            rank = 0
        elif char in level1:
            rank = 1
        elif char in NAME_EXTRAS:
            rank = 2
        else:
            rank = 3
        best[name] = min(best.get(name, (9, 0)), (rank, codepoint))
    old = font.getGlyphOrder()
    mapped = sorted((name for name in old if name in best), key=best.__getitem__)
    order = [old[0], *mapped, *(name for name in old[1:] if name not in best)]
    font.setGlyphOrder(order)
    font["glyf"].glyphOrder = order
    _coverages_in_glyph_order(font)


def _coverages_in_glyph_order(font: TTFont) -> None:
    """A coverage table lists its glyphs by id (HarfBuzz searches it), and a per-glyph array runs
    parallel to it. Renumbering broke that order where the glyphs are listed with a value each
    (SinglePos format 2, the `palt` widths): sort both. Other subtables are rebuilt in order by
    fontTools on save, or are class-based."""
    for tag in ("GPOS", "GSUB"):
        if tag not in font:
            continue
        for lookup in font[tag].table.LookupList.Lookup:
            for table in lookup.SubTable:
                if type(table).__name__ == "SinglePos" and table.Format == 2:
                    pairs = sorted(
                        zip(table.Coverage.glyphs, table.Value, strict=True), key=lambda p: font.getGlyphID(p[0])
                    )
                    table.Coverage.glyphs = [glyph for glyph, _value in pairs]
                    table.Value = [value for _glyph, value in pairs]
                coverage = getattr(table, "Coverage", None)
                if coverage is not None:
                    ids = [font.getGlyphID(glyph) for glyph in coverage.glyphs]
                    if ids != sorted(ids):
                        raise SystemExit(f"{tag} lookup type {lookup.LookupType}: coverage out of glyph order")


def source_font(path: Path) -> TTFont:
    collection = TTCollection(str(path), lazy=False)
    for font in collection.fonts:
        if font["name"].getDebugName(1) == SOURCE_FAMILY:
            return font
    raise SystemExit(f"{SOURCE_FAMILY} is not in {path}")


def build(source: Path, target: Path) -> int:
    font = source_font(source)
    cmap = font.getBestCmap()
    wanted = character_set()
    missing = sorted(cp for cp in wanted if cp not in cmap and not 0xD800 <= cp <= 0xDFFF)
    options = subset.Options()
    options.layout_features = ["kern", "palt"]
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE", "DSIG", "meta"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[cp for cp in wanted if cp in cmap])
    subsetter.subset(font)
    to_truetype(font)
    rename(font)
    common_first(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    kept = len(font.getBestCmap())
    print(f"{target}: {kept} characters, {len(font.getGlyphOrder())} glyphs, {target.stat().st_size:,} bytes")
    if missing:
        print(f"not in the source font ({len(missing)}): {''.join(chr(cp) for cp in missing)}", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args()
    return build(args.source, args.target)


if __name__ == "__main__":
    sys.exit(main())
