"""A real Celery worker, started as a subprocess against Redis and the test database.

Used by tests marked `worker`. They need PostgreSQL (the worker must share the test database)
and CELERY_BROKER_URL; on a laptop with SQLite alone they are skipped, in CI they must run.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class WorkerProcess:
    def __init__(self, env, log_path):
        self.env = env
        self.log_path = log_path
        self.proc = None

    def start(self, timeout=60):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-l",
                "info",
                "-P",
                "solo",
                "-Q",
                self.env["CELERY_TASK_DEFAULT_QUEUE"],
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b" ready." in Path(self.log_path).read_bytes():
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {Path(self.log_path).read_text()[-2000:]}")
            time.sleep(0.2)
        raise RuntimeError("worker did not become ready")

    def kill(self, sig=9):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if getattr(self, "log", None):
            self.log.close()

    def output(self) -> str:
        return Path(self.log_path).read_text(errors="replace")


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """Start a worker on a private queue; tasks sent by the test go to it through Redis."""
    from django.db import connection

    from config.celery import app

    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker or connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run worker tests on PostgreSQL with CELERY_BROKER_URL set")
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL)")
    queue = f"test-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    worker = WorkerProcess(env, tmp_path / "worker.log")
    worker.mail_dir = mail_dir
    worker.queue = queue
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        app.conf.task_always_eager, app.conf.task_default_queue = previous


def wait_for(predicate, timeout=30.0, interval=0.2):
    """Poll until predicate() is truthy; return its value or fail with a clear message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")
