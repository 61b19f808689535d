"""A LetterContent as a PDF/A-3b document.

Warm rendering is the case that matters (a worker renders letter after letter), so what can be
reused is built once per process: the font configuration with our font registered, the parsed
stylesheets, the fetcher with the assets it has read, and WeasyPrint's image cache (the logo).
Fonts are subset with HarfBuzz (cases/checks.py warns when it is missing: fontTools' pure-Python
subsetter takes seconds per Chinese letter).
"""

import threading
import zoneinfo
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .content import BILINGUAL, LetterContent, check_lengths
from .fetcher import BASE_URL, SCHEME, LetterAssetFetcher

TEMPLATE = "letters/letter.html"
PDF_VARIANT = "pdf/a-3b"

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def date_en(day: date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def datetime_zh(moment: datetime) -> str:
    local = moment.astimezone(_zone())
    return f"{date_zh(local)} {local:%H:%M}"


def datetime_en(moment: datetime) -> str:
    local = moment.astimezone(_zone())
    return f"{date_en(local)}, {local:%H:%M}"


def money_zh(amount: Decimal) -> str:
    return f"¥{amount:,.2f}（人民币）"


def money_en(amount: Decimal) -> str:
    return f"CNY {amount:,.2f} (¥)"


def _dates(content: LetterContent, day, moment, money) -> dict:
    return {
        "issued_on": day(content.issued_on),
        "received_on": day(content.received_on),
        "next_callback_at": moment(content.next_callback_at) if content.next_callback_at else "",
        "compensation": money(content.compensation) if content.compensation else "",
    }


def letter_html(content: LetterContent) -> str:
    check_lengths(content)
    return render_to_string(
        TEMPLATE,
        {
            "c": content,
            "language": content.language,
            "show_zh": content.language in ("zh-hans", BILINGUAL),
            "show_en": content.language in ("en", BILINGUAL),
            "zh": _dates(content, date_zh, datetime_zh, money_zh),
            "en": _dates(content, date_en, datetime_en, money_en),
            "commitments": [(text, datetime_zh(due), datetime_en(due)) for text, due in content.commitments],
            "logo_url": SCHEME + settings.LETTERS["LOGO"],
        },
    )


class Renderer:
    """One font configuration, its stylesheets, a fetcher and an image cache, reused per letter.

    `font_css` is the @font-face stylesheet (None: system fonts only, as the benchmark compares);
    `extra_css` is appended after the letter's own.
    """

    def __init__(self, *, font_css: str | None = "fonts.css", extra_css: str = ""):
        self.fetcher = LetterAssetFetcher()
        self.font_config = FontConfiguration()
        names = [name for name in (font_css, "letter.css") if name]
        self.stylesheets = [
            CSS(url=SCHEME + name, url_fetcher=self.fetcher, font_config=self.font_config) for name in names
        ]
        if extra_css:
            self.stylesheets.append(
                CSS(string=extra_css, base_url=BASE_URL, url_fetcher=self.fetcher, font_config=self.font_config)
            )
        self.image_cache = {}
        # FontConfiguration and the caches are not thread-safe; a worker renders one letter at a time.
        self.lock = threading.Lock()

    def html(self, html: str) -> HTML:
        return HTML(string=html, base_url=BASE_URL, url_fetcher=self.fetcher)

    def render(self, html: str):
        """WeasyPrint's laid-out Document (pages and boxes), for inspection."""
        with self.lock:
            return self.html(html).render(
                font_config=self.font_config, stylesheets=self.stylesheets, cache=self.image_cache
            )

    def pdf(self, html: str) -> bytes:
        with self.lock:
            return self.html(html).write_pdf(
                font_config=self.font_config,
                stylesheets=self.stylesheets,
                cache=self.image_cache,
                pdf_variant=PDF_VARIANT,
            )


_renderer = None
_renderer_lock = threading.Lock()


def renderer() -> Renderer:
    """The process's renderer, built on first use (registering the font takes a few ms)."""
    global _renderer
    if _renderer is None:
        with _renderer_lock:
            if _renderer is None:
                _renderer = Renderer()
    return _renderer


def render_letter_pdf(content: LetterContent) -> bytes:
    """The letter as PDF/A-3b bytes. Raises LetterTextTooLong (an InvalidInput) for over-long text."""
    return renderer().pdf(letter_html(content))


WARM_UP_HTML = "<p>投诉处理结果告知函 Resolution of your complaint</p>"


def warm_up() -> None:
    """Build the process's renderer and render one line: the fonts are registered and the stylesheets
    parsed before the first letter (a worker child does this when it starts, tasks.py)."""
    renderer().pdf(WARM_UP_HTML)
