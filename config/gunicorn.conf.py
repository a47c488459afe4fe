"""gunicorn settings for production (`gunicorn -c config/gunicorn.conf.py config.wsgi`).

Values come from the environment so the same file serves one small VM or many containers.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# A request that takes longer than this is stuck (a database restart, say); gunicorn replaces
# the worker and the client sees an error rather than waiting forever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Resume, sign-in, consent, reset and confirmation links carry their token in the path, and
# search terms can hold personal details: the access log masks both (portal/logmask.py). A
# dotted path, not an import: gunicorn reads this file before the project is on sys.path.
logger_class = "config.gunicorn_logging.MaskingLogger"
