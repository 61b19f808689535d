#!/usr/bin/env python
"""Resolution letters (cases/letters/): how fast a worker renders them and what it costs.

    .venv/bin/python bench/letters.py [--samples 100] [--output docs/benchmarks-letters.md]

In one run, no database needed:
- warm: a one-page bilingual letter rendered again and again by one process set up as a worker child
  is (cases/tasks.py `letters_worker_ready`: the renderer built, then gc.freeze()),
  p50/p95 and the PDF's size, with our font (cases/letters/assets/fonts);
- the same letter with the system's full Noto Sans CJK SC as the only CJK font (no @font-face);
- WeasyPrint's floor: a one-line page through the same pipeline (fonts, stylesheet, PDF/A);
- the letter's own text as one plain paragraph through that pipeline: what the words alone cost,
  with no headings, lists or letterhead (no letter that says as much can be faster than this), and
  the same words as a plain paragraph per piece of text (what the number of blocks costs);
- cold: a fresh Python that sets Django up and renders one letter (the render, and the process);
- memory: 500 letters in this process, RSS sampled every 50 (a leak shows as a slope).
"""

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from bench.machine import cpu_and_ram  # noqa: E402
from bench.stats import percentile, stopwatch  # noqa: E402

TARGET_P50_MS = 60
TARGET_PDF_KB = 60
SYSTEM_RATIO_MIN = 3
FLOOR_RATIO_MAX = 4
COLD_RENDER_S = 1.5
MEMORY_LETTERS = 500
MEMORY_EVERY = 50
SYSTEM_FONT_CSS = """
html { font-family: "Noto Sans CJK SC", "HanaMinA", "HanaMinB", sans-serif; }
@page { font-family: "Noto Sans CJK SC", "HanaMinA", "HanaMinB", sans-serif; }
"""
FLOOR_HTML = "<p>Resolution of your complaint 投诉处理结果告知函</p>"

COLD_SCRIPT = """
import json, os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django
django.setup()
from bench.letters import bench_letter
from cases.letters.rendering import render_letter_pdf
began = time.perf_counter()
pdf = render_letter_pdf(bench_letter())
print(json.dumps({{"render_s": time.perf_counter() - began, "bytes": len(pdf)}}))
"""


def bench_letter():
    from cases.letters.content import LetterContent

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    return LetterContent(
        language="bilingual",
        number="TS-2026-000123",
        customer_name="王小明",
        issued_on=dt.date(2026, 12, 2),
        received_on=dt.date(2026, 11, 24),
        apology="非常抱歉，本月账单多扣了您两百元，给您添了麻烦。",
        problem="您本月的话费账单比平时多了两百元，而您并没有使用任何额外业务。",
        solution_action="退还多扣的两百元话费，并取消自动续订的增值业务。",
        solution_benefit="多扣的费用全额退回，以后不会再被扣费。",
        compensation=Decimal("20.00"),
        commitments=(("三个工作日内把两百元退回您的账户", dt.datetime(2026, 11, 27, 17, 0, tzinfo=shanghai)),),
        next_callback_at=dt.datetime(2026, 11, 28, 10, 0, tzinfo=shanghai),
        contact_name="张伟",
        contact_phone="10000",
        contact_email="complaints@example.com",
        organisation_name_zh="客户服务中心",
        organisation_name_en="Customer Service Centre",
    )


def text_pieces(letter_html: str) -> list[str]:
    """The pieces of text of a letter's body, in order (what lies between its tags)."""
    from django.utils.html import strip_tags

    body = letter_html[letter_html.index("<body") :]
    pieces = strip_tags(body.replace("<", "\n<")).split("\n")
    return [" ".join(piece.split()) for piece in pieces if piece.strip()]


def text_only_html(pieces: list[str]) -> str:
    """A letter's words (`text_pieces`), in order, as one paragraph with no structure."""
    from django.utils.html import escape

    return f"<p>{escape(' '.join(pieces))}</p>"


def text_blocks_html(pieces: list[str]) -> str:
    """The same words, a plain paragraph per piece: what the number of blocks costs."""
    from django.utils.html import escape

    return "".join(f"<p>{escape(piece)}</p>" for piece in pieces)


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def timed(variants: dict, samples: int, warmup: int = 3) -> dict:
    """{name: (render, html, every)} → {name: (times in ms, PDF bytes)}.

    Round-robin: round after round, each variant renders once (or every `every`-th round), so the
    machine's drift during the run (large on these shared machines) weighs on every variant alike
    and the ratios between them hold even when the absolute times wander.
    """
    sizes = {}
    for name, (render, html, _every) in variants.items():
        for _ in range(warmup):
            sizes[name] = len(render(html))
    times = {name: [] for name in variants}
    for round_ in range(samples):
        for name, (render, html, every) in variants.items():
            if round_ % every == 0:
                with stopwatch(times[name]):
                    render(html)
    return {name: (times[name], sizes[name]) for name in variants}


def cold():
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", COLD_SCRIPT.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    whole = time.perf_counter() - began
    return json.loads(result.stdout.strip().splitlines()[-1])["render_s"], whole


def measure(samples):
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from cases.letters.rendering import Renderer, letter_html, render_letter_pdf, renderer
    from cases.tasks import letters_worker_ready

    letters_worker_ready()  # what a Celery worker child does when it starts (renderer set up, gc.freeze)

    html = letter_html(bench_letter())
    pieces = text_pieces(html)
    ours = renderer()
    pages = len(ours.render(html).pages)
    system = Renderer(font_css=None, extra_css=SYSTEM_FONT_CSS)
    runs = timed(
        {
            "ours": (ours.pdf, html, 1),
            "system": (system.pdf, html, 4),  # slower: a quarter of the rounds
            "floor": (ours.pdf, FLOOR_HTML, 1),
            "text": (ours.pdf, text_only_html(pieces), 1),
            "blocks": (ours.pdf, text_blocks_html(pieces), 1),
        },
        samples,
    )
    (ours_ms, ours_bytes), (system_ms, system_bytes) = runs["ours"], runs["system"]
    floor_ms, text_ms, blocks_ms = runs["floor"][0], runs["text"][0], runs["blocks"][0]
    cold_render_s, cold_process_s = cold()
    series = []
    letter = bench_letter()
    for n in range(1, MEMORY_LETTERS + 1):
        render_letter_pdf(letter)
        if n % MEMORY_EVERY == 0:
            series.append(round(rss_mb(), 1))
    return {
        "pages": pages,
        "ours_p50": percentile(ours_ms, 50),
        "ours_p95": percentile(ours_ms, 95),
        "ours_kb": ours_bytes / 1024,
        "system_p50": percentile(system_ms, 50),
        "system_kb": system_bytes / 1024,
        "floor_p50": percentile(floor_ms, 50),
        "text_p50": percentile(text_ms, 50),
        "text_chars": len(" ".join(pieces)),
        "blocks_p50": percentile(blocks_ms, 50),
        "blocks": len(pieces),
        "cold_render_s": cold_render_s,
        "cold_process_s": cold_process_s,
        "rss_series": series,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "samples": samples,
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def table(r) -> str:
    system_ratio = r["system_p50"] / r["ours_p50"]
    floor_ratio = r["ours_p50"] / r["floor_p50"]
    series = r["rss_series"]
    growth = series[-1] - series[1] if len(series) > 1 else 0.0
    machine = cpu_and_ram()
    load = os.getloadavg()[0]
    rows = [
        (
            "Letter, our font: p50 / p95 (warm)",
            f"{r['ours_p50']:.0f} / {r['ours_p95']:.0f} ms",
            f"p50 ≤ {TARGET_P50_MS} ms",
            verdict(r["ours_p50"] <= TARGET_P50_MS),
        ),
        (
            "Letter, our font: PDF size",
            f"{r['ours_kb']:.1f} KB ({r['pages']} page)",
            f"≤ {TARGET_PDF_KB} KB",
            verdict(r["ours_kb"] <= TARGET_PDF_KB),
        ),
        (
            "Letter, system Noto Sans CJK SC only: p50, size",
            f"{r['system_p50']:.0f} ms, {r['system_kb']:.1f} KB",
            "",
            "",
        ),
        ("One-line page (WeasyPrint's floor): p50", f"{r['floor_p50']:.0f} ms", "", ""),
        (
            "The letter's words alone, one plain paragraph: p50 (÷ floor)",
            f"{r['text_p50']:.0f} ms ({r['text_p50'] / r['floor_p50']:.1f}×), {r['text_chars']} characters",
            "",
            "",
        ),
        (
            "The same words, a plain paragraph per piece: p50 (÷ floor)",
            f"{r['blocks_p50']:.0f} ms ({r['blocks_p50'] / r['floor_p50']:.1f}×), {r['blocks']} paragraphs",
            "",
            "",
        ),
        (
            "System font ÷ ours (p50)",
            f"{system_ratio:.1f}×",
            f"≥ {SYSTEM_RATIO_MIN}×",
            verdict(system_ratio >= SYSTEM_RATIO_MIN),
        ),
        ("Ours ÷ floor (p50)", f"{floor_ratio:.1f}×", f"≤ {FLOOR_RATIO_MAX}×", verdict(floor_ratio <= FLOOR_RATIO_MAX)),
        (
            "Cold process: first render / whole process",
            f"{r['cold_render_s']:.2f} s / {r['cold_process_s']:.2f} s",
            f"render ≤ {COLD_RENDER_S} s",
            verdict(r["cold_render_s"] <= COLD_RENDER_S),
        ),
        (
            f"RSS every {MEMORY_EVERY} of {MEMORY_LETTERS} letters (MB)",
            " ".join(f"{v:.0f}" for v in series),
            "flat",
            verdict(growth <= 0.05 * series[1]) if len(series) > 1 else "",
        ),
        ("Peak RSS of the benchmark process", f"{r['peak_rss_mb']:.0f} MB", "", ""),
    ]
    lines = [
        "## Resolution letters (bench/letters.py)",
        "",
        f"{machine['cpu']}, {machine['ram']}; Python {platform.python_version()}; load average {load:.1f} "
        f"at the end of the run; {r['samples']} warm samples of each variant, taken round-robin (a quarter as many "
        "for the system font).",
        "",
        "| measure | result | target | |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--output", help="also write the table to this file")
    args = parser.parse_args()
    report = table(measure(args.samples))
    print(report)
    if args.output:
        Path(args.output).write_text(report + "\n")


if __name__ == "__main__":
    main()
