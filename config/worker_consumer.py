"""The Celery worker's broker consumer, reconnecting sooner after a broker outage.

Celery retries a lost broker connection with growing waits (2 s, 4 s, 6 s ... up to 30 s), and
offers no setting for them. After a 60-second Redis outage that left the worker idle for up to
30 s more while the backlog waited (bench/load_surveys.py measured 11 s). Here it retries
every second at first and never waits more than 5 s, so the recovery sweep starts promptly.
Retrying a refused connection on 127.0.0.1 or a private network costs next to nothing.
"""

from functools import partial

from celery.worker.consumer import Consumer

RETRY_INTERVALS = {"interval_start": 1, "interval_step": 1, "interval_max": 5}


class PromptReconnectConsumer(Consumer):
    def ensure_connected(self, conn):
        conn.ensure_connection = partial(conn.ensure_connection, **RETRY_INTERVALS)
        return super().ensure_connected(conn)
