"""The settings profiles behave as the deployment guide promises."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    full_env.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_profile_passes_the_deployment_checklist_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x7#kq" * 12,
        ALLOWED_HOSTS="complaints.example.com",
        # Whether chinesecalendar knows this year and the next depends on today's date, not on the
        # profile: tests/cases/test_business_calendar.py checks those warnings with time frozen.
        SILENCED_SYSTEM_CHECKS="cases.W001,cases.W002",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_a_secret_key_production_refuses_to_start():
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_file_storage_s3_in_the_production_profile_is_the_storage_the_s3_test_uses():
    """tests/cases/letters/test_storage_s3.py configures `file_storage(environment)`; this proves the
    production profile builds exactly that from the same environment, and that its backend imports."""
    import json

    from config.settings.storage import file_storage

    environment = {
        "FILE_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "complaint-letters",
        "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
        "AWS_S3_REGION_NAME": "cn-north-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    result = manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; from django.core.files.storage import storages; "
        "print(json.dumps([settings.STORAGES['default'], type(storages['default']).__module__]))",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x7#kq" * 12,
        **environment,
    )
    assert result.returncode == 0, result.stderr
    built, backend_module = json.loads(result.stdout.strip().splitlines()[-1])
    assert built == file_storage(environment)
    assert backend_module == "storages.backends.s3"
    assert built["OPTIONS"]["file_overwrite"] is False


def test_file_storage_s3_without_a_bucket_refuses_to_start():
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="x7#kq" * 12,
                    FILE_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="")  # fmt: skip
    assert result.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in result.stderr
