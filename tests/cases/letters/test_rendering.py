import datetime as dt
import io
import logging
import re
import subprocess
import zoneinfo
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.core import checks
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
    TextStringObject,
)
from weasyprint.formatting_structure import boxes

from cases.letters import TEMPLATE_VERSION
from cases.letters import checks as letter_checks
from cases.letters.content import (
    LETTER_TEXT_LIMIT,
    LETTER_TOTAL_LIMIT,
    LetterContent,
    LetterTextTooLong,
    letter_content_for,
)
from cases.letters.fetcher import LetterAssetFetcher, RefusedURL
from cases.letters.rendering import letter_html, render_letter_pdf, renderer
from tests.factories import case_in_state

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TEXT_FIELDS = (
    "number",
    "customer_name",
    "apology",
    "problem",
    "solution_action",
    "solution_benefit",
    "contact_name",
    "contact_phone",
    "contact_email",
    "organisation_name_zh",
    "organisation_name_en",
)


def content(**overrides) -> LetterContent:
    values = {
        "language": "bilingual",
        "number": "TS-2026-000123",
        "customer_name": "王小明",
        "issued_on": dt.date(2026, 12, 2),
        "received_on": dt.date(2026, 11, 24),
        "apology": "非常抱歉，本月账单多扣了您两百元，给您添了麻烦。",
        "problem": "您本月的话费账单比平时多了两百元，而您并没有使用任何额外业务。",
        "solution_action": "退还多扣的两百元话费，并取消自动续订的增值业务。",
        "solution_benefit": "多扣的费用全额退回，以后不会再被扣费。",
        "compensation": Decimal("20.00"),
        "commitments": (("三个工作日内把两百元退回您的账户", dt.datetime(2026, 11, 27, 17, 0, tzinfo=SHANGHAI)),),
        "next_callback_at": dt.datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI),
        "contact_name": "张伟",
        "contact_phone": "10000",
        "contact_email": "complaints@example.com",
        "organisation_name_zh": "客户服务中心",
        "organisation_name_en": "Customer Service Centre",
    }
    values.update(overrides)
    return LetterContent(**values)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    """Text without whitespace: line wrapping puts breaks anywhere in a long input."""
    return re.sub(r"\s+", "", text)


def font_dicts(reader):
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            if ref.idnum not in seen:
                seen.add(ref.idnum)
                yield ref.get_object()


def to_unicode_map(font) -> dict[int, str]:
    data = font["/ToUnicode"].get_data().decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for gid, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(gid, 16)] = bytes.fromhex(text).decode("utf-16-be")
    return mapping


def assert_every_glyph_drawn(pdf: bytes):
    """No .notdef box anywhere, three ways:
    - WeasyPrint gives a font its own /Encoding CMap only when it had to draw .notdef for a
      character no font has (weasyprint/pdf/fonts.py); otherwise the encoding is /Identity-H;
    - every glyph the text uses (ToUnicode: glyph id → character) is inside the embedded font,
      is not glyph 0 (.notdef), and has an outline unless its character is a space.
    """
    for font in font_dicts(PdfReader(io.BytesIO(pdf))):
        if font["/Subtype"] == "/Type3" or "Emoji" in font["/BaseFont"]:
            continue  # colour emoji: WeasyPrint empties their glyphs and draws each as an image
        assert font["/Encoding"] == "/Identity-H", font["/BaseFont"]
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        assert stream is not None, f"{font['/BaseFont']} is not embedded"
        embedded = TTFont(io.BytesIO(stream.get_object().get_data()))
        glyph_set = embedded.getGlyphSet()
        for gid, text in to_unicode_map(font).items():
            if text.isspace():
                continue
            assert 0 < gid < embedded["maxp"].numGlyphs, (font["/BaseFont"], text)
            pen = BoundsPen(glyph_set)
            glyph_set[embedded.getGlyphName(gid)].draw(pen)
            assert pen.bounds is not None, f"{text!r} has no outline in {font['/BaseFont']}"


def png_of_first_page(pdf: bytes, tmp_path) -> Image.Image:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    command = ["/usr/bin/pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", "-singlefile", path, tmp_path / "page"]
    subprocess.run(command, check=True)  # noqa: S603 - our own file
    return Image.open(tmp_path / "page.png").convert("L")


def test_a_bilingual_letter_shows_the_rare_name_the_number_and_the_solution_in_embedded_fonts(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdf = render_letter_pdf(content(customer_name="李喆堃𠮷"))
    text = pdf_text(pdf)
    for char in "李喆堃𠮷":
        assert char in text
    assert "TS-2026-000123" in text
    assert "退还多扣的两百元话费" in squeeze(text)
    assert "¥20.00" in text and "CNY 20.00" in text
    assert "2026年11月27日 17:00" in text and "27 November 2026, 17:00" in text
    assert_every_glyph_drawn(pdf)
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]
    # Our font carries everything but 𠮷 (CJK Extension B), which comes from the fallback.
    names = {str(font["/BaseFont"]).split("+")[1] for font in font_dicts(PdfReader(io.BytesIO(pdf)))}
    assert "Letter-Sans-SC" in names


def test_the_first_page_is_printed_on(tmp_path):
    page = png_of_first_page(render_letter_pdf(content()), tmp_path)
    histogram = page.histogram()  # pixels per grey level, 0 black … 255 white
    assert sum(histogram[:250]) > 0.02 * page.width * page.height  # some ink, not a blank page
    assert sum(histogram[:100]) > 0  # and some of it dark: text, not a tint


@pytest.mark.parametrize(
    ("language", "shown", "absent"),
    [
        ("zh-hans", ["投诉处理结果告知函", "第 1 页 / 共 1 页", "2026年12月2日"], ["Resolution of your complaint"]),
        ("en", ["Resolution of your complaint", "Page 1 of 1", "2 December 2026"], ["投诉处理结果告知函"]),
        ("bilingual", ["投诉处理结果告知函", "Resolution of your complaint", "Page 1 of 1", "第 1 页"], []),
    ],
)
def test_each_language_has_its_title_dates_and_page_numbers(language, shown, absent):
    pdf = render_letter_pdf(content(language=language))
    text = pdf_text(pdf)
    for expected in shown:
        assert expected in text
    for unexpected in absent:
        assert unexpected not in text
    title = PdfReader(io.BytesIO(pdf)).metadata.title
    assert (shown[0] in title) and "TS-2026-000123" in title


# --- PDF/A-3b, read off the file's structure ------------------------------------------------------
# veraPDF, the reference validator, cannot be installed on these machines (not in Debian, npm or PyPI;
# the PyPI wrappers download its jar at run time, from a site that is out of reach), so these are the
# requirements of ISO 19005-3 (with ISO 19005-2, which it builds on; clauses in brackets) that can be
# checked on the structure with pypdf. What needs a content stream interpreted (the colour space of
# each painting operator, widths against the font programs) is not checked here.

XMP = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}
# Document information entries and the XMP property each must equal [6.6.3].
INFO_IN_XMP = {
    "/Title": "dc:title",
    "/Author": "dc:creator",
    "/Subject": "dc:description",
    "/Keywords": "pdf:Keywords",
    "/Creator": "xmp:CreatorTool",
    "/Producer": "pdf:Producer",
    "/CreationDate": "xmp:CreateDate",
    "/ModDate": "xmp:ModifyDate",
}
# Whatever runs, opens, fetches or plays something is refused in a letter: PDF/A forbids most actions
# [6.5.1] and every reference to content outside the file [6.1.7, 6.2.9]; a letter needs none at all.
ACTION_KEYS = ("/A", "/AA", "/OpenAction")
EXTERNAL_STREAM_KEYS = ("/F", "/FFilter", "/FDecodeParms")


def reachable(reader):
    """Every dictionary (streams included) reachable from the trailer, each once."""
    seen, todo = set(), [reader.trailer]
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            yield item
            todo.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, ArrayObject):
            todo.extend(item)


def xmp_properties(xml: str) -> dict:
    """Simple XMP properties as 'prefix:name' → text, whether written as attributes or elements;
    language alternatives give their x-default, sequences their items joined by ', '."""
    names = {uri: prefix for prefix, uri in XMP.items()}

    def qualified(tag):
        uri, _, local = tag[1:].partition("}")
        return f"{names.get(uri, uri)}:{local}"

    found = {}
    # The letter we rendered ourselves, not untrusted input.
    for description in ElementTree.fromstring(xml).iter(  # noqa: S314
        f"{{{XMP['rdf']}}}Description"
    ):
        for attribute, value in description.attrib.items():
            if not attribute.startswith(f"{{{XMP['rdf']}}}"):
                found[qualified(attribute)] = value
        for element in description:
            items = element.findall(".//rdf:li", XMP)
            default = [li for li in items if li.get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default"]
            found[qualified(element.tag)] = (
                (default[0].text or "")
                if default
                else ", ".join(li.text or "" for li in items)
                if items
                else element.text
            )
    return found


def pdf_date(value: str) -> str:
    """A PDF date (D:YYYYMMDDHHmmSSOHH'mm) as the XMP date of the same precision (ISO 8601)."""
    match = re.fullmatch(r"D:(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?(Z|[+-]\d\d'?\d\d'?)?", value)
    assert match, value
    year, month, day, hour, minute, second, zone = match.groups()
    text = "-".join(part for part in (year, month, day) if part)
    if hour:
        text += f"T{hour}:{minute or '00'}" + (f":{second}" if second else "")
        text += "Z" if zone == "Z" else (f"{zone[:3]}:{zone[3:].strip(chr(39))}" if zone else "")
    return text


def icc_header(profile: bytes) -> dict:
    return {"version": profile[8], "class": profile[12:16], "space": profile[16:20], "signature": profile[36:40]}


def pdfa_3b_problems(pdf: bytes) -> list[str]:
    """What keeps `pdf` from being PDF/A-3b, as far as its structure shows; [] when nothing does."""
    problems = []
    if not re.match(rb"%PDF-1\.[0-7]\r?\n%[\x80-\xff]{4}", pdf):
        problems.append("header: %PDF-1.n (n ≤ 7), then a comment of four bytes above 127 [6.1.2]")
    reader = PdfReader(io.BytesIO(pdf))
    trailer = reader.trailer
    if reader.is_encrypted or "/Encrypt" in trailer:
        return [*problems, "encrypted [6.1.3]"]  # nothing else can be read without the password
    ids = trailer.get("/ID")
    if not (
        isinstance(ids, ArrayObject)
        and len(ids) == 2
        and all(len(getattr(part, "original_bytes", part)) for part in ids)
    ):
        problems.append("no file identifier (/ID of two strings) in the trailer [6.1.3]")
    root = trailer["/Root"]

    # Metadata: an XMP packet naming the part and conformance, agreeing with the Info dictionary.
    metadata = root.get("/Metadata")
    xmp = {}
    if metadata is None:
        problems.append("no XMP metadata in the catalog [6.6.2.1]")
    else:
        stream = metadata.get_object()
        if (stream.get("/Type"), stream.get("/Subtype")) != ("/Metadata", "/XML"):
            problems.append("the metadata stream is not /Type /Metadata /Subtype /XML [6.6.2.1]")
        xml = stream.get_data().decode("utf-8")
        header = re.search(r"<\?xpacket begin=[^>]*\?>", xml)
        if header is None or re.search(r"\b(bytes|encoding)=", header.group()):
            problems.append("the XMP packet header is missing or has bytes/encoding attributes [6.6.2.1]")
        xmp = xmp_properties(xml)
        if (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) != ("3", "B"):
            problems.append(
                f"XMP does not say PDF/A-3B: {xmp.get('pdfaid:part')}/{xmp.get('pdfaid:conformance')} [6.6.4]"
            )
    info = reader.trailer.get("/Info")
    info = info.get_object() if info is not None else {}
    for key, property_name in INFO_IN_XMP.items():
        if key not in info:
            continue
        expected = pdf_date(str(info[key])) if key.endswith("Date") else str(info[key])
        if xmp.get(property_name) != expected:
            problems.append(f"Info {key} {expected!r} is not XMP {property_name} {xmp.get(property_name)!r} [6.6.3]")
    for key, property_name in INFO_IN_XMP.items():
        if property_name in xmp and key not in info:
            problems.append(f"XMP {property_name} has no Info {key} to agree with")

    # Colour: an sRGB-like output intent with its ICC profile embedded.
    intents = [intent.get_object() for intent in root.get("/OutputIntents", [])]
    pdfa_intents = [intent for intent in intents if intent.get("/S") == "/GTS_PDFA1"]
    if not pdfa_intents:
        problems.append("no /OutputIntents entry with /S /GTS_PDFA1 [6.2.3]")
    if (
        len({intent.raw_get("/DestOutputProfile").idnum for intent in pdfa_intents if "/DestOutputProfile" in intent})
        > 1
    ):
        problems.append("output intents with different profiles [6.2.3]")
    for intent in pdfa_intents:
        if "/DestOutputProfile" not in intent or "/OutputConditionIdentifier" not in intent:
            problems.append("an output intent without its ICC profile or condition identifier [6.2.3]")
            continue
        profile = intent["/DestOutputProfile"].get_object()
        icc = icc_header(profile.get_data())
        if profile.get("/N") != 3 or icc["space"] != b"RGB " or icc["signature"] != b"acsp":
            problems.append(f"the output profile is not an embedded RGB ICC profile with /N 3: {icc} [6.2.3]")
        if icc["class"] not in (b"mntr", b"prtr") or icc["version"] > 4:
            problems.append(f"the output profile is not a monitor or printer profile of ICC v2–v4: {icc} [6.2.3]")

    for item in reachable(reader):
        kind, subtype = item.get("/Type"), item.get("/Subtype")
        # Actions, scripts, forms, attachments, and anything from outside the file.
        for key in ACTION_KEYS:
            if key in item:
                problems.append(f"an action ({key}) [6.5]")
        if kind == "/Action" or "/JS" in item or "/JavaScript" in item:
            problems.append(f"an action or script: {item.get('/S', '/JavaScript')} [6.5.1]")
        if "/EmbeddedFiles" in item or kind == "/Filespec" or "/AcroForm" in item or "/XFA" in item:
            problems.append("an attachment or a form: a letter has neither")
        for key in EXTERNAL_STREAM_KEYS:
            if isinstance(item, StreamObject) and key in item:
                problems.append(f"a stream whose data is outside the file ({key}) [6.1.7]")
        filters = item.get("/Filter") if isinstance(item, StreamObject) else None
        if filters is not None and {"/LZWDecode", "/Crypt"} & set(
            filters if isinstance(filters, ArrayObject) else [filters]
        ):
            problems.append(f"a stream filtered with {filters} [6.1.7]")
        if kind == "/XObject" or subtype in ("/Image", "/Form", "/PS"):
            if subtype == "/PS" or item.get("/Subtype2") == "/PS" or "/OPI" in item or "/Ref" in item:
                problems.append("a PostScript, OPI or reference XObject [6.2.9]")
            if "/Alternates" in item or getattr(item.get("/Interpolate"), "value", False):
                problems.append(f"an image with /Alternates or /Interpolate true [6.2.8]: {dict(item)}")
        if "/TR" in item or "/HTP" in item or item.get("/TR2", "/Default") != "/Default":
            problems.append("a transfer function or halftone phase in a graphics state [6.2.5]")
        if kind == "/Annot" and (int(item.get("/F", 0)) & 0b100111) != 0b100:
            problems.append("an annotation not set to print, or hidden [6.3.2]")
        # Every font embedded, as its type requires [6.2.11.4.1, 6.2.11.3.2].
        if kind == "/Font" and subtype in ("/Type1", "/MMType1", "/TrueType"):
            descriptor = item.get("/FontDescriptor")
            files = [key for key in ("/FontFile", "/FontFile2", "/FontFile3") if descriptor and key in descriptor]
            if not files:
                problems.append(f"font {item.get('/BaseFont')} is not embedded [6.2.11.4.1]")
        if kind == "/Font" and subtype in ("/CIDFontType0", "/CIDFontType2"):
            descriptor = item["/FontDescriptor"]
            if subtype == "/CIDFontType2":
                program = descriptor.get("/FontFile2")
                if "/CIDToGIDMap" not in item:
                    problems.append(f"{item['/BaseFont']}: a TrueType CIDFont without /CIDToGIDMap [6.2.11.3.2]")
            else:
                program = descriptor.get("/FontFile3")
                if program is not None and program.get_object().get("/Subtype") not in ("/CIDFontType0C", "/OpenType"):
                    program = None
            if program is None or not program.get_object().get_data():
                problems.append(f"font {item['/BaseFont']} is not embedded as its type requires [6.2.11.4.1]")
    return problems


def embedded_font_names(pdf: bytes) -> set[str]:
    """The fonts the letter uses, without their subset prefix."""
    return {str(font["/BaseFont"]).split("+")[-1] for font in font_dicts(PdfReader(io.BytesIO(pdf)))}


RARE = "𠮷𪚥"  # 𠮷 comes from Noto Sans CJK, 𪚥 (CJK Extension B) from HanaMin: both are fallbacks


@pytest.mark.parametrize(
    "letter",
    [
        content(customer_name="李喆堃" + RARE, apology="😀🙏 非常抱歉，给您添麻烦了。"),
        content(language="en", customer_name="Wang Xiaoming"),
    ],
    ids=["bilingual-rare-and-emoji", "english"],
)
def test_the_letter_is_pdf_a_3b_as_far_as_its_structure_shows(letter):
    pdf = render_letter_pdf(letter)
    assert pdfa_3b_problems(pdf) == []
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info.title and info.producer.startswith("WeasyPrint")
    assert info.creation_date.date() == letter.issued_on  # and XMP's CreateDate agrees (above)


def test_the_fallback_fonts_of_rare_characters_are_embedded_too():
    pdf = render_letter_pdf(content(customer_name="李" + RARE))
    names = embedded_font_names(pdf)
    assert {"Letter-Sans-SC", "Noto-Sans-CJK-SC", "HanaMinA-Medium"} <= names
    assert not [problem for problem in pdfa_3b_problems(pdf) if "font" in problem]


def rewritten(pdf: bytes, change) -> bytes:
    """`pdf` with `change(writer)` applied, written back by pypdf (which keeps the /ID and Info)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _first_font_descriptor(writer):
    for font in writer.pages[0]["/Resources"]["/Font"].values():
        return font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]


@pytest.fixture(scope="module")
def plain_letter_pdf():
    return render_letter_pdf(content(apology="😀 非常抱歉"))


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (
            lambda w: w._root_object.__setitem__(
                NameObject("/OpenAction"),
                DictionaryObject(
                    {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
                ),
            ),
            "action",
        ),
        (
            lambda w: w._root_object.__setitem__(
                NameObject("/OpenAction"),
                DictionaryObject(
                    {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
                ),
            ),
            "action",
        ),
        (lambda w: w.add_metadata({"/Title": "Another title"}), "Info /Title"),
        (lambda w: w.add_metadata({"/CreationDate": "D:20300101"}), "Info /CreationDate"),
        (lambda w: w._root_object.__delitem__("/OutputIntents"), "GTS_PDFA1"),
        (lambda w: _first_font_descriptor(w).__delitem__("/FontFile2"), "not embedded"),
        (lambda w: w.encrypt("secret", algorithm="AES-128"), "encrypted"),
    ],
    ids=["javascript", "launch", "title", "creation-date", "output-intent", "font", "encryption"],
)
def test_the_structural_check_finds_what_breaks_pdf_a(plain_letter_pdf, change, found):
    """The check above is only worth what it catches: each of these breaks PDF/A-3b one way."""
    assert pdfa_3b_problems(plain_letter_pdf) == []
    problems = pdfa_3b_problems(rewritten(plain_letter_pdf, change))
    assert any(found in problem for problem in problems), problems


def test_an_interpolated_image_is_found():
    """A colour emoji is drawn as an image; PDF/A forbids asking viewers to smooth it (/Interpolate)."""
    pdf = render_letter_pdf(content(apology="😀 非常抱歉"))
    smoothed = pdf.replace(b"/Interpolate false", b"/Interpolate true ")
    assert smoothed != pdf
    assert any("Interpolate" in problem for problem in pdfa_3b_problems(smoothed))


def hostile(canary_url: str) -> list[str]:
    return [
        f"<link rel=attachment href={canary_url}>",
        f"<a rel=attachment href={canary_url}>x</a>",
        f"<img src={canary_url}>",
        "<style>@import url(http://169.254.169.254/)</style>",
        "http://169.254.169.254/latest/meta-data/",
    ]


def test_hostile_markup_in_every_field_stays_text_and_fetches_nothing(tmp_path, monkeypatch):
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-7f3a9 secret")
    payload = " ".join(hostile(canary.as_uri()))
    asked = []
    original = LetterAssetFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(LetterAssetFetcher, "fetch", spy)
    letter = content(
        **dict.fromkeys(TEXT_FIELDS, payload),
        commitments=((payload, dt.datetime(2026, 11, 27, 17, 0, tzinfo=SHANGHAI)),),
    )
    assert "<img" not in letter_html(letter).split("</header>")[1]  # escaped: &lt;img
    pdf = render_letter_pdf(letter)
    assert b"/EmbeddedFiles" not in pdf and b"/EmbeddedFile" not in pdf
    assert b"CANARY-7f3a9" not in pdf
    text = squeeze(pdf_text(pdf))
    assert "CANARY-7f3a9" not in text
    for tag in hostile(canary.as_uri()):
        assert squeeze(tag) in text
    assert all(url.startswith("letter-asset:") for url in asked), asked


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/",
        "https://example.com/logo.png",
        "ftp://example.com/x",
        "letter-asset:../../../../etc/passwd",
        "letter-asset:/../fetcher.py",
        "letter-asset:fonts/../../rendering.py",
        "letter-asset:missing.svg",
        "relative/logo.svg",
    ],
)
def test_the_fetcher_refuses_everything_but_our_assets(url):
    with pytest.raises(RefusedURL):
        LetterAssetFetcher().fetch(url)


def test_the_fetcher_serves_our_assets_and_data_urls():
    fetcher = LetterAssetFetcher()
    assert fetcher.fetch("letter-asset:logo.svg").read().startswith(b"<svg")
    assert fetcher.fetch("letter-asset:fonts/LetterSansSC-Regular.ttf").read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def boxes_outside_the_page(document) -> list:
    """Every box of every page whose border box passes the page's right edge (or starts left of it)."""
    outside = []
    for page in document.pages:
        page_box = page._page_box
        right = page_box.margin_width()
        for box in page_box.descendants():
            if isinstance(box, boxes.PageBox) or box.width is None:
                continue
            x = box.position_x
            if x < -0.01 or x + box.margin_width() > right + 0.01:
                outside.append((type(box).__name__, getattr(box, "text", "")[:20], x, box.margin_width()))
    return outside


def test_long_words_emoji_and_right_to_left_text_stay_inside_the_page(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    odd = content(
        customer_name="W" * 300,
        apology="😀🙏👍🏽 " + "非常抱歉" * 20,
        problem="x" * 10_000,
        solution_action="نعتذر عن الإزعاج وسنعيد المبلغ خلال ثلاثة أيام عمل",
        solution_benefit="אנו מתנצלים על אי הנוחות " + "ה" * 500,
        contact_email="a" * 400 + "@example.com",
        commitments=(("y" * 3000, dt.datetime(2026, 11, 27, 17, 0, tzinfo=SHANGHAI)),),
    )
    document = renderer().render(letter_html(odd))
    assert len(document.pages) >= 3
    assert boxes_outside_the_page(document) == []
    pdf = render_letter_pdf(odd)
    text = pdf_text(pdf)
    assert "نعتذر" in text or "رذتعن" in text  # extraction order of right-to-left runs varies
    assert squeeze(text).count("x") >= 10_000
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]
    assert_every_glyph_drawn(pdf)
    images = [
        xobject.get_object()
        for page in PdfReader(io.BytesIO(pdf)).pages
        for xobject in page["/Resources"].get("/XObject", {}).values()
    ]
    assert any(image["/Subtype"] == "/Image" for image in images)  # the emoji, in colour


def test_text_over_the_limit_is_refused_naming_the_field():
    with pytest.raises(LetterTextTooLong) as exc:
        content(problem="长" * (LETTER_TEXT_LIMIT + 1))
    assert set(exc.value.fields) == {"problem"}
    assert "problem restated" in str(exc.value) and str(LETTER_TEXT_LIMIT) in str(exc.value)
    assert isinstance(exc.value, ValueError)
    each = LETTER_TOTAL_LIMIT // 4 + 1
    with pytest.raises(LetterTextTooLong) as exc:
        content(apology="a" * each, problem="b" * each, solution_action="c" * each, solution_benefit="d" * each)
    assert set(exc.value.fields) == {"__all__"}


def test_template_version_is_recorded():
    assert TEMPLATE_VERSION


@pytest.mark.django_db
def test_content_for_an_agreed_case(agent):
    case = case_in_state("agreed", owner=agent)
    letter = letter_content_for(case, issued_on=dt.date(2026, 12, 2))
    assert letter.language == "zh-hans" and letter.number == case.number
    assert letter.customer_name == "王小明"
    assert letter.apology == "非常抱歉给您添麻烦了。" and letter.problem == "您是说本月多扣了两百元。"
    assert (letter.solution_action, letter.solution_benefit) == ("退还本月费用", "多扣的钱退回")
    assert letter.compensation == Decimal("20.00")
    assert [d for d, _due in letter.commitments] == ["三个工作日内退费"]
    follow_up = case.promises.get(kind="follow_up")
    assert letter.next_callback_at == follow_up.due_at
    assert letter.contact_name == "张伟"
    assert letter.received_on == case.first_contact_at.astimezone(SHANGHAI).date()
    assert letter_content_for(case, language="en").language == "en"
    pdf = render_letter_pdf(letter)
    assert case.number in pdf_text(pdf)


@pytest.fixture
def all_well(monkeypatch):
    monkeypatch.setattr(letter_checks, "harfbuzz_subset_available", lambda: True)
    monkeypatch.setattr(letter_checks, "fallback_font_installed", lambda: True)


def test_no_warning_when_harfbuzz_and_the_fonts_are_there(all_well):
    assert letter_checks.letter_fonts() == []


def test_the_checks_pass_on_this_machine():
    assert [m.id for m in checks.run_checks() if m.id.startswith("cases.W01")] == []


def test_missing_harfbuzz_subset_is_a_warning(all_well, monkeypatch):
    monkeypatch.setattr(letter_checks, "harfbuzz_subset_available", lambda: False)
    assert [m.id for m in letter_checks.letter_fonts()] == ["cases.W011"]


def test_a_missing_font_file_is_a_warning(all_well, monkeypatch, tmp_path):
    monkeypatch.setattr(letter_checks, "FONT_FILE", tmp_path / "gone.ttf")
    assert [m.id for m in letter_checks.letter_fonts()] == ["cases.W012"]


def test_a_missing_fallback_font_is_a_warning(monkeypatch):
    monkeypatch.setattr(letter_checks, "harfbuzz_subset_available", lambda: True)
    monkeypatch.setattr(letter_checks, "fontconfig_families", lambda name: ("DejaVu Sans",))
    messages = letter_checks.letter_fonts()
    assert [m.id for m in messages] == ["cases.W013"] and "Noto Sans CJK SC" in messages[0].msg


def test_the_limit_message_is_translated():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(LetterTextTooLong) as exc:
        content(apology="长" * (LETTER_TEXT_LIMIT + 1))
    assert "太长" in str(exc.value.fields["apology"][0]) and "致歉内容" in str(exc.value.fields["apology"][0])
