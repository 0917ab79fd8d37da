"""With VENTANILLA_TASKS_BACKEND=rq the same task is queued in Redis and `ventanilla worker` runs
it with an RQ worker. Needs the Redis at 127.0.0.1:6379 (database 9 is used and emptied); without
it the test is skipped on a laptop, and fails in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.db import connection

from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.notifications.models import Notification

REDIS_URL = os.environ.get("VENTANILLA_TEST_RQ_URL", "redis://127.0.0.1:6379/9")
IN_CI = os.environ.get("CI") == "true" or os.environ.get("VENTANILLA_STRICT") == "1"


@pytest.fixture
def spare_redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if IN_CI:
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    client.flushdb()
    yield client
    client.flushdb()


def ventanilla(*args: str, var_dir: Path) -> subprocess.CompletedProcess[str]:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "ventanilla", *args],
        env={
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "VENTANILLA_TASKS_BACKEND": "rq",
            "VENTANILLA_VAR_DIR": str(var_dir),
            "VENTANILLA_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_redis_is_run_by_the_rq_worker(
    spare_redis: redis.Redis, actor: Actor, tmp_path: Path
) -> None:
    party = make_party(actor)
    queued = Notification.objects.create(
        party=party,
        event="reply",
        medium="email",
        recipient="vecina@example.es",
        language="es",
        subject="Respuesta",
        body="Hola",
    )
    ventanilla(
        "shell",
        "-c",
        "from ventanilla.notifications.jobs import send_notifications; "
        "send_notifications.enqueue()",
        var_dir=tmp_path,
    )
    assert spare_redis.llen("rq:queue:default") == 1

    worker = ventanilla("worker", "--batch", var_dir=tmp_path)

    queued.refresh_from_db()
    assert queued.status == "sent", worker.stderr
    [message] = (tmp_path / "mail").iterdir()
    assert "vecina@example.es" in message.read_text(encoding="utf-8")
    # The periodic runs (retention, deadlines, audit checkpoints, the outbox check, appointment
    # reminders, the nightly warehouse build, the daily emerging-problem check, the nightly
    # mining of services that follow each other, the nightly deadline-risk training, the
    # notices to subscribers, the mixing of closed surveys' sealed answers; the mailbox only
    # when one is set) wait in RQ's schedule, and a restart does not add them twice.
    scheduled = spare_redis.zcard("rq:scheduled:default")
    assert scheduled == 11
    ventanilla("worker", "--batch", var_dir=tmp_path)
    assert spare_redis.zcard("rq:scheduled:default") == scheduled
