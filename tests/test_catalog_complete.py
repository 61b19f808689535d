"""Every string the app shows exists in Chinese: the catalog is re-extracted from the sources, as
`makemessages` would for a translator, in a copy of the project (the checkout is left alone), and no
message may come out untranslated or fuzzy (a fuzzy one is an old translation of other words)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SOURCES = ("accounts", "audit", "cases", "complaints", "config", "core", "escalation", "notifications",
           "seeding", "templates", "locale", "manage.py")  # fmt: skip
CATALOG = Path("locale/zh_Hans/LC_MESSAGES/django.po")


def _entries(po: Path, flag: str) -> list:
    command = [shutil.which("msgattrib") or "msgattrib", flag, "--no-wrap", str(po)]  # GNU gettext (make system-deps)
    out = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 - our own files
    return [line for line in out.stdout.splitlines() if line.startswith("msgid ") and line != 'msgid ""']


def test_every_message_of_the_sources_is_translated_into_chinese(tmp_path):
    root = Path(settings.BASE_DIR)
    for name in SOURCES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location", "-v", "0"],
        cwd=tmp_path, check=True, capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},  # the test settings name tests/
    )  # fmt: skip
    po = tmp_path / CATALOG
    assert _entries(po, "--untranslated") == []
    assert _entries(po, "--only-fuzzy") == []
