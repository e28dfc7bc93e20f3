"""When services are required (CI), prove the suite really runs on them."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from config.celery import app
from tests.services import REQUIRED, require_postgres, require_redis


@pytest.mark.django_db
def test_the_database_is_postgresql_when_required():
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_the_broker_and_cache_are_redis_when_required():
    require_redis()
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.transport_cls in ("redis", "rediss") or "redis" in type(conn.transport).__module__
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("settle-ci-probe", 42, timeout=5)
    assert cache.get("settle-ci-probe") == 42


def test_required_means_every_service_is_configured():
    if not REQUIRED:
        pytest.skip("REQUIRE_SERVICES is not set")
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    assert settings.CELERY_BROKER_URL.startswith("redis")
