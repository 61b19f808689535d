"""The app boundaries in pyproject.toml bite: lint-imports fails when an app crosses one.

Runs lint-imports on a copy of the apps, so the probe module never touches the working tree.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
# Only the Python source matters to import-linter; templates, translations and caches stay behind.
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "templates", "locale", "static")


def lint_imports_command():
    script = Path(sys.executable).with_name("lint-imports")
    return [str(script)] if script.exists() else [shutil.which("lint-imports") or "lint-imports"]


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    copy = tmp_path_factory.mktemp("boundaries")
    for app in CONFIG["root_packages"]:
        shutil.copytree(ROOT / app, copy / app, ignore=SKIP)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def lint_imports(cwd):
    # The copy, and only the copy, is importable: the real apps must not answer for it.
    env = {**os.environ, "PYTHONPATH": str(cwd), "COLUMNS": "200"}
    return subprocess.run(  # noqa: S603 - our own virtualenv's lint-imports, no outside input
        [*lint_imports_command(), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def contract_name(contract_id):
    return next(c["name"] for c in CONFIG["contracts"] if c["id"] == contract_id)


def test_the_apps_as_they_are_keep_every_contract(project_copy):
    result = lint_imports(project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONFIG['contracts'])} kept, 0 broken." in result.stdout


def test_cases_importing_complaints_breaks_its_contract(project_copy, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(project_copy, broken)
    (broken / "cases" / "boundary_probe.py").write_text("import complaints  # noqa: F401\n")
    result = lint_imports(broken)
    assert result.returncode != 0
    assert f"{contract_name('cases-offers-hooks')} BROKEN" in result.stdout
    assert "cases.boundary_probe -> complaints" in result.stdout
    assert f"Contracts: {len(CONFIG['contracts']) - 1} kept, 1 broken." in result.stdout
