"""Regenerate docs/case-states.dot (and .svg when Graphviz's `dot` is installed) with
django-fsm-2's graph_transitions, in English. Run via `make docs`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "1")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

dot_file = ROOT / "docs" / "case-states.dot"
with translation.override("en"), dot_file.open("w") as out:
    call_command("graph_transitions", "cases.Case", stdout=out)
if shutil.which("dot"):
    subprocess.run(["dot", "-Tsvg", str(dot_file), "-o", str(dot_file.with_suffix(".svg"))], check=True)  # noqa: S603,S607
print(f"wrote {dot_file}")
