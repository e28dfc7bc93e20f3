import io
import shutil

import pytest
from PIL import Image

from tests.factories import CaseFactory, UserFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test stores uploads in its own folder, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.MEDIA_ROOT, "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _own_signing_keys(settings, tmp_path):
    """Each test has its own installation signing key (made on first use)."""
    settings.SIGNING_KEY_DIR = tmp_path / "keys"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow by design; tests do not need that protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its language active in the thread (as Django's LocaleMiddleware does); the next
    test starts in the default one."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.com", name="Olive Owner")


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.com", name="Oscar Outsider")


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", is_staff=True)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def case(owner):
    return CaseFactory(project__client__owner=owner)


def png_bytes(size=(64, 48), color="red", **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG", **save_kwargs)
    return buffer.getvalue()


def jpeg_bytes(size=(64, 48), exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    Image.new("RGB", size, "blue").save(buffer, format="JPEG", **kwargs)
    return buffer.getvalue()


@pytest.fixture
def mail_server(settings):
    """A real SMTP server in this process, with Django's e-mail settings pointed at it."""
    from tests.mailserver import MailServer

    server = MailServer().start()
    server.use(settings)
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def _flush_with_the_rewrite_permit():
    """Tests that commit (transaction=True, the live server) are cleaned up by Django flushing every
    table, which Settle's triggers refuse for the record's tables. The suite's own clean-up carries
    the permit a migration would; nothing else in the tests does."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from disputes.db_guard import rewrite_permitted

    original = BaseDatabaseOperations.execute_sql_flush

    def flush(self, sql_list):
        with rewrite_permitted(self.connection.alias):
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


def gps_jpeg_bytes(size=(64, 48)) -> bytes:
    """A photo as a phone takes it: a camera name and a GPS position in its EXIF."""
    image = Image.new("RGB", size, "green")
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 31.0, 12.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "E", (13.0, 24.0, 36.0)  # GPSLongitudeRef, GPSLongitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=90)
    return buffer.getvalue()


@pytest.fixture
def imap_server():
    """A real IMAP mailbox (Dovecot) with nothing in it."""
    from tests.imapserver import ImapServer
    from tests.services import require_dovecot

    server = ImapServer(require_dovecot()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server():
    """One S3 API server (moto) for the session."""
    from tests.s3server import S3Server
    from tests.services import require_s3_server

    server = S3Server(require_s3_server()).start()
    yield server
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch):
    """Django's default storage on a fresh bucket of the S3 server, as FILE_STORAGE=s3 configures it."""
    import uuid

    from tests.s3server import BUCKET

    bucket = f"{BUCKET}-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=bucket)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server.url,
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "max_memory_size": 1024 * 1024,
            },
        },
    }
    return bucket
