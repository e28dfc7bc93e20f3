"""The default file storage, from FILE_STORAGE: the local folder MEDIA_ROOT, or an S3-compatible bucket."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import env_str


def file_storage(kind: str, media_root: Path) -> dict:
    if kind == "filesystem":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root, "base_url": None},
        }
    if kind == "s3":
        if not env_str("AWS_STORAGE_BUCKET_NAME"):
            raise ImproperlyConfigured("FILE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
                # For S3-compatible servers (MinIO…); empty means AWS itself.
                "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
                "region_name": env_str("AWS_S3_REGION_NAME") or None,
                "location": env_str("AWS_LOCATION", ""),
                # Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the machine's role.
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                # django-storages' file objects spool to disk past 1 MB instead of keeping objects in memory.
                "max_memory_size": 1024 * 1024,
            },
        }
    raise ImproperlyConfigured("FILE_STORAGE must be filesystem or s3.")
