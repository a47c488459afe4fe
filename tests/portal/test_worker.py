"""A real Celery worker, over Redis, running a task that writes to the shared database."""

import pytest

from portal.models import WorkerHeartbeat
from tests.worker import wait_for


@pytest.mark.worker
def test_real_worker_runs_heartbeat_task(celery_worker, client):
    from portal.tasks import heartbeat

    heartbeat.delay()
    beat = wait_for(lambda: WorkerHeartbeat.objects.first(), timeout=30)
    assert beat.worker.startswith("test-")
    body = client.get("/healthz").json()
    assert body["broker"] == {"status": "ok", "mode": "broker"}
    assert body["worker"]["status"] == "ok"
