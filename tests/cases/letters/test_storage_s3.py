"""Letters in S3-compatible object storage (FILE_STORAGE=s3, django-storages), against moto's
in-process S3: the storage is configured with the very dict the settings build from the environment
(config/settings/storage.py; tests/test_settings.py checks the production profile builds it), in a
versioned bucket, so "never overwritten" is seen on the bucket itself, not inferred from names."""

import hashlib
import io
import zipfile

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import Client, override_settings
from moto import mock_aws

from cases.models import Letter
from cases.services.letter_batches import letter_batch_start
from cases.services.letters import letter_mark_sent, letter_request
from config.settings.storage import file_storage
from tests.api.test_api import client_for
from tests.factories import case_in_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]

BUCKET = "complaint-letters"
ENVIRONMENT = {"FILE_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_REGION_NAME": "cn-north-1"}


@pytest.fixture
def bucket(settings):
    # mock_aws puts fake credentials in the environment for its duration: nothing can reach AWS.
    with mock_aws():
        s3 = boto3.client("s3", region_name="cn-north-1")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        with override_settings(STORAGES={**settings.STORAGES, "default": file_storage(ENVIRONMENT)}):
            yield s3


def stored(s3, key) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def versions(s3, key) -> list:
    return [v for v in s3.list_object_versions(Bucket=BUCKET, Prefix=key).get("Versions", []) if v["Key"] == key]


def test_the_storage_is_django_storages_s3_with_files_never_overwritten(bucket):
    from storages.backends.s3 import S3Storage

    storage = storages["default"]
    assert isinstance(storage, S3Storage)
    assert isinstance(Letter._meta.get_field("file").storage, S3Storage)  # the field follows STORAGES
    assert (storage.bucket_name, storage.file_overwrite, storage.default_acl) == (BUCKET, False, None)


def test_a_letter_is_stored_in_the_bucket_read_back_whole_and_never_overwritten(
    agent, bucket, django_capture_on_commit_callbacks
):
    case = case_in_state("agreed", owner=agent)
    with django_capture_on_commit_callbacks(execute=True):
        letter_request(case=case, actor=agent)
    first = Letter.objects.get(case=case)
    assert first.state == "ready"
    key = first.file.name
    assert key == f"letters/{case.number}/v1-{first.sha256[:16]}.pdf"
    body = stored(bucket, key)
    assert body.startswith(b"%PDF") and len(body) == first.size
    assert hashlib.sha256(body).hexdigest() == first.sha256

    # Read back through the app, both ways a person downloads it.
    api = b"".join(client_for(agent).get(f"/api/letters/{first.pk}/pdf").streaming_content)
    page = Client()
    page.force_login(agent)
    html = b"".join(page.get(f"/cases/{case.number}/letters/{first.pk}/pdf/").streaming_content)
    assert hashlib.sha256(api).hexdigest() == hashlib.sha256(html).hexdigest() == first.sha256

    letter_mark_sent(letter=first, actor=agent)
    sent_version = versions(bucket, key)
    assert len(sent_version) == 1

    # A new rendering is a new version under a new key; the sent letter's object is untouched.
    with django_capture_on_commit_callbacks(execute=True):
        letter_request(case=case, actor=agent)
    second = Letter.objects.get(case=case, version=2)
    assert second.state == "ready" and second.file.name != key
    assert hashlib.sha256(stored(bucket, second.file.name)).hexdigest() == second.sha256
    assert versions(bucket, key) == sent_version
    assert hashlib.sha256(stored(bucket, key)).hexdigest() == first.sha256

    # Even a save under the very same name does not replace it: the storage picks another name.
    other = default_storage.save(key, ContentFile(b"%PDF-1.7 something else"))
    assert other != key
    assert versions(bucket, key) == sent_version


def test_a_batch_zip_is_made_from_the_bucket_and_stored_there(agent, bucket, django_capture_on_commit_callbacks):
    cases = [case_in_state("agreed", owner=agent) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(actor=agent, data={"cases": [case.pk for case in cases]})
    batch.refresh_from_db()
    assert batch.state == "done"
    archive = stored(bucket, batch.archive.name)
    assert hashlib.sha256(archive).hexdigest() == batch.archive_sha256
    downloaded = b"".join(client_for(agent).get(f"/api/letter-batches/{batch.pk}/zip").streaming_content)
    assert downloaded == archive
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        for letter in Letter.objects.filter(batch=batch).select_related("case"):
            pdf = opened.read(f"{letter.case.number}-v{letter.version}.pdf")
            assert hashlib.sha256(pdf).hexdigest() == letter.sha256
