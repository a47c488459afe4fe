"""Reliability with a real Redis and a real Celery worker (PostgreSQL + Redis only; skipped on
SQLite, required in CI): submissions are committed before they are acknowledged whether or not
the broker is up, the worker analyses them, alerts go out once, and the sweep catches up."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from feedback.models import FeedbackItem, SafeguardingAlert
from portal.roles import Role
from tests.worker import wait_for

pytestmark = pytest.mark.worker

FORM = {"audience": "parent_carer", "locality": "central"}


def _mail_files(worker) -> list[str]:
    return [p.read_text(errors="replace") for p in Path(worker.mail_dir).glob("*")]


@pytest.fixture
def seeded(transactional_db):
    from feedback.selectors import analysis_context_reset
    from feedback.services import school_seed, theme_seed
    from portal.plan_loader import plan_file_load

    plan_file_load()
    school_seed()
    theme_seed()
    analysis_context_reset()


def test_worker_analyses_a_form_submission_and_alerts_once(seeded, make_user, settings, client, request):
    worker = request.getfixturevalue("celery_worker")
    from feedback.tasks import analyse_item

    settings.FEEDBACK_RATE_LIMIT_COUNT = 100
    lead = make_user(Role.SAFEGUARDING_LEAD)
    started = time.monotonic()
    response = client.post(
        "/feedback/",
        {
            **FORM,
            "text": "My daughter Amy has started cutting herself and "
            "says she wants to die. Still no EHCP after 40 weeks.",
        },
    )
    assert response.status_code == 302 and time.monotonic() - started < 5  # never waits for analysis
    item = FeedbackItem.objects.get()
    wait_for(lambda: FeedbackItem.objects.filter(pk=item.pk, analysis_state="done").exists(), timeout=60)
    item.refresh_from_db()
    assert item.safeguarding and "Amy" not in item.redacted_text
    # The alert email reaches the safeguarding lead within a minute.
    mails = wait_for(lambda: _mail_files(worker), timeout=60)
    assert lead.email in mails[0] and "cutting" not in mails[0]
    # Running the task twice more (a redelivery) finds the item analysed: nothing changes and
    # nothing new is sent.
    again = [analyse_item.delay(item.pk), analyse_item.delay(item.pk)]
    wait_for(lambda: all(f"[{task.id}] succeeded" in worker.output() for task in again), timeout=60)
    assert FeedbackItem.objects.get(pk=item.pk).analysis_attempts == 1
    assert SafeguardingAlert.objects.filter(item=item).count() == 1
    time.sleep(1)
    assert len(_mail_files(worker)) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server, so stopping it never disturbs the shared one on 6379."""

    def __init__(self, port: int):
        self.port = port
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--bind",
                "127.0.0.1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def private_broker(transactional_db):
    from django.db import connection

    from config.celery import app

    if not os.environ.get("CELERY_BROKER_URL") or connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run worker tests on PostgreSQL with CELERY_BROKER_URL set")
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL)")
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed for the broker-outage test")
    redis = PrivateRedis(_free_port())
    redis.start()
    url = f"redis://127.0.0.1:{redis.port}/0"
    saved_env = {k: os.environ.get(k) for k in ("CELERY_BROKER_URL", "FEEDBACK_SWEEP_MIN_AGE_SECONDS")}
    saved_url = app.conf.broker_url
    os.environ["CELERY_BROKER_URL"] = url
    os.environ["FEEDBACK_SWEEP_MIN_AGE_SECONDS"] = "0"  # read by the worker process

    def reset_pool():
        # Forget the cached pools (kombu keeps closed pools in a global registry by URL, so
        # they are dropped, not closed): the next publish connects to the current broker_url.
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = url
    reset_pool()
    redis.reset_pool = reset_pool
    try:
        yield redis
    finally:
        redis.stop()
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        app.conf.broker_url = saved_url
        reset_pool()


def test_broker_outage_loses_nothing_and_the_sweep_catches_up(
    seeded, private_broker, settings, client, request
):
    worker = request.getfixturevalue("celery_worker")
    from feedback.tasks import sweep_unanalysed

    settings.FEEDBACK_RATE_LIMIT_COUNT = 100
    texts = [
        "Still waiting 30 weeks for the EHCP {}.",
        "The named worker never replies {}.",
        "Transport was late again {}.",
        "The SENCO was brilliant {}.",
    ]

    def submit(n):
        started = time.monotonic()
        response = client.post("/feedback/", {**FORM, "text": texts[n % len(texts)].format(n)})
        assert response.status_code == 302, response.status_code
        return time.monotonic() - started

    for n in range(4):
        submit(n)
    wait_for(lambda: FeedbackItem.objects.filter(analysis_state="done").count() == 4, timeout=60)

    private_broker.stop()  # Redis goes down mid-stream
    durations = [submit(n) for n in range(4, 10)]
    assert max(durations) < 10  # fail fast: acknowledged without waiting for the broker
    assert FeedbackItem.objects.count() == 10  # committed before acknowledged
    assert FeedbackItem.objects.filter(analysis_state="pending").count() == 6

    private_broker.start()  # same port, empty: the six were never queued
    private_broker.reset_pool()
    time.sleep(1)
    sweep_unanalysed.delay()  # what beat sends every minute
    wait_for(lambda: not FeedbackItem.objects.exclude(analysis_state="done").exists(), timeout=120)
    assert FeedbackItem.objects.filter(analysis_state="done").count() == 10
    assert "sweep_unanalysed" in worker.output()
