"""The suite checks it runs where CI meant it to: otherwise a misconfigured run could pass while
testing nothing of PostgreSQL or Redis. No test here skips: each asserts what holds where it is."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection


def test_the_suite_talks_to_the_database_it_was_asked_for() -> None:
    expected = os.environ.get("VENTANILLA_EXPECT_DB")
    assert connection.vendor == (expected or connection.vendor)
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_the_database_is_set_up_for_concurrent_use() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
        else:
            cursor.execute("SHOW server_version_num")
            assert int(cursor.fetchone()[0]) >= 150000


def test_the_shared_cache_is_the_one_configured() -> None:
    if os.environ.get("VENTANILLA_EXPECT_REDIS"):
        assert settings.REDIS_URL
    expected = "RedisCache" if settings.REDIS_URL else "LocMemCache"
    cache = caches["default"]
    assert type(cache).__name__ == expected
    cache.set("ventanilla-probe", "42", timeout=5)
    assert cache.get("ventanilla-probe") == "42"
