"""System checks for letters (`manage.py check`, and the staff status page lists their warnings).

Each is a warning, not an error: the site runs without letters, but a letter would be slow or wrong.
"""

import functools
from pathlib import Path

from django.core import checks

# Not imported from fetcher.py: this module loads with the app, and WeasyPrint only when a check runs,
# so a machine without pango still starts (and the check says why letters cannot render).
FONT_FILE = Path(__file__).resolve().parent / "assets" / "fonts" / "LetterSansSC-Regular.ttf"
FALLBACK_FAMILY = "Noto Sans CJK SC"


def harfbuzz_subset_available() -> bool:
    """WeasyPrint's own test (weasyprint/pdf/fonts.py, Font.subset): libharfbuzz-subset loaded by
    its ffi module, and HarfBuzz ≥ 4.1.0. Otherwise it subsets with fontTools, in pure Python."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


@functools.cache
def fontconfig_families(name: str) -> tuple[str, ...]:
    """The families of the font fontconfig picks for `name`, through the library WeasyPrint uses.
    Cached per process: loading fontconfig's configuration reads every font's cache (~50 ms), and
    fonts are installed with the system, not while it runs."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    try:
        pattern = ffi.gc(fontconfig.FcPatternCreate(), fontconfig.FcPatternDestroy)
        fontconfig.FcPatternAddString(pattern, b"family", name.encode())
        fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(config, pattern, result)
        if match == ffi.NULL:
            return ()
        match = ffi.gc(match, fontconfig.FcPatternDestroy)
        families, value = [], ffi.new("FcChar8 **")
        while fontconfig.FcPatternGetString(match, b"family", len(families), value) == fontconfig.FcResultMatch:
            families.append(ffi.string(value[0]).decode())
        return tuple(families)
    finally:
        fontconfig.FcConfigDestroy(config)


def fallback_font_installed() -> bool:
    return FALLBACK_FAMILY in fontconfig_families(FALLBACK_FAMILY)


def letter_fonts(app_configs=None, **kwargs) -> list:
    messages = []
    try:
        subset = harfbuzz_subset_available()
        fallback = fallback_font_installed()
    except OSError as error:  # WeasyPrint could not load pango, harfbuzz or fontconfig
        return [
            checks.Warning(
                f"Letters cannot be rendered: {error}.",
                hint="Install the Debian packages of `make system-deps` (APT_RUN in the Makefile).",
                id="cases.W010",
            )
        ]
    if not subset:
        messages.append(
            checks.Warning(
                "HarfBuzz subsetting (libharfbuzz-subset, HarfBuzz ≥ 4.1) is not available to WeasyPrint: "
                "it subsets letter fonts with fontTools instead, about 17 s for a Chinese letter instead of 0.2 s.",
                hint="Install the Debian package libharfbuzz-subset0 (make system-deps).",
                id="cases.W011",
            )
        )
    if not FONT_FILE.is_file():
        messages.append(
            checks.Warning(
                f"The letters' font is missing: {FONT_FILE}. Letters fall back to the system fonts, "
                "several times slower and larger.",
                hint="Restore it from the repository, or rebuild it: python -m cases.letters.build_font.",
                id="cases.W012",
            )
        )
    if not fallback:
        messages.append(
            checks.Warning(
                f"The fallback font {FALLBACK_FAMILY} is not installed: a name with a character outside "
                "the letters' font (such as 𠮷) would print as an empty box.",
                hint="Install the Debian packages fonts-noto-cjk and fonts-hanazono (make system-deps).",
                id="cases.W013",
            )
        )
    return messages


def register():
    checks.register(letter_fonts, "cases")
