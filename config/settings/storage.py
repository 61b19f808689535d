"""Where files are kept (resolution letters, batch zips): `STORAGES["default"]`, built from the
environment by one function, so the settings and the test of the S3 path (tests/cases/letters/
test_storage_s3.py) use the very same configuration.

FILE_STORAGE                filesystem (default: under MEDIA_ROOT) or s3 (django-storages)
AWS_STORAGE_BUCKET_NAME     the bucket (required with s3)
AWS_S3_ENDPOINT_URL         only for a non-AWS S3-compatible service (MinIO, Ceph, a cloud's OSS/COS)
AWS_S3_REGION_NAME          the bucket's region, where the service needs one
AWS_S3_ADDRESSING_STYLE     `path` for services without virtual-hosted buckets (most MinIO set-ups)
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   read by boto3 itself (or an instance role): not settings
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "filesystem"
S3 = "s3"


def file_storage(environ: Mapping[str, str]) -> dict:
    """The `STORAGES["default"]` entry that `environ` asks for."""
    kind = environ.get("FILE_STORAGE") or FILESYSTEM
    if kind == FILESYSTEM:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != S3:
        raise ImproperlyConfigured(f"FILE_STORAGE is {FILESYSTEM!r} or {S3!r}, not {kind!r}.")
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            # A stored file is never replaced: a name already taken gets another one (and a letter's
            # name carries its version and SHA-256, so a new rendering is a new object anyway).
            "file_overwrite": False,
            # No ACL on upload: objects stay as private as the bucket; the app streams them to whoever
            # may read them (no public or presigned URL is ever handed out).
            "default_acl": None,
        },
    }
