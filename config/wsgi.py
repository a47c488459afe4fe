import os
from importlib import metadata

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Each new Redis connection looks up redis's version through importlib_metadata, whose modules
# load lazily and not thread-safely: two threads of a freshly started gunicorn worker opening
# their first connections together got a 500 (AttributeError on `_adapters`, found by
# bench/load_surveys.py). Looking it up once here, before any request thread runs, loads them.
metadata.version("redis")

# A loud log line when the site starts with no one to receive safeguarding alerts (one query).
# The connection is closed again so a preloading master never hands one to its forks.
from django.db import connections  # noqa: E402

from config.health import log_if_no_safeguarding_lead  # noqa: E402

log_if_no_safeguarding_lead("Web process")
connections.close_all()
